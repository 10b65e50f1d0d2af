"""Retrieve chunks, and whole documents, from the keyword store."""

from __future__ import annotations

from dataclasses import replace

from haystack import component

from search import fields
from search.filters import SearchFilters
from search.stores.base import DocumentScore, KeywordStore, ScoredChunk


@component
class KeywordRetriever:
    """BM25 retrieval with the German analyzer of the configured keyword store.

    Besides the best chunks it ranks whole documents (BM25 over all their text), which
    finds a long document whose matching words are spread over several chunks. A document
    among the best ``document_top_k`` that has none of the best chunks gets its best
    chunks added after them (one more search for all such documents, and one per document
    still without a chunk), so it has passages to cite; their scores are below the last
    of the best chunks, so ``hits`` stays ordered.

    :param store: the keyword store.
    :param top_k: how many chunks to return.
    :param document_top_k: how many whole documents to rank (0: none).
    :raises ValueError: when ``top_k`` < 1 or ``document_top_k`` < 0.
    """

    def __init__(self, store: KeywordStore, top_k: int = 60, document_top_k: int = 0) -> None:
        if top_k < 1 or document_top_k < 0:
            msg = "top_k must be at least 1 and document_top_k at least 0"
            raise ValueError(msg)
        self.store = store
        self.top_k = top_k
        self.document_top_k = document_top_k

    @component.output_types(hits=list[ScoredChunk], documents=list[DocumentScore])
    def run(
        self, query: str, filters: SearchFilters | None = None
    ) -> dict[str, list[ScoredChunk] | list[DocumentScore]]:
        """:param query: the query as typed.

        :param filters: restrictions, including the user's access groups.
        :returns: ``hits``: chunks, best first, with highlights; ``documents``: whole
            documents, best first (empty when ``document_top_k`` is 0).
        """
        if not query.strip():
            return {"hits": [], "documents": []}
        hits = self.store.search(query, filters=filters, top_k=self.top_k)
        if not self.document_top_k:
            return {"hits": hits, "documents": []}
        documents = self.store.search_documents(query, filters=filters, top_k=self.document_top_k)
        covered = {hit.document.meta.get(fields.DOC_ID) for hit in hits}
        missing = [doc.doc_id for doc in documents if doc.doc_id not in covered]
        extra = self._chunks_of(query, filters, missing, top_k=4 * len(missing))
        covered.update(hit.document.meta.get(fields.DOC_ID) for hit in extra)
        # a document whose chunks all ranked below other documents' chunks there
        for doc_id in [doc for doc in missing if doc not in covered]:
            extra += self._chunks_of(query, filters, [doc_id], top_k=1)
        seen = {hit.chunk_id for hit in hits}
        fresh = {hit.chunk_id: hit for hit in extra if hit.chunk_id not in seen}
        ordered = sorted(fresh.values(), key=lambda hit: hit.score, reverse=True)
        return {"hits": hits + ordered, "documents": documents}

    def _chunks_of(
        self, query: str, filters: SearchFilters | None, doc_ids: list[str], top_k: int
    ) -> list[ScoredChunk]:
        if not doc_ids:
            return []
        # the documents were found under the same filters, so they are allowed
        within = replace(filters or SearchFilters(), doc_ids=doc_ids)
        return self.store.search(query, filters=within, top_k=top_k)
