"""The CPU-heavy part of ingestion (parse with OCR → structure → chunk → embed), inline or
in a pool of worker processes.

:class:`~ingest.sync.runner.IngestRunner` fetches a document and checks the catalog in its own
thread, then hands a picklable :class:`ChunkJob` to a *preparer* and gets a
:class:`ChunkResult` back; writing stays in the runner. There are two preparers with one
interface (``submit``, ``result``, ``in_flight``):

- :class:`InlinePreparer` runs the job in the calling thread with the runner's own
  components: the default, and what the queue workers use;
- :class:`PreparePool` runs it in a bounded pool of spawned worker processes with a lower
  CPU priority, so that a service process that also answers searches stays responsive.
  Each worker builds its :class:`ChunkPipeline` (and loads the embedding model) once.

A worker process that dies (killed, out of memory, a crash in a C library) breaks the whole
pool: every job in flight fails with ``BrokenProcessPool``. The pool is then restarted and
each of these jobs is run once more; a job whose retry dies as well is returned as failed
with the reason :data:`WORKER_DIED`, so the document is recorded and the batch goes on.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from haystack import Document

from connectors.base import PLAIN_TEXT, SourceDocument
from ingest.catalog import CatalogEntry
from ingest.pipeline.chunk_embedder import ChunkEmbedder
from ingest.pipeline.chunker import StructuredChunker
from ingest.pipeline.doc_metadata import infer_metadata
from ingest.pipeline.document_parser import DocumentParser
from ingest.pipeline.parsing.ocr import reporting_pages
from ingest.pipeline.plain_text import parse_plain_text
from ingest.pipeline.structure import StructureAnnotator
from ingest.relations.linking import analyse_text
from search.backends import open_embedder
from search.core import fields
from search.core.errors import ConfigurationError, DocumentError
from search.core.settings import Settings
from search.embedders import CachedEmbedder

logger = logging.getLogger(__name__)

WORKER_DIED = "worker-died"
"""Failure reason of a document whose worker process died twice while preparing it."""

PageCallback = Callable[[str, int, int], None]
"""Told ``(uri, pages done, pages to read)`` while a document's scanned pages are read."""


@dataclass(frozen=True, slots=True)
class ChunkJob:
    """A fetched document to turn into embedded chunks.

    :param document: the document's bytes and source metadata.
    :param doc_id: its catalog id.
    :param source: its source's name.
    :param uri: its URI as listed by the source.
    :param content_hash: the hash recorded in the catalog (and in every chunk).
    :param access_groups: groups allowed to see it.
    :param defaults: metadata defaults of the run (e.g. ``doc_type``); they win over
        source metadata and what the parser infers.
    """

    document: SourceDocument
    doc_id: str
    source: str
    uri: str
    content_hash: str | None
    access_groups: list[str]
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ChunkResult:
    """What preparing one document produced, or why it failed.

    The catalog fields (``title`` … ``warnings``) are set as far as preparing got: a
    document without text still has its page count.

    :param doc_id: the document's catalog id.
    :param chunks: every chunk, without embeddings.
    :param embedded_chunks: the chunks within the dense budget, with embeddings.
    :param embedded: how many passages were embedded (not found in the embedding cache).
    :param reason: failure reason (``None``: prepared): a
        :class:`~search.core.errors.DocumentError`'s ``reason``, ``unreadable`` (``OSError``),
        ``error`` (anything else) or :data:`WORKER_DIED`.
    :param message: the failure's message.
    :param trace: the traceback of an unexpected error, for the log of the calling process.
    """

    doc_id: str
    chunks: list[Document] = field(default_factory=list)
    embedded_chunks: list[Document] = field(default_factory=list)
    title: str | None = None
    doc_type: str | None = None
    date: str | None = None
    reference: str | None = None
    page_count: int | None = None
    ocr_pages: int = 0
    warnings: list[str] = field(default_factory=list)
    analysis: dict[str, Any] | None = None
    embedded: int = 0
    reason: str | None = None
    message: str = ""
    trace: str | None = None

    def apply(self, entry: CatalogEntry) -> None:
        """Copy what was learnt about the document into its catalog entry.

        :param entry: the document's entry.
        """
        entry.title = self.title
        entry.doc_type = self.doc_type
        entry.date = self.date
        entry.reference = self.reference
        entry.page_count = self.page_count
        entry.ocr_pages = self.ocr_pages
        entry.warnings = list(self.warnings)
        entry.analysis = self.analysis


@dataclass(slots=True)
class ChunkPipeline:
    """The components that turn a fetched document into embedded chunks.

    :param parser: the file parser (OCR included).
    :param structure: finds sections.
    :param chunker: cuts along sections.
    :param chunk_embedder: embeds chunks within the dense budget.
    """

    parser: DocumentParser
    structure: StructureAnnotator
    chunker: StructuredChunker
    chunk_embedder: ChunkEmbedder

    @classmethod
    def from_settings(cls, settings: Settings, embedder: CachedEmbedder) -> ChunkPipeline:
        """:param settings: the settings (ingest and embedding sections).

        :param embedder: the cached embedder.
        :returns: the pipeline the settings describe.
        :raises ConfigurationError: when an ingest setting is out of range.
        """
        return cls(
            parser=DocumentParser(settings.ingest),
            structure=StructureAnnotator(),
            chunker=StructuredChunker(settings.ingest),
            chunk_embedder=ChunkEmbedder(embedder, settings.embedding),
        )

    def run(self, job: ChunkJob) -> ChunkResult:
        """Parse, structure, chunk and embed one document.

        A document that cannot be read is a failed result, not an exception: the batch
        goes on.

        :param job: the document.
        :returns: its chunks, or the reason it failed.
        :raises BackendError: when the embedder fails (the run stops, as for a store).
        """
        result = ChunkResult(doc_id=job.doc_id)
        try:
            chunks = self._chunks(job, result)
        except DocumentError as exc:
            result.reason, result.message = exc.reason, str(exc)
            return result
        except OSError as exc:
            result.reason, result.message = "unreadable", str(exc)
            return result
        except Exception as exc:  # a parser bug must not abort the batch
            result.reason, result.message = "error", f"{type(exc).__name__}: {exc}"
            # logged by the runner: a worker process has no logging configured
            result.trace = traceback.format_exc()
            return result
        embedder = self.chunk_embedder.embedder
        computed_before = embedder.computed
        result.embedded_chunks = self.chunk_embedder.run(chunks=chunks)["chunks"]
        result.embedded = embedder.computed - computed_before
        result.chunks = chunks
        return result

    def _chunks(self, job: ChunkJob, result: ChunkResult) -> list[Document]:
        document = job.document
        if document.metadata.get(PLAIN_TEXT):
            parsed = parse_plain_text(document)  # text already: no file parser
        else:
            parsed = self.parser.run(document=document)["parsed"]
        parsed = self.structure.run(parsed=parsed)["parsed"]
        inferred = infer_metadata(parsed, document.filename)
        meta = {**inferred, **document.metadata, **job.defaults}
        result.title = meta.get(fields.TITLE) or document.filename
        result.doc_type = meta.get(fields.DOC_TYPE) or "other"
        result.date = meta.get(fields.DATE)
        result.reference = meta.get(fields.REFERENCE)
        result.page_count = parsed.page_count
        result.ocr_pages = len(parsed.ocr_pages)
        result.warnings = list(parsed.warnings)
        result.analysis = analyse_text(
            parsed,
            title=result.title,
            doc_type=result.doc_type,
            date=result.date,
            reference=result.reference,
            oparl=document.metadata.get("oparl_links"),
            paper=document.metadata.get("paper"),
        )
        chunk_meta = {
            fields.DOC_ID: job.doc_id,
            fields.SOURCE: job.source,
            fields.URI: job.uri,
            fields.FILENAME: document.filename,
            fields.TITLE: result.title,
            fields.DOC_TYPE: result.doc_type,
            fields.DATE: result.date,
            fields.REFERENCE: result.reference,
            fields.ACCESS_GROUPS: job.access_groups,
            fields.CONTENT_HASH: job.content_hash,
        }
        chunk_meta.update({key: meta[key] for key in fields.SOURCE_META_KEYS if meta.get(key)})
        chunks: list[Document] = self.chunker.run(parsed=parsed, meta=chunk_meta)["chunks"]
        if not chunks:
            msg = "The document contains no text"
            raise DocumentError(msg)
        _mark_references(chunks, (result.analysis or {}).get("references") or [])
        return chunks


def _mark_references(chunks: list[Document], references: list[dict[str, Any]]) -> None:
    """Give each chunk the keys of the references written in it (a reference split across
    two chunks is kept by the document only)."""
    for chunk in chunks:
        text = chunk.content or ""
        keys = [ref["key"] for ref in references if ref.get("text") and ref["text"] in text]
        if keys:
            chunk.meta[fields.REFERENCES] = list(dict.fromkeys(keys))


class InlinePreparer:
    """Prepares documents in the calling thread, one at a time.

    :param pipeline: the components to use (the runner's own).
    """

    in_flight = 1
    """Jobs to keep submitted before taking the first result: one, it is done at once."""

    def __init__(self, pipeline: ChunkPipeline) -> None:
        self.pipeline = pipeline

    def submit(self, job: ChunkJob, pages: PageCallback | None = None) -> Future[ChunkResult]:
        """Prepare a document now.

        :param job: the document.
        :param pages: told about each scanned page read.
        :returns: a completed future; it holds the embedder's error if that failed.
        """
        future: Future[ChunkResult] = Future()
        try:
            with reporting_pages(functools.partial(pages, job.uri) if pages else None):
                future.set_result(self.pipeline.run(job))
        except Exception as exc:  # re-raised by result(), as a pool's future would
            future.set_exception(exc)
        return future

    def result(self, job: ChunkJob, future: Future[ChunkResult]) -> ChunkResult:
        """:param job: the submitted document (unused: nothing is retried inline).

        :param future: what :meth:`submit` returned.
        :returns: the result.
        :raises BackendError: when the embedder failed.
        """
        return future.result()


# -- the worker processes ---------------------------------------------------------------

_pipeline: ChunkPipeline | None = None
_startup_error: Exception | None = None
_pages: Any = None  # the pool's queue of OCR progress, (uri, done, total)


def _leave_with_parent() -> None:
    """End this pool process when the process that started it is gone.

    A pool process waits for work on a queue whose writing end it holds itself, so it
    never sees the end of a parent killed by a signal (a service stopped with SIGKILL, a
    crash): it would wait forever, or finish a long OCR for nobody. Its parent's sentinel
    becomes ready when the parent ends."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def _start_worker(settings: Settings, nice: int, pages: Any = None) -> None:
    """Initializer of a pool process: follow its parent's end, lower its priority, then
    build its pipeline."""
    global _pipeline, _startup_error, _pages  # one pipeline per process, by design
    threading.Thread(target=_leave_with_parent, name="parent-watch", daemon=True).start()
    _pages = pages
    # threads and subprocesses (tesseract) started from here on inherit both
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if nice:
        os.nice(nice)
    try:
        _pipeline = ChunkPipeline.from_settings(settings, open_embedder(settings))
    except Exception as exc:  # an initializer that raises only breaks the pool, silently
        _startup_error = exc


def prepare_chunks(job: ChunkJob) -> ChunkResult:
    """Prepare one document with this process's pipeline (run in a pool process).

    :param job: the document.
    :returns: its chunks, or the reason it failed.
    :raises ConfigurationError: when the process has no pipeline (not started by a
        :class:`PreparePool`, or its settings are invalid).
    :raises BackendError: when the embedder fails.
    """
    if _pipeline is None:
        if _startup_error is not None:
            raise _startup_error
        msg = "prepare_chunks runs in a PreparePool process, which builds its pipeline first"
        raise ConfigurationError(msg)
    with reporting_pages(functools.partial(_tell_pages, job.uri) if _pages is not None else None):
        return _pipeline.run(job)


def _tell_pages(uri: str, done: int, total: int) -> None:
    _pages.put((uri, done, total))  # a queue's put does not wait for the reader


def _pool_settings(settings: Settings) -> Settings:
    """The settings for the pool's processes: the processes are the parallelism, so the
    embedder of each uses one thread unless threads are configured (all cores in every
    process would only make them fight)."""
    if settings.embedding.threads is not None:
        return settings
    embedding = settings.embedding.model_copy(update={"threads": 1})
    return settings.model_copy(update={"embedding": embedding})


class PreparePool:
    """Prepares documents in a bounded pool of worker processes with a lower priority.

    The processes are started with ``spawn`` (the calling process has threads, after which
    ``fork`` is unsafe) on first use; each lowers its priority by ``nice``, limits OpenMP
    to one thread and loads the embedding model once. Use it as a context manager, or call
    :meth:`close`.

    :param settings: the settings (picklable; sent to every process).
    :param workers: the number of processes, the bound on the CPU cores ingestion takes
        (OCR may add ``ingest.ocr_workers`` tesseract processes per worker, as nice).
    :param nice: added to the processes' nice value (0-19; higher is lower priority).
    :param retries: how often a job whose worker process died is run again.
    :raises ConfigurationError: for a value out of range.
    """

    def __init__(
        self, settings: Settings, workers: int, nice: int = 10, *, retries: int = 1
    ) -> None:
        if workers < 1:
            msg = f"workers must be at least 1, got {workers}"
            raise ConfigurationError(msg)
        if not 0 <= nice <= 19:
            msg = f"nice must be between 0 and 19, got {nice}"
            raise ConfigurationError(msg)
        if retries < 0:
            msg = f"retries must not be negative, got {retries}"
            raise ConfigurationError(msg)
        self.settings = _pool_settings(settings)
        self.workers = workers
        self.nice = nice
        self.retries = retries
        self.restarts = 0
        """How often the pool was restarted after a worker process died."""
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False
        # OCR progress of the processes: one queue per set of processes, read by a thread
        # of this process that tells the listener of the document (see submit)
        self._pages: Any = None
        self._pages_reader: threading.Thread | None = None
        self._listeners: dict[str, PageCallback] = {}

    @property
    def in_flight(self) -> int:
        """:returns: jobs to keep submitted: enough to keep every process busy while the
        caller fetches the next document, few enough to bound memory."""
        return 2 * self.workers

    @property
    def pids(self) -> list[int]:
        """:returns: the ids of the worker processes running now."""
        executor = self._executor
        processes = dict(executor._processes or {}) if executor is not None else {}
        return sorted(pid for pid, process in processes.items() if process.is_alive())

    def _executor_now(self, *, restart: bool = False) -> ProcessPoolExecutor:
        if self._closed:
            msg = "the PreparePool is closed"
            raise RuntimeError(msg)
        if restart and self._executor is not None:
            self._shutdown()
            self.restarts += 1
            logger.warning("A preparing process died; the pool is restarted")
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            # a new queue with new processes: one killed while writing may leave the old
            # one locked
            self._pages = context.Queue()
            self._pages_reader = threading.Thread(
                target=self._read_pages, args=(self._pages,), name="ocr-progress", daemon=True
            )
            self._pages_reader.start()
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.settings, self.nice, self._pages),
            )
        return self._executor

    def _read_pages(self, pages: Any) -> None:
        while True:
            try:
                message = pages.get()
            except Exception:  # the queue was closed, or a dying process left half a message
                return
            if message is None:
                return
            uri, done, total = message
            listener = self._listeners.get(uri)
            if listener is None:
                continue
            try:
                listener(uri, done, total)
            except Exception:  # progress is for people watching; it must not stop the reader
                logger.exception("An OCR progress listener failed")

    def _shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._pages is not None:
            self._pages.put(None)
            if self._pages_reader is not None:
                self._pages_reader.join(timeout=5)
            self._pages.close()
            self._pages = self._pages_reader = None

    def submit(self, job: ChunkJob, pages: PageCallback | None = None) -> Future[ChunkResult]:
        """Queue a document; a pool broken by a dead process is restarted first.

        :param job: the document.
        :param pages: told about each scanned page read (from this process's thread that
            reads the processes' progress), until :meth:`result` has returned.
        :returns: the future of its result; take it with :meth:`result`.
        :raises RuntimeError: when the pool is closed.
        """
        if pages is not None:
            self._listeners[job.uri] = pages
        try:
            return self._executor_now().submit(prepare_chunks, job)
        except BrokenProcessPool:
            return self._executor_now(restart=True).submit(prepare_chunks, job)

    def result(self, job: ChunkJob, future: Future[ChunkResult]) -> ChunkResult:
        """Wait for a document's result, running it again if its worker process died.

        A retry is waited for at once, so the retries after a crash run one by one, each
        beside fewer others: a document that kills its process again is the culprit.

        :param job: the submitted document.
        :param future: what :meth:`submit` returned for it.
        :returns: the result; failed with :data:`WORKER_DIED` when the worker died on
            every attempt.
        :raises BackendError: when the embedder failed.
        :raises RuntimeError: when the pool is closed.
        """
        try:
            return self._result(job, future)
        finally:
            self._listeners.pop(job.uri, None)

    def _result(self, job: ChunkJob, future: Future[ChunkResult]) -> ChunkResult:
        for attempt in range(self.retries + 1):
            if attempt:
                future = self.submit(job)
            try:
                return future.result()
            except BrokenProcessPool:
                logger.warning(
                    "The process preparing %s died (attempt %d of %d)",
                    job.uri,
                    attempt + 1,
                    self.retries + 1,
                )
        message = (
            "The process preparing the document died (killed, out of memory or crashed) "
            f"{self.retries + 1} time(s)"
        )
        return ChunkResult(doc_id=job.doc_id, reason=WORKER_DIED, message=message)

    def close(self) -> None:
        """Stop the worker processes; jobs not started yet are cancelled."""
        self._closed = True
        self._shutdown()

    def __enter__(self) -> PreparePool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
