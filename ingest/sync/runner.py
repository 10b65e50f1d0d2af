"""Ingestion of one source: list → fetch → parse → structure → chunk → embed → write.

Listing, the catalog checks and fetching happen in the calling thread; parsing, chunking
and embedding are handed to a preparer (:mod:`ingest.sync.pool`): inline, or a pool of worker
processes with a lower priority. Writing happens in the calling thread again, in batches.

A bad document never aborts the batch: it is recorded in the catalog as ``failed`` with a
reason. Stores and catalog follow the protocol described in :mod:`ingest.catalog`, so a
killed run is completed by the next one without duplicates.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, Final

from haystack import Document

from connectors.base import Connector, SourceRef
from ingest.catalog import Catalog, CatalogEntry, make_doc_id
from ingest.relations.linking import holds_statutes, refresh_relations
from ingest.sync.pool import (
    ChunkJob,
    ChunkPipeline,
    ChunkResult,
    InlinePreparer,
    PageCallback,
    PreparePool,
)
from ingest.sync.rules import SourceSync, is_current, is_settled
from search.core import fields
from search.core.errors import DocumentError, DocumentTooLarge, IndexMismatch
from search.core.settings import Settings
from search.embedders import CachedEmbedder
from search.stores.base import KeywordStore, VectorStore

logger = logging.getLogger(__name__)

EMBEDDING_MODEL_SETTING = "embedding_model"

ProgressCallback = Callable[[str, str], None]
"""Called with (event, uri); events: ``indexed``, ``failed``, ``skipped``, ``deleted``."""


def _meta_hash(metadata: dict[str, Any]) -> str:
    text = json.dumps(metadata, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class IngestReport:
    """What one ingestion run did."""

    source: str
    seen: int = 0
    indexed: int = 0
    failed: int = 0
    unchanged: int = 0
    deleted: int = 0
    recovered: int = 0
    chunks: int = 0
    pages: int = 0
    ocr_pages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    """Objects the source had but the connector could not read (``uri``, ``reason``, ``error``)."""

    @property
    def changed_anything(self) -> bool:
        """:returns: whether the run wrote to the indexes or the catalog."""
        return bool(self.indexed or self.failed or self.deleted or self.recovered)

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return {**self.__dict__}


@dataclass
class _Prepared:
    entry: CatalogEntry
    chunks: list[Document]
    embedded: list[Document] = field(default_factory=list)
    """The chunks within the dense budget, with their embeddings."""
    gone: bool = False
    """The source no longer has the document: its chunks and its entry are removed."""

    def to_wire(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict, for a worker that writes through the service."""
        embedded = {chunk.id: chunk.embedding for chunk in self.embedded}
        return {
            "entry": self.entry.to_dict(),
            "chunks": [{**c.to_dict(flatten=False), "embedding": None} for c in self.chunks],
            "embeddings": embedded,
            "gone": self.gone,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> _Prepared:
        """:returns: the document :meth:`to_wire` described.

        :raises ValueError: when ``data`` is not such a description.
        """
        try:
            entry = CatalogEntry(**data["entry"])
            chunks = [Document.from_dict(chunk) for chunk in data["chunks"]]
            embeddings: dict[str, list[float]] = data.get("embeddings") or {}
            embedded = [
                replace(chunk, embedding=[float(v) for v in embeddings[chunk.id]])
                for chunk in chunks
                if chunk.id in embeddings
            ]
            return cls(entry=entry, chunks=chunks, embedded=embedded, gone=bool(data["gone"]))
        except (KeyError, TypeError, AttributeError) as exc:
            msg = f"Not a prepared document: {type(exc).__name__}: {exc}"
            raise ValueError(msg) from exc


@dataclass
class _Ticket:
    """A fetched document whose chunks are being prepared."""

    entry: CatalogEntry
    previous: CatalogEntry | None
    job: ChunkJob
    future: Future[ChunkResult]


RELINK_SECONDS: Final = 30.0
"""How often at most the catalog is linked again while documents are being written."""


class IngestRunner:
    """Ingests sources into the keyword store, the vector store and the catalog.

    The caller owns the stores and the write lock (see :class:`search.backends.WriteLock`).

    :param settings: the settings (ingest section and data paths).
    :param catalog: the document catalog.
    :param keyword_store: where chunk text goes.
    :param vector_store: where chunk vectors go.
    :param embedder: the cached embedder.
    :param progress: optional callback per document.
    :param preparer: where documents are parsed, chunked and embedded (default: inline,
        with ``embedder``); a :class:`~ingest.sync.pool.PreparePool` must use the same
        embedding settings. The caller owns (and closes) it.
    :param pages: optional callback while a document's scanned pages are read by OCR:
        ``(uri, pages done, pages to read)``.
    """

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        keyword_store: KeywordStore,
        vector_store: VectorStore,
        embedder: CachedEmbedder,
        progress: ProgressCallback | None = None,
        preparer: PreparePool | InlinePreparer | None = None,
        pages: PageCallback | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self._relink_due = False
        self._relinked_at = -RELINK_SECONDS  # the first batch links at once
        self.keyword_store = keyword_store
        self.vector_store = vector_store
        self.embedder = embedder
        self.progress = progress or (lambda _event, _uri: None)
        self.pages = pages
        self.max_bytes = int(settings.ingest.max_file_mb * 1024 * 1024)
        self.pipeline = ChunkPipeline.from_settings(settings, embedder)
        self.preparer = preparer if preparer is not None else InlinePreparer(self.pipeline)

    # -- consistency -------------------------------------------------------------------

    def check_embedding_model(self) -> None:
        """Record the embedding model on first use; refuse to mix two models in one index.

        :raises IndexMismatch: when the index was built with another model.
        """
        recorded = self.catalog.get_setting(EMBEDDING_MODEL_SETTING)
        current = self.embedder.model_id
        if recorded is None or not self.catalog.indexed_doc_ids():
            self.catalog.set_setting(EMBEDDING_MODEL_SETTING, current)
        elif recorded != current:
            msg = (
                f"The index was built with the embedding model {recorded!r}, the settings "
                f"name {current!r}; vectors of two models cannot be mixed. Use a new "
                "AUSKUNFT_DATA_DIR, or delete the data directory and ingest again."
            )
            raise IndexMismatch(msg)

    def recover(self) -> int:
        """Repair what an interrupted run left behind.

        Documents marked ``indexing`` lose their chunks and are re-ingested next time;
        chunks of documents the catalog does not list as indexed are deleted; documents
        listed as indexed but missing from a store are re-ingested next time.

        :returns: the number of documents repaired.
        """
        interrupted = self.catalog.entries(status="indexing")
        indexed = self.catalog.indexed_doc_ids()
        in_keyword, in_vector = self.keyword_store.doc_ids(), self.vector_store.doc_ids()
        orphans = (in_keyword | in_vector) - indexed
        missing = indexed - (in_keyword & in_vector)
        to_delete = orphans | {entry.doc_id for entry in interrupted} | missing
        if to_delete:
            ids = sorted(to_delete)
            self.keyword_store.delete_documents(ids)
            self.vector_store.delete_documents(ids)
            self.keyword_store.commit()
            self.vector_store.commit()
        redo = interrupted + [e for d in sorted(missing) if (e := self.catalog.get(d))]
        for entry in redo:
            entry.status = "failed"
            entry.error_reason = "interrupted"
            entry.error = "Ingestion was interrupted; the document is ingested again next run"
            entry.content_hash = None
            entry.chunk_ids = []
        self.catalog.upsert_many(redo)
        if to_delete:
            logger.warning("Recovered %d documents after an interrupted run", len(to_delete))
        return len(to_delete)

    # -- the run -----------------------------------------------------------------------

    def run(
        self,
        connector: Connector,
        *,
        access_groups: Sequence[str] | None = None,
        metadata: dict[str, Any] | None = None,
        retry_failed: bool = False,
    ) -> IngestReport:
        """Bring the indexes in line with what ``connector`` lists now.

        What is fetched, deleted and skipped is decided by :class:`ingest.sync.rules.SourceSync`
        (a complete listing deletes what it no longer lists; an empty one deletes nothing).

        :param connector: the source.
        :param access_groups: groups allowed to see the documents (default from settings).
        :param metadata: defaults for every document (e.g. ``doc_type``).
        :param retry_failed: parse documents again that failed with the same bytes.
        :returns: what was done.
        :raises SourceError: when the source cannot be listed (nothing is deleted).
        :raises BackendError: when a store or the embedder fails (nothing is half-written).
        """
        started = time.monotonic()
        report = IngestReport(source=connector.name)
        self.check_embedding_model()
        report.recovered = self.recover()
        groups = list(access_groups or self.settings.ingest.default_access_groups)
        # documents in submission order; at most in_flight of them wait for the preparer,
        # so memory stays bounded and batches are written in listing order
        in_flight: deque[_Prepared | _Ticket] = deque()
        pending: list[_Prepared] = []
        sync = SourceSync(self.catalog, connector, retry_failed=retry_failed)
        try:
            for ref in sync.refs():
                report.seen += 1
                item = self._admit(connector, ref, groups, metadata or {}, retry_failed, report)
                if item is not None:
                    in_flight.append(item)
                while len(in_flight) >= self.preparer.in_flight:
                    self._take(in_flight.popleft(), pending, report)
            while in_flight:
                self._take(in_flight.popleft(), pending, report)
        except BaseException:
            for item in in_flight:  # the run stops: no point in preparing the rest
                if isinstance(item, _Ticket):
                    item.future.cancel()
            raise
        self._flush(pending, report)
        departures = sync.departures()
        report.skipped.extend(departures.skipped)
        self._remove_gone(departures.gone, report)
        self._relink((), now=True)
        report.seconds = round(time.monotonic() - started, 3)
        return report

    def _take(
        self, item: _Prepared | _Ticket, pending: list[_Prepared], report: IngestReport
    ) -> None:
        """Add the next document to the batch (waiting for it), writing full batches."""
        prepared = self._settle(item, report) if isinstance(item, _Ticket) else item
        if prepared is not None:
            pending.append(prepared)
        if len(pending) >= self.settings.ingest.batch_documents:
            self._flush(pending, report)
            pending.clear()

    def _admit(
        self,
        connector: Connector,
        ref: SourceRef,
        groups: list[str],
        defaults: dict[str, Any],
        retry_failed: bool,
        report: IngestReport,
    ) -> _Prepared | _Ticket | None:
        """The cheap part of preparing a document, in the calling thread: the catalog
        checks and the fetch; the rest is submitted to the preparer.

        :returns: a ticket for the submitted document; a failed document whose old chunks
            must leave the stores; ``None`` when it is unchanged or its failure is recorded.
        """
        doc_id = make_doc_id(connector.name, ref.uri)
        previous = self.catalog.get(doc_id)
        entry = CatalogEntry(
            doc_id=doc_id,
            source=connector.name,
            uri=ref.uri,
            filename=ref.uri.rsplit("/", 1)[-1],
            status="indexing",
            size=ref.size,
            access_groups=groups,
            chunk_ids=previous.chunk_ids if previous else [],
        )
        try:
            if is_current(previous, ref.version, retry_failed):
                report.unchanged += 1
                self.progress("skipped", ref.uri)
                return None
            if ref.size is not None and ref.size > self.max_bytes:
                entry.content_hash = f"size:{ref.size}"
                if self._unchanged(previous, entry, retry_failed):
                    report.unchanged += 1
                    self.progress("skipped", ref.uri)
                    return None
                limit = self.settings.ingest.max_file_mb
                msg = f"File has {ref.size / 2**20:.1f} MB, more than the limit of {limit} MB"
                raise DocumentTooLarge(msg)  # noqa: TRY301 - recorded below like any failure
            document = connector.fetch(ref)
            entry.filename = document.filename
            entry.content_hash = document.content_hash
            entry.meta_hash = _meta_hash(document.metadata)
            entry.version = ref.version
            entry.size = len(document.content)
            if self._unchanged(previous, entry, retry_failed):
                assert previous is not None  # for mypy: _unchanged needs a previous entry
                if previous.version != ref.version:  # same bytes, new marker: remember it
                    previous.version = ref.version
                    self.catalog.upsert(previous)
                report.unchanged += 1
                self.progress("skipped", ref.uri)
                return None
            own_groups = document.metadata.get(fields.ACCESS_GROUPS)
            if own_groups:  # e.g. a non-public agenda item of an otherwise public source
                groups = [str(group) for group in own_groups]
                entry.access_groups = groups
        except DocumentError as exc:
            return self._failed(entry, previous, exc.reason, str(exc), report)
        except FileNotFoundError:
            # deleted at the source since it was listed (or while its job waited)
            return self._vanished(previous)
        except OSError as exc:
            if previous is not None and previous.status == "indexed":
                # unreadable right now (a server error, a timeout): the indexed version
                # stays findable until the source answers again or drops it
                self._report_failure(entry.uri, "unreadable", f"{exc} (last version kept)", report)
                return None
            return self._failed(entry, previous, "unreadable", str(exc), report)
        except Exception as exc:  # a connector bug must not abort the batch
            logger.exception("Unexpected error while fetching %s", ref.uri)
            return self._failed(entry, previous, "error", f"{type(exc).__name__}: {exc}", report)
        job = ChunkJob(
            document=document,
            doc_id=doc_id,
            source=entry.source,
            uri=entry.uri,
            content_hash=entry.content_hash,
            access_groups=groups,
            defaults=defaults,
        )
        future = self.preparer.submit(job, self.pages)
        return _Ticket(entry=entry, previous=previous, job=job, future=future)

    def _settle(self, ticket: _Ticket, report: IngestReport) -> _Prepared | None:
        """Wait for a document's chunks; count them, or record why it failed."""
        result = self.preparer.result(ticket.job, ticket.future)
        entry = ticket.entry
        result.apply(entry)
        report.pages += result.page_count or 0
        report.ocr_pages += result.ocr_pages
        report.embedded += result.embedded
        if result.reason is not None:
            if result.trace is not None:
                logger.error("Unexpected error while parsing %s\n%s", entry.uri, result.trace)
            return self._failed(entry, ticket.previous, result.reason, result.message, report)
        return _Prepared(entry=entry, chunks=result.chunks, embedded=result.embedded_chunks)

    @staticmethod
    def _unchanged(previous: CatalogEntry | None, entry: CatalogEntry, retry_failed: bool) -> bool:
        if previous is None or previous.content_hash != entry.content_hash:
            return False
        # catalogs written before meta_hash existed have none: the bytes decide
        if previous.meta_hash is not None and previous.meta_hash != entry.meta_hash:
            return False
        return is_settled(previous, retry_failed)

    def _failed(
        self,
        entry: CatalogEntry,
        previous: CatalogEntry | None,
        reason: str,
        message: str,
        report: IngestReport,
    ) -> _Prepared | None:
        entry.status = "failed"
        entry.error_reason = reason
        entry.error = message
        self._report_failure(entry.uri, reason, message, report)
        if previous is not None and previous.status == "indexed":
            # its old chunks must leave the index: handled with the batch
            return _Prepared(entry=entry, chunks=[])
        entry.chunk_ids = []
        self.catalog.upsert(entry)
        return None

    def _report_failure(self, uri: str, reason: str, message: str, report: IngestReport) -> None:
        report.failed += 1
        report.failures.append({"uri": uri, "reason": reason, "error": message})
        self.progress("failed", uri)

    @staticmethod
    def _vanished(previous: CatalogEntry | None) -> _Prepared | None:
        """A document the source no longer has: its chunks and entry leave with the batch."""
        if previous is None:
            return None
        return _Prepared(entry=previous, chunks=[], gone=True)

    def _remove_gone(self, gone: Sequence[CatalogEntry], report: IngestReport) -> None:
        report.deleted += self.remove(gone)
        for entry in gone:
            self.progress("deleted", entry.uri)

    def _flush(self, pending: list[_Prepared], report: IngestReport) -> None:
        if not pending:
            return
        chunks = [chunk for item in pending for chunk in item.chunks]
        embedded = [chunk for item in pending for chunk in item.embedded]
        doc_ids = [item.entry.doc_id for item in pending]
        # 1. mark every document of the batch as being written
        final = {item.entry.doc_id: item.entry.status for item in pending}
        for item in pending:
            item.entry.status = "indexing"
            item.entry.chunk_ids = [chunk.id for chunk in item.chunks]
        self.catalog.upsert_many([item.entry for item in pending])
        # 2. replace their chunks in both stores
        self.keyword_store.delete_documents(doc_ids)
        self.vector_store.delete_documents(doc_ids)
        if chunks:
            self.keyword_store.write(chunks)
            self.vector_store.write(embedded)
        self.keyword_store.commit()
        self.vector_store.commit()
        # 3. mark them done; drop those gone from the source
        gone = [item.entry for item in pending if item.gone]
        written = [item.entry for item in pending if not item.gone]
        done = [entry for entry in written if final[entry.doc_id] != "failed"]
        failed = [entry for entry in written if final[entry.doc_id] == "failed"]
        for entry in failed:
            entry.status = "failed"
            entry.chunk_ids = []
        self.catalog.upsert_many(failed)
        self.catalog.mark_indexed(done)
        self.catalog.delete([entry.doc_id for entry in gone])
        self._relink([item.entry for item in pending])
        report.indexed += len(done)
        report.deleted += len(gone)
        report.chunks += len(chunks)
        for entry in done:
            self.progress("indexed", entry.uri)
        for entry in gone:
            self.progress("deleted", entry.uri)

    def remove(self, entries: Sequence[CatalogEntry]) -> int:
        """Remove documents from both stores and the catalog.

        The documents are marked ``indexing`` first, so a run killed half-way is
        completed by :meth:`recover`.

        :param entries: catalog entries of the documents.
        :returns: the number of documents removed.
        :raises BackendError: when a store fails.
        """
        if not entries:
            return 0
        ids = [entry.doc_id for entry in entries]
        for entry in entries:
            entry.status = "indexing"
        self.catalog.upsert_many(entries)
        self.keyword_store.delete_documents(ids)
        self.vector_store.delete_documents(ids)
        self.keyword_store.commit()
        self.vector_store.commit()
        self.catalog.delete(ids)
        self._relink(entries)
        return len(ids)

    def _relink(self, entries: Sequence[CatalogEntry], *, now: bool = False) -> None:
        """Link the catalog's documents again when one of these holds a statute or a
        reference (an amendment may arrive before its statute, a paper before the one it
        cites): at once for the first batch, then at most every :data:`RELINK_SECONDS`
        and at the end of a run (``now``). A failure is logged; the batch is written all
        the same."""
        if any(holds_statutes(entry) for entry in entries):
            self._relink_due = True
        waited = time.monotonic() - self._relinked_at
        if not self._relink_due or not (now or waited >= RELINK_SECONDS):
            return
        self._relink_due = False
        self._relinked_at = time.monotonic()
        try:
            refresh_relations(self.catalog)
        except Exception:  # linking is an extra: the written batch must stand
            logger.warning("Could not link the documents of the catalog", exc_info=True)

    # == Queue workers: one document per job (ingest.sync.worker) ==========================
    # Public wrappers of _admit/_settle and _flush for workers that take documents one by one
    # from a shared queue: prepare() runs outside any lock (fetch, parse, chunk, embed),
    # write() under the store lock, with the same catalog protocol as run().

    def prepare(
        self,
        connector: Connector,
        ref: SourceRef,
        *,
        access_groups: Sequence[str] | None = None,
        metadata: dict[str, Any] | None = None,
        retry_failed: bool = False,
        report: IngestReport | None = None,
    ) -> PreparedDocument | None:
        """Fetch, parse, chunk and embed one document; the stores are not touched.

        The document is prepared by the runner's preparer (inline by default) and carries
        its embeddings to :meth:`write`. A document whose last write was interrupted
        (catalog status ``indexing``) is prepared again from scratch; if it fails now, its
        leftover chunks are still removed by :meth:`write`.

        :param connector: the source.
        :param ref: the document in the source.
        :param access_groups: groups allowed to see it (default from settings).
        :param metadata: defaults for the document (e.g. ``doc_type``).
        :param retry_failed: parse it again when it failed with the same bytes.
        :param report: a report to count into (default: a new one, discarded).
        :returns: the document to :meth:`write`, or ``None`` when it is unchanged or
            failed without chunks in the stores (the catalog says so already).
        :raises BackendError: when the embedder fails.
        """
        report = report if report is not None else IngestReport(source=connector.name)
        groups = list(access_groups or self.settings.ingest.default_access_groups)
        previous = self.catalog.get(make_doc_id(connector.name, ref.uri))
        item = self._admit(connector, ref, groups, metadata or {}, retry_failed, report)
        prepared = self._settle(item, report) if isinstance(item, _Ticket) else item
        if prepared is None:
            interrupted = previous is not None and previous.status == "indexing"
            entry = self.catalog.get(previous.doc_id) if interrupted and previous else None
            # the failure is recorded; the interrupted write may have left chunks
            return _Prepared(entry=entry, chunks=[]) if entry is not None else None
        return prepared

    def write(
        self, prepared: Sequence[PreparedDocument], report: IngestReport | None = None
    ) -> IngestReport:
        """Replace prepared documents in both stores and the catalog (crash-safe).

        The caller holds the store write lock (embedded stores) and makes sure no other
        process writes the same documents at the same time (the queue's per-document lock).

        :param prepared: results of :meth:`prepare`.
        :param report: a report to count into (default: a new one).
        :returns: the report.
        :raises BackendError: when a store fails (the documents stay ``indexing`` and are
            repaired by writing them again).
        """
        source = prepared[0].entry.source if prepared else ""
        report = report if report is not None else IngestReport(source=source)
        self._flush(list(prepared), report)
        return report


PreparedDocument = _Prepared
"""A document ready to be written: its catalog entry, chunks and embedded chunks (see
``IngestRunner.prepare``)."""
# == end of queue workers block ======================================================
