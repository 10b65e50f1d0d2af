"""Reciprocal rank fusion of keyword and vector hits, at chunk level."""

from __future__ import annotations

from dataclasses import dataclass

from haystack import Document, component

from search.stores.base import ScoredChunk


@dataclass(slots=True)
class FusedChunk:
    """A chunk after fusion.

    :param document: the chunk.
    :param score: the fused score (sum of ``weight / (k + rank)``).
    :param keyword_rank: 1-based rank in the keyword list, ``None`` if absent.
    :param vector_rank: 1-based rank in the vector list, ``None`` if absent.
    :param highlights: the keyword store's highlights, if any.
    """

    document: Document
    score: float
    keyword_rank: int | None = None
    vector_rank: int | None = None
    highlights: tuple[str, ...] = ()


@component
class RankFusion:
    """Fuses ranked lists with reciprocal rank fusion (Cormack et al. 2009).

    RRF needs no score calibration between BM25 and cosine similarity, which have
    incomparable scales; only ranks count.

    :param k: the RRF constant; larger values flatten the rank curve.
    :param keyword_weight: weight of the keyword list.
    :param vector_weight: weight of the vector list.
    :raises ValueError: for a non-positive ``k`` or negative weights.
    """

    def __init__(
        self, k: int = 60, keyword_weight: float = 1.0, vector_weight: float = 1.0
    ) -> None:
        if k < 1 or keyword_weight < 0 or vector_weight < 0:
            msg = "k must be >= 1 and weights >= 0"
            raise ValueError(msg)
        self.k = k
        self.keyword_weight = keyword_weight
        self.vector_weight = vector_weight

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
        fused: dict[str, FusedChunk] = {}
        for rank, hit in enumerate(keyword_hits or [], start=1):
            fused[hit.chunk_id] = FusedChunk(
                document=hit.document,
                score=self.keyword_weight / (self.k + rank),
                keyword_rank=rank,
                highlights=hit.highlights,
            )
        for rank, hit in enumerate(vector_hits or [], start=1):
            contribution = self.vector_weight / (self.k + rank)
            if hit.chunk_id in fused:
                fused[hit.chunk_id].score += contribution
                fused[hit.chunk_id].vector_rank = rank
            else:
                fused[hit.chunk_id] = FusedChunk(
                    document=hit.document, score=contribution, vector_rank=rank
                )
        ordered = sorted(fused.values(), key=lambda chunk: chunk.score, reverse=True)
        return {"hits": ordered}
