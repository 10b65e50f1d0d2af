"""Title, type, reference and sections of real sample files, as ingestion makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.base import SourceDocument
from ingest.pipeline.chunker import StructuredChunker
from ingest.pipeline.doc_metadata import infer_metadata
from ingest.pipeline.parsing import parse_document
from ingest.pipeline.structure import annotate
from search.core.settings import IngestSettings

CORPUS = Path(__file__).resolve().parents[2] / "samples" / "corpus"


def ingest(name: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """:returns: the document's metadata and ``(section, text)`` of its chunks."""
    path = CORPUS / name
    source = SourceDocument(uri=path.as_uri(), filename=path.name, content=path.read_bytes())
    parsed = annotate(parse_document(source, max_bytes=10**8))
    meta = infer_metadata(parsed, path.name)
    chunker = StructuredChunker(IngestSettings())
    chunks = chunker.run(parsed=parsed, meta={**meta, "doc_id": "d"})["chunks"]
    return meta, [(chunk.meta["section"], chunk.content) for chunk in chunks]


def test_minutes_cite_each_agenda_item_on_its_own() -> None:
    _, chunks = ingest("beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf")
    sections = [section for section, _ in chunks]
    # every item is its own section, not nested in the one before (TOP 7's title starts
    # with "1.") nor in the agenda listing them on page 1
    for number in range(1, 11):
        found = [s for s in sections if s.startswith(f"TOP {number}:")]
        assert found, (number, sections)
        assert all("›" not in s for s in found), found
    assert "Tagesordnung" in sections
    agenda = next(text for section, text in chunks if section == "Tagesordnung")
    assert "TOP 10" in agenda  # the agenda stays one passage of its own


def test_council_paper_cites_its_amendment_under_anlage_1() -> None:
    meta, chunks = ingest("beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf")
    assert meta["reference"] == "Drucksache 2024/0153"
    article = [section for section, text in chunks if text.startswith("Artikel 1")]
    anlage = "Anlage 1: 1. Satzung zur Änderung der Hundesteuersatzung (Entwurf)"
    assert article == [f"{anlage} › Artikel 1"]


def test_instruction_is_not_labelled_with_the_decision_it_mentions() -> None:
    meta, _ = ingest("dienstanweisungen/DA_Schriftgutverwaltung_E-Akte_2020.docx")
    assert "reference" not in meta  # it mentions Drucksache 2019/0211 in § 1
    meta, _ = ingest("sonstiges/Richtlinie_Vereinsfoerderung_2023.odt")
    assert "reference" not in meta
    meta, _ = ingest("beschluesse/Vorlage_2019-0211_Einfuehrung_E-Akte.html")
    assert meta["reference"] == "Drucksache 2019/0211"
    # the web page's title without the site's name after it
    assert meta["title"] == (
        "Drucksache 2019/0211 – Einführung der elektronischen Akte (E-Akte) in der Stadtverwaltung"
    )


def test_allocation_plan_is_not_a_statute() -> None:
    meta, _ = ingest("sonstiges/Zustaendigkeiten_Stadtverwaltung_2026.md")
    assert meta["doc_type"] == "guidance"


@pytest.mark.parametrize(
    "name",
    ["satzungen/Friedhofsgebuehrensatzung_2019.docx", "dienstanweisungen/DA_Datenschutz_2018.odt"],
)
def test_a_title_set_over_two_lines_is_no_section(name: str) -> None:
    meta, chunks = ingest(name)
    title_words = meta["title"].split(" vom ")[0]
    for section, _ in chunks:
        assert title_words not in section
        assert "vom " not in section.split(" › ")[0], section
    assert any(section.startswith(("§ 1 ", "1. ")) for section, _ in chunks)
