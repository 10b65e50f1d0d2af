"""Embeddings cached by content hash: the same text is never embedded twice per machine."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.core.settings import Settings
from search.embedders.base import TextEmbedder, Vectors
from search.sql import Database, PostgresDatabase, SQLiteDatabase, state_url


class EmbeddingCache:
    """A table ``sha256(model_id, kind, text) → float32 vector``: a SQLite file, or the
    shared PostgreSQL (see :meth:`open`), so machines that ingest together embed a text once.

    :param path: the SQLite file (created on first use), or an open
        :class:`~search.sql.Database`.
    """

    def __init__(self, path: Path | Database) -> None:
        self.path = path if isinstance(path, Path) else None
        self._db: Database | None = None if isinstance(path, Path) else path
        self._ready = False
        # the service embeds queries on many threads over this one connection
        self._lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings) -> EmbeddingCache:
        """:returns: the configured cache (PostgreSQL when the state is shared).

        :raises BackendUnavailable: when PostgreSQL cannot be reached.
        """
        url = state_url(settings)
        return cls(
            PostgresDatabase(url, "embedding cache") if url else settings.embedding_cache_path
        )

    @property
    def conn(self) -> Database:
        """:returns: the open database."""
        if self._db is None:
            assert self.path is not None  # for mypy: set whenever no database was given
            self._db = SQLiteDatabase(self.path, "embedding cache")
        if not self._ready:
            blob = "BYTEA" if self._db.dialect == "postgres" else "BLOB"
            self._db.script(
                f"CREATE TABLE IF NOT EXISTS embeddings (key {blob} PRIMARY KEY, vector {blob})",
                "auskunft-embeddings",
            )
            self._ready = True
        return self._db

    @staticmethod
    def key(model_id: str, kind: str, text: str) -> bytes:
        """:returns: the cache key of one text."""
        return hashlib.sha256(f"{model_id}\x00{kind}\x00{text}".encode()).digest()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, Vectors]:
        """:returns: the cached vectors among these keys."""
        with self._lock:
            return self._get_many(keys)

    def _get_many(self, keys: Sequence[bytes]) -> dict[bytes, Vectors]:
        found: dict[bytes, Vectors] = {}
        for start in range(0, len(keys), 500):
            part = list(keys[start : start + 500])
            marks = ",".join("?" * len(part))
            rows = self.conn.execute(
                f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", part
            ).fetchall()
            for key, blob in rows:
                found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Sequence[tuple[bytes, Vectors]]) -> None:
        """Store vectors (a key another process stored meanwhile keeps its vector)."""
        with self._lock, self.conn.transaction() as db:
            db.executemany(
                "INSERT INTO embeddings (key, vector) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                [(key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items],
            )

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            self._db.close()
            self._db = None
            self._ready = False


class CachedEmbedder:
    """An embedder that looks in the cache first and embeds only what is missing.

    :param embedder: the real embedder.
    :param cache: the cache; ``None`` disables caching.
    """

    def __init__(self, embedder: TextEmbedder, cache: EmbeddingCache | None) -> None:
        self.embedder = embedder
        self.cache = cache
        self.computed = 0
        """How many texts were embedded (not found in the cache) so far."""

    @property
    def model_id(self) -> str:
        """:returns: the wrapped embedder's id."""
        return self.embedder.model_id

    @property
    def dimension(self) -> int:
        """:returns: the wrapped embedder's vector size."""
        return self.embedder.dimension

    def _cached(self, texts: Sequence[str], kind: str) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.cache is None:
            self.computed += len(texts)
            return self._embed(texts, kind)
        keys = [EmbeddingCache.key(self.model_id, kind, text) for text in texts]
        found = self.cache.get_many(keys)
        missing = sorted({i for i, key in enumerate(keys) if key not in found})
        # identical texts in one batch are embedded once
        unique: dict[bytes, str] = {keys[i]: texts[i] for i in missing}
        if unique:
            vectors = self._embed(list(unique.values()), kind)
            new = list(zip(unique.keys(), vectors, strict=True))
            self.cache.put_many(new)
            found.update(new)
            self.computed += len(unique)
        return np.vstack([found[key] for key in keys]).astype(np.float32)

    def _embed(self, texts: Sequence[str], kind: str) -> Vectors:
        if kind == "query":
            return self.embedder.embed_queries(texts)
        return self.embedder.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """:returns: passage vectors, from the cache where possible."""
        return self._cached(texts, "passage")

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """:returns: query vectors, from the cache where possible."""
        return self._cached(texts, "query")
