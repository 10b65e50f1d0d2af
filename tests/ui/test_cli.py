"""The auskunft command line, run for real through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.service import NOTHING_MATCHES
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
    assert "Treffer 1–1 von 1" in text

    # the whole match set: its size, facets, a refinement and the order by date
    args = [*data, "search", "Parkgebühr", "--json", "--order", "date_desc"]
    body = json.loads(runner.invoke(cli, [*args, "--facet", "doc_type:statute"]).output)
    assert body["total"] == 1
    assert body["order"] == "date_desc"
    assert body["facets"]["source"] == {"amt": 1}
    body = json.loads(runner.invoke(cli, [*args, "--facet", "doc_type:decision"]).output)
    assert (body["total"], body["results"]) == (0, [])
    wrong = runner.invoke(cli, [*data, "search", "Parkgebühr", "--facet", "farbe:rot"])
    assert wrong.exit_code != 0
    assert "unknown facet farbe" in wrong.output

    # a question the index cannot answer: no documents, and it says why
    nonsense = [*data, "search", "Quantenchromodynamik Gluonen"]
    body = json.loads(runner.invoke(cli, [*nonsense, "--json"]).output)
    assert body["results"] == []
    assert body["notices"] == [NOTHING_MATCHES]
    text = runner.invoke(cli, nonsense).output
    assert "Kein Dokument passt" in text
    assert "Keine Treffer. / No results." in text


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "search", "x", "--from", "gestern"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_ui_starts_without_a_prompt_and_leaves_no_server_behind(tmp_path: Path) -> None:
    """`auskunft ui` waits at no e-mail prompt, opens no browser, and stopping it stops
    the interface's server (the process becomes it)."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.service_server import ROOT, free_port

    port = free_port()
    env = {
        **os.environ,
        "HOME": str(tmp_path),  # no Streamlit credentials: a first run
        "AUSKUNFT_DATA_DIR": str(tmp_path / "data"),
        "AUSKUNFT_SERVICE__URL": "http://127.0.0.1:9",  # answers nothing; not asked here
    }
    env.pop("DISPLAY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ui", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,  # a prompt would wait here for ever
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, (
                    process.stdout.read().decode() if process.stdout else ""
                )
                assert time.monotonic() < deadline, "the interface did not start"
                time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
    assert "Email" not in output
    with socket.socket() as probe:  # the port is free again: no server was left behind
        assert probe.connect_ex(("127.0.0.1", port)) != 0
