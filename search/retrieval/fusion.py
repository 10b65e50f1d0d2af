"""Fusion of keyword and vector hits, at chunk level: by score or by rank (RRF)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from haystack import Document, component

from search.core.settings import SearchSettings
from search.stores.base import ScoredChunk

FusionMethod = Literal["score", "rrf"]


@dataclass(slots=True)
class FusedChunk:
    """A chunk after fusion.

    :param document: the chunk.
    :param score: the fused score (see :class:`RankFusion`).
    :param keyword_rank: 1-based rank in the keyword list, ``None`` if absent.
    :param vector_rank: 1-based rank in the vector list, ``None`` if absent.
    :param highlights: the keyword store's highlights, if any.
    :param vector_score: the vector store's own score (cosine similarity), ``None`` if
        absent from the vector list.
    """

    document: Document
    score: float
    keyword_rank: int | None = None
    vector_rank: int | None = None
    highlights: tuple[str, ...] = ()
    vector_score: float | None = None


@component
class RankFusion:
    """Fuses the keyword and the vector list of chunks.

    ``score``: ``keyword_weight · bm25 / best bm25 + vector_weight ·
    cosine_scale · cosine``. BM25 has no fixed scale, so it is divided by the query's best
    keyword score (the best keyword chunk gets 1); cosine similarity has one, so it is used
    as it is, scaled: with ``cosine_scale`` 20, a cosine 0.05 higher is worth as much as
    the whole keyword score of the best keyword hit. A chunk missing from one list gets
    that list's lowest score (it was not among its candidates, so it scores at most that).
    Unlike ranks, scores keep how far apart two hits are: a weak vector list whose
    cosines are all alike moves the ranking little, a clear nearest neighbour a lot.

    ``rrf``: reciprocal rank fusion (Cormack et al. 2009), ``Σ weight / (k + rank)``.

    :param config: the search settings; this reads ``fusion`` (the method), ``rrf_k``
        (the RRF constant; larger values flatten the rank curve), ``keyword_weight``,
        ``vector_weight`` and ``cosine_scale`` (the factor of cosine similarity in score
        fusion). The settings are the only place their defaults live.
    :raises ValueError: for a non-positive ``rrf_k`` or ``cosine_scale``, negative weights
        or an unknown method.
    """

    def __init__(self, config: SearchSettings) -> None:
        k, method, cosine_scale = config.rrf_k, config.fusion, config.cosine_scale
        keyword_weight, vector_weight = config.keyword_weight, config.vector_weight
        if k < 1 or keyword_weight < 0 or vector_weight < 0 or cosine_scale <= 0:
            msg = "k must be >= 1, weights >= 0 and cosine_scale > 0"
            raise ValueError(msg)
        if method not in ("score", "rrf"):
            msg = f"unknown fusion method {method!r}; use 'score' or 'rrf'"
            raise ValueError(msg)
        self.k = k
        self.keyword_weight = keyword_weight
        self.vector_weight = vector_weight
        self.method = method
        self.cosine_scale = cosine_scale

    def _keyword_scores(self, hits: list[ScoredChunk]) -> list[float]:
        if self.method == "rrf":
            return [self.keyword_weight / (self.k + rank) for rank in range(1, len(hits) + 1)]
        best = max((hit.score for hit in hits), default=0.0)
        return [self.keyword_weight * hit.score / best if best > 0 else 0.0 for hit in hits]

    def _vector_scores(self, hits: list[ScoredChunk]) -> list[float]:
        if self.method == "rrf":
            return [self.vector_weight / (self.k + rank) for rank in range(1, len(hits) + 1)]
        return [self.vector_weight * self.cosine_scale * hit.score for hit in hits]

    @component.output_types(hits=list[FusedChunk])
    def run(
        self,
        keyword_hits: list[ScoredChunk] | None = None,
        vector_hits: list[ScoredChunk] | None = None,
    ) -> dict[str, list[FusedChunk]]:
        """:param keyword_hits: keyword hits, best first (or ``None`` in semantic mode).

        :param vector_hits: vector hits, best first (or ``None`` in keyword mode).
        :returns: ``hits``: fused chunks, best first; ties keep keyword order.
        """
        keyword_hits, vector_hits = keyword_hits or [], vector_hits or []
        keyword_scores = self._keyword_scores(keyword_hits)
        vector_scores = self._vector_scores(vector_hits)
        # score fusion: absent from a list = that list's lowest score; RRF: nothing
        keyword_floor = vector_floor = 0.0
        if self.method == "score" and keyword_scores and vector_scores:
            keyword_floor, vector_floor = min(keyword_scores), min(vector_scores)
        fused: dict[str, FusedChunk] = {}
        for rank, (hit, score) in enumerate(zip(keyword_hits, keyword_scores, strict=True), 1):
            if hit.chunk_id not in fused:  # a chunk appears once per list
                fused[hit.chunk_id] = FusedChunk(
                    document=hit.document,
                    score=score + vector_floor,
                    keyword_rank=rank,
                    highlights=hit.highlights,
                )
        for rank, (hit, score) in enumerate(zip(vector_hits, vector_scores, strict=True), 1):
            chunk = fused.get(hit.chunk_id)
            if chunk is not None and chunk.vector_rank is None:
                chunk.score += score - vector_floor
                chunk.vector_rank = rank
                chunk.vector_score = hit.score
            elif chunk is None:
                fused[hit.chunk_id] = FusedChunk(
                    document=hit.document,
                    score=score + keyword_floor,
                    vector_rank=rank,
                    vector_score=hit.score,
                )
        ordered = sorted(fused.values(), key=lambda chunk: chunk.score, reverse=True)
        return {"hits": ordered}
