"""The shared job queue of ingestion workers: procrastinate on PostgreSQL.

Several ``auskunft queue worker`` processes, on one machine or many, take jobs from one
PostgreSQL database (``queue.url``). There are two kinds of job:

``auskunft.sync_source(source)``
    Lists a registered source, removes documents that are gone, and puts one
    ``ingest_document`` job per listed document on the queue. At most one sync job per
    source waits in the queue (procrastinate's ``queueing_lock``).

``auskunft.ingest_document(source, uri, size, version)``
    Fetches, parses, chunks and embeds one document outside any lock, then replaces it in
    both stores and the catalog. Jobs of the same document never run at the same time
    (procrastinate's ``lock``), and at most one waits (``queueing_lock``).

Jobs are idempotent: a document's id is stable (``make_doc_id``), a write replaces all its
chunks, and an unchanged document is skipped, so running a job twice changes nothing.
A job that raises (a store or the embedder is unreachable) is retried with growing waits
(``queue.max_attempts``). A worker that dies (``kill -9``, a lost machine) stops sending
heartbeats; after ``queue.stalled_seconds`` any other worker puts its running job back on
the queue, and the document is written again from scratch: the catalog protocol of
:mod:`ingest.catalog` makes that repair the half-written state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, Final

import procrastinate
import psycopg
from procrastinate import exceptions as procrastinate_errors
from procrastinate.schema import SchemaManager

from ingest.catalog import make_doc_id
from search.core.errors import BackendUnavailable, ConfigurationError
from search.core.settings import Settings

logger = logging.getLogger(__name__)

SYNC_TASK: Final = "auskunft.sync_source"
DOCUMENT_TASK: Final = "auskunft.ingest_document"
_SCHEMA_LOCK: Final = 73_105_117  # pg_advisory_lock key: one process creates the tables

SyncHandler = Callable[[str], int]
"""Runs a sync job: source name → number of document jobs put on the queue."""
DocumentHandler = Callable[[str, str, int | None, str | None], str]
"""Runs a document job: (source, uri, size, version) → what happened (``indexed`` …)."""


def document_lock(source: str, uri: str) -> str:
    """:returns: the lock string shared by every job of one document."""
    return f"doc:{make_doc_id(source, uri)}"


class JobQueue:
    """Put ingestion jobs on the queue, run workers, and report what is queued.

    Nothing connects until a method needs the database.

    :param settings: the settings; ``queue.url`` must be set.
    :raises ConfigurationError: when ``queue.url`` is not set.
    """

    def __init__(self, settings: Settings) -> None:
        if not settings.queue.url:
            msg = (
                "No job queue configured: set queue.url (AUSKUNFT_QUEUE__URL) to a "
                "PostgreSQL URL, e.g. postgresql://auskunft:secret@db:5432/auskunft"
            )
            raise ConfigurationError(msg)
        self.settings = settings
        self.url: str = settings.queue.url
        self.queue_name = settings.queue.name
        self._app: procrastinate.App | None = None
        self._handlers: tuple[SyncHandler, DocumentHandler] | None = None

    # -- setup -------------------------------------------------------------------------

    @property
    def app(self) -> procrastinate.App:
        """:returns: the procrastinate app (created on first use, not yet opened)."""
        if self._app is None:
            self._app = procrastinate.App(
                connector=procrastinate.PsycopgConnector(conninfo=self.url)
            )
        return self._app

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            msg = f"The job queue's database is unreachable: {exc}"
            raise BackendUnavailable(msg) from exc

    def ensure_schema(self) -> bool:
        """Create procrastinate's tables unless they exist (safe when workers race).

        :returns: whether they were created now.
        :raises BackendUnavailable: when the database cannot be reached.
        """
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
            try:
                row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
                if row is not None and row[0] is not None:
                    return False
                conn.execute(SchemaManager.get_schema())
                return True
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))

    # -- enqueuing ---------------------------------------------------------------------

    def _defer(self, task: str, lock: str | None, queueing_lock: str, **kwargs: Any) -> bool:
        deferrer = self.app.configure_task(
            task, queue=self.queue_name, lock=lock, queueing_lock=queueing_lock
        )
        try:
            deferrer.defer(**kwargs)
        except procrastinate_errors.AlreadyEnqueued:
            return False  # the same job waits already: nothing to add
        except procrastinate_errors.ConnectorException as exc:
            msg = f"The job queue's database refused the job: {exc}"
            raise BackendUnavailable(msg) from exc
        return True

    def enqueue_sync(self, source: str) -> bool:
        """Queue a sync of one source (used by ``auskunft queue sync`` and schedulers).

        The app must be open (``with queue.opened():``) or this opens a connection.

        :param source: a registered source's name.
        :returns: ``False`` when a sync of this source is queued already.
        :raises BackendUnavailable: when the database cannot be reached.
        """
        return self._defer(SYNC_TASK, f"sync:{source}", f"sync:{source}", source=source)

    def enqueue_document(
        self, source: str, uri: str, *, size: int | None = None, version: str | None = None
    ) -> bool:
        """Queue the ingestion of one document.

        :returns: ``False`` when a job of this document is queued already.
        :raises BackendUnavailable: when the database cannot be reached.
        """
        lock = document_lock(source, uri)
        return self._defer(
            DOCUMENT_TASK, lock, lock, source=source, uri=uri, size=size, version=version
        )

    @contextlib.contextmanager
    def opened(self) -> Iterator[JobQueue]:
        """Open the app's connection pool for several synchronous calls."""
        self.ensure_schema()
        self.app.open()
        try:
            yield self
        finally:
            self.app.close()

    # -- reading -----------------------------------------------------------------------

    def counts(self) -> dict[str, dict[str, int]]:
        """:returns: ``{task name: {status: count}}`` of the jobs on this queue
        (statuses: ``todo``, ``doing``, ``succeeded``, ``failed``, …).

        :raises BackendUnavailable: when the database cannot be reached.
        """
        self.ensure_schema()
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT task_name, status::text, COUNT(*) FROM procrastinate_jobs "
                "WHERE queue_name = %s GROUP BY task_name, status",
                (self.queue_name,),
            ).fetchall()
        result: dict[str, dict[str, int]] = {}
        for task, status, count in rows:
            result.setdefault(task, {})[status] = int(count)
        return result

    def failed_jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        """:returns: the latest failed jobs (``id``, ``task``, ``args``, ``attempts``)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, task_name, args, attempts FROM procrastinate_jobs "
                "WHERE queue_name = %s AND status = 'failed' ORDER BY id DESC LIMIT %s",
                (self.queue_name, limit),
            ).fetchall()
        return [{"id": r[0], "task": r[1], "args": r[2], "attempts": r[3]} for r in rows]

    # -- working -----------------------------------------------------------------------

    def _register(self, sync: SyncHandler, document: DocumentHandler) -> None:
        """Point the two tasks at these handlers (registered with the app once)."""
        self._handlers = (sync, document)
        if SYNC_TASK in self.app.tasks:
            return
        queue = self.settings.queue
        retry = procrastinate.RetryStrategy(
            max_attempts=queue.max_attempts,
            wait=int(queue.retry_wait_seconds),
            exponential_wait=2 if queue.retry_wait_seconds else 0,
        )

        def sync_source(source: str) -> int:
            assert self._handlers is not None
            return self._handlers[0](source)

        def ingest_document(
            source: str, uri: str, size: int | None = None, version: str | None = None
        ) -> str:
            assert self._handlers is not None
            return self._handlers[1](source, uri, size, version)

        self.app.task(name=SYNC_TASK, queue=self.queue_name, retry=retry)(sync_source)
        self.app.task(name=DOCUMENT_TASK, queue=self.queue_name, retry=retry)(ingest_document)

    async def requeue_stalled(self) -> int:
        """Put the running jobs of dead workers back on the queue.

        A worker is dead when its last heartbeat is older than ``queue.stalled_seconds``.

        :returns: the number of jobs put back.
        """
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            queue=self.queue_name, seconds_since_heartbeat=self.settings.queue.stalled_seconds
        )
        requeued = 0
        for job in stalled:
            try:
                await manager.retry_job(job)
            except procrastinate_errors.UniqueViolation:
                # the same document (or sync) was queued again meanwhile: that job does
                # the work; this one must end, or its lock holds the other back for good
                await self._end_redundant(job)
                continue
            except procrastinate_errors.ConnectorException:
                continue  # another worker requeued it first
            logger.warning("Job %s of a dead worker is queued again", job.id)
            requeued += 1
        return requeued

    async def _end_redundant(self, job: procrastinate.jobs.Job) -> None:
        try:
            await self.app.job_manager.finish_job(
                job, status=procrastinate.jobs.Status.ABORTED, delete_job=False
            )
        except procrastinate_errors.ConnectorException:
            return  # another worker ended it first
        logger.warning("Job %s of a dead worker ended: the same job waits on the queue", job.id)

    def requeue_stalled_now(self) -> int:
        """Synchronous :meth:`requeue_stalled` (for ``auskunft queue status --requeue``)."""

        async def requeue() -> int:
            async with self.app.open_async():
                return await self.requeue_stalled()

        self.ensure_schema()
        return asyncio.run(requeue())

    async def _watch_stalled(self) -> None:
        interval = min(self.settings.queue.stalled_seconds / 2, 30.0)
        while True:
            try:
                await self.requeue_stalled()
            except procrastinate_errors.ConnectorException:
                logger.exception("Could not look for jobs of dead workers")
            await asyncio.sleep(interval)

    def run_worker(
        self,
        sync: SyncHandler,
        document: DocumentHandler,
        *,
        wait: bool = True,
        name: str | None = None,
    ) -> None:
        """Run one worker in this process until it is stopped (SIGINT/SIGTERM).

        The worker runs one job at a time (ingestion is CPU-bound: run one worker per
        core). Beside it, a watcher puts the jobs of dead workers back on the queue.

        :param sync: runs sync jobs.
        :param document: runs document jobs.
        :param wait: ``False``: stop when the queue is empty (for tests and cron runs).
        :param name: the worker's name in logs.
        :raises BackendUnavailable: when the database cannot be reached.
        """
        self.ensure_schema()
        self._register(sync, document)
        queue = self.settings.queue
        asyncio.run(self._work(wait=wait, name=name or "auskunft-worker", queue=queue))

    async def _work(self, *, wait: bool, name: str, queue: Any) -> None:
        async with self.app.open_async():
            watcher = asyncio.create_task(self._watch_stalled())
            try:
                await self.app.run_worker_async(
                    queues=[self.queue_name],
                    wait=wait,
                    name=name,
                    concurrency=1,
                    fetch_job_polling_interval=1.0,
                    update_heartbeat_interval=queue.heartbeat_seconds,
                    stalled_worker_timeout=queue.stalled_seconds,
                )
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
