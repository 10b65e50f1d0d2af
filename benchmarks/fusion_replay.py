"""Replay fusion and grouping settings on recorded candidate lists of a BEIR set.

A full evaluation run of a large set takes half an hour, most of it searching. The ranking
settings (candidates, fusion, cosine scale, whole-document and support weights) only act
after the stores have answered, so this script records, once, what the stores return for
every query, then scores any grid of settings in seconds per setting through the real
:class:`~search.retrieval.fusion.RankFusion` and
:class:`~search.retrieval.grouping.DocumentGrouper` (the
recording and the replay are :mod:`search.evaluation.fusion_replay`; this is its command line).

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
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

from search.core.settings import load_settings
from search.evaluation import fusion_replay
from search.evaluation.retrieval import BeirSet, load_beir, set_index_dir

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eval"
RESULTS = Path(__file__).resolve().parent / "results" / "replay"
TUNABLE = fusion_replay.TUNABLE


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
    started = time.perf_counter()
    path = RESULTS / f"{beir.label}.json.gz"
    recorded = fusion_replay.record(settings, beir, path)
    seconds = time.perf_counter() - started
    print(f"recorded {recorded} queries in {seconds:.0f} s → {path}", file=sys.stderr)
    return path


def replay(name: str, variant: dict[str, Any], modes: list[str]) -> dict[str, float]:
    """Score one setting: nDCG@10 per mode (:func:`search.evaluation.fusion_replay.replay`)."""
    beir = _set(name)
    recorded = _load(RESULTS / f"{beir.label}.json.gz")
    return fusion_replay.replay(load_settings(), beir, recorded, variant, modes)


def replay_runs(
    name: str, variant: dict[str, Any], modes: list[str]
) -> dict[str, dict[str, list[str]]]:
    """:returns: per mode, query id → the first 10 corpus ids of one setting."""
    recorded = _load(RESULTS / f"{_set(name).label}.json.gz")
    return fusion_replay.replay_runs(load_settings(), recorded, variant, modes)


_CACHE: dict[Path, dict[str, Any]] = {}


def _load(path: Path) -> dict[str, Any]:
    if path not in _CACHE:
        if not path.exists():
            msg = f"nothing recorded at {path}: run 'fusion_replay.py dump' first"
            raise SystemExit(msg)
        _CACHE[path] = fusion_replay.load_recording(path)
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
