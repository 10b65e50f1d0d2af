"""Embed chunks for the vector store, through the embedding cache."""

from __future__ import annotations

from dataclasses import replace

from haystack import Document, component

from search.core import fields
from search.core.settings import EmbeddingSettings
from search.embedders import CachedEmbedder

_FALLBACK_CHARS = 200


def passage_text(chunk: Document, max_chars: int | None = None) -> str:
    """The text that is embedded for a chunk: title and section give the passage context
    (a § of the Hundesteuersatzung rarely repeats the word Hundesteuer).

    :param chunk: the chunk.
    :param max_chars: embed only the first ``max_chars`` characters of the content
        (``None``: all of it, the model itself stops at its window, 512 tokens for e5;
        0: title and section only).
    :returns: ``title`` / ``section`` / content, one per line, empty parts left out.
    """
    meta = chunk.meta
    content = chunk.content or ""
    if max_chars is not None and len(content) > max_chars:
        cut = content.rfind(" ", 0, max_chars)
        content = content[: cut if cut > max_chars // 2 else max_chars]
    context = [meta.get(fields.TITLE) or "", meta.get(fields.SECTION) or ""]
    if not any(context):  # nothing else to embed: the chunk's opening words
        content = content or (chunk.content or "")[:_FALLBACK_CHARS]
    return "\n".join(part for part in [*context, content] if part)


@component
class ChunkEmbedder:
    """Adds dense embeddings to chunks.

    Embedding is the cost of ingestion (e5 on two cores: a few long passages per second).
    For a corpus too large to embed whole, a budget limits the dense side to the first
    ``chunks_per_document`` chunks of each document, each cut to ``passage_max_chars``: the other
    chunks are found by keyword search only, and every document keeps at least one vector.

    :param embedder: the (cached) embedder.
    :param config: the embedding settings; this reads the budget: ``passage_max_chars``
        (content characters embedded per chunk; ``None``: all) and ``chunks_per_document``
        (chunks embedded per document, in document order; ``None``: all).
    :raises ValueError: for a budget below 1.
    """

    def __init__(self, embedder: CachedEmbedder, config: EmbeddingSettings) -> None:
        max_chars, chunks_per_document = config.passage_max_chars, config.chunks_per_document
        if (max_chars is not None and max_chars < 0) or (
            chunks_per_document is not None and chunks_per_document < 1
        ):
            msg = "need passage_max_chars >= 0 and chunks_per_document >= 1"
            raise ValueError(msg)
        self.embedder = embedder
        self.max_chars = max_chars
        self.chunks_per_document = chunks_per_document

    def _within_budget(self, chunk: Document) -> bool:
        if self.chunks_per_document is None:
            return True
        index = chunk.meta.get(fields.CHUNK_INDEX)
        return not isinstance(index, int) or index < self.chunks_per_document

    @component.output_types(chunks=list[Document])
    def run(self, chunks: list[Document]) -> dict[str, list[Document]]:
        """:param chunks: chunks without embeddings.

        :returns: ``chunks``: new Documents with ``embedding`` set, for the chunks within
            the budget (all of them without one), in the given order.
        :raises BackendError: when the embedder fails.
        """
        chosen = [chunk for chunk in chunks if self._within_budget(chunk)]
        texts = [passage_text(chunk, self.max_chars) for chunk in chosen]
        vectors = self.embedder.embed_passages(texts)
        return {
            "chunks": [
                replace(chunk, embedding=vector.tolist())
                for chunk, vector in zip(chosen, vectors, strict=True)
            ]
        }
