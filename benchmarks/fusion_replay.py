"""Replay fusion and grouping settings on recorded candidate lists of a BEIR set.

A full evaluation run of a large set takes half an hour, most of it searching. The ranking
settings (candidates, fusion, cosine scale, whole-document and support weights) only act
after the stores have answered, so this script records, once, what the stores return for
every query, then scores any grid of settings in seconds per setting through the real
:class:`~search.fusion.RankFusion` and :class:`~search.grouping.DocumentGrouper`.

    # after `benchmarks/eval_beir.py SET` has built the set's index (same settings/env)
    python benchmarks/fusion_replay.py dump ragsource_fragen
    python benchmarks/fusion_replay.py replay ragsource_fragen \\
        --vary document_weight=1,1.5,2 --vary support_weight=0,0.1 --mode keyword --mode hybrid

Recorded per query: the best 1,000 keyword chunks, 300 vector chunks and 300 whole
documents (``benchmarks/results/replay/<set>.json.gz``, not committed). A replayed setting
with ``candidates`` up to 300 sees exactly the lists the search service would get; the
figures match a real run except where a document found only as a whole is cited (its
passages are not replayed, its rank is).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from haystack import Document

from search import fields
from search.embedders import CachedEmbedder, EmbeddingCache, create_embedder
from search.evaluation import BeirSet, corpus_id_of, load_beir, score_run, set_index_dir
from search.fusion import RankFusion
from search.grouping import DocumentGrouper
from search.service import SearchService
from search.settings import load_settings
from search.stores.base import DocumentScore, ScoredChunk

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eval"
RESULTS = Path(__file__).resolve().parent / "results" / "replay"
DEPTH = {"keyword": 1000, "vector": 300, "documents": 300}
TUNABLE = {
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


def _set(name: str) -> BeirSet:
    """:returns: the set named (under ``../shared/data/eval``) or at a folder."""
    return load_beir(Path(name) if Path(name).is_dir() else DATA / name)


def dump(name: str) -> Path:
    """Record the stores' answers for every query of a set (its index must exist)."""
    settings = load_settings()
    beir = _set(name)
    folder = set_index_dir(settings, beir.label)
    if not (folder / "catalog.sqlite").exists():
        msg = f"no index at {folder}: run benchmarks/eval_beir.py {name} first"
        raise SystemExit(msg)
    set_settings = settings.model_copy(update={"data_dir": folder})
    embedder = CachedEmbedder(
        create_embedder(settings.embedding), EmbeddingCache(settings.embedding_cache_path)
    )
    service = SearchService(set_settings, embedder=embedder)
    started = time.perf_counter()
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
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{beir.label}.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        json.dump({"set": beir.label, "corpus_ids": corpus, "queries": records}, out)
    seconds = time.perf_counter() - started
    print(f"recorded {len(records)} queries in {seconds:.0f} s → {path}", file=sys.stderr)
    return path


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


def replay(name: str, variant: dict[str, Any], modes: list[str]) -> dict[str, float]:
    """Score one setting: nDCG@10 per mode, through the service's own fusion and grouping
    (:class:`~search.fusion.RankFusion`, :class:`~search.grouping.DocumentGrouper`, built
    from the settings as the service builds them)."""
    beir = _set(name)
    return {
        mode: score_run(run, beir.qrels)["ndcg@10"]
        for mode, run in replay_runs(name, variant, modes).items()
    }


def replay_runs(
    name: str, variant: dict[str, Any], modes: list[str]
) -> dict[str, dict[str, list[str]]]:
    """:returns: per mode, query id → the first 10 corpus ids of one setting."""
    beir = _set(name)
    recorded = _load(RESULTS / f"{beir.label}.json.gz")
    base = load_settings()
    settings = base.model_copy(update={"search": base.search.model_copy(update=variant)})
    candidates = settings.search.candidates
    fusion = RankFusion(settings.search)
    corpus = recorded["corpus_ids"]
    runs = {}
    for mode in modes:
        run: dict[str, list[str]] = {}
        for qid, lists in recorded["queries"].items():
            store = _RecordedChunks(lists["keyword"])
            grouper = DocumentGrouper(
                settings.search,
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


_CACHE: dict[Path, dict[str, Any]] = {}


def _load(path: Path) -> dict[str, Any]:
    if path not in _CACHE:
        if not path.exists():
            msg = f"nothing recorded at {path}: run 'fusion_replay.py dump' first"
            raise SystemExit(msg)
        with gzip.open(path, "rt", encoding="utf-8") as source:
            _CACHE[path] = json.load(source)
    return _CACHE[path]


def _grid(varies: list[str]) -> list[dict[str, Any]]:
    axes = []
    for vary in varies:
        key, _, values = vary.partition("=")
        if key not in TUNABLE or not values:
            msg = f"--vary KEY=V1,V2 with KEY one of {', '.join(TUNABLE)}"
            raise SystemExit(msg)
        axes.append([(key, TUNABLE[key](value)) for value in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] or [{}]


def main() -> int:
    """Dump or replay, as the command line says."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["dump", "replay"])
    parser.add_argument("sets", nargs="+", help="set names under ../shared/data/eval")
    parser.add_argument("--vary", action="append", default=[], help="KEY=V1,V2 (a grid axis)")
    parser.add_argument("--mode", action="append", choices=["keyword", "semantic", "hybrid"])
    args = parser.parse_args()
    for name in args.sets:
        if args.action == "dump":
            dump(name)
            continue
        for variant in _grid(args.vary):
            scores = replay(name, variant, args.mode or ["keyword", "hybrid"])
            figures = "  ".join(f"{mode} {value:.4f}" for mode, value in scores.items())
            print(f"{name}  {json.dumps(variant)}  nDCG@10: {figures}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
