"""Draft material found: is the passage that answers a council question among the ten
passages the case view offers for it?

    python benchmarks/case_material.py [--mode keyword|hybrid] [--questions N] [--seed 7]

For each question of ``karlsruhe_anfragen`` (3,026, or ``--questions`` drawn with
``--seed``) the case view's research (:func:`search.cases.research.research`: earlier
replies first, then decisions, rules in force, the rest) runs with the question text only
— each reply's header repeats its inquiry's title, so a query with the title would find
the reply by its header and say nothing. A question counts as found when one of the
offered passages holds its gold answer passage (``answers.jsonl``;
:func:`search.evaluation.answers.holds_passage`). Printed beside it, from the same index
and run: document-level nDCG@10 and Recall@10 of the plain search, the same passage-level
Recall@10 over the first ten passages a plain search shows (its documents in rank order,
each with its passages), and the share of questions whose offered passages include a gold
document.

The set is indexed through the real ingestion path under the data directory
(``AUSKUNFT_DATA_DIR``; keyword mode needs no embeddings). Results go to
``benchmarks/results/case_material-<mode>-<n>q.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.evaluation import index_set  # noqa: E402
from search.cases.research import research  # noqa: E402
from search.core.settings import load_settings  # noqa: E402
from search.evaluation.answers import holds_passage, load_answer_cases  # noqa: E402
from search.evaluation.retrieval import load_beir, ndcg_at, recall_at  # noqa: E402
from search.results import SearchMode, SearchResponse  # noqa: E402
from search.service import SearchService  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "eval" / "karlsruhe_anfragen"
RESULTS = Path(__file__).with_name("results")


def measure(mode: SearchMode, questions: int | None, seed: int) -> dict[str, Any]:
    """Run the research of every question and the plain search; :returns: the figures."""
    from connectors.beir import corpus_id_of

    settings = load_settings()
    beir = load_beir(DATA)
    cases = load_answer_cases(beir, sample=questions, seed=seed)
    indexed = index_set(settings, beir, keyword_only=mode == "keyword", progress=print)
    service = SearchService(indexed.settings, embedder=indexed.embedder)

    def search(query: str, top_k: int = 10) -> SearchResponse:
        return service.search(query, mode=mode, top_k=top_k)

    found = gold_document = plain_found = 0
    ndcg: list[float] = []
    recall: list[float] = []
    started = time.perf_counter()
    try:
        for index, case in enumerate(cases, 1):
            relevant = {doc: 1 for doc in case.gold_documents}
            response = search(case.question)
            plain = [corpus_id_of(hit.uri) for hit in response.results]
            shown = [p.text for hit in response.results for p in hit.passages][:10]
            gold = case.gold_passage or ""
            plain_found += any(holds_passage(text, gold) for text in shown)
            ndcg.append(ndcg_at(plain, relevant, 10))
            recall.append(recall_at(plain, relevant, 10))
            offered = research(search, case.question)
            found += any(holds_passage(passage.text, gold) for passage in offered)
            gold_document += any(corpus_id_of(p.uri) in case.gold_documents for p in offered)
            if index % 100 == 0:
                print(f"{index}/{len(cases)}: passage recall@10 {found / index:.3f}")
    finally:
        service.close()
    n = len(cases)
    return {
        "set": beir.name,
        "mode": mode,
        "questions": n,
        "passage_recall@10": round(found / n, 4),
        "offered_gold_document": round(gold_document / n, 4),
        "plain_passage_recall@10": round(plain_found / n, 4),
        "plain_ndcg@10": round(statistics.fmean(ndcg), 4),
        "plain_recall@10": round(statistics.fmean(recall), 4),
        "seconds_per_question": round((time.perf_counter() - started) / n, 3),
        "documents": indexed.documents,
        "chunks": indexed.chunks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("keyword", "semantic", "hybrid"), default="keyword")
    parser.add_argument("--questions", type=int, default=None, help="a seeded sample")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    figures = measure(args.mode, args.questions, args.seed)
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"case_material-{args.mode}-{figures['questions']}q.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
