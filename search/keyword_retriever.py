"""Retrieve chunks from the keyword store."""

from __future__ import annotations

from haystack import component

from search.filters import SearchFilters
from search.stores.base import KeywordStore, ScoredChunk


@component
class KeywordRetriever:
    """BM25 retrieval with the German analyzer of the configured keyword store.

    :param store: the keyword store.
    :param top_k: how many chunks to return.
    :raises ValueError: when ``top_k`` < 1.
    """

    def __init__(self, store: KeywordStore, top_k: int = 60) -> None:
        if top_k < 1:
            msg = "top_k must be at least 1"
            raise ValueError(msg)
        self.store = store
        self.top_k = top_k

    @component.output_types(hits=list[ScoredChunk])
    def run(self, query: str, filters: SearchFilters | None = None) -> dict[str, list[ScoredChunk]]:
        """:param query: the query as typed.

        :param filters: restrictions, including the user's access groups.
        :returns: ``hits``: chunks, best first, with highlights.
        """
        if not query.strip():
            return {"hits": []}
        return {"hits": self.store.search(query, filters=filters, top_k=self.top_k)}
