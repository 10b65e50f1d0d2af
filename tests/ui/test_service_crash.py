"""``kill -9`` of the service while it writes, then a restart: the catalog and both
indexes agree, the interrupted documents are ingested again, nothing is duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from ingest.catalog import Catalog
from search.core.settings import load_settings
from tests.consistency import assert_exactly_once
from tests.service_server import free_port, serve_process, wait_healthy

FILES = 30


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for n in range(FILES):
        text = "\n\n".join(
            f"§ {p} Beschluss {n} des Bauausschusses, Absatz {p}: Die Sanierung der Schule {n} "
            f"kostet {1000 * n + p} Euro und wird im Haushaltsjahr {2020 + n % 6} finanziert."
            for p in range(1, 12)
        )
        (folder / f"beschluss-{n:02d}.txt").write_text(text, encoding="utf-8")
    return folder


def _start(data: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    env = {"AUSKUNFT_ACCESS__MODE": "dev", "AUSKUNFT_INGEST__BATCH_DOCUMENTS": "4"}
    process = serve_process(data, port, env)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, timeout=120, process=process)
    return process, url


def _job(url: str, job_id: int) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{url}/api/v1/jobs/{job_id}", timeout=30).json()
    return body


def test_kill_9_during_a_sync_then_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "akten")
    data = tmp_path / "data"
    process, url = _start(data, free_port())
    try:
        added = httpx.post(
            f"{url}/api/v1/sources",
            params={"sync": "true"},
            json={"name": "bau", "location": str(folder)},
            timeout=60,
        )
        assert added.status_code == 201, added.text
        job_id = int(added.json()["job"]["id"])
        deadline = time.monotonic() + 300
        while True:  # some batches are written, the sync goes on: now
            job = _job(url, job_id)
            indexed = int(job["counts"].get("indexed", 0))
            assert not job["finished"], "the sync ended before it could be killed"
            if indexed >= 4:
                break
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    settings = load_settings(data_dir=data)
    catalog = Catalog.open(settings)
    before = catalog.counts_by_status()
    catalog.close()
    assert before["indexed"] < FILES  # it was killed part-way

    process, url = _start(data, free_port())
    try:
        job = httpx.post(f"{url}/api/v1/sources/bau/sync", timeout=60).json()
        deadline = time.monotonic() + 600
        while not job["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.5)
            job = _job(url, int(job["id"]))
        assert job["state"] == "done", job
        found = httpx.get(
            f"{url}/api/v1/search", params={"q": "Schule 29 Sanierung", "mode": "keyword"}
        ).json()
        assert found["results"]
    finally:
        process.terminate()
        process.wait(timeout=30)

    entries = assert_exactly_once(settings, FILES)
    assert sorted(entry.uri for entry in entries) == sorted(
        path.as_uri() for path in folder.iterdir()
    )
