"""The sync engine's fault suite: each fault on both paths, with real processes.

Three ways to sync one source:

- ``direct``: ``auskunft sync`` in its own process, state (catalog, sources) in SQLite;
- ``direct-pg``: the same with the state in PostgreSQL (``database.url``);
- ``queue``: ``auskunft queue worker`` processes, the state in the queue's PostgreSQL.

Every test ends with the consistency check (:func:`tests.consistency.assert_exactly_once`):
each document of the source exactly once in the catalog and in both stores.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ingest.catalog import Catalog
from ingest.sync.queue import JobQueue
from ingest.sync.sources import SourceConfig, SourceRegistry
from ingest.sync.worker import QueueWorker
from search.core.settings import Settings
from tests.connectors.website_server import WebsiteServer
from tests.consistency import assert_exactly_once

ROOT = Path(__file__).parents[3]
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

# `python -m ui.cli` would import ui.cli twice (as __main__ and from its submodules)
_CLI = "import sys; from ui.cli import main; sys.argv[0] = 'auskunft'; main()"
_PROCESS_SECONDS = 300


@dataclass
class SyncPath:
    """One way to sync: settings, the environment of its processes, and how to run it."""

    kind: str
    settings: Settings
    env: dict[str, str]
    logs: Path

    @property
    def queued(self) -> bool:
        return self.settings.queue.url is not None

    def register(self, name: str, location: str, kind: str = "folder", **options: Any) -> None:
        catalog = Catalog.open(self.settings)
        try:
            config = SourceConfig(name=name, kind=kind, location=location, options=options)
            SourceRegistry(catalog).add(config)
        finally:
            catalog.close()

    def last_sync(self, name: str) -> dict[str, Any]:
        catalog = Catalog.open(self.settings)
        try:
            last = SourceRegistry(catalog).require(name).last_sync
        finally:
            catalog.close()
        assert last is not None
        return last

    def start(self, name: str, label: str) -> subprocess.Popen[bytes]:
        """Start a process that syncs the source (a queue worker after queueing its sync)."""
        if self.queued:
            queue = JobQueue(self.settings)
            with queue.opened():
                queue.enqueue_sync(name)
            argv = ["queue", "worker", "--until-empty", "--name", label]
        else:
            argv = ["sync", name, "--json"]
        log = (self.logs / f"{label}.log").open("ab")
        try:
            return subprocess.Popen(
                [sys.executable, "-c", _CLI, *argv],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()

    def log(self, label: str) -> str:
        return (self.logs / f"{label}.log").read_text("utf-8", errors="replace")

    def run(self, name: str, label: str = "run") -> dict[str, Any]:
        """Sync the source in a process of its own, to the end.

        :returns: the source's last sync as recorded.
        """
        process = self.start(name, label)
        code = process.wait(timeout=_PROCESS_SECONDS)
        assert code >= 0, f"{label} ended by signal {-code}: {self.log(label)}"
        return self.last_sync(name)

    def requeue_stalled(self) -> None:
        """Hand the jobs of killed workers back (once their heartbeat is stale)."""
        if self.queued:
            time.sleep(self.settings.queue.stalled_seconds + 1)
            JobQueue(self.settings).requeue_stalled_now()


@pytest.fixture(
    params=[
        "direct",
        # the queue path keeps its state in PostgreSQL already; the direct path with
        # PostgreSQL state runs in `make test-all` (the default run stays under 15 minutes)
        pytest.param("direct-pg", marks=pytest.mark.slow),
        "queue",
    ]
)
def path(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncPath]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HAYSTACK_TELEMETRY_ENABLED": "False",
        "AUSKUNFT_DATA_DIR": str(tmp_path / "data"),
    }
    for key in [k for k in env if k.startswith("AUSKUNFT_") and k != "AUSKUNFT_DATA_DIR"]:
        del env[key]  # nothing of the machine's configuration leaks into the processes
    if request.param != "direct":
        url = request.getfixturevalue("state_url")
        if request.param == "queue":
            env |= {
                "AUSKUNFT_QUEUE__URL": url,
                "AUSKUNFT_QUEUE__RETRY_WAIT_SECONDS": "0",
                "AUSKUNFT_QUEUE__MAX_ATTEMPTS": "2",
                "AUSKUNFT_QUEUE__HEARTBEAT_SECONDS": "1",
                "AUSKUNFT_QUEUE__STALLED_SECONDS": "3",
            }
        else:
            env["AUSKUNFT_DATABASE__URL"] = url
    settings = _settings(env)
    logs = tmp_path / "logs"
    logs.mkdir()
    yield SyncPath(request.param, settings, env, logs)


def _settings(env: dict[str, str]) -> Settings:
    """The settings the processes read from ``env``."""
    queue: dict[str, Any] = {}
    if "AUSKUNFT_QUEUE__URL" in env:
        queue = {
            "url": env["AUSKUNFT_QUEUE__URL"],
            "retry_wait_seconds": 0,
            "max_attempts": 2,
            "heartbeat_seconds": 1,
            "stalled_seconds": 3,
        }
    database = {"url": env["AUSKUNFT_DATABASE__URL"]} if "AUSKUNFT_DATABASE__URL" in env else {}
    return Settings(
        data_dir=Path(env["AUSKUNFT_DATA_DIR"]),
        queue=queue,  # type: ignore[arg-type]
        database=database,  # type: ignore[arg-type]
    )


def _write(folder: Path, count: int, edition: int = 0) -> None:
    """``count`` council decisions in ``folder``, in their ``edition``."""
    folder.mkdir(exist_ok=True)
    for n in range(count):
        text = (
            f"Beschluss Nr. {n} des Bauausschusses, Fassung {edition}.\n\n"
            f"Die Sanierung der Grundschule {n} kostet {1000 + n + edition} Euro und wird "
            "aus dem Haushalt gedeckt."
        )
        (folder / f"beschluss-{n:02d}.txt").write_text(text, encoding="utf-8")


def _uris(settings: Settings, name: str) -> set[str]:
    catalog = Catalog.open(settings)
    try:
        return {entry.uri for entry in catalog.entries(source=name)}
    finally:
        catalog.close()


def _versions(settings: Settings) -> dict[str, tuple[str | None, str]]:
    catalog = Catalog.open(settings)
    try:
        return {e.doc_id: (e.version, e.status) for e in catalog.entries()}
    finally:
        catalog.close()


# -- the listing fails or comes back empty ------------------------------------------------


def test_empty_listing_deletes_nothing(path: SyncPath, tmp_path: Path) -> None:
    """A share whose mount point is there but empty (not mounted) lists nothing."""
    folder = tmp_path / "akten"
    _write(folder, 6)
    path.register("bau", str(folder))
    assert path.run("bau")["ok"] is True
    assert_exactly_once(path.settings, 6)
    for file in folder.iterdir():
        file.unlink()
    last = path.run("bau", "empty")
    assert last["ok"] is True, path.log("empty")
    assert last["report"]["deleted"] == 0
    assert [item["reason"] for item in last["report"]["skipped"]] == ["empty-listing"]
    assert_exactly_once(path.settings, 6)


def test_missing_folder_fails_the_sync_and_deletes_nothing(path: SyncPath, tmp_path: Path) -> None:
    folder = tmp_path / "akten"
    _write(folder, 4)
    path.register("bau", str(folder))
    path.run("bau")
    folder.rename(tmp_path / "woanders")
    last = path.run("bau", "missing")
    assert last["ok"] is False
    assert "akten" in last["error"] and "bau" in last["error"]
    assert_exactly_once(path.settings, 4)
    (tmp_path / "woanders").rename(folder)  # mounted again: synced as before
    assert path.run("bau", "back")["ok"] is True
    assert_exactly_once(path.settings, 4)


_SITE_PAGES = 7
"""Pages and files of the fixture site under /stadt/ (test_website.PAGES | FILES)."""
_LATER_PAGES = (
    "/stadt/buergerservice/bauantrag.html",
    "/stadt/buergerservice/hundesteuer.html",
    "/stadt/aktuelles/strassenfest.html",
    "/stadt/impressum.html",
    "/stadt/dokumente/gebuehrensatzung.pdf",
    "/stadt/dokumente/antrag-sondernutzung.docx",
)
"""Everything the crawl reaches after the start page."""


@pytest.mark.parametrize("fault", ["http-500", pytest.param("timeout", marks=pytest.mark.slow)])
def test_listing_cut_off_halfway_deletes_nothing(
    path: SyncPath, site: WebsiteServer, fault: str
) -> None:
    """The site answers its start page, then breaks down (500s) or hangs (longer than
    the request timeout) for everything else: nothing is deleted, and the next sync
    after the outage brings the changes."""
    path.register(
        "stadt", f"{site.base}/stadt/index.html", kind="website",
        delay_seconds=0, retries=0, timeout=0.5,
    )  # fmt: skip
    assert path.run("stadt")["ok"] is True
    before = _uris(path.settings, "stadt")
    assert len(before) == _SITE_PAGES
    for page in _LATER_PAGES:
        if fault == "http-500":
            site.status[page] = [500] * 100
        else:
            site.delay[page] = 1.0
    last = path.run("stadt", "outage")
    assert _uris(path.settings, "stadt") == before, path.log("outage")
    if last["ok"]:
        assert last["report"]["deleted"] == 0
        assert len(last["report"]["skipped"]) >= len(_LATER_PAGES)
    assert_exactly_once(path.settings, _SITE_PAGES)

    site.status.clear()
    site.delay.clear()
    del site.pages["/stadt/aktuelles/strassenfest.html"]
    last = path.run("stadt", "after")
    assert last["ok"] is True, path.log("after")
    assert last["report"]["deleted"] == 1
    assert_exactly_once(path.settings, _SITE_PAGES - 1)


# -- documents that go away, workers that die or meet ------------------------------------


def test_document_deleted_while_its_job_waits(
    path: SyncPath, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed, then deleted before it is fetched: removed from the index (it was indexed
    in an older edition), and no failure is recorded for it."""
    folder = tmp_path / "akten"
    _write(folder, 5)
    path.register("bau", str(folder))
    path.run("bau")
    _write(folder, 5, edition=1)  # every document changed: each needs a fetch
    doomed = folder / "beschluss-02.txt"
    if path.queued:
        queue = JobQueue(path.settings)
        worker = QueueWorker(path.settings, queue)
        try:
            with queue.opened():
                assert worker.sync_source("bau") == 5  # the jobs wait on the queue now
        finally:
            worker.close()
        doomed.unlink()
        process = subprocess.Popen(
            [sys.executable, "-c", _CLI, "queue", "worker", "--until-empty"],
            env=path.env,
            cwd=ROOT,
        )
        assert process.wait(timeout=_PROCESS_SECONDS) == 0
    else:
        # the direct path fetches right after listing: the file goes at its fetch
        from connectors.filesystem import FilesystemConnector
        from ingest.sync.indexer import Indexer

        fetch = FilesystemConnector.fetch

        def fetch_after_deletion(self: FilesystemConnector, ref: Any) -> Any:
            if ref.uri == doomed.as_uri() and doomed.exists():
                doomed.unlink()
            return fetch(self, ref)

        monkeypatch.setattr(FilesystemConnector, "fetch", fetch_after_deletion)
        with Indexer(path.settings) as indexer:
            report = SourceRegistry(indexer.catalog).sync("bau", indexer)
        assert (report.indexed, report.deleted, report.failed) == (4, 1, 0)
    assert doomed.as_uri() not in _uris(path.settings, "bau")
    entries = assert_exactly_once(path.settings, 4)
    assert all(entry.error is None for entry in entries)


def test_two_syncs_of_one_source_at_once(path: SyncPath, tmp_path: Path) -> None:
    """Two processes sync the source at the same time while documents are deleted and
    added: no document twice, no deletion lost. On the queue the two syncs of one source
    never run together (a queueing lock); directly, the second process finds the data
    directory's write lock taken and says so."""
    folder = tmp_path / "akten"
    _write(folder, 30)
    path.register("bau", str(folder))
    first = path.start("bau", "A")
    second = path.start("bau", "B")
    _wait_for_any_document(path.settings, first, second)
    for n in range(5):  # deleted and added while the syncs run
        (folder / f"beschluss-{n:02d}.txt").unlink()
        (folder / f"neu-{n}.txt").write_text(f"Neuer Beschluss {n} über Radwege.", "utf-8")
    codes = (first.wait(timeout=_PROCESS_SECONDS), second.wait(timeout=_PROCESS_SECONDS))
    if path.queued:
        assert codes == (0, 0), path.log("A") + path.log("B")
    else:
        assert sorted(codes) == [0, 1], path.log("A") + path.log("B")
        refused = path.log("A" if codes[0] else "B")
        assert "Another Auskunft process" in refused
    path.run("bau", "again")  # the next sync sees the deletions and additions
    entries = assert_exactly_once(path.settings, 30)
    assert {Path(e.filename).name for e in entries} == {f.name for f in folder.iterdir()}


def _open_jobs(path: SyncPath) -> list[tuple[Any, ...]]:
    """The queue's jobs that have not succeeded (for messages)."""
    if not path.queued:
        return []
    import psycopg

    with psycopg.connect(str(path.settings.queue.url)) as conn:
        return conn.execute(
            "SELECT id, task_name, status::text, attempts, args::text, scheduled_at "
            "FROM procrastinate_jobs WHERE status <> 'succeeded' ORDER BY id"
        ).fetchall()


def _wait_for_any_document(settings: Settings, *processes: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _PROCESS_SECONDS
    while not _versions(settings):
        assert any(p.poll() is None for p in processes), "both processes ended early"
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("kills", [pytest.param(3), pytest.param(20, marks=pytest.mark.slow)])
def test_kill_9_at_random_moments_of_a_sync(path: SyncPath, tmp_path: Path, kills: int) -> None:
    """``kill -9`` at random moments of a 40-document sync (each round every document has
    a new edition, so each kill meets a sync in progress), then a sync to the end: every
    document exactly once, in its newest edition."""
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    folder = tmp_path / "akten"
    _write(folder, 40)
    path.register("bau", str(folder))
    # a whole sync, timed: when the first document is written, and when it ends
    started = time.monotonic()
    process = path.start("bau", "first")
    _wait_for_any_document(path.settings, process)
    first_write = time.monotonic() - started
    assert process.wait(timeout=_PROCESS_SECONDS) == 0, path.log("first")
    whole = time.monotonic() - started
    assert_exactly_once(path.settings, 40)

    interrupted = 0  # kills that met the sync still running
    half_done = 0  # of those, kills that left documents half written or a sync half done
    for edition in range(1, kills + 1):
        _write(folder, 40, edition)
        before = _versions(path.settings)
        process = path.start("bau", f"killed-{edition}")
        time.sleep(rng.uniform(0.8 * first_write, whole))
        interrupted += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = _versions(path.settings)
        changed = sum(after.get(doc) != state for doc, state in before.items())
        writing = any(status == "indexing" for _version, status in after.values())
        half_done += writing or 0 < changed < 40
    path.requeue_stalled()
    last = path.run("bau", "rerun")
    assert last["ok"] is True, path.log("rerun")
    entries = assert_exactly_once(path.settings, 40)
    # the moments lie in the sync's working time: most kills meet it running (the direct
    # path writes its batch in one short step, so few leave it visibly half written)
    assert interrupted >= max(1, kills // 2), f"{interrupted} of {kills} kills (seed {seed})"
    # newest edition everywhere: a further sync finds nothing to do
    last = path.run("bau", "check")
    report = last["report"]
    assert report["unchanged"] == 40, (seed, report, _open_jobs(path))
    assert report.get("indexed", 0) == report.get("queued", 0) == 0, (seed, report)
    assert len(entries) == 40
    print(json.dumps({"path": path.kind, "seed": seed, "kills": kills,
                      "interrupted": interrupted, "half_done": half_done}))  # fmt: skip
