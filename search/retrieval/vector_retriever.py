"""Retrieve chunks from the vector store by query embedding."""

from __future__ import annotations

from haystack import component

from search.embedders import CachedEmbedder
from search.filters import SearchFilters
from search.stores.base import ScoredChunk, VectorStore


@component
class VectorRetriever:
    """Dense retrieval: embeds the query (e5 ``query:`` prefix) and searches the vectors.

    :param store: the vector store.
    :param embedder: the cached embedder (must be the model the index was built with).
    :param top_k: how many chunks to return (``search.candidates`` in the search service).
    :raises ValueError: when ``top_k`` < 1.
    """

    def __init__(self, store: VectorStore, embedder: CachedEmbedder, *, top_k: int) -> None:
        if top_k < 1:
            msg = "top_k must be at least 1"
            raise ValueError(msg)
        self.store = store
        self.embedder = embedder
        self.top_k = top_k

    @component.output_types(hits=list[ScoredChunk])
    def run(self, query: str, filters: SearchFilters | None = None) -> dict[str, list[ScoredChunk]]:
        """:param query: the query as typed.

        :param filters: restrictions, including the user's access groups.
        :returns: ``hits``: chunks, nearest first.
        """
        if not query.strip():
            return {"hits": []}
        vector = self.embedder.embed_queries([query])[0]
        return {"hits": self.store.search(vector.tolist(), filters=filters, top_k=self.top_k)}
