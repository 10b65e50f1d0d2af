"""Two queue workers as on two machines: each with a data directory of its own, nothing
shared but PostgreSQL (queue, catalog, sources, audit log, embedding cache) and the search
servers (Elasticsearch, Qdrant).

Needs both servers (``AUSKUNFT_ELASTICSEARCH_URL``, ``AUSKUNFT_QDRANT_URL``, e.g. from
``docker compose up -d elasticsearch qdrant``); PostgreSQL is started by the tests.
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
from ingest.queue import JobQueue
from ingest.sources import SourceConfig, SourceRegistry
from search.audit import AuditLog
from search.settings import Settings
from tests.consistency import assert_exactly_once

ROOT = Path(__file__).parents[2]
ES_URL = os.environ.get("AUSKUNFT_ELASTICSEARCH_URL", "")
QDRANT_URL = os.environ.get("AUSKUNFT_QDRANT_URL", "")
_CLI = "import sys; from ui.cli import main; sys.argv[0] = 'auskunft'; main()"
FILES = 30

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (ES_URL and QDRANT_URL),
        reason="no servers: set AUSKUNFT_ELASTICSEARCH_URL and AUSKUNFT_QDRANT_URL to run it",
    ),
]


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


def test_two_workers_with_data_directories_of_their_own(
    tmp_path: Path, state_url: str, index_name: str
) -> None:
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
    corpus = tmp_path / "akten"  # in a city: a share both machines mount
    corpus.mkdir()
    for n in range(FILES):
        (corpus / f"beschluss-{n:02d}.txt").write_text(
            f"Beschluss Nr. {n} des Bauausschusses über die Sanierung der Schule {n}.", "utf-8"
        )
    catalog = Catalog.open(settings)
    SourceRegistry(catalog).add(SourceConfig(name="bau", location=str(corpus)))
    catalog.close()
    queue = JobQueue(settings)
    with queue.opened():
        queue.enqueue_sync("bau")

    workers: dict[str, subprocess.Popen[bytes]] = {}
    for name in ("A", "B"):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AUSKUNFT_")},
            **servers,
            "PYTHONPATH": str(ROOT),
            "HAYSTACK_TELEMETRY_ENABLED": "False",
            "AUSKUNFT_DATA_DIR": str(tmp_path / f"machine-{name}"),
        }
        log = (tmp_path / f"{name}.log").open("wb")
        workers[name] = subprocess.Popen(
            [sys.executable, "-c", _CLI, "queue", "worker", "--name", name],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
    try:
        deadline = time.monotonic() + 300
        while not _jobs_done(state_url):
            for name, process in workers.items():
                assert process.poll() is None, (tmp_path / f"{name}.log").read_text()
            assert time.monotonic() < deadline, "the queue was not drained"
            time.sleep(0.5)
    finally:
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)

    entries = assert_exactly_once(settings, FILES)
    audit = AuditLog.from_settings(settings)
    records = audit.records(kind="ingest")
    audit.close()
    by_worker = {
        name: [d["doc_id"] for r in records if r.user == name for d in r.chunks]
        for name in ("A", "B")
    }
    assert by_worker["A"] and by_worker["B"], "one worker did everything"
    assert sorted(by_worker["A"] + by_worker["B"]) == sorted(e.doc_id for e in entries)
    # no state in the workers' own directories: it is all in PostgreSQL
    for name in ("A", "B"):
        data = Settings(data_dir=tmp_path / f"machine-{name}")
        for state in (data.catalog_path, data.audit_path, data.embedding_cache_path):
            assert not state.exists(), state
