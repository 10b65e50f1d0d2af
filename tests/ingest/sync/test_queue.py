"""The shared job queue for real: a PostgreSQL server in a temp dir, real workers.

PostgreSQL comes from Debian's packages (``make install`` installs it when root); the
tests skip with the reason when its server binaries are absent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from ingest.catalog import Catalog
from ingest.sync.queue import DOCUMENT_TASK, SYNC_TASK, JobQueue
from ingest.sync.sources import SourceConfig, SourceRegistry
from ingest.sync.worker import QueueWorker
from search.audit import AuditLog
from search.core.settings import Settings
from tests.consistency import assert_exactly_once

ROOT = Path(__file__).parents[3]
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def queue_url(postgres_url: str) -> str:
    """An empty queue: procrastinate's tables dropped and created anew for each test."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return postgres_url


def _corpus(root: Path, count: int) -> Path:
    root.mkdir()
    for n in range(count):
        text = (
            f"Beschluss Nr. {n} des Bauausschusses über die Sanierung der Schule {n}.\n\n"
            f"Die Kosten betragen {1000 + n} Euro und werden aus dem Haushalt gedeckt."
        )
        (root / f"beschluss-{n:02d}.txt").write_text(text, encoding="utf-8")
    return root


def _settings(tmp_path: Path, url: str, **queue: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        queue={"url": url, "retry_wait_seconds": 0, **queue},  # type: ignore[arg-type]
    )


def _register(settings: Settings, name: str, folder: Path) -> None:
    catalog = Catalog.open(settings)
    SourceRegistry(catalog).add(SourceConfig(name=name, location=str(folder)))
    catalog.close()


def _jobs(url: str) -> list[tuple[str, str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT task_name, status::text, attempts FROM procrastinate_jobs ORDER BY id"
        ).fetchall()
    return [(str(task), str(status), int(attempts)) for task, status, attempts in rows]


def test_sync_job_queues_documents_and_a_worker_ingests_them(tmp_path: Path, queue_url: str):
    corpus = _corpus(tmp_path / "akten", 5)
    settings = _settings(tmp_path, queue_url)
    _register(settings, "bau", corpus)
    queue = JobQueue(settings)
    with queue.opened():
        assert queue.enqueue_sync("bau") is True
        assert queue.enqueue_sync("bau") is False  # one waiting sync per source is enough
    worker = QueueWorker(settings, queue)
    try:
        queue.run_worker(worker.sync_source, worker.ingest_document, wait=False)
        assert_exactly_once(settings, 5)
        assert queue.counts() == {SYNC_TASK: {"succeeded": 1}, DOCUMENT_TASK: {"succeeded": 5}}

        # idempotent: every document job again changes nothing
        for path in sorted(corpus.iterdir()):
            assert worker.ingest_document("bau", path.as_uri()) == "unchanged"
        # a changed file is replaced, a deleted one removed, by the next sync
        (corpus / "beschluss-00.txt").write_text("Neuer Beschluss über die Kita.", "utf-8")
        (corpus / "beschluss-01.txt").unlink()
        with queue.opened():
            queue.enqueue_sync("bau")
        queue.run_worker(worker.sync_source, worker.ingest_document, wait=False)
    finally:
        worker.close()
    assert_exactly_once(settings, 4)
    catalog = Catalog.open(settings)
    source = SourceRegistry(catalog).require("bau")
    catalog.close()
    assert source.last_sync is not None
    assert source.last_sync["report"] == {"seen": 4, "queued": 4, "unchanged": 0, "deleted": 1}
    # every change is in the audit log, with the worker that made it
    audit = AuditLog.from_settings(settings)
    records = audit.records(kind="ingest")
    audit.close()
    assert {record.user for record in records} == {worker.name}
    syncs = [r for r in records if r.mode == "sync"]
    assert [r.notices for r in syncs] == [
        ["seen 4, queued 4, unchanged 0, deleted 1"],
        ["seen 5, queued 5, unchanged 0, deleted 0"],
    ]
    assert [d["uri"] for d in syncs[0].chunks] == [(corpus / "beschluss-01.txt").as_uri()]
    outcomes = [d["outcome"] for r in records if r.mode == "document" for d in r.chunks]
    # the first five, then the changed one; jobs that found their document unchanged
    # (same content, new modification time) are not recorded
    assert outcomes == ["indexed"] * (5 + 1)


def test_unconfigured_queue_is_a_configuration_error(tmp_path: Path) -> None:
    from search.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"queue\.url"):
        JobQueue(Settings(data_dir=tmp_path))


# `python -m ui.cli` would import ui.cli twice (as __main__ and from its submodules)
_WORKER = "import sys; from ui.cli import main; sys.argv[0] = 'auskunft'; main()"

# Worker A: its third write to the vector store announces itself and hangs, holding the
# write lock with its document marked ``indexing`` and half written; the test kills it.
_HANGING_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from search.stores.qdrant_edge_store import EdgeVectorStore

    marker = Path(sys.argv[1])
    original = EdgeVectorStore.write
    calls = []

    def write(self, chunks):
        calls.append(1)
        if len(calls) == 3:
            marker.write_text("writing")
            time.sleep(600)
        return original(self, chunks)

    EdgeVectorStore.write = write
    from ui.cli import main
    sys.argv = ["auskunft", "queue", "worker", "--name", "A"]
    main()
    """
)


def test_two_workers_one_killed_mid_job_lose_and_duplicate_nothing(
    tmp_path: Path, queue_url: str
) -> None:
    files = 24
    corpus = _corpus(tmp_path / "akten", files)
    settings = _settings(tmp_path, queue_url)
    _register(settings, "bau", corpus)
    queue = JobQueue(settings)
    with queue.opened():
        queue.enqueue_sync("bau")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HAYSTACK_TELEMETRY_ENABLED": "False",
        "AUSKUNFT_DATA_DIR": str(settings.data_dir),
        "AUSKUNFT_QUEUE__URL": queue_url,
        "AUSKUNFT_QUEUE__RETRY_WAIT_SECONDS": "0",
        "AUSKUNFT_QUEUE__HEARTBEAT_SECONDS": "1",
        "AUSKUNFT_QUEUE__STALLED_SECONDS": "4",
    }
    marker = tmp_path / "a-is-writing"
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("A", "B")}
    worker_a = subprocess.Popen(
        [sys.executable, "-c", _HANGING_WORKER, str(marker)],
        env=env,
        cwd=ROOT,
        stdout=logs["A"],
        stderr=subprocess.STDOUT,
    )
    worker_b = subprocess.Popen(
        [sys.executable, "-c", _WORKER, "queue", "worker", "--name", "B"],
        env=env,
        cwd=ROOT,
        stdout=logs["B"],
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert worker_a.poll() is None, (tmp_path / "A.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "A.log").read_text()[-3000:]
            time.sleep(0.1)
        worker_a.send_signal(signal.SIGKILL)
        worker_a.wait()
        in_flight = [job for job in _jobs(queue_url) if job[1] == "doing"]
        assert in_flight, "worker A was killed without a job in hand"

        while True:  # worker B takes over A's job once A's heartbeat is stale
            jobs = _jobs(queue_url)
            statuses = {status for _task, status, _attempts in jobs}
            if len(jobs) == files + 1 and statuses == {"succeeded"}:
                break
            assert worker_b.poll() is None, (tmp_path / "B.log").read_text()
            assert time.monotonic() < deadline, f"queue not drained: {jobs}"
            time.sleep(0.5)
    finally:
        for process in (worker_a, worker_b):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for log in logs.values():
            log.close()

    jobs = _jobs(queue_url)
    assert sum(task == DOCUMENT_TASK for task, _s, _a in jobs) == files
    assert any(attempts >= 1 for task, _s, attempts in jobs if task == DOCUMENT_TASK), (
        "no job was taken over from the killed worker"
    )
    assert "queued again" in (tmp_path / "B.log").read_text()
    assert_exactly_once(settings, files)


def test_scheduler_puts_due_sources_on_the_queue(tmp_path: Path, queue_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from ingest.sync.scheduler import SyncScheduler
    from search.core.settings import SourceEntry

    corpus = _corpus(tmp_path / "akten", 3)
    settings = _settings(tmp_path, queue_url).model_copy(
        update={"sources": [SourceEntry(name="bau", location=str(corpus), interval_minutes=60)]}
    )
    scheduler = SyncScheduler(settings)
    (outcome,) = scheduler.run_once()
    assert (outcome.source, outcome.ok, outcome.report) == ("bau", True, {"queued": True})
    (again,) = scheduler.run_once()  # still due, but its sync is already waiting
    assert again.report == {"queued": False}
    assert _jobs(queue_url) == [(SYNC_TASK, "todo", 0)]
    queue = JobQueue(settings)
    worker = QueueWorker(settings, queue)
    try:
        queue.run_worker(worker.sync_source, worker.ingest_document, wait=False)
    finally:
        worker.close()
    assert_exactly_once(settings, 3)
    assert scheduler.run_once() == []  # synced: not due for an hour
    assert len(scheduler.run_once(now=datetime.now(UTC) + timedelta(minutes=61))) == 1


def test_sync_job_of_an_empty_listing_deletes_nothing(tmp_path: Path, queue_url: str) -> None:
    """A share that is not mounted lists nothing: its documents stay (as on the direct
    path), and the sync's report says why."""
    corpus = _corpus(tmp_path / "akten", 3)
    settings = _settings(tmp_path, queue_url)
    _register(settings, "bau", corpus)
    queue = JobQueue(settings)
    worker = QueueWorker(settings, queue)
    try:
        with queue.opened():
            queue.enqueue_sync("bau")
        queue.run_worker(worker.sync_source, worker.ingest_document, wait=False)
        assert_exactly_once(settings, 3)
        for path in corpus.iterdir():  # the mount point stays, empty
            path.unlink()
        with queue.opened():
            queue.enqueue_sync("bau")
        queue.run_worker(worker.sync_source, worker.ingest_document, wait=False)
    finally:
        worker.close()
    assert_exactly_once(settings, 3)
    catalog = Catalog.open(settings)
    source = SourceRegistry(catalog).require("bau")
    catalog.close()
    assert source.last_sync is not None
    report = source.last_sync["report"]
    assert report["deleted"] == 0
    assert [item["reason"] for item in report["skipped"]] == ["empty-listing"]


def test_dead_workers_job_queued_again_meanwhile_does_not_block_it(
    tmp_path: Path, queue_url: str
) -> None:
    """A worker dies in a document's job; a later sync queues that document again before
    the dead job is noticed. Putting the dead job back would make two waiting jobs of one
    document (the queue refuses), and left ``doing`` its lock would hold the new job back
    for good: it is ended instead, and the new job runs."""
    corpus = _corpus(tmp_path / "akten", 2)
    settings = _settings(tmp_path, queue_url)
    _register(settings, "bau", corpus)
    queue = JobQueue(settings)
    uri = (corpus / "beschluss-00.txt").as_uri()
    with queue.opened():
        assert queue.enqueue_document("bau", uri)
    with psycopg.connect(queue_url, autocommit=True) as conn:  # taken by a worker now gone
        conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL")
    with queue.opened():
        assert queue.enqueue_document("bau", uri)  # the next sync queues it again
        assert queue.enqueue_sync("bau")
    assert queue.requeue_stalled_now() == 0
    worker = QueueWorker(settings, queue)
    try:
        queue.run_worker(worker.sync_source, worker.ingest_document, wait=False)
    finally:
        worker.close()
    statuses = [status for _task, status, _attempts in _jobs(queue_url)]
    assert statuses[0] == "aborted" and set(statuses[1:]) == {"succeeded"}
    assert_exactly_once(settings, 2)
