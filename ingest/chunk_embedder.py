"""Embed chunks for the vector store, through the embedding cache."""

from __future__ import annotations

from dataclasses import replace

from haystack import Document, component

from search import fields
from search.embedders import CachedEmbedder


def passage_text(chunk: Document) -> str:
    """The text that is embedded for a chunk: title and section give the passage context
    (a § of the Hundesteuersatzung rarely repeats the word Hundesteuer).

    :returns: ``title`` / ``section`` / content, one per line, empty parts left out.
    """
    meta = chunk.meta
    parts = [meta.get(fields.TITLE) or "", meta.get(fields.SECTION) or "", chunk.content or ""]
    return "\n".join(part for part in parts if part)


@component
class ChunkEmbedder:
    """Adds dense embeddings to chunks.

    :param embedder: the (cached) embedder.
    """

    def __init__(self, embedder: CachedEmbedder) -> None:
        self.embedder = embedder

    @component.output_types(chunks=list[Document])
    def run(self, chunks: list[Document]) -> dict[str, list[Document]]:
        """:param chunks: chunks without embeddings.

        :returns: ``chunks``: new Documents with ``embedding`` set.
        :raises BackendError: when the embedder fails.
        """
        vectors = self.embedder.embed_passages([passage_text(chunk) for chunk in chunks])
        return {
            "chunks": [
                replace(chunk, embedding=vector.tolist())
                for chunk, vector in zip(chunks, vectors, strict=True)
            ]
        }
