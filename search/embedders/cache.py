"""Embeddings cached by content hash: the same text is never embedded twice per machine."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.embedders.base import TextEmbedder, Vectors


class EmbeddingCache:
    """A SQLite table ``sha256(model_id, kind, text) → float32 vector``.

    :param path: the database file (created on first use).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        # the service embeds queries on many threads over this one connection
        self._lock = threading.RLock()

    @property
    def conn(self) -> sqlite3.Connection:
        """:returns: the open connection."""
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key BLOB PRIMARY KEY, vector BLOB)"
            )
            self._conn = conn
        return self._conn

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
                f"SELECT key, vector FROM embeddings WHERE key IN ({marks})",
                part,
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Sequence[tuple[bytes, Vectors]]) -> None:
        """Store vectors."""
        with self._lock, self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                [(key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items],
            )

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


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
