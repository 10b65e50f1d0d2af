"""Replay ranking settings on recorded candidate lists of a BEIR set.

A full evaluation run of a large set takes half an hour, most of it searching. The ranking
settings (candidates, fusion, cosine scale, whole-document and support weights) only act
after the stores have answered, so :func:`record` keeps, once, what the stores return for
every query, and :func:`replay` scores any setting on that recording in seconds, through
the real :class:`~search.retrieval.fusion.RankFusion` and
:class:`~search.retrieval.grouping.DocumentGrouper`
built from the settings as the search service builds them.

Recorded per query: the best 1,000 keyword chunks, 300 vector chunks and 300 whole
documents (:data:`DEPTH`). A replayed setting with ``candidates`` up to 300 sees exactly
the lists the search service would get; the figures match a real run except where a
document found only as a whole is cited (its passages are not replayed, its rank is).

``benchmarks/fusion_replay.py`` is the command line around this module.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

from haystack import Document

from search.core import fields
from search.core.settings import Settings
from search.embedders import CachedEmbedder, EmbeddingCache, create_embedder
from search.evaluation.retrieval import BeirSet, corpus_id_of, score_run, set_index_dir
from search.retrieval.fusion import RankFusion
from search.retrieval.grouping import DocumentGrouper
from search.service import SearchService
from search.stores.base import DocumentScore, ScoredChunk

DEPTH = {"keyword": 1000, "vector": 300, "documents": 300}
"""How many keyword chunks, vector chunks and whole documents are recorded per query."""
TUNABLE: dict[str, type] = {
    "candidates": int,
    "fusion": str,
    "rrf_k": int,
    "cosine_scale": float,
    "keyword_weight": float,
    "vector_weight": float,
    "support_weight": float,
    "document_weight": float,
    "semantic_min_score": float,
}
"""The ``search`` settings a replay can vary, with their types."""


def record(settings: Settings, beir: BeirSet, path: Path) -> int:
    """Record the stores' answers for every query of a set.

    :param settings: the settings the set was evaluated with; its index
        (:func:`~search.evaluation.retrieval.set_index_dir`) must exist.
    :param beir: the set.
    :param path: the recording to write (gzipped JSON).
    :returns: how many queries were recorded.
    :raises AuskunftError: when a store or the embedder fails.
    """
    folder = set_index_dir(settings, beir.label)
    set_settings = settings.model_copy(update={"data_dir": folder})
    embedder = CachedEmbedder(
        create_embedder(settings.embedding), EmbeddingCache(settings.embedding_cache_path)
    )
    service = SearchService(set_settings, embedder=embedder)
    records = {}
    try:
        keyword, vectors = service.keyword_store, service.vector_store
        queries = list(beir.queries.items())
        embedded = embedder.embed_queries([text for _, text in queries])
        for (qid, text), vector in zip(queries, embedded, strict=True):
            chunk_hits = keyword.search(text, top_k=DEPTH["keyword"], highlight=False)
            vector_hits = vectors.search(list(vector), top_k=DEPTH["vector"])
            documents = keyword.search_documents(text, top_k=DEPTH["documents"])
            records[qid] = {
                "keyword": [_row(hit) for hit in chunk_hits],
                "vector": [_row(hit) for hit in vector_hits],
                "documents": [[d.doc_id, d.score] for d in documents],
            }
    finally:
        service.close()
    # hits carry doc ids; the corpus ids are in the URIs the catalog keeps
    with sqlite3.connect(folder / "catalog.sqlite") as catalog:
        rows = catalog.execute("SELECT doc_id, uri FROM documents").fetchall()
    corpus = {doc_id: corpus_id_of(uri) for doc_id, uri in rows}
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        json.dump({"set": beir.label, "corpus_ids": corpus, "queries": records}, out)
    return len(records)


def load_recording(path: Path) -> dict[str, Any]:
    """:returns: a recording written by :func:`record`.

    :raises FileNotFoundError: when there is none at ``path``.
    """
    with gzip.open(path, "rt", encoding="utf-8") as source:
        recorded: dict[str, Any] = json.load(source)
    return recorded


def _row(hit: ScoredChunk) -> list[Any]:
    return [hit.chunk_id, hit.document.meta[fields.DOC_ID], hit.score]


class _RecordedChunks:
    """Stands in for the keyword store when the grouper fetches chunks of documents found
    only as a whole: answers from the recorded keyword list (best first)."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows

    def search(self, query: str, *, filters: Any = None, top_k: int = 10, **_: Any) -> list:
        wanted = set(filters.doc_ids or []) if filters is not None else set()
        found = [_chunk(row) for row in self.rows if row[1] in wanted][:top_k]
        covered = {hit.document.meta[fields.DOC_ID] for hit in found}
        # a document with no chunk among the recorded 1,000: one stand-in chunk
        found += [_chunk([f"{doc}:x", doc, 0.0]) for doc in sorted(wanted - covered)]
        return found[:top_k]

    def chunks(self, doc_id: str, *, limit: int = 2000) -> list[Document]:
        """No chunk text or meta was recorded: the replay ranks, it counts no facets."""
        return []


def _chunk(row: list[Any]) -> ScoredChunk:
    chunk_id, doc_id, score = row
    return ScoredChunk(Document(id=chunk_id, content="", meta={fields.DOC_ID: doc_id}), score)


def replay_runs(
    settings: Settings, recorded: dict[str, Any], variant: dict[str, Any], modes: list[str]
) -> dict[str, dict[str, list[str]]]:
    """Rank every recorded query with one setting.

    :param settings: the base settings.
    :param recorded: a recording (:func:`load_recording`).
    :param variant: ``search`` settings that differ from the base (names in
        :data:`TUNABLE`).
    :param modes: ``keyword``, ``semantic``, ``hybrid``.
    :returns: per mode, query id → the first 10 corpus ids.
    """
    search = settings.search.model_copy(update=variant)
    candidates = search.candidates
    fusion = RankFusion(search)
    corpus = recorded["corpus_ids"]
    runs = {}
    for mode in modes:
        run: dict[str, list[str]] = {}
        for qid, lists in recorded["queries"].items():
            store = _RecordedChunks(lists["keyword"])
            grouper = DocumentGrouper(
                search,
                language=settings.language,
                store=store,  # type: ignore[arg-type]
            )
            keyword = [_chunk(row) for row in lists["keyword"][:candidates]]
            vector = [_chunk(row) for row in lists["vector"][:candidates]]
            documents = [DocumentScore(d, s) for d, s in lists["documents"][:candidates]]
            if mode == "semantic":
                keyword, documents = [], []
            if mode == "keyword":
                vector = []
            fused = fusion.run(keyword_hits=keyword, vector_hits=vector)["hits"]
            hits = grouper.run(hits=fused, query="", top_k=10, document_hits=documents)
            run[qid] = [corpus[hit.doc_id] for hit in hits["documents"]]
        runs[mode] = run
    return runs


def replay(
    settings: Settings,
    beir: BeirSet,
    recorded: dict[str, Any],
    variant: dict[str, Any],
    modes: list[str],
) -> dict[str, float]:
    """Score one setting on a recording.

    :param settings: the base settings.
    :param beir: the set (its relevance judgements).
    :param recorded: the set's recording (:func:`load_recording`).
    :param variant: ``search`` settings that differ from the base.
    :param modes: ``keyword``, ``semantic``, ``hybrid``.
    :returns: nDCG@10 per mode.
    """
    return {
        mode: score_run(run, beir.qrels)["ndcg@10"]
        for mode, run in replay_runs(settings, recorded, variant, modes).items()
    }
