"""What a queue worker does with a job (see :mod:`ingest.sync.queue` for the queue itself).

A :class:`QueueWorker` keeps the embedder, the catalog and the source registry open for
its lifetime. A document job is prepared (fetched, parsed, chunked, embedded) outside any
lock and then written in one short step:

- **servers** (Elasticsearch and Qdrant both configured): several workers write at once;
  the queue never runs two jobs of the same document together, and the catalog (in
  PostgreSQL, shared by every machine) serialises its own transactions;
- **embedded stores with a service** (``service.url``): the service owns the index; the
  worker, on any machine, sends it the prepared document (:mod:`ingest.sync.remote`) and the
  service writes it on its writer thread;
- **embedded stores without a service**: one process at a time may open them, so the
  worker waits for the data directory's :class:`~search.backends.WriteLock`, opens the
  stores, writes, and closes them again, holding the lock only for the write.

A job interrupted anywhere (the worker killed) is run again by another worker; the
document is then still marked ``indexing`` in the catalog, and writing it again deletes
whatever half of it reached the stores before writing it whole.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from connectors.base import SourceRef
from ingest.catalog import Catalog, CatalogEntry
from ingest.sync.queue import JobQueue
from ingest.sync.remote import ServiceWriter
from ingest.sync.rules import SourceSync
from ingest.sync.runner import IngestReport, IngestRunner, PreparedDocument
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.audit import AuditLog
from search.backends import WriteLock, open_embedder, open_keyword_store, open_vector_store
from search.core.errors import AuskunftError, BackendUnavailable
from search.core.settings import Settings
from search.embedders import CachedEmbedder
from search.stores.base import KeywordStore, VectorStore

logger = logging.getLogger(__name__)

_LOCK_POLL_SECONDS = 0.2


def default_worker_name() -> str:
    """:returns: host name and process id, e.g. ``ingest-2-4711``."""
    return f"{socket.gethostname()}-{os.getpid()}"


class QueueWorker:
    """Runs sync and document jobs against the configured stores.

    :param settings: the settings (``queue.url`` set).
    :param queue: the queue the sync jobs put document jobs on.
    :param embedder: an embedder to share (default: the configured one).
    :param name: the worker's name in the audit log (default: host and process id).
    """

    def __init__(
        self,
        settings: Settings,
        queue: JobQueue,
        embedder: CachedEmbedder | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.embedder = embedder or open_embedder(settings)
        self.name = name or default_worker_name()
        self._servers: tuple[KeywordStore, VectorStore] | None = None
        self._service: ServiceWriter | None = None
        if settings.service.url and not settings.stores.servers:
            self._service = ServiceWriter(settings)  # the service owns the embedded index

    def close(self) -> None:
        """Close the server stores and the connection to the service."""
        if self._servers is not None:
            for store in self._servers:
                store.close()
            self._servers = None
        if self._service is not None:
            self._service.close()

    def _record(
        self, source: str, action: str, documents: list[dict[str, Any]], summary: str = ""
    ) -> None:
        """Record what a job changed in the audit log (jobs that changed nothing are not
        recorded). A connection per call: the queue runs each job in a thread of its own."""
        if not documents and action == "document":
            return
        audit = AuditLog.from_settings(self.settings)
        try:
            audit.record_ingest(self.name, source, action, documents, summary)
        finally:
            audit.close()

    @contextmanager
    def _job(self) -> Iterator[_Job]:
        """Catalog, registry and runner for one job: the queue runs each job in a thread of
        its own, and a SQLite connection belongs to the thread that opened it."""
        catalog = Catalog.open(self.settings)
        try:
            # prepare() needs no store; these are replaced by open ones while writing
            runner = IngestRunner(
                self.settings,
                catalog,
                open_keyword_store(self.settings),
                open_vector_store(self.settings, self.embedder.dimension),
                self.embedder,
            )
            yield _Job(catalog, SourceRegistry(catalog), runner)
        finally:
            catalog.close()

    # -- the write step ----------------------------------------------------------------

    def _acquire(self) -> WriteLock:
        deadline = time.monotonic() + self.settings.queue.lock_wait_seconds
        while True:
            lock = WriteLock(self.settings.lock_path)
            try:
                return lock.__enter__()
            except BackendUnavailable:
                if time.monotonic() >= deadline:
                    raise  # the job fails and is retried later by the queue
                time.sleep(_LOCK_POLL_SECONDS)

    @contextmanager
    def writing(self, runner: IngestRunner) -> Iterator[IngestRunner]:
        """Open the stores for one write (waiting for the write lock when embedded).

        :param runner: the job's runner.
        :returns: the runner, with open stores.
        :raises BackendUnavailable: when the lock stays taken longer than
            ``queue.lock_wait_seconds`` or a server cannot be reached.
        """
        if self.settings.stores.servers:  # several workers write at once
            if self._servers is None:
                self._servers = (
                    open_keyword_store(self.settings),
                    open_vector_store(self.settings, self.embedder.dimension),
                )
            runner.keyword_store, runner.vector_store = self._servers
            yield runner
            return
        lock = self._acquire()
        keyword: KeywordStore | None = None
        vector: VectorStore | None = None
        try:
            keyword = open_keyword_store(self.settings)
            vector = open_vector_store(self.settings, self.embedder.dimension)
            runner.keyword_store, runner.vector_store = keyword, vector
            yield runner
        finally:
            for store in (keyword, vector):
                if store is not None:
                    store.close()
            lock.__exit__(None, None, None)

    def _write(
        self, runner: IngestRunner, prepared: PreparedDocument, report: IngestReport
    ) -> None:
        """Write one prepared document: through the service when it owns the index."""
        if self._service is not None:
            done = self._service.write([prepared])
            for key in ("indexed", "deleted", "chunks"):
                setattr(report, key, getattr(report, key) + int(done.get(key, 0)))
            return
        with self.writing(runner) as open_runner:
            open_runner.write([prepared], report)

    def _remove(self, runner: IngestRunner, entries: list[CatalogEntry]) -> None:
        """Remove documents from the index: through the service when it owns the index."""
        if not entries:
            return
        if self._service is not None:
            self._service.remove([entry.doc_id for entry in entries])
            return
        with self.writing(runner) as open_runner:
            open_runner.remove(entries)

    # -- jobs --------------------------------------------------------------------------

    def _source(self, registry: SourceRegistry, name: str, *, refresh: bool) -> SourceConfig:
        """The registered source; ``refresh``: apply the settings file's sources first."""
        if self.settings.sources and (refresh or registry.get(name) is None):
            registry.apply_config(self.settings.sources)
        return registry.require(name)

    def ingest_document(
        self, source: str, uri: str, size: int | None = None, version: str | None = None
    ) -> str:
        """Bring one document of a source up to date in both stores and the catalog.

        :param source: a registered source's name.
        :param uri: the document's URI in that source.
        :param size: its size as listed, if known.
        :param version: its change marker as listed, if any.
        :returns: ``indexed``, ``removed`` (gone at the source), ``unchanged`` or
            ``failed`` (recorded in the catalog; all but ``unchanged`` in the audit log).
        :raises ConfigurationError: when the source is not registered.
        :raises BackendError: when a store or the embedder fails (the queue retries).
        """
        with self._job() as job:
            config = self._source(job.registry, source, refresh=False)
            connector = job.registry.connector(config, self.settings)
            job.runner.check_embedding_model()
            report = IngestReport(source=source)
            prepared = job.runner.prepare(
                connector,
                SourceRef(uri=uri, size=size, version=version),
                access_groups=config.access_groups or None,
                metadata={"doc_type": config.doc_type} if config.doc_type else None,
                report=report,
            )
            if prepared is not None:
                self._write(job.runner, prepared, report)
        outcome = "failed" if report.failed else "unchanged"
        if prepared is not None and prepared.gone:
            outcome = "removed"
        elif report.indexed:
            outcome = "indexed"
        if prepared is not None and outcome != "unchanged":
            self._record(source, "document", [_audited(prepared.entry, outcome)])
        return outcome

    def sync_source(self, name: str) -> int:
        """List a source, remove what is gone, and queue a job per listed document.

        :param name: a registered source's name.
        :returns: the number of document jobs queued (documents already waiting in the
            queue are not queued twice).
        :raises ConfigurationError: when the source is not registered.
        :raises SourceError: when it cannot be listed (nothing is deleted or queued then).
        :raises BackendError: when a store fails while removing documents.
        """
        with self._job() as job:
            config = self._source(job.registry, name, refresh=True)
            try:
                queued, deleted = self._sync(job, config)
            except AuskunftError as exc:  # recorded like a failed direct sync
                job.registry.record_sync(config, error=str(exc))
                raise
        logger.info("%s: %d document jobs queued, %d removed", name, queued, deleted)
        return queued

    def _sync(self, job: _Job, config: SourceConfig) -> tuple[int, int]:
        """:returns: document jobs queued, documents removed."""
        if config.needs_reindex:
            self._remove(job.runner, job.catalog.entries(source=config.name))
        connector = job.registry.connector(config, self.settings)
        sync = SourceSync(job.catalog, connector)
        queued = unchanged = 0
        for ref in sync.refs():
            if not sync.needs_fetch(ref):
                unchanged += 1
                continue
            queued += self.queue.enqueue_document(
                config.name, ref.uri, size=ref.size, version=ref.version
            )
        departures = sync.departures()
        gone = list(departures.gone)
        self._remove(job.runner, gone)
        report: dict[str, Any] = {
            "seen": len(sync.seen),
            "queued": queued,
            "unchanged": unchanged,
            "deleted": len(gone),
        }
        if departures.skipped:
            report["skipped"] = departures.skipped
        # like SourceRegistry.sync: the cursor moves only after a successful listing
        job.registry.record_sync(config, report=report, connector=connector)
        removed = [_audited(entry, "removed") for entry in gone]
        summary = ", ".join(
            f"{key} {report[key]}" for key in ("seen", "queued", "unchanged", "deleted")
        )
        self._record(config.name, "sync", removed, summary)
        return queued, len(gone)


def _audited(entry: CatalogEntry, outcome: str) -> dict[str, Any]:
    """:returns: a document as the audit log records what a job did with it."""
    return {
        "doc_id": entry.doc_id,
        "uri": entry.uri,
        "content_hash": entry.content_hash,
        "outcome": outcome,
    }


@dataclass(frozen=True, slots=True)
class _Job:
    catalog: Catalog
    registry: SourceRegistry
    runner: IngestRunner
