"""The auskunft command line, run for real through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli import cli

README = Path(__file__).parents[2] / "README.md"


def test_readme_documents_every_command() -> None:
    text = README.read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"auskunft {name}" in text, f"README does not document 'auskunft {name}'"


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for name, command in cli.commands.items():
        assert command.help, name
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "amt"
    root.mkdir()
    (root / "parkgebuehren.md").write_text(
        "# Parkgebührenordnung\n\n## § 2 Gebührenhöhe\n\n"
        "Die Parkgebühr beträgt in der Innenstadt 2,00 Euro je Stunde.\n",
        encoding="utf-8",
    )
    (root / "kaputt.pdf").write_bytes(b"%PDF-1.7\n garbage")
    return root


def test_ingest_status_and_search_json(tmp_path: Path, folder: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(cli, [*data, "ingest", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert (report["indexed"], report["failed"]) == (1, 1)

    status = json.loads(runner.invoke(cli, [*data, "status", "--json"]).output)
    assert status["documents"]["indexed"] == 1
    assert status["documents"]["failed"] == 1
    assert status["failures"][0]["reason"] == "corrupt"

    result = runner.invoke(cli, [*data, "search", "Parkgebühr Innenstadt Stunde", "--json"])
    assert result.exit_code == 0, result.output
    results = json.loads(result.output)["results"]
    hit = results[0]
    for key in ("doc_id", "uri", "title", "pages", "section", "passages", "citation"):
        assert key in hit
    assert hit["uri"].endswith("parkgebuehren.md")
    assert "§ 2" in hit["section"]
    assert "2,00 Euro" in hit["passages"][0]["text"]

    text = runner.invoke(cli, [*data, "search", "Parkgebühr", "--mode", "keyword"]).output
    assert "Parkgebührenordnung" in text


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "search", "x", "--from", "gestern"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
