"""Two queue workers as on two machines: each with a data directory of its own, nothing
shared but PostgreSQL (queue, catalog, sources, audit log, embedding cache) and the index:

- the embedded index, owned by the service, which writes what the workers prepared;
- the search servers (Elasticsearch, Qdrant), which the workers write to themselves; that
  test needs both servers (``AUSKUNFT_ELASTICSEARCH_URL``, ``AUSKUNFT_QDRANT_URL``, e.g.
  from ``docker compose up -d elasticsearch qdrant``) and skips without them.

PostgreSQL is started by the tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ingest.catalog import Catalog
from ingest.sync.queue import JobQueue
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.audit import AuditLog
from search.core.settings import Settings
from tests.consistency import assert_exactly_once

ROOT = Path(__file__).parents[3]
ES_URL = os.environ.get("AUSKUNFT_ELASTICSEARCH_URL", "")
QDRANT_URL = os.environ.get("AUSKUNFT_QDRANT_URL", "")
_CLI = "import sys; from ui.cli import main; sys.argv[0] = 'auskunft'; main()"
FILES = 30

needs_servers = pytest.mark.skipif(
    not (ES_URL and QDRANT_URL),
    reason="no servers: set AUSKUNFT_ELASTICSEARCH_URL and AUSKUNFT_QDRANT_URL to run it",
)


@pytest.fixture
def index_name() -> Iterator[str]:
    """A fresh Elasticsearch index and Qdrant collection name, removed afterwards."""
    name = f"auskunft-scale-{uuid.uuid4().hex[:8]}"
    yield name
    from elasticsearch import Elasticsearch
    from qdrant_client import QdrantClient

    es = Elasticsearch(ES_URL)
    try:
        es.indices.delete(index=f"{name}*", ignore_unavailable=True)
    finally:
        es.close()
    qdrant = QdrantClient(url=QDRANT_URL)
    try:
        if qdrant.collection_exists(name):
            qdrant.delete_collection(name)
    finally:
        qdrant.close()


def _jobs_done(url: str) -> bool:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT status::text FROM procrastinate_jobs").fetchall()
    return len(rows) == FILES + 1 and {status for (status,) in rows} == {"succeeded"}


def _corpus(folder: Path) -> Path:
    """Council decisions in a folder; in a city, a share both machines mount."""
    folder.mkdir()
    for n in range(FILES):
        (folder / f"beschluss-{n:02d}.txt").write_text(
            f"Beschluss Nr. {n} des Bauausschusses über die Sanierung der Schule {n}.", "utf-8"
        )
    return folder


def _register(settings: Settings, folder: Path) -> None:
    catalog = Catalog.open(settings)
    SourceRegistry(catalog).add(SourceConfig(name="bau", location=str(folder)))
    catalog.close()


def _sync_with_two_workers(tmp_path: Path, settings: Settings, env: dict[str, str]) -> None:
    """Start workers A and B (each with a data directory of its own), queue a sync of the
    source once both take jobs, and stop them when every job has succeeded."""
    workers: dict[str, subprocess.Popen[bytes]] = {}
    logs = {name: tmp_path / f"{name}.log" for name in ("A", "B")}
    for name, log_path in logs.items():
        environ = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AUSKUNFT_")},
            **env,
            "PYTHONPATH": str(ROOT),
            "HAYSTACK_TELEMETRY_ENABLED": "False",
            "AUSKUNFT_DATA_DIR": str(tmp_path / f"machine-{name}"),
        }
        with log_path.open("wb") as log:
            workers[name] = subprocess.Popen(
                [sys.executable, "-c", _CLI, "queue", "worker", "--name", name],
                env=environ,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    try:
        deadline = time.monotonic() + 300
        while not all("takes jobs" in log.read_text() for log in logs.values()):
            for name, process in workers.items():
                assert process.poll() is None, logs[name].read_text()
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        queue = JobQueue(settings)
        with queue.opened():
            queue.enqueue_sync("bau")
        while not _jobs_done(str(settings.queue.url)):
            for name, process in workers.items():
                assert process.poll() is None, logs[name].read_text()
            assert time.monotonic() < deadline, "the queue was not drained"
            time.sleep(0.5)
    finally:
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def _assert_both_worked(tmp_path: Path, settings: Settings) -> None:
    """Every document once (catalog and both stores), each written by A or B, both
    recorded in the audit log; and no state in the workers' own directories."""
    entries = assert_exactly_once(settings, FILES)
    audit = AuditLog.from_settings(settings)
    records = audit.records(kind="ingest")
    audit.close()
    by_worker = {
        name: [d["doc_id"] for r in records if r.user == name and r.mode == "document"
               for d in r.chunks]
        for name in ("A", "B")
    }  # fmt: skip
    assert by_worker["A"] and by_worker["B"], "one worker did everything"
    assert sorted(by_worker["A"] + by_worker["B"]) == sorted(e.doc_id for e in entries)
    for name in ("A", "B"):
        data = Settings(data_dir=tmp_path / f"machine-{name}")
        for state in (data.catalog_path, data.audit_path, data.embedding_cache_path):
            assert not state.exists(), state


def test_two_workers_write_through_the_service_that_owns_the_index(
    tmp_path: Path, state_url: str
) -> None:
    """Embedded stores: the service owns them; the workers on their machines fetch,
    parse, chunk and embed, and the service writes what they send (with an admin key)."""
    from search.api_keys import ApiKeyStore
    from tests.service_server import free_port, serve_process, wait_healthy

    state = {"AUSKUNFT_QUEUE__URL": state_url, "AUSKUNFT_DATABASE__URL": state_url}
    settings = Settings(
        data_dir=tmp_path / "service",
        queue={"url": state_url},  # type: ignore[arg-type]
        database={"url": state_url},  # type: ignore[arg-type]
    )
    _register(settings, _corpus(tmp_path / "akten"))
    _key, secret = ApiKeyStore(settings.api_keys_path).create("ingest", ["intern"], admin=True)
    port = free_port()
    env = {**state, "HAYSTACK_TELEMETRY_ENABLED": "False", "AUSKUNFT_ACCESS__MODE": "header"}
    service = serve_process(settings.data_dir, port, env)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", timeout=120, process=service)
        _sync_with_two_workers(
            tmp_path,
            settings,
            {
                **state,
                "AUSKUNFT_SERVICE__URL": f"http://127.0.0.1:{port}",
                "AUSKUNFT_API_KEY": secret,
            },
        )
    finally:
        service.send_signal(signal.SIGINT)  # as Ctrl+C: the service closes the index
        _out, err = service.communicate(timeout=60)
    assert service.returncode == 0, err.decode()[-3000:]
    _assert_both_worked(tmp_path, settings)


@pytest.mark.integration
@needs_servers
def test_two_workers_write_to_the_servers(tmp_path: Path, state_url: str, index_name: str) -> None:
    servers = {
        "AUSKUNFT_QUEUE__URL": state_url,
        "AUSKUNFT_STORES__ELASTICSEARCH_URL": ES_URL,
        "AUSKUNFT_STORES__ELASTICSEARCH_INDEX": index_name,
        "AUSKUNFT_STORES__QDRANT_URL": QDRANT_URL,
        "AUSKUNFT_STORES__QDRANT_COLLECTION": index_name,
    }
    settings = Settings(
        data_dir=tmp_path / "admin",
        queue={"url": state_url},  # type: ignore[arg-type]
        stores={  # type: ignore[arg-type]
            "elasticsearch_url": ES_URL,
            "elasticsearch_index": index_name,
            "qdrant_url": QDRANT_URL,
            "qdrant_collection": index_name,
        },
    )
    _register(settings, _corpus(tmp_path / "akten"))
    _sync_with_two_workers(tmp_path, settings, servers)
    _assert_both_worked(tmp_path, settings)
