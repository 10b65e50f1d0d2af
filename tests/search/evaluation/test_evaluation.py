"""Evaluation metrics, BEIR loading, and one end-to-end evaluation on a real set."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.evaluation.retrieval import (
    BASELINE,
    bm25_baseline,
    load_beir,
    mrr_at,
    ndcg_at,
    recall_at,
    score_run,
)
from ui.cli import cli

EVAL_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eval"


def test_ndcg_by_hand() -> None:
    # relevant: a (grade 2), b (grade 1); ranked: x, a, b
    # DCG = 2/log2(3) + 1/log2(4); IDCG = 2/log2(2) + 1/log2(3)
    dcg = 2 / math.log2(3) + 1 / 2
    idcg = 2 + 1 / math.log2(3)
    assert ndcg_at(["x", "a", "b"], {"a": 2, "b": 1}) == pytest.approx(dcg / idcg)
    assert ndcg_at(["a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.0)
    assert ndcg_at(["x"], {"a": 1}) == 0.0
    # beyond k counts nothing
    assert ndcg_at(["x", "a"], {"a": 1}, k=1) == 0.0


def test_recall_and_mrr_by_hand() -> None:
    ranked = ["x", "y", "a", "z", "b"]
    relevant = {"a": 1, "b": 1, "c": 1, "n": 0}
    assert recall_at(ranked, relevant, 3) == pytest.approx(1 / 3)
    assert recall_at(ranked, relevant, 10) == pytest.approx(2 / 3)
    assert mrr_at(ranked, relevant) == pytest.approx(1 / 3)
    assert mrr_at(ranked, relevant, k=2) == 0.0


def test_score_run_averages_judged_queries_and_missing_ones_score_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    scores = score_run({"q1": ["a"]}, qrels)
    # q3 has no relevant document and is not counted; q2 has no result: 0
    assert scores["ndcg@10"] == pytest.approx(0.5)
    assert scores["mrr@10"] == pytest.approx(0.5)
    assert scores["recall@100"] == pytest.approx(0.5)


@pytest.fixture
def tiny_set(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    docs = [
        {"_id": "d1", "title": "Hundesteuersatzung", "text": "Die Steuer für den ersten Hund."},
        {"_id": "d2", "title": "Abfallsatzung", "text": "Gebühren für die Restmülltonne."},
        {"_id": "d3", "title": "", "text": "Parkgebühren in der Innenstadt."},
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    queries = [
        {"_id": "q1", "text": "Was kostet ein Hund?", "alt": "Hund"},
        {"_id": "q2", "text": "Restmülltonne Gebühren", "alt": "Müll"},
        {"_id": "q9", "text": "nicht bewertet"},
    ]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries) + "\n")
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    return folder


def test_load_beir_reads_judged_queries_and_limits_the_corpus(tiny_set: Path) -> None:
    beir = load_beir(tiny_set)
    assert beir.queries == {"q1": "Was kostet ein Hund?", "q2": "Restmülltonne Gebühren"}
    assert beir.corpus_ids is None
    assert load_beir(tiny_set, query_field="alt").queries["q2"] == "Müll"
    limited = load_beir(tiny_set, limit=1)
    assert list(limited.queries) == ["q1"]
    assert limited.corpus_ids == {"d1"}  # its relevant document plus the first document
    assert limited.label == "tiny-q1-d1"


def test_bm25_baseline_ranks_whole_documents(tiny_set: Path) -> None:
    run = bm25_baseline(load_beir(tiny_set))
    assert run["q1"][0] == "d1"
    assert run["q2"][0] == "d2"


@pytest.mark.skipif(not EVAL_DATA.is_dir(), reason=f"{EVAL_DATA} (shared eval data) is missing")
def test_eval_command_on_a_real_subset(tmp_path: Path) -> None:
    """``auskunft eval`` ingests a real set from text and scores all modes and BM25."""
    report_dir = tmp_path / "reports"
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(tmp_path / "data"),
            "eval",
            str(EVAL_DATA / "ragsource_fragen"),
            "--limit",
            "1",
            "--report-dir",
            str(report_dir),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["subset"] is True
    assert report["queries"] == 1
    assert set(report["scores"]) == {BASELINE, "keyword", "semantic", "hybrid"}
    for scores in report["scores"].values():
        assert set(scores) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}
    # a question about a statute, with the statute indexed: found
    assert report["scores"]["hybrid"]["recall@10"] == 1.0
    assert report["ingest"]["failed"] == 0
    assert (report_dir / "ragsource_fragen-subset.md").read_text().startswith("### ")
