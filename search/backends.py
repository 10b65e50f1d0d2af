"""Open the configured stores and embedder: embedded by default, servers when configured."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from haystack.utils import Secret

from search.core.errors import IndexLocked
from search.core.settings import Settings
from search.embedders import CachedEmbedder, EmbeddingCache, create_embedder
from search.stores.base import KeywordStore, VectorStore


def open_keyword_store(settings: Settings) -> KeywordStore:
    """:returns: Elasticsearch when ``stores.elasticsearch_url`` is set, else tantivy."""
    stores = settings.stores
    if stores.elasticsearch_url:
        from search.stores.elasticsearch_store import ElasticsearchKeywordStore

        key = stores.elasticsearch_api_key_env
        return ElasticsearchKeywordStore(
            url=stores.elasticsearch_url,
            index=stores.elasticsearch_index,
            api_key=Secret.from_env_var(key, strict=False) if key else None,
            title_boost=settings.search.title_boost,
        )
    from search.stores.tantivy_store import TantivyKeywordStore

    return TantivyKeywordStore(settings.keyword_index_path, title_boost=settings.search.title_boost)


def open_vector_store(settings: Settings, dimension: int) -> VectorStore:
    """:returns: Qdrant server when ``stores.qdrant_url`` is set, else qdrant-edge."""
    stores = settings.stores
    if stores.qdrant_url:
        from search.stores.qdrant_store import QdrantVectorStore

        key = stores.qdrant_api_key_env
        return QdrantVectorStore(
            url=stores.qdrant_url,
            collection=stores.qdrant_collection,
            dimension=dimension,
            api_key=Secret.from_env_var(key, strict=False) if key else None,
        )
    from search.stores.qdrant_edge_store import EdgeVectorStore

    return EdgeVectorStore(settings.vector_index_path, dimension=dimension)


def open_embedder(settings: Settings) -> CachedEmbedder:
    """:returns: the configured embedder behind the embedding cache."""
    return CachedEmbedder(create_embedder(settings.embedding), EmbeddingCache.open(settings))


@dataclass
class WriteLock:
    """An exclusive lock on the data directory for the one process that writes indexes.

    :param path: the lock file.
    """

    path: Path
    _file: IO[str] | None = field(default=None, init=False)

    def __enter__(self) -> WriteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            msg = (
                f"Another Auskunft process (pid {holder}) is writing to {self.path.parent}; "
                "wait for it to finish or stop it"
            )
            raise IndexLocked(msg) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
