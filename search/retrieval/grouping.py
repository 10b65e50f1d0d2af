"""Group fused chunks by document: one result per document with its best passages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from haystack import component

from search.citations import CitationBuilder
from search.core import fields
from search.core.settings import SearchSettings
from search.filters import SearchFilters
from search.relations import DocumentRelations, arrange, describe, today
from search.results import DocumentHit, Passage
from search.retrieval.facets import Refinement, SortOrder, refine
from search.retrieval.fusion import FusedChunk
from search.retrieval.snippets import make_snippet
from search.stores.base import DocumentScore, KeywordStore


def _pages(meta: dict[str, object]) -> range:
    start, end = meta.get(fields.PAGE_START), meta.get(fields.PAGE_END)
    if not isinstance(start, int):
        return range(0)
    return range(start, (end if isinstance(end, int) else start) + 1)


@component
class DocumentGrouper:
    """Turns chunk hits into document hits with citations.

    A document's score is its best chunk's score, plus ``document_weight`` times its
    whole-document keyword score divided by the best one (so the best whole-document match
    adds ``document_weight``; a document with a chunk among the candidates but outside the
    first ``ranking_depth`` whole-document hits adds their lowest share),
    plus ``support_weight`` times what its 2nd and 3rd best chunks score above the weakest
    candidate. The whole-document score is what makes a document that matches in several
    places rank above one lucky chunk: BM25 over all its text counts every place, once per
    word.

    A document found only as a whole (none of its chunks among the candidates) counts the
    weakest candidate's score for its best chunk: it scores at most that, and its own best
    chunk, far down the keyword list, would understate it. Only the documents that make it
    into the results get a chunk fetched from ``store`` (without highlights), to cite.

    A vector store always answers, however far the nearest chunk is: with
    ``min_vector_score`` set, a document is shown only when it matches the keywords (a
    chunk among the keyword hits, or a whole-document keyword hit) or one of its chunks
    reaches that cosine similarity. The others are left out, not re-ranked: the scores of
    the documents shown stay what they were. The match set that facets count and pages
    reach is what is left.

    :param config: the search settings; this reads ``top_k`` (how many documents to
        return), ``passages_per_document`` (how many passages each shows),
        ``support_weight`` (share of the 2nd and 3rd best chunk scores above the weakest
        candidate's added to the score), ``document_weight`` (weight of the normalised
        whole-document keyword score), ``candidates`` (the ranking depth: how many of the
        best whole-document hits share in the ranking; the others, the rest of the match
        set, follow in their own order), ``semantic_min_score`` (the cosine similarity a
        chunk found only by the vector store must reach for its document to be shown;
        ``None`` or 0 shows every candidate) and ``max_matches`` (how many whole-document
        hits the keyword store was asked for: as many came back, more documents match than
        the set holds, ``capped``). The settings are the only place their defaults live.
    :param language: language of citations (``de``/``en``).
    :param store: the keyword store to fetch chunks of documents found only as a whole
        from; without one, such documents are left out.
    :param relations: the documents' relations (amendments, time in force; see
        :mod:`search.relations`): the match set is arranged by what was in force on the
        search's *Rechtsstand* (:func:`search.relations.arrange`) and each hit says what
        amends it. ``None``: no such information.
    """

    def __init__(
        self,
        config: SearchSettings,
        *,
        language: str,
        store: KeywordStore | None = None,
        relations: Callable[[], Mapping[str, DocumentRelations]] | None = None,
    ) -> None:
        self.top_k = config.top_k
        self.ranking_depth = config.candidates
        self.min_vector_score = config.semantic_min_score or None
        self.max_matches = config.max_matches
        self.passages_per_document = config.passages_per_document
        self.citations = CitationBuilder(language)
        self.support_weight = config.support_weight
        self.document_weight = config.document_weight
        self.store = store
        self.relations = relations

    def _passage(self, hit: FusedChunk, query: str) -> Passage:
        meta = hit.document.meta
        text = hit.document.content or ""
        highlight = hit.highlights[0] if hit.highlights else make_snippet(text, query)
        return Passage(
            chunk_id=hit.document.id,
            text=text,
            highlight=highlight,
            page_start=meta.get(fields.PAGE_START),
            page_end=meta.get(fields.PAGE_END),
            section=meta.get(fields.SECTION) or "",
            score=round(hit.score, 6),
            citation=self.citations.cite(meta),
        )

    def _document_shares(self, document_hits: list[DocumentScore]) -> dict[str, float]:
        best = max((hit.score for hit in document_hits), default=0.0)
        if best <= 0:
            return dict.fromkeys((hit.doc_id for hit in document_hits), 0.0)
        return {hit.doc_id: self.document_weight * hit.score / best for hit in document_hits}

    def _matching(
        self, by_doc: dict[str, list[FusedChunk]], document_hits: list[DocumentScore]
    ) -> set[str] | None:
        """:returns: the documents that match the keywords or come close enough in meaning
        (``None`` without a threshold: all of them)."""
        if self.min_vector_score is None:
            return None
        threshold = self.min_vector_score
        matching = {hit.doc_id for hit in document_hits}
        for doc_id, chunks in by_doc.items():
            if any(
                chunk.keyword_rank is not None
                or (chunk.vector_score is not None and chunk.vector_score >= threshold)
                for chunk in chunks
            ):
                matching.add(doc_id)
        return matching

    @component.output_types(
        documents=list[DocumentHit],
        total=int,
        facets=dict[str, dict[str, int]],
        below_threshold=int,
        capped=bool,
    )
    def run(
        self,
        hits: list[FusedChunk],
        query: str,
        top_k: int | None = None,
        document_hits: list[DocumentScore] | None = None,
        filters: SearchFilters | None = None,
        offset: int = 0,
        order: SortOrder = "relevance",
        refinement: Refinement | None = None,
        as_of: str | None = None,
        in_force_only: bool = False,
    ) -> dict[str, Any]:
        """:param hits: fused chunks, best first.

        :param query: the query (for snippets of passages without highlights).
        :param top_k: overrides the number of documents.
        :param document_hits: whole-document keyword hits, best first: every keyword match
            (keyword and hybrid mode), of which the first ``ranking_depth`` take part in
            the ranking as described above and the rest follow them.
        :param filters: the search's filters, applied again when fetching chunks of
            documents found only as a whole.
        :param offset: how many documents of the refined, ordered match set to skip (the
            page).
        :param order: ``relevance``, ``date_desc`` or ``date_asc``.
        :param refinement: facet values the documents must have.
        :param as_of: the *Rechtsstand* (ISO; default today): rules in force that day rank
            first, amendments in force before the statute they amend.
        :param in_force_only: leave out rules not in force on ``as_of``.
        :returns: ``documents``: the page of document hits; ``total``: the documents of the
            refined match set; ``facets``: its facet counts (:mod:`search.retrieval.facets`);
            ``below_threshold``: how many candidates ``min_vector_score`` left out;
            ``capped``: more documents match than ``max_matches``.
        :raises ValueError: for an unknown facet.
        """
        by_doc: dict[str, list[FusedChunk]] = {}
        for hit in hits:
            by_doc.setdefault(hit.document.meta[fields.DOC_ID], []).append(hit)
        document_hits = document_hits or []
        whole = self._document_shares(document_hits)
        ranking = {hit.doc_id for hit in document_hits[: self.ranking_depth]}
        whole_floor = min((whole[doc_id] for doc_id in ranking), default=0.0)
        # support counts what a chunk scores above the weakest candidate: fused scores
        # have an offset (20 × a cosine near 0.8), which would otherwise dominate
        floor = min((hit.score for hit in hits), default=0.0)

        def score(doc_id: str) -> float:
            chunks = by_doc.get(doc_id)
            if not chunks:  # found only as a whole
                return floor + whole[doc_id]
            share = whole[doc_id] if doc_id in ranking else whole_floor
            support = sum(chunk.score - floor for chunk in chunks[1:3])
            return chunks[0].score + self.support_weight * support + share

        candidates = list(by_doc) + [doc_id for doc_id in whole if doc_id not in by_doc]
        matching = self._matching(by_doc, document_hits)
        below_threshold = 0
        if matching is not None:
            kept = [doc_id for doc_id in candidates if doc_id in matching]
            below_threshold = len(candidates) - len(kept)
            candidates = kept
        scores = {doc_id: score(doc_id) for doc_id in candidates}
        candidates.sort(key=scores.__getitem__, reverse=True)
        links = self.relations() if self.relations is not None else {}
        day = as_of or today()
        metas = self._metas(candidates, by_doc, document_hits)
        if links or day < today():
            dates = {doc_id: metas[doc_id].get(fields.DATE) for doc_id in candidates}
            candidates = arrange(candidates, links, day, in_force_only=in_force_only, dates=dates)
        matches = refine(candidates, metas, refinement, order)
        limit = top_k or self.top_k
        page = matches.doc_ids[offset : offset + limit]
        missing = [doc_id for doc_id in page if doc_id not in by_doc]
        for chunk in self._fetch(missing, query, filters, floor):
            by_doc.setdefault(chunk.document.meta[fields.DOC_ID], []).append(chunk)
        # a document whose chunks are gone (deleted meanwhile) cannot be cited
        documents = [
            self._document(by_doc[doc_id], scores[doc_id], query)
            for doc_id in page
            if doc_id in by_doc
        ]
        groups = filters.access_groups if filters is not None else None
        for document in documents:
            if document.doc_id in links:
                visible = links[document.doc_id].visible_to(groups)
                describe(document, visible, day, self.citations.language)
        return {
            "documents": documents,
            "total": len(matches.doc_ids),
            "facets": matches.facets,
            "below_threshold": below_threshold,
            "capped": len(document_hits) >= self.max_matches,
        }

    def _metas(
        self,
        doc_ids: list[str],
        by_doc: dict[str, list[FusedChunk]],
        document_hits: list[DocumentScore],
    ) -> dict[str, dict[str, Any]]:
        """:returns: each document's facet fields: from a chunk found, else from its
        whole-document record, else (a record written before they were kept) from one of
        its chunks."""
        recorded = {hit.doc_id: hit.meta for hit in document_hits}
        metas: dict[str, dict[str, Any]] = {}
        for doc_id in doc_ids:
            if doc_id in by_doc:
                metas[doc_id] = fields.facet_meta(by_doc[doc_id][0].document.meta)
            elif recorded.get(doc_id) or self.store is None:
                metas[doc_id] = recorded.get(doc_id) or {}
            else:
                chunks = self.store.chunks(doc_id, limit=1)
                metas[doc_id] = fields.facet_meta(chunks[0].meta) if chunks else {}
        return metas

    def _document(self, chunks: list[FusedChunk], score: float, query: str) -> DocumentHit:
        best = chunks[: self.passages_per_document]
        meta = best[0].document.meta
        passages = [self._passage(chunk, query) for chunk in best]
        pages = sorted({page for chunk in best for page in _pages(chunk.document.meta)})
        return DocumentHit(
            doc_id=meta[fields.DOC_ID],
            uri=meta.get(fields.URI, ""),
            title=meta.get(fields.TITLE) or meta.get(fields.FILENAME) or "",
            doc_type=meta.get(fields.DOC_TYPE) or "other",
            source=meta.get(fields.SOURCE) or "",
            date=meta.get(fields.DATE),
            reference=meta.get(fields.REFERENCE),
            score=round(score, 6),
            passages=passages,
            pages=pages,
            section=passages[0].section,
            citation=passages[0].citation,
            content_hash=meta.get(fields.CONTENT_HASH),
            committee=list(meta.get(fields.COMMITTEE) or []),
            department=meta.get(fields.DEPARTMENT),
            council=meta.get(fields.COUNCIL),
        )

    def _fetch(
        self, doc_ids: list[str], query: str, filters: SearchFilters | None, score: float
    ) -> list[FusedChunk]:
        """The best chunks of documents found only as a whole, each with ``score``.

        :returns: chunks, each document's best first; none for a document without
            matching chunks or when there is no store.
        """
        if not doc_ids or self.store is None:
            return []
        # the documents were found under the same filters, so they are allowed
        within = replace(filters or SearchFilters(), doc_ids=doc_ids)
        per_document = self.passages_per_document
        found = self.store.search(
            query, filters=within, top_k=per_document * len(doc_ids), highlight=False
        )
        covered = {hit.document.meta.get(fields.DOC_ID) for hit in found}
        # a document whose chunks all ranked below the other documents' chunks there
        for doc_id in [doc_id for doc_id in doc_ids if doc_id not in covered]:
            one = replace(within, doc_ids=[doc_id])
            found += self.store.search(query, filters=one, top_k=1, highlight=False)
        return [FusedChunk(document=hit.document, score=score) for hit in found]
