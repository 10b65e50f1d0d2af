"""``auskunft sources``, ``auskunft sync`` and ``auskunft worker --once`` through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli import cli

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "satzungen"
    root.mkdir()
    (root / "friedhof.md").write_text(
        "# Friedhofssatzung\n\n## § 9 Ruhezeit\n\nDie Ruhezeit für Erdbestattungen beträgt "
        "25 Jahre.\n",
        encoding="utf-8",
    )
    (root / "leer.pdf").write_bytes(b"")
    return root


def test_sources_lifecycle(tmp_path: Path, folder: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]

    def run(*args: str) -> str:
        result = runner.invoke(cli, [*data, *args])
        assert result.exit_code == 0, result.output
        return result.output

    missing = runner.invoke(cli, [*data, "sources", "add", "x", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert "does not exist" in missing.output

    assert "Added folder source satzungen" in run("sources", "add", "satzungen", str(folder))
    listed = json.loads(run("sources", "list", "--json"))
    assert [s["name"] for s in listed["sources"]] == ["satzungen"]
    assert listed["sources"][0]["last_sync"] is None
    assert "2 documents" in run("sources", "test", "satzungen")

    reports = json.loads(run("sync", "--json"))
    (report,) = reports["reports"]
    assert (report["indexed"], report["failed"]) == (1, 1)
    hits = json.loads(run("search", "Ruhezeit Erdbestattung", "--json"))["results"]
    assert hits[0]["title"] == "Friedhofssatzung"

    assert "rebuilt" in run("sources", "edit", "satzungen", "--access-group", "bestattung")
    run("sync", "satzungen")
    assert json.loads(run("search", "Ruhezeit Erdbestattung", "--json"))["results"] == []
    grouped = run("search", "Ruhezeit Erdbestattung", "--group", "bestattung", "--json")
    assert json.loads(grouped)["results"]

    unknown = runner.invoke(cli, [*data, "sync", "nichtda"])
    assert unknown.exit_code == 1
    assert "No source named 'nichtda'" in unknown.output

    assert "and 2 documents" in run("sources", "remove", "satzungen", "--yes")
    status = json.loads(run("status", "--json"))
    assert sum(status["documents"].values()) == 0


def test_worker_once_syncs_due_sources(tmp_path: Path, folder: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(cli, [*data, "sources", "add", "s", str(folder), "--interval", "30"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, [*data, "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "s: ok" in result.output
    result = runner.invoke(cli, [*data, "worker", "--once"])
    assert "No source was due." in result.output
