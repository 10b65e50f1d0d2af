"""Fusion, grouping, citations and snippets on real chunk metadata."""

from haystack import Document

from search.citations import CitationBuilder, format_pages
from search.fusion import RankFusion
from search.grouping import DocumentGrouper
from search.snippets import make_snippet
from search.stores.base import ScoredChunk


def _chunk(doc: str, n: int, **meta: object) -> Document:
    return Document(
        id=f"{doc}:{n:04d}",
        content=f"Text {doc} {n}. Die Steuer beträgt für den ersten Hund 96 Euro.",
        meta={"doc_id": doc, "title": f"Titel {doc}", "uri": f"file:///{doc}.pdf", **meta},
    )


def test_rrf_rewards_agreement_between_lists() -> None:
    a, b, c = _chunk("a", 0), _chunk("b", 0), _chunk("c", 0)
    keyword = [ScoredChunk(a, 9.0, ("<mark>Hund</mark>",)), ScoredChunk(b, 5.0)]
    vector = [ScoredChunk(c, 0.9), ScoredChunk(b, 0.8)]
    hits = RankFusion(k=60).run(keyword_hits=keyword, vector_hits=vector)["hits"]
    assert [h.document.id for h in hits] == ["b:0000", "a:0000", "c:0000"]
    assert hits[0].keyword_rank == 2
    assert hits[0].vector_rank == 2
    assert abs(hits[0].score - (1 / 62 + 1 / 62)) < 1e-12
    assert hits[1].highlights == ("<mark>Hund</mark>",)


def test_single_list_keeps_its_order() -> None:
    docs = [_chunk(str(i), 0) for i in range(5)]
    hits = RankFusion().run(vector_hits=[ScoredChunk(d, 1.0 - i / 10) for i, d in enumerate(docs)])
    assert [h.document.id for h in hits["hits"]] == [d.id for d in docs]


def test_grouper_makes_one_hit_per_document_with_cited_passages() -> None:
    meta = {"page_start": 2, "page_end": 3, "section": "§ 3 Steuersatz", "date": "2017-03-21"}
    a0, a1 = _chunk("a", 0, **meta), _chunk("a", 1, page_start=5, page_end=5)
    b0 = _chunk("b", 0, reference="Drs. 2024/0153")
    hits = RankFusion().run(
        keyword_hits=[ScoredChunk(a0, 3.0), ScoredChunk(b0, 2.0), ScoredChunk(a1, 1.0)]
    )["hits"]
    documents = DocumentGrouper(top_k=10, passages_per_document=2).run(
        hits=hits, query="erster Hund"
    )["documents"]
    assert [d.doc_id for d in documents] == ["a", "b"]
    first = documents[0]
    assert [p.chunk_id for p in first.passages] == ["a:0000", "a:0001"]
    assert first.pages == [2, 3, 5]
    assert first.section == "§ 3 Steuersatz"
    assert first.citation == "Titel a (21.03.2017), § 3 Steuersatz, S. 2–3"
    assert "<mark>ersten</mark> <mark>Hund</mark>" in first.passages[0].highlight
    assert documents[1].citation.startswith("Drs. 2024/0153 – Titel b")
    assert DocumentGrouper(top_k=1).run(hits=hits, query="x")["documents"][0].doc_id == "a"


def test_citation_formats() -> None:
    builder = CitationBuilder("de")
    assert builder.cite({"title": "Satzung", "page_start": 4, "page_end": 4}) == "Satzung, S. 4"
    assert builder.cite({"filename": "x.docx", "section": "TOP 7"}) == "x.docx, TOP 7"
    assert (
        CitationBuilder("en").cite(
            {"title": "T", "date": "2024-03-12", "page_start": 1, "page_end": 2}
        )
        == "T (2024-03-12), pp. 1–2"
    )
    assert format_pages(None, None) == ""


def test_snippet_picks_the_matching_sentence_and_escapes_html() -> None:
    text = (
        "Die Satzung regelt die Abfallgebühren. "
        "Für Restmüll <120 l> gilt eine Grundgebühr. "
        "Die Hundesteuer beträgt für den ersten Hund 96 Euro. "
        + "Weitere Bestimmungen folgen. "
        * 20
    )
    snippet = make_snippet(text, "Steuer erster Hund", max_chars=120)
    assert "<mark>Hund</mark>" in snippet
    assert "ersten" in snippet
    assert "&lt;120 l&gt;" in make_snippet(text, "Restmüll", max_chars=120)
    assert len(snippet) < 400
