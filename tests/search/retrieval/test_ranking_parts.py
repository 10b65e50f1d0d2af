"""Fusion, grouping, citations and snippets on real chunk metadata."""

from pathlib import Path

import pytest
from haystack import Document

from search.citations import CitationBuilder, format_pages
from search.core.settings import SearchSettings
from search.filters import SearchFilters
from search.retrieval.fusion import RankFusion
from search.retrieval.grouping import DocumentGrouper
from search.retrieval.keyword_retriever import KeywordRetriever
from search.retrieval.snippets import make_snippet
from search.stores.base import DocumentScore, ScoredChunk
from search.stores.tantivy_store import TantivyKeywordStore

# the shipped ranking settings; a test changes only what it is about
SHIPPED = SearchSettings()


def _grouper(store: TantivyKeywordStore | None = None, **changes: object) -> DocumentGrouper:
    return DocumentGrouper(SearchSettings(**changes), language="de", store=store)


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
    rrf = SearchSettings(fusion="rrf")
    hits = RankFusion(rrf).run(keyword_hits=keyword, vector_hits=vector)["hits"]
    assert [h.document.id for h in hits] == ["b:0000", "a:0000", "c:0000"]
    assert hits[0].keyword_rank == 2
    assert hits[0].vector_rank == 2
    k = rrf.rrf_k
    assert abs(hits[0].score - (1 / (k + 2) + 1 / (k + 2))) < 1e-12
    assert hits[1].highlights == ("<mark>Hund</mark>",)


def test_single_list_keeps_its_order() -> None:
    docs = [_chunk(str(i), 0) for i in range(5)]
    hits = RankFusion(SHIPPED).run(
        vector_hits=[ScoredChunk(d, 1.0 - i / 10) for i, d in enumerate(docs)]
    )
    assert [h.document.id for h in hits["hits"]] == [d.id for d in docs]


def test_grouper_makes_one_hit_per_document_with_cited_passages() -> None:
    meta = {"page_start": 2, "page_end": 3, "section": "§ 3 Steuersatz", "date": "2017-03-21"}
    a0, a1 = _chunk("a", 0, **meta), _chunk("a", 1, page_start=5, page_end=5)
    b0 = _chunk("b", 0, reference="Drs. 2024/0153")
    hits = RankFusion(SHIPPED).run(
        keyword_hits=[ScoredChunk(a0, 3.0), ScoredChunk(b0, 2.0), ScoredChunk(a1, 1.0)]
    )["hits"]
    documents = _grouper(passages_per_document=2).run(hits=hits, query="erster Hund")["documents"]
    assert [d.doc_id for d in documents] == ["a", "b"]
    first = documents[0]
    assert [p.chunk_id for p in first.passages] == ["a:0000", "a:0001"]
    assert first.pages == [2, 3, 5]
    assert first.section == "§ 3 Steuersatz"
    assert first.citation == "Titel a (21.03.2017), § 3 Steuersatz, S. 2–3"
    assert "<mark>ersten</mark> <mark>Hund</mark>" in first.passages[0].highlight
    assert documents[1].citation.startswith("Drs. 2024/0153 – Titel b")
    assert _grouper(top_k=1).run(hits=hits, query="x")["documents"][0].doc_id == "a"


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


def test_score_fusion_keeps_how_far_apart_hits_are() -> None:
    a, b, c = _chunk("a", 0), _chunk("b", 0), _chunk("c", 0)
    keyword = [ScoredChunk(a, 10.0), ScoredChunk(b, 5.0)]
    vector = [ScoredChunk(c, 0.90), ScoredChunk(a, 0.80)]
    fusion = RankFusion(SearchSettings(fusion="score", cosine_scale=20.0))
    hits = {
        h.document.id: h.score for h in fusion.run(keyword_hits=keyword, vector_hits=vector)["hits"]
    }
    # BM25 divided by the best keyword score; cosine × 20; absent = the list's lowest score
    assert hits["a:0000"] == pytest.approx(1.0 + 16.0)
    assert hits["b:0000"] == pytest.approx(0.5 + 16.0)
    assert hits["c:0000"] == pytest.approx(0.5 + 18.0)
    # a cosine 0.1 higher outweighs the whole keyword score: c first, unlike with RRF
    fused = fusion.run(keyword_hits=keyword, vector_hits=vector)["hits"]
    assert [h.document.id for h in fused] == ["c:0000", "a:0000", "b:0000"]
    rrf = RankFusion(SearchSettings(fusion="rrf")).run(keyword_hits=keyword, vector_hits=vector)
    rrf = rrf["hits"]
    assert rrf[0].document.id == "a:0000"


def test_whole_document_keyword_score_lifts_a_document_matching_in_many_places() -> None:
    # b's best chunk is a little better than a's, but a matches as a whole document
    a, b = _chunk("a", 0), _chunk("b", 0)
    hits = RankFusion(SHIPPED).run(keyword_hits=[ScoredChunk(b, 10.0), ScoredChunk(a, 9.0)])
    grouper = _grouper(support_weight=0.0)
    assert [d.doc_id for d in grouper.run(hits=hits["hits"], query="Hund")["documents"]] == [
        "b",
        "a",
    ]
    whole = [DocumentScore("a", 30.0), DocumentScore("b", 12.0)]
    documents = grouper.run(hits=hits["hits"], query="Hund", document_hits=whole)["documents"]
    assert [d.doc_id for d in documents] == ["a", "b"]
    weight = SHIPPED.document_weight  # 1.5: the best whole-document match adds it all
    assert documents[0].score == pytest.approx(0.9 + weight * 1.0)
    assert documents[1].score == pytest.approx(1.0 + weight * 0.4)


def test_support_ranks_two_strong_chunks_above_one_slightly_stronger() -> None:
    a0, a1, b0, c0 = _chunk("a", 0), _chunk("a", 1), _chunk("b", 0), _chunk("c", 0)
    keyword = [ScoredChunk(b0, 10.0), ScoredChunk(a0, 9.8), ScoredChunk(a1, 9.6)]
    keyword.append(ScoredChunk(c0, 2.0))  # the weakest candidate sets the floor
    hits = RankFusion(SHIPPED).run(keyword_hits=keyword)["hits"]
    ranked = _grouper(support_weight=0.1).run(hits=hits, query="Hund")["documents"]
    assert [d.doc_id for d in ranked][:2] == ["a", "b"]
    alone = _grouper(support_weight=0.0).run(hits=hits, query="Hund")["documents"]
    assert [d.doc_id for d in alone][:2] == ["b", "a"]


def test_semantic_threshold_leaves_out_documents_found_only_by_distant_vectors() -> None:
    # a: a keyword match, far in meaning; b: close in meaning, no keyword match; c:
    # neither; d: far, but its words are in the whole document; e: far, semantic mode
    a, b, d, e = (_chunk(x, 0) for x in "abde")
    c1 = _chunk("c", 1)
    keyword = [ScoredChunk(a, 8.0)]
    vector = [ScoredChunk(b, 0.86), ScoredChunk(c1, 0.80), ScoredChunk(d, 0.75)]
    vector.append(ScoredChunk(a, 0.70))
    hits = RankFusion(SHIPPED).run(keyword_hits=keyword, vector_hits=vector)["hits"]
    cosines = {h.document.id: h.vector_score for h in hits}
    assert cosines == {"a:0000": 0.70, "b:0000": 0.86, "c:0001": 0.80, "d:0000": 0.75}
    whole = [DocumentScore("d", 3.0)]
    everything = _grouper(support_weight=0.0, semantic_min_score=None).run(
        hits=hits, query="Hund", document_hits=whole
    )
    assert everything["below_threshold"] == 0
    grouper = _grouper(support_weight=0.0, semantic_min_score=0.85)
    kept = grouper.run(hits=hits, query="Hund", document_hits=whole)
    assert kept["below_threshold"] == 1  # c
    # left out, not re-ranked: the documents shown keep their scores and order
    scores = {hit.doc_id: hit.score for hit in everything["documents"]}
    shown = [hit.doc_id for hit in everything["documents"] if hit.doc_id != "c"]
    assert [hit.doc_id for hit in kept["documents"]] == shown
    assert sorted(shown) == ["a", "b", "d"]
    assert all(hit.score == scores[hit.doc_id] for hit in kept["documents"])
    # semantic mode: only the vector list; nothing close enough leaves nothing
    far = RankFusion(SHIPPED).run(vector_hits=[ScoredChunk(e, 0.79)])["hits"]
    nothing = grouper.run(hits=far, query="Hund")
    assert (nothing["documents"], nothing["total"], nothing["below_threshold"]) == ([], 0, 1)
    # 0 (or None) shows every candidate
    assert len(_grouper(semantic_min_score=0).run(hits=far, query="Hund")["documents"]) == 1


PUBLIC = {"access_groups": ["public"]}


def test_documents_found_only_as_a_whole_are_ranked_and_cited(tmp_path: Path) -> None:
    store = TantivyKeywordStore(tmp_path / "keyword")
    # the answer has all three words, but each chunk only one of them ...
    texts = ["Der Radweg wird gebaut.", "Die Ampel kommt.", "Die Kosten trägt das Land."]
    answer = [
        Document(
            id=f"antwort:{i:04d}",
            content=text,
            meta={"doc_id": "antwort", "chunk_index": i, **PUBLIC},
        )
        for i, text in enumerate(texts)
    ]
    # ... while every note has two of them in one chunk
    pairs = [("Radweg", "Ampel"), ("Ampel", "Kosten"), ("Radweg", "Kosten")] * 2
    notes = [
        Document(
            id=f"n{i}:0000",
            content=f"Notiz: {a} und {b} in Straße {i}, siehe Anlage mit Plan.",
            meta={"doc_id": f"n{i}", **PUBLIC},
        )
        for i, (a, b) in enumerate(pairs)
    ]
    store.write(answer + notes)
    store.commit()
    query = "Radweg Ampel Kosten"
    output = KeywordRetriever(store, top_k=3, document_top_k=3).run(query)
    assert output["documents"][0].doc_id == "antwort"
    # the answer's chunks are not among the best three: it is found only as a whole
    # (the notes' chunks score alike: which three come first is tantivy's tie order)
    notes = sorted(h.document.meta["doc_id"] for h in output["hits"])
    assert len(notes) == 3
    assert all(note.startswith("n") for note in notes)
    hits = RankFusion(SHIPPED).run(keyword_hits=output["hits"])["hits"]
    grouper = _grouper(store, passages_per_document=2)
    public = SearchFilters(access_groups=["public"])
    documents = grouper.run(
        hits=hits, query=query, document_hits=output["documents"], filters=public
    )["documents"]
    assert documents[0].doc_id == "antwort"
    # its passages are its own best chunks, fetched to cite it, marked by the snippets
    assert all(p.chunk_id.startswith("antwort:") for p in documents[0].passages)
    assert len(documents[0].passages) == 2
    assert "<mark>" in documents[0].passages[0].highlight
    assert documents[0].doc_id == "antwort"
    assert sorted(d.doc_id for d in documents[1:]) == notes
    # the fetch applies the search's filters (here: a group none of the chunks has)
    elsewhere = SearchFilters(access_groups=["it"])
    documents = grouper.run(
        hits=hits, query=query, document_hits=output["documents"], filters=elsewhere
    )["documents"]
    assert sorted(d.doc_id for d in documents) == notes
    # without a store to fetch from, such a document cannot be cited and is left out
    documents = _grouper().run(hits=hits, query=query, document_hits=output["documents"])
    assert sorted(d.doc_id for d in documents["documents"]) == notes
    # without whole documents, the notes win
    chunks_only = KeywordRetriever(store, top_k=3, document_top_k=0).run(query)
    assert chunks_only["documents"] == []
    hits = RankFusion(SHIPPED).run(keyword_hits=chunks_only["hits"])["hits"]
    first = _grouper().run(hits=hits, query=query)["documents"][0].doc_id
    assert first == chunks_only["hits"][0].document.meta["doc_id"]
    assert first.startswith("n")
    store.close()
