"""The embedder protocol and the factory that builds one from settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

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
