"""Calibrate ``search.semantic_min_score``: what real queries lose, what nonsense keeps.

The vector store always answers, however far its nearest chunk is, so without a threshold
a query nothing in the corpus answers ("Quantenchromodynamik Gluonen") still gets ten
documents. With ``search.semantic_min_score`` = t, a document is shown only when it matches
the keywords or one of its chunks has a cosine similarity of at least t. For a range of t
this prints:

- per BEIR set, from the candidate lists ``fusion_replay.py dump`` recorded, replayed
  through the real fusion and grouping: the share of queries that lose at least one
  relevant document hybrid search had among its first 10 (relevant, no keyword match, best
  cosine below t), the same for semantic mode, and nDCG@10 hybrid / semantic at t;
- for the out-of-domain queries of ``out_of_domain_queries.txt``, searched through the real
  :class:`~search.service.SearchService` against each set's index and any data directory
  given with ``--data-dir`` (e.g. the sample corpus): the share that get no result at all,
  hybrid and semantic (a query with a keyword match keeps its hybrid results at any t);
- for in-domain questions given with ``--query``: how many documents they keep, per data
  directory, hybrid / semantic.

    export AUSKUNFT_DATA_DIR=data/eval     # after eval_beir.py has built the sets
    python benchmarks/fusion_replay.py dump ragsource_fragen legalquad
    python benchmarks/semantic_threshold.py ragsource_fragen legalquad \\
        --data-dir data/samples --query "Hundesteuer Befreiung" --query "Dienstreise Erstattung"

Results are also written to ``benchmarks/results/semantic_threshold-<sets>.json`` (not
committed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.fusion_replay import RESULTS, _load, _set, replay_runs
from search.core.settings import Settings, load_settings
from search.embedders import CachedEmbedder, EmbeddingCache, create_embedder
from search.evaluation.retrieval import score_run, set_index_dir
from search.service import SearchService

HERE = Path(__file__).resolve().parent
OUT_OF_DOMAIN = HERE / "out_of_domain_queries.txt"
THRESHOLDS = (0.0, 0.78, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.90)
MODES = ("hybrid", "semantic")


def read_queries(path: Path) -> list[str]:
    """:returns: the queries of a file, one a line (``#`` starts a comment line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def real_queries(name: str, thresholds: Iterable[float]) -> list[dict[str, Any]]:
    """Per threshold: queries losing a relevant top-10 document, and nDCG@10, per mode."""
    beir = _set(name)
    recorded = _load(RESULTS / f"{beir.label}.json.gz")["queries"]
    judged = [q for q, rel in beir.qrels.items() if any(g > 0 for g in rel.values())]
    before = replay_runs(name, {"semantic_min_score": 0.0}, list(MODES))
    rows = []
    for t in thresholds:
        after = replay_runs(name, {"semantic_min_score": t}, list(MODES)) if t else before
        row: dict[str, Any] = {"set": beir.label, "threshold": t, "queries": len(judged)}
        for mode in MODES:
            lost = 0
            for qid in judged:
                relevant = {doc for doc, grade in beir.qrels[qid].items() if grade > 0}
                had = relevant & set(before[mode].get(qid, []))
                lost += bool(had - set(after[mode].get(qid, [])))
            row[f"{mode}_lost"] = lost / len(judged)
            row[f"{mode}_ndcg"] = score_run(after[mode], beir.qrels)["ndcg@10"]
        rows.append(row)
    # what the lost documents' cosines look like (hybrid, no keyword match, in the top 10)
    row_cosines = _unmatched_relevant_cosines(beir, recorded, before["hybrid"])
    if row_cosines:
        print(
            f"{beir.label}: {len(row_cosines)} relevant top-10 hybrid hits without a keyword "
            f"match; their best cosine: min {min(row_cosines):.3f}, "
            f"median {statistics.median(row_cosines):.3f}, max {max(row_cosines):.3f}",
            file=sys.stderr,
        )
    return rows


def _unmatched_relevant_cosines(
    beir: Any, recorded: dict[str, Any], run: dict[str, list[str]]
) -> list[float]:
    corpus = _load(RESULTS / f"{beir.label}.json.gz")["corpus_ids"]
    cosines = []
    for qid, ranked in run.items():
        lists = recorded[qid]
        matched = {corpus[row[1]] for row in lists["keyword"]}
        matched |= {corpus[doc] for doc, _ in lists["documents"]}
        best: dict[str, float] = {}
        for _, doc, score in lists["vector"]:
            best.setdefault(corpus[doc], score)
        relevant = {doc for doc, grade in beir.qrels.get(qid, {}).items() if grade > 0}
        cosines += [best[doc] for doc in ranked if doc in relevant - matched and doc in best]
    return cosines


def searched(
    settings: Settings, embedder: CachedEmbedder, queries: list[str], thresholds: Iterable[float]
) -> dict[float, dict[str, list[int]]]:
    """:returns: threshold → mode → the number of documents each query gets, through the
    real search service over the index of ``settings`` (stores opened once)."""
    base = SearchService(settings, embedder=embedder)
    counts: dict[float, dict[str, list[int]]] = {}
    try:
        keyword, vectors = base.keyword_store, base.vector_store
        for t in thresholds:
            search = settings.search.model_copy(update={"semantic_min_score": t})
            at_t = settings.model_copy(update={"search": search})
            service = SearchService(at_t, keyword, vectors, embedder)
            counts[t] = {
                mode: [len(service.search(query, mode=mode).results) for query in queries]  # type: ignore[arg-type]
                for mode in MODES
            }
    finally:
        base.close()
    return counts


def main() -> int:
    """Print the tables for the sets and data directories named."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="BEIR set names under ../shared/data/eval")
    parser.add_argument("--data-dir", type=Path, action="append", default=[])
    parser.add_argument("--query", action="append", default=[], help="an in-domain question")
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)))
    parser.add_argument("--out-of-domain", type=Path, default=OUT_OF_DOMAIN)
    args = parser.parse_args()
    thresholds = [float(value) for value in args.thresholds.split(",")]
    settings = load_settings()
    embedder = CachedEmbedder(
        create_embedder(settings.embedding), EmbeddingCache(settings.embedding_cache_path)
    )
    ood = read_queries(args.out_of_domain)
    report: dict[str, Any] = {"thresholds": thresholds, "out_of_domain": ood, "sets": {}}

    print("\n## Real queries (replayed): lost = share of queries losing a relevant top-10 hit\n")
    print("| set | t | hybrid lost | semantic lost | nDCG@10 hybrid | nDCG@10 semantic |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.sets:
        rows = real_queries(name, thresholds)
        report["sets"][name] = {"real": rows}
        for row in rows:
            print(
                f"| {row['set']} | {row['threshold']:.2f} | {row['hybrid_lost']:.1%} | "
                f"{row['semantic_lost']:.1%} | {row['hybrid_ndcg']:.4f} | "
                f"{row['semantic_ndcg']:.4f} |",
                flush=True,
            )

    indexes: list[tuple[str, Settings]] = []
    for name in args.sets:
        folder = set_index_dir(settings, _set(name).label)
        indexes.append((name, settings.model_copy(update={"data_dir": folder})))
    for folder in args.data_dir:
        indexes.append((folder.name, settings.model_copy(update={"data_dir": folder.resolve()})))

    print(f"\n## {len(ood)} out-of-domain queries: share with no result at all\n")
    print("| index | t | hybrid: no result | semantic: no result |")
    print("|---|---:|---:|---:|")
    for label, index_settings in indexes:
        counts = searched(index_settings, embedder, ood, thresholds)
        entry = report["sets"].setdefault(label, {})
        entry["out_of_domain"] = {str(t): per_mode for t, per_mode in counts.items()}
        for t, per_mode in counts.items():
            empty = {mode: sum(n == 0 for n in per_mode[mode]) / len(ood) for mode in MODES}
            print(f"| {label} | {t:.2f} | {empty['hybrid']:.0%} | {empty['semantic']:.0%} |")
        at_most = counts[max(thresholds)]
        kept = [q for q, n in zip(ood, at_most["hybrid"], strict=True) if n]
        print(f"\n{label}: keyword matches keep hybrid results for {kept}\n", flush=True)

    if args.query:
        print("\n## In-domain questions: documents found, hybrid / semantic\n")
        print("| index | query | " + " | ".join(f"t={t:.2f}" for t in thresholds) + " |")
        print("|---|---|" + "---:|" * len(thresholds))
        for label, index_settings in indexes:
            if label in args.sets:
                continue
            counts = searched(index_settings, embedder, args.query, thresholds)
            report["sets"].setdefault(label, {})["in_domain"] = {
                str(t): per_mode for t, per_mode in counts.items()
            }
            for i, query in enumerate(args.query):
                cells = [
                    f"{counts[t]['hybrid'][i]} / {counts[t]['semantic'][i]}" for t in thresholds
                ]
                print(f"| {label} | {query} | " + " | ".join(cells) + " |", flush=True)

    labels = [*args.sets, *(folder.name for folder in args.data_dir)]
    out = RESULTS.parent / f"semantic_threshold-{'-'.join(labels)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"saved {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
