"""Research for a question of an inquiry, over result lists made of real chunks of the
sample corpus (the inquiry with the administration's answer, the energy-saving circular,
a council paper): which passage is an earlier reply, the order of kinds, and how the
inquiry's title informs the search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.base import SourceDocument
from ingest.pipeline.chunker import StructuredChunker
from ingest.pipeline.parsing import parse_document
from ingest.pipeline.structure import StructureAnnotator
from search.cases.drafts import draft_answer
from search.cases.research import context_words, passage_kind, research
from search.core.settings import IngestSettings
from search.results import DocumentHit, Passage, SearchResponse

CORPUS = Path(__file__).resolve().parents[3] / "samples" / "corpus"
INQUIRY = CORPUS / "beschluesse" / "Drucksache_2025-0042_Anfrage_GLL_Energieverbrauch.odt"
CIRCULAR = CORPUS / "rundschreiben" / "Rundschreiben_12-2022_Energiesparen.txt"
PAPER = CORPUS / "beschluesse" / "Drucksache_2025-0118_Abfallgebuehren_2026.pdf"


def _hit(path: Path, doc_type: str, date: str, reference: str | None) -> DocumentHit:
    """A document of the sample corpus as a hit with all its chunks as passages."""
    parsed = parse_document(
        SourceDocument(path.as_uri(), path.name, path.read_bytes()), max_bytes=10**8
    )
    parsed = StructureAnnotator().run(parsed=parsed)["parsed"]
    title = parsed.title or path.stem
    chunks = StructuredChunker(IngestSettings()).run(parsed, {"doc_id": path.stem})["chunks"]
    passages = [
        Passage(
            chunk_id=chunk.id,
            text=chunk.content or "",
            highlight="",
            page_start=chunk.meta.get("page_start"),
            page_end=chunk.meta.get("page_end"),
            section=chunk.meta.get("section") or "",
            score=1.0,
            citation=f"{title}, {chunk.meta.get('section') or ''}".rstrip(", "),
        )
        for chunk in chunks
    ]
    return DocumentHit(
        doc_id=path.stem,
        uri=path.as_uri(),
        title=title,
        doc_type=doc_type,
        source="beispiel",
        date=date,
        reference=reference,
        score=1.0,
        passages=passages,
    )


@pytest.fixture(scope="module")
def hits() -> dict[str, DocumentHit]:
    return {
        "inquiry": _hit(INQUIRY, "decision", "2025-03-04", "Drucksache 2025/0042"),
        "circular": _hit(CIRCULAR, "guidance", "2022-09-01", None),
        "paper": _hit(PAPER, "decision", "2025-09-16", "Drucksache 2025/0118"),
    }


class Recorded:
    """A search callable answering every query with the same result list, in this order."""

    def __init__(self, *results: DocumentHit) -> None:
        self.results = list(results)
        self.queries: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, query: str, **options: Any) -> SearchResponse:
        self.queries.append((query, options))
        return SearchResponse(query=query, mode="hybrid", results=self.results)


def test_the_answers_of_an_earlier_inquiry_are_replies(hits: dict[str, DocumentHit]) -> None:
    inquiry = hits["inquiry"]
    kinds = {
        (p.section or p.text).split("\n")[0].split(" › ")[-1]: passage_kind(inquiry, p)
        for p in inquiry.passages
    }
    assert kinds["Zu Frage 2: Fortgeltung der Maßnahmen"] == "reply"
    assert kinds["Zu Frage 5: Energiebericht"] == "reply"
    assert kinds["Anfrage"] == "other"  # the earlier question itself, not its answer
    circular = hits["circular"]
    assert {passage_kind(circular, p) for p in circular.passages} == {"rule"}
    assert passage_kind(hits["paper"], hits["paper"].passages[0]) == "decision"


def test_replies_come_first_then_decisions_then_rules(hits: dict[str, DocumentHit]) -> None:
    search = Recorded(hits["circular"], hits["paper"], hits["inquiry"])
    offered = research(search, "Gilt die Begrenzung der Raumtemperatur in Büros auf 19 Grad noch?")
    assert len(offered) == 10
    kinds = [item.kind for item in offered]
    assert kinds[0] == "reply" and kinds == sorted(
        kinds, key=["reply", "decision", "rule", "other"].index
    )
    first = offered[0]
    assert first.doc_id == INQUIRY.stem and first.date == "2025-03-04"
    assert first.reference == "Drucksache 2025/0042" and first.chunk_id.startswith(INQUIRY.stem)
    assert [query for query, _ in search.queries] == [
        "Gilt die Begrenzung der Raumtemperatur in Büros auf 19 Grad noch?"
    ]
    assert search.queries[0][1] == {"top_k": 20}


def test_the_title_says_what_the_question_refers_to(hits: dict[str, DocumentHit]) -> None:
    title = "Anfrage der Fraktion GLL zum Energieverbrauch städtischer Gebäude"
    assert context_words("Welche Kosten wurden dort eingespart?", title, None) == [
        "GLL", "Energieverbrauch", "städtischer", "Gebäude",
    ]  # fmt: skip
    search = Recorded(hits["inquiry"], hits["circular"])
    research(search, "Welche Kosten wurden dort eingespart?", title=title)
    queries = [query for query, _ in search.queries]
    assert queries == [
        "Welche Kosten wurden dort eingespart?",
        "Welche Kosten wurden dort eingespart? GLL Energieverbrauch städtischer Gebäude",
    ]
    # without a title, the preamble's first sentence; words the question has are not added
    preamble = "Im Herbst 2022 hat die Verwaltung Energiesparmaßnahmen angeordnet. Wir fragen:"
    assert context_words("Welche Energiesparmaßnahmen gelten noch?", None, preamble) == [
        "Herbst", "angeordnet",
    ]  # fmt: skip


def test_a_draft_quotes_only_the_pinned_passages(hits: dict[str, DocumentHit]) -> None:
    offered = research(
        Recorded(hits["circular"], hits["inquiry"]),
        "Wie viele Photovoltaikanlagen betreibt die Stadt?",
    )
    pinned = [item for item in offered if "Photovoltaik" in item.section]
    draft = draft_answer("Wie viele Photovoltaikanlagen betreibt die Stadt?", pinned, None)
    assert "14 Photovoltaikanlagen" in draft.text and draft.text.count("[1]") >= 1
    assert [source.chunk_id for source in draft.sources] == [item.chunk_id for item in pinned]
    assert draft.ai
