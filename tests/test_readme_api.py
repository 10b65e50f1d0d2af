"""The README's API and MCP examples run as written against a real service."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.application import Application, Caller
from ingest.sync.sources import SourceConfig
from search.core.settings import load_settings
from tests.service_server import service_in_thread

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "samples" / "corpus"
FILES = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf",
    "dienstanweisungen/DA_Dienstreisen_2012.pdf",
]


def readme_api_blocks() -> list[str]:
    """:returns: the ``sh`` blocks of the README's section on the service."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Service, API and MCP", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def test_readme_has_the_examples() -> None:
    blocks = readme_api_blocks()
    assert len(blocks) >= 5
    assert all("curl" in block for block in blocks)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_api_examples_run(tmp_path: Path) -> None:
    folder = tmp_path / "beispiel"
    folder.mkdir()
    for name in FILES:
        shutil.copy2(CORPUS / name, folder / Path(name).name)
    settings = load_settings(data_dir=tmp_path / "data")
    admin = Caller("test", ("admin",), is_admin=True)
    with Application(settings, ingest_workers=0) as app:
        app.add_source(SourceConfig(name="beispiel", location=str(folder)))
        job = app.wait(app.sync("beispiel", caller=admin), timeout=300)
        assert job.state == "done", job.error
        with service_in_thread(settings, app) as service:
            script = "set -euo pipefail\n" + "\n".join(readme_api_blocks())
            run = subprocess.run(
                ["bash", "-c", script],
                env={"AUSKUNFT": service.url, "PATH": "/usr/bin:/bin"},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Hundesteuersatzung" in out  # the search found the statute
    assert "event: answer" in out and "event: done" in out  # the answer streamed
    assert '"jsonrpc":"2.0"' in out.replace(" ", "")  # the MCP call answered
    assert '"kind":"sync"' in out.replace(" ", "")  # the sync became a job
