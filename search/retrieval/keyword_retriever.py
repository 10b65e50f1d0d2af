"""Retrieve chunks, and whole documents, from the keyword store."""

from __future__ import annotations

from haystack import component

from search.filters import SearchFilters
from search.stores.base import DocumentScore, KeywordStore, ScoredChunk


@component
class KeywordRetriever:
    """BM25 retrieval with the German analyzer of the configured keyword store.

    Besides the best chunks it ranks whole documents (BM25 over all their text), which
    finds a long document whose matching words are spread over several chunks. A document
    found only as a whole has no chunk among ``hits``: the
    :class:`~search.retrieval.grouping.DocumentGrouper` fetches a chunk to cite for those of them
    that make it into the results, so only a handful of chunks are ever fetched.

    :param store: the keyword store.
    :param top_k: how many chunks to return (``search.candidates`` in the search service).
    :param document_top_k: how many whole documents to rank (0: none;
        ``search.max_matches`` in the search service).
    :raises ValueError: when ``top_k`` < 1 or ``document_top_k`` < 0.
    """

    def __init__(self, store: KeywordStore, *, top_k: int, document_top_k: int) -> None:
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
        return {"hits": hits, "documents": documents}
