"""``auskunft eval-answers`` end to end: a small BEIR set written from the sample corpus's
dog-tax papers, answered by the extract and by the replay LLM over HTTP, measured."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from search.evaluation.answers import AnswerCase, holds_passage, load_answer_cases
from search.evaluation.retrieval import load_beir
from tests.llm_replay import REPLIES, ReplayServer, replay_server
from ui.cli import cli

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "samples" / "src"
DOCUMENTS = {
    "satzung": "satzung_hundesteuer.md",
    "aenderung": "beschluss_2024_0153_hundesteuer.md",
    "merkblatt": "merkblatt_assistenzhunde.md",
    "dienstreisen": "da_dienstreisen.md",
    "friedhof": "satzung_friedhofsgebuehren.md",
}
GOLD = {
    "correct": ["satzung", "aenderung"],
    "wrong_figure": ["satzung", "aenderung"],
    "removed_citation": ["satzung", "aenderung"],
    "no_citation": ["satzung", "aenderung"],
    "negation": ["satzung"],
}
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def write_set(folder: Path) -> Path:
    """A BEIR set: the sample papers as text, the recorded questions, their gold papers."""
    folder.mkdir(parents=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for doc_id, name in DOCUMENTS.items():
            text = _FRONT_MATTER.sub("", (SOURCES / name).read_text(encoding="utf-8"))
            title = text.lstrip("# \n").split("\n", 1)[0]
            row = {"_id": doc_id, "title": title, "text": text.replace("\\pagebreak", "")}
            corpus.write(json.dumps(row, ensure_ascii=False) + "\n")
    recorded = json.loads(REPLIES.read_text(encoding="utf-8"))
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as queries:
        for entry in recorded:
            row = {"_id": entry["case"], "text": entry["question"]}
            queries.write(json.dumps(row, ensure_ascii=False) + "\n")
    lines = ["query-id\tcorpus-id\tscore"]
    lines += [f"{case}\t{doc}\t1" for case, docs in GOLD.items() for doc in docs]
    (folder / "qrels.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def llm() -> Iterator[ReplayServer]:
    with replay_server() as running:
        yield running


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, llm: ReplayServer) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("eval-answers")
    folder = write_set(base / "hundesteuer")
    env = {
        "AUSKUNFT_DATA_DIR": str(base / "data"),
        "AUSKUNFT_LLM__URL": llm.url,
        "AUSKUNFT_LLM__MODEL": "replay",
        "AUSKUNFT_LLM__MAX_CONTEXT_TOKENS": "4096",
    }
    result = CliRunner().invoke(
        cli,
        ["eval-answers", str(folder), "--mode", "keyword", "--no-verifier", "--json",
         "--report-dir", str(base / "reports")],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    saved = sorted(path.name for path in (base / "reports").iterdir())
    assert saved == ["answers-hundesteuer-5q.json", "answers-hundesteuer-5q.md"]
    return json.loads(result.stdout)


def test_extract_and_llm_are_measured_on_the_same_questions(report: dict[str, Any]) -> None:
    assert report["questions"] == 5
    assert report["documents"] == len(DOCUMENTS)
    assert list(report["runs"]) == ["extract", "replay"]
    for run in report["runs"].values():
        assert run["questions"] == 5
        assert run["retrieved_gold_document"] == 1.0
        assert run["fell_back_to_extract"] == 0.0, run["error"]  # every reply was used


def test_extract_cites_what_supports_it(report: dict[str, Any]) -> None:
    extract = report["runs"]["extract"]
    assert extract["answers_with_citation"] == 1.0
    assert extract["citation_precision"] == 1.0  # verbatim sentences of their passages


def test_llm_replies_with_wrong_claims_lower_precision_and_carry_their_flags(
    report: dict[str, Any],
) -> None:
    replay = report["runs"]["replay"]
    # "150 Euro [n]" cites the passage with 96 Euro; "nicht" is dropped from its passage
    assert 0.5 < replay["citation_precision"] < 1.0
    assert replay["cites_gold_document"] == 1.0
    for flag in ("wrong_figure", "removed_citation", "no_citation", "negation"):
        assert replay["flags"].get(flag, 0) >= 1, replay["flags"]
    assert replay["sentences_flagged"] > 0
    assert replay["seconds_p50"] is not None


def test_questions_are_drawn_reproducibly_with_their_gold_passages() -> None:
    folder = ROOT.parent / "shared" / "data" / "eval" / "karlsruhe_anfragen"
    if not (folder / "answers.jsonl").is_file():
        pytest.skip(f"the shared evaluation data is not at {folder}")
    beir = load_beir(folder)
    cases = load_answer_cases(beir, sample=300)
    assert len(cases) == 300
    assert [case.qid for case in load_answer_cases(beir, sample=300)] == [c.qid for c in cases]
    assert [case.qid for case in load_answer_cases(beir, sample=300, seed=8)] != [
        c.qid for c in cases
    ]
    assert all(case.gold_documents and case.gold_passage for case in cases)


def test_a_passage_holds_the_gold_answer_by_its_words() -> None:
    gold = AnswerCase("q", "?", frozenset({"d"}), "Die Steuer beträgt jährlich 120 Euro je Hund.")
    assert gold.gold_passage is not None
    inside = "§ 3 Steuersatz. Die Steuer beträgt jährlich 120 Euro je Hund und wird fällig."
    assert holds_passage(inside, gold.gold_passage)
    assert not holds_passage(
        "Die Friedhofsgebühren werden nach Grabart erhoben.", gold.gold_passage
    )
