"""Federal laws in the portal's XML: parsed into § / Absatz sections, synced as a source,
found and cited as ``§ 34 Abs. 1 BauGB``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.base import SourceDocument
from ingest.pipeline.parsing import detect_format, parse_document
from ingest.pipeline.parsing.lawxml import parse_law_xml
from ingest.pipeline.structure import annotate
from ingest.sync.indexer import Indexer
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.core.errors import CorruptDocument
from search.core.settings import Settings
from search.results import DocumentHit
from search.service import SearchService

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "corpora" / "bundesrecht"
pytestmark = pytest.mark.skipif(
    not (CORPUS / "_index_jurabk_to_bjnr.json").is_file(),
    reason=f"the federal law corpus is not available at {CORPUS}",
)


def _folder(abbreviation: str) -> Path:
    index = json.loads((CORPUS / "_index_jurabk_to_bjnr.json").read_text(encoding="utf-8"))
    return CORPUS / index[abbreviation]


def _law(abbreviation: str) -> bytes:
    return (_folder(abbreviation) / "source.xml").read_bytes()


def test_baugb_has_section_34_with_its_absaetze() -> None:
    content = _law("BauGB")
    assert detect_format("source.xml", content) == "lawxml"
    parsed = annotate(parse_document(SourceDocument("x", "source.xml", content), max_bytes=2**25))
    assert parsed.title == "Baugesetzbuch"
    # cited as BauGB, although the portal's jurabk is the historic BBauG
    assert parsed.metadata["reference"] == "BauGB"
    assert parsed.metadata["date"] == "1960-06-23"
    assert parsed.metadata["doc_type"] == "statute"
    heading = "§ 34 Zulässigkeit von Vorhaben innerhalb der im Zusammenhang bebauten Ortsteile"
    in_34 = [e for e in parsed.elements if heading in e.section_path and e.kind != "heading"]
    absaetze = [e.section_path[-1] for e in in_34]
    assert absaetze == [f"Abs. {n}" for n in ("1", "2", "3", "3a", "3b", "4", "5", "6")]
    assert in_34[0].section_path[:3] == (
        "Erstes Kapitel Allgemeines Städtebaurecht",
        "Dritter Teil Regelung der baulichen und sonstigen Nutzung; Entschädigung",
        "Erster Abschnitt Zulässigkeit von Vorhaben",
    )
    assert in_34[0].text.startswith("(1) Innerhalb der im Zusammenhang bebauten Ortsteile")
    # Nummern stay in the Absatz, one per line with their marker
    absatz_4 = in_34[5].text.split("\n")
    assert absatz_4[0] == "(4) Die Gemeinde kann durch Satzung"
    assert absatz_4[1].startswith("1. die Grenzen für im Zusammenhang bebaute Ortsteile")
    assert absatz_4[-1] == "Die Satzungen können miteinander verbunden werden."
    assert any(line.startswith("a) der Erweiterung") for line in in_34[3].text.split("\n"))
    # neither the table of contents nor the portal's footnotes are indexed as text
    text = "\n".join(e.text for e in parsed.elements)
    assert "Inhaltsübersicht" not in text and "Textnachweis" not in text
    assert text.count("Zulässigkeit von Vorhaben innerhalb der im Zusammenhang") == 1


def test_every_law_of_the_corpus_parses() -> None:
    laws = sorted(CORPUS.glob("*/source.xml"))
    assert len(laws) >= 60
    for path in laws:
        parsed = parse_law_xml(path.read_bytes())
        meta = json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))
        assert parsed.title, path
        assert parsed.metadata["reference"] in (meta.get("amtabk"), *_cited_forms(meta["jurabk"]))
        assert parsed.metadata["date"] == meta["ausfertigung_datum"], path
        norms = [e for e in parsed.elements if e.kind == "heading" and e.text[:1] in "§A"]
        assert norms, path


def _cited_forms(jurabk: str) -> tuple[str, ...]:
    """``StVO 2013`` → ``StVO``; ``SGB 12`` → ``SGB XII``."""
    roman = {"1": "I", "2": "II", "8": "VIII", "12": "XII"}
    number = jurabk.removeprefix("SGB ")
    return (jurabk, jurabk.rsplit(" ", 1)[0], f"SGB {roman.get(number, '?')}")


def test_grundgesetz_articles_and_other_xml() -> None:
    parsed = annotate(parse_law_xml(_law("GG")))
    assert parsed.metadata["reference"] == "GG"
    first = next(e for e in parsed.elements if e.kind == "text" and e.section_path[-1] == "Abs. 1")
    assert first.section_path[-2] == "Art. 1"
    assert first.text == (
        "(1) Die Würde des Menschen ist unantastbar. "
        "Sie zu achten und zu schützen ist Verpflichtung aller staatlichen Gewalt."
    )
    # other XML is not a law
    with pytest.raises(CorruptDocument):
        parse_law_xml(b"<?xml version='1.0'?><rss><channel/></rss>")
    assert detect_format("feed.xml", b"<?xml version='1.0'?><rss><channel/></rss>") == "txt"


def _search(settings: Settings, query: str) -> list[DocumentHit]:
    with SearchService(settings) as service:
        return service.search(query).results


def test_sync_laws_and_cite_paragraph_and_absatz(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    include = [f"{_folder(law).name}/*.xml" for law in ("IFG", "BKleingG")]
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        registry.add(
            SourceConfig(name="bund", kind="lawxml", location=str(CORPUS), include=include)
        )
        report = registry.sync("bund", indexer)
        assert (report.seen, report.indexed, report.failed) == (2, 2, 0)
        entries = {e.reference: e for e in indexer.catalog.entries(source="bund")}
        assert set(entries) == {"IFG", "BKleingG"}
        assert entries["BKleingG"].title == "Bundeskleingartengesetz"
        assert entries["BKleingG"].doc_type == "statute"
        assert entries["BKleingG"].date == "1983-02-28"
        # meta.json and toc.json beside each law are not documents
        assert all(e.uri.endswith("/source.xml") for e in entries.values())

    hits = _search(settings, "Kleingarten und Gartenlaube")
    assert hits[0].reference == "BKleingG"
    assert hits[0].citation.startswith("§ 3 Abs. ")
    assert hits[0].citation.endswith(" BKleingG")
    # a question answered by one Absatz cites that Absatz
    hits = _search(settings, "Wie groß darf die Laube im Kleingarten höchstens sein?")
    assert hits[0].passages[0].citation == "§ 3 Abs. 2 BKleingG"
    assert "24 Quadratmetern" in hits[0].passages[0].text
    hits = _search(settings, "Anspruch auf Zugang zu amtlichen Informationen der Bundesbehörden")
    assert hits[0].citation == "§ 1 Abs. 1 IFG"

    with Indexer(settings) as indexer:  # unchanged laws are not parsed again
        report = SourceRegistry(indexer.catalog).sync("bund", indexer)
        assert (report.unchanged, report.indexed, report.deleted) == (2, 0, 0)


@pytest.mark.slow
def test_baugb_section_34_found_and_cited(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        folder = _folder("BauGB")
        registry.add(SourceConfig(name="baurecht", kind="lawxml", location=str(folder)))
        assert registry.sync("baurecht", indexer).indexed == 1
    hits = _search(
        settings, "Zulässigkeit von Vorhaben innerhalb der im Zusammenhang bebauten Ortsteile"
    )
    assert hits[0].reference == "BauGB"
    assert any(p.citation.startswith("§ 34 Abs. ") for p in hits[0].passages)
    hits = _search(
        settings,
        "Vorhaben darf keine schädlichen Auswirkungen auf zentrale Versorgungsbereiche haben",
    )
    assert hits[0].passages[0].citation == "§ 34 Abs. 3 BauGB"
