"""``auskunft answer`` without an LLM (the extract) and ``auskunft audit``, for real."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import answers
from search.answers import Answer, AnswerSentence
from search.results import SearchResponse
from ui.cli import cli
from ui.cli_answers import _print_answer, os_user


def test_answer_without_llm_is_an_extract_and_everything_is_audited(tmp_path: Path) -> None:
    folder = tmp_path / "amt"
    folder.mkdir()
    (folder / "parkgebuehren.md").write_text(
        "# Parkgebührenordnung\n\n## § 2 Gebührenhöhe\n\n"
        "Die Parkgebühr beträgt in der Innenstadt 2,00 Euro je Stunde. "
        "Anwohner mit Parkausweis zahlen keine Gebühr.\n\n"
        "## § 3 Ausnahmen\n\nAn Sonn- und Feiertagen wird keine Gebühr erhoben.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*data, "ingest", str(folder), "--json"]).exit_code == 0

    result = runner.invoke(cli, [*data, "search", "Parkgebühr Innenstadt", "--json"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, [*data, "answer", "Wie hoch ist die Parkgebühr in der Innenstadt?", "--json"]
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    answer = output["answer"]
    assert answer["kind"] == "extractive"
    assert answer["label"].startswith("Auszug")
    first = answer["sentences"][0]
    assert "2,00 Euro je Stunde" in first["text"]
    (number,) = first["citations"]
    cited = answer["sources"][number - 1]
    assert cited["number"] == number
    assert cited["chunk_id"] in {p["chunk_id"] for p in output["results"][0]["passages"]}
    assert "§ 2" in cited["citation"]

    text = runner.invoke(cli, [*data, "answer", "Parkgebühr Innenstadt"]).output
    assert "Auszug" in text
    assert "[1] " in text  # the cited source under the extract

    out = tmp_path / "audit.csv"
    result = runner.invoke(cli, [*data, "audit", "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["kind"] for row in rows] == ["search", "search", "answer", "search", "answer"]
    assert {row["user"] for row in rows} == {os_user()}
    assert rows[0]["query"] == "Parkgebühr Innenstadt"
    chunks = json.loads(rows[0]["chunks"])
    assert chunks and all(len(chunk["content_hash"]) == 64 for chunk in chunks)
    assert json.loads(rows[0]["filters"])["access_groups"] == ["public"]
    assert rows[2]["answer"].startswith("Die Parkgebühr beträgt")

    result = runner.invoke(cli, [*data, "audit", "export", "--since", "2999-01-01"])
    assert result.exit_code == 0
    assert result.stdout == ""
    result = runner.invoke(cli, [*data, "audit", "purge", "--older-than", "1"])
    assert result.exit_code == 0
    assert "0 records" in result.output


def test_flags_and_notices_are_said_in_the_interface_texts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sentence = AnswerSentence(
        "Die Steuer beträgt 150 Euro [1].", [1], 0.9, [answers.WRONG_FIGURE], ["150"]
    )
    drafted = Answer("extractive", "?", [sentence], [], error="LLM at x is not reachable")
    _print_answer(drafted, SearchResponse(query="?", mode="hybrid", results=[]))
    out, err = capsys.readouterr()
    assert "(Betrag oder Zahl steht so nicht in der Quelle / amount or number not stated so " in out
    assert "in the source: „150“)" in out
    assert "Die KI ist nicht erreichbar oder zu langsam" in err
    assert err.rstrip().endswith("(LLM at x is not reachable)")
    _print_answer(Answer("extractive", "?", [], []), SearchResponse("?", "hybrid", []))
    assert "Die Treffer beantworten die Frage nicht. / The results" in capsys.readouterr().out
