"""The application: the one owner of the index, and what every client asks of it.

``auskunft serve`` runs one :class:`Application` for its whole life. It holds the data
directory's write lock, the stores, the catalog and the embedding model, and serves many
searches at once while one writer thread applies syncs, retries and removals:

- Searches never wait for ingestion. Each request thread has its own search pipeline over
  the shared stores; tantivy gives every search a consistent snapshot and reloads after a
  commit, qdrant-edge sees writes at once, so a document is found as soon as its batch is
  committed.
- Writes happen on one thread, one job at a time (sync, retry, removal), so the catalog
  protocol of :mod:`ingest.catalog` holds: a ``kill -9`` at any point is repaired by
  :meth:`IngestRunner.recover` at the next start, which runs before any other write.
- Parsing, OCR and embedding of a sync run in a bounded pool of worker processes with a
  lower CPU priority (``service.ingest_workers``, ``service.ingest_nice``): a scanned
  archive being read does not make searches wait for the cores.

Access groups are applied here, never taken from a client: every method that returns
documents takes the :class:`Caller` the API identified.

The CLI uses the same class in-process when no service is running.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from ingest.catalog import Catalog, CatalogEntry
from ingest.originals import Original, open_original, render_pdf_page
from ingest.pipeline.page_words import Box, PageWords, read_page_words
from ingest.pipeline.passage_boxes import passage_boxes
from ingest.pipeline.structure import match_heading
from ingest.sync.indexer import Indexer, data_dir_bytes, index_status
from ingest.sync.runner import PreparedDocument
from ingest.sync.scheduler import is_due
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.answers import Answer
from search.answers.drafting import AnswerDrafter, AnswerStream
from search.audit import AuditLog
from search.core import fields
from search.core.errors import AuskunftError, BackendError, ConfigurationError, NotFound, QueryError
from search.core.settings import Settings
from search.filters import SearchFilters
from search.relations import EMPTY as EMPTY_RELATIONS
from search.relations import RelationStore, notes, today
from search.results import SearchMode, SearchResponse
from search.retrieval.facets import Refinement, SortOrder
from search.service import SearchService

logger = logging.getLogger(__name__)

JobKind = Literal["sync", "ingest", "retry", "remove", "recover", "write"]
JobState = Literal["queued", "running", "done", "failed"]
_MAX_JOBS_KEPT = 200


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks: a person (through the interface or a proxy) or a machine (an API key).

    :param name: the user's login, or ``key:<name>`` for an API key.
    :param groups: the caller's access groups (without the defaults every user has).
    :param is_admin: may administer sources, failures, keys and the audit log.
    """

    name: str
    groups: tuple[str, ...]
    is_admin: bool = False

    def search_groups(self, settings: Settings) -> list[str]:
        """:returns: the groups every search of this caller is filtered by: theirs plus
        ``search.default_access_groups``."""
        return list(dict.fromkeys([*self.groups, *settings.search.default_access_groups]))


@dataclass(slots=True)
class Job:
    """A write the writer thread does: a sync, a retry, a removal.

    :param id: its number in this process.
    :param kind: what it does.
    :param target: the source name or document id.
    :param state: ``queued``, ``running``, ``done`` or ``failed``.
    :param total: documents a sync will look at, when it can be known in advance.
    :param counts: documents seen so far by event (``indexed``, ``skipped``, …).
    :param ocr: the document whose scanned pages are being read now, while they are:
        ``{"uri": …, "pages_done": n, "pages_total": m}``.
    :param report: what the job did (an ingestion report), when done.
    :param error: why it failed.
    """

    id: int
    kind: JobKind
    target: str
    requested_by: str
    state: JobState = "queued"
    total: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    ocr: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    error: str | None = None
    created_at: str = field(default_factory=lambda: _now())
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        """:returns: whether the job has ended, well or not."""
        return self.state in ("done", "failed")

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return {name: getattr(self, name) for name in self.__slots__} | {"finished": self.finished}


def _heading_lines(text: str, meta: dict[str, Any]) -> int:
    """:returns: how many of a chunk's first lines are headings (of its section path, or
    recognised as German legal structure: ``§ 5 Gebührenverzeichnis``)."""
    path = {" ".join(str(name).split()) for name in meta.get(fields.SECTION_PATH) or []}
    count = 0
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line not in path and match_heading(line) is None:
            break
        count += 1
    return count


def _on_page(meta: dict[str, Any], page: int) -> bool:
    first = meta.get(fields.PAGE_START)
    if first is None:
        return False
    return int(first) <= page <= int(meta.get(fields.PAGE_END) or first)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Application:
    """The index owner: search, answers, documents, sources, failures, audit.

    Use as a context manager; :meth:`open` takes the write lock, opens the stores and the
    model, and repairs an interrupted write before anything else is written::

        with Application(settings) as app:
            response = app.search("Hundesteuer", caller=Caller("anna", ("public",)))

    :param settings: the settings.
    :param scheduler: run the sources' scheduled syncs (``interval_minutes``) in the
        background.
    :param ingest_workers: worker processes for parsing, OCR and embedding (default
        ``service.ingest_workers``; 0 parses in this process).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        scheduler: bool = False,
        ingest_workers: int | None = None,
    ) -> None:
        self.settings = settings
        self._with_scheduler = scheduler
        self._ingest_workers = (
            settings.service.ingest_workers if ingest_workers is None else ingest_workers
        )
        self._indexer: Indexer | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._jobs: dict[int, Job] = {}
        self._job_ids = itertools.count(1)
        self._jobs_lock = threading.Lock()
        self._stop = threading.Event()
        self._scheduler_thread: threading.Thread | None = None
        self._drafter: AnswerDrafter | None = None
        self._audit: AuditLog | None = None
        self._generation = 0
        """Counts committed writes, so that clients can tell a result list is stale."""

    # -- life cycle --------------------------------------------------------------------

    def open(self) -> Application:
        """Take the write lock, open stores and model, repair an interrupted write.

        :returns: itself.
        :raises IndexLocked: when another process writes to the data directory.
        :raises BackendError: when a store or the model cannot be opened.
        """
        preparer = None
        if self._ingest_workers > 0:
            from ingest.sync.pool import PreparePool

            preparer = PreparePool(
                self.settings,
                workers=self._ingest_workers,
                nice=self.settings.service.ingest_nice,
            )
        indexer = Indexer(self.settings, preparer=preparer)
        indexer.__enter__()
        self._indexer = indexer
        # create and migrate the catalog before other threads open their connections
        SourceRegistry(indexer.catalog)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="auskunft-writer")
        self._audit = AuditLog.from_settings(self.settings)
        self._drafter = AnswerDrafter(self.settings)
        # the first write repairs what a killed process left; searches need not wait
        self._submit("recover", "index", "system", lambda job: self._recover())
        if self._with_scheduler:
            self._scheduler_thread = threading.Thread(
                target=self._schedule, name="auskunft-scheduler", daemon=True
            )
            self._scheduler_thread.start()
        return self

    def close(self) -> None:
        """Stop the scheduler, finish the running write, release stores and lock."""
        self._stop.set()
        if self._scheduler_thread is not None:
            self._scheduler_thread.join(timeout=5)
        if self._writer is not None:
            self._writer.shutdown(wait=True, cancel_futures=True)
            self._writer = None
        if self._drafter is not None:
            self._drafter.close()
        if self._indexer is not None:
            self._indexer.__exit__(None, None, None)
            self._indexer = None

    def __enter__(self) -> Application:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def indexer(self) -> Indexer:
        """:returns: the open indexer (stores, catalog, write lock).

        :raises ConfigurationError: when the application is not open.
        """
        if self._indexer is None:
            msg = "The application is not open"
            raise ConfigurationError(msg)
        return self._indexer

    @property
    def generation(self) -> int:
        """:returns: a number that grows with every committed write (a result list
        fetched under another number may be stale)."""
        return self._generation

    # -- reading: one catalog connection per thread ------------------------------------

    @contextmanager
    def _catalog(self) -> Iterator[Catalog]:
        catalog: Catalog | None = getattr(self._local, "catalog", None)
        if catalog is None:
            catalog = Catalog.open(self.settings)
            self._local.catalog = catalog
        yield catalog

    def _searcher(self, *, one_document: bool = False) -> SearchService:
        """:returns: this thread's search service over the shared stores and model."""
        key = "document_search" if one_document else "search"
        service: SearchService | None = getattr(self._local, key, None)
        if service is None:
            indexer = self.indexer
            settings = self.settings
            if one_document:  # "more from this document": many passages of one
                search = settings.search.model_copy(update={"passages_per_document": 20})
                settings = settings.model_copy(update={"search": search})
            service = SearchService(
                settings,
                keyword_store=indexer.keyword_store,
                vector_store=indexer.vector_store,
                embedder=indexer.embedder,
            )
            setattr(self._local, key, service)
        return service

    # -- search and answers ------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        caller: Caller,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        top_k: int | None = None,
        audit: bool = True,
        offset: int = 0,
        order: SortOrder = "relevance",
        refinement: Refinement | None = None,
    ) -> SearchResponse:
        """Search with the caller's access groups, and record it in the audit log.

        :param query: the query as typed.
        :param caller: who asks (their groups are applied, whatever ``filters`` says).
        :param mode: ``hybrid``, ``keyword`` or ``semantic``.
        :param filters: source, type, date and document restrictions.
        :param top_k: documents to return (default ``search.top_k``).
        :param audit: record the search (an answer records its own search instead).
        :param offset: documents of the match set to skip (a later page).
        :param order: ``relevance``, ``date_desc`` or ``date_asc`` over the whole match set.
        :param refinement: facet values the documents must have.
        :returns: a page of documents with cited passages, the match set's size and facets.
        :raises QueryError: for a query or mode that cannot be understood.
        :raises BackendError: when a store or the model fails.
        """
        groups = caller.search_groups(self.settings)
        filters = replace(filters or SearchFilters(), access_groups=groups)
        one_document = bool(filters.doc_ids) and len(filters.doc_ids or ()) == 1
        response = self._searcher(one_document=one_document).search(
            query,
            mode=mode,
            filters=filters,
            user_groups=groups,
            top_k=top_k,
            offset=offset,
            order=order,
            refinement=refinement,
        )
        if audit and self._audit is not None:
            self._audit.record_search(caller.name, response, filters)
        return response

    @property
    def audit_log(self) -> AuditLog | None:
        """:returns: the audit log (``None`` before :meth:`open`)."""
        return self._audit

    @property
    def drafter(self) -> AnswerDrafter | None:
        """:returns: the answers feature's drafter (``None`` before :meth:`open`)."""
        return self._drafter

    @property
    def has_llm(self) -> bool:
        """:returns: whether an LLM is configured (else answers are extracts)."""
        return self._drafter is not None and self._drafter.has_llm

    def answer_stream(
        self,
        question: str,
        *,
        caller: Caller,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        top_k: int | None = None,
    ) -> tuple[SearchResponse, AnswerStream | Answer]:
        """Search, then draft an answer from the passages.

        :returns: the search response and either a stream of the AI draft (iterate it for
            text pieces; its ``answer`` is the checked answer, recorded when taken with
            :meth:`record_answer`) or, without an LLM, the extract.
        :raises QueryError: for a query that cannot be understood.
        :raises BackendError: when a store or the model fails (an LLM that is down gives
            an extract flagged ``llm_unavailable`` instead).
        """
        response = self.search(
            question, caller=caller, mode=mode, filters=filters, top_k=top_k, audit=False
        )
        drafter = self._drafter or AnswerDrafter(self.settings)
        if drafter.has_llm and response.results:
            return response, drafter.stream(question, response)
        return response, drafter.summary(question, response)

    def record_answer(
        self,
        caller: Caller,
        response: SearchResponse,
        filters: SearchFilters | None,
        answer: Answer,
    ) -> None:
        """Record an answer and the search it came from in the audit log."""
        if self._audit is None:
            return
        groups = caller.search_groups(self.settings)
        self._audit.record_answer(
            caller.name, response, replace(filters or SearchFilters(), access_groups=groups), answer
        )

    # -- documents ---------------------------------------------------------------------

    def document(self, doc_id: str, *, caller: Caller) -> CatalogEntry:
        """:returns: the catalog entry of a document the caller may see.

        :raises NotFound: when it is unknown or not visible to the caller (the same
            error for both: nothing is revealed).
        """
        with self._catalog() as catalog:
            entry = catalog.get(doc_id)
        groups = set(caller.search_groups(self.settings))
        if entry is None or entry.status != "indexed" or not groups & set(entry.access_groups):
            msg = f"Document {doc_id} is not available"
            raise NotFound(msg)
        return entry

    def relations(self, doc_id: str, *, caller: Caller, as_of: str | None = None) -> dict[str, Any]:
        """:returns: a visible document's relations (:class:`search.relations.DocumentRelations`
        as a dict, links to documents the caller may not see left out) with ``notes`` on
        its validity on ``as_of`` (default today); empty lists when nothing is known.

        :raises NotFound: when it is unknown or not visible to the caller.
        """
        self.document(doc_id, caller=caller)
        store = RelationStore.open(self.settings)
        try:
            links = store.get(doc_id) or replace(EMPTY_RELATIONS, doc_id=doc_id)
        finally:
            store.close()
        visible = links.visible_to(caller.search_groups(self.settings))
        day = as_of or today()
        return visible.to_dict() | {"as_of": day, "notes": notes(visible, day)}

    def document_text(
        self, doc_id: str, *, caller: Caller
    ) -> tuple[CatalogEntry, list[dict[str, Any]]]:
        """:returns: a document the caller may see and its text, chunk by chunk in
        document order, each part with its chunk id, section and pages (as indexed) and
        how many of its first lines are headings.

        :raises NotFound: when it is unknown or not visible to the caller.
        :raises BackendError: when the keyword store fails.
        """
        entry = self.document(doc_id, caller=caller)
        parts = [
            {
                "chunk_id": chunk.id,
                "section": chunk.meta.get(fields.SECTION) or "",
                "section_path": list(chunk.meta.get(fields.SECTION_PATH) or []),
                "page_start": chunk.meta.get(fields.PAGE_START),
                "page_end": chunk.meta.get(fields.PAGE_END),
                "text": chunk.content or "",
                "heading_lines": _heading_lines(chunk.content or "", chunk.meta),
            }
            for chunk in self.indexer.keyword_store.chunks(doc_id)
        ]
        return entry, parts

    def indexed_count(self) -> int:
        """:returns: how many documents are indexed (of any group)."""
        with self._catalog() as catalog:
            return catalog.counts_by_status().get("indexed", 0)

    def known_sources(self, caller: Caller | None = None) -> set[str]:
        """:returns: names of the registered sources and of those with documents; for a
        caller who is no admin, only the sources with documents they may see."""
        with self._catalog() as catalog:
            if caller is not None and not caller.is_admin:
                return catalog.sources_visible_to(caller.search_groups(self.settings))
            names = set(catalog.counts_by_source())
            names.update(source.name for source in SourceRegistry(catalog).list())
        return names

    def original(self, doc_id: str, *, caller: Caller) -> Original:
        """:returns: the original file of a document the caller may see.

        :raises NotFound: when it is unknown, not visible, or its file is gone.
        """
        self.document(doc_id, caller=caller)
        try:
            return open_original(self.settings, doc_id, caller.search_groups(self.settings))
        except ConfigurationError as exc:
            raise NotFound(str(exc)) from exc

    def page_image(self, doc_id: str, page: int, *, caller: Caller, width: int = 1000) -> bytes:
        """:returns: one page of a PDF the caller may see, as PNG.

        :raises NotFound: when the document is not visible or has no pages.
        :raises CorruptDocument: when the PDF cannot be read.
        """
        return render_pdf_page(self._pdf_page(doc_id, page, caller).path, page, width=width)

    def _pdf_page(self, doc_id: str, page: int, caller: Caller) -> Original:
        """:returns: the original of a PDF the caller may see, which has ``page``.

        :raises NotFound: otherwise.
        """
        original = self.original(doc_id, caller=caller)
        if not original.is_pdf or original.page_count is None:
            msg = f"Document {doc_id} has no pages to show"
            raise NotFound(msg)
        if not 1 <= page <= original.page_count:
            msg = f"Document {doc_id} has no page {page} (pages 1–{original.page_count})"
            raise NotFound(msg)
        return original

    def page_words(
        self, doc_id: str, page: int, *, caller: Caller, passage: str | None = None
    ) -> tuple[PageWords, list[Box]]:
        """:returns: the words of one page of a PDF the caller may see (from its text
        layer, or read by OCR once for a scan), and the boxes of a passage on it.

        :param passage: the chunk id of a passage of this document; its boxes are found
            only on the pages the chunk spans (none for another page or an unknown chunk).
        :raises NotFound: when the document is not visible or has no such page.
        :raises CorruptDocument: when the PDF cannot be read.
        :raises ConfigurationError: when a scanned page needs tesseract and it is missing.
        :raises BackendError: when tesseract fails on a scanned page.
        """
        original = self._pdf_page(doc_id, page, caller)
        # keyed by the file's content as indexed: a changed document is read again
        digest = self.document(doc_id, caller=caller).content_hash or doc_id
        cache = self.settings.page_words_cache_path / f"{digest}-{page}.json"
        ingest = self.settings.ingest
        words = read_page_words(
            original.path,
            page,
            cache=cache,
            ocr_languages=ingest.ocr_languages,
            ocr_dpi=ingest.ocr_dpi,
        )
        chunks = self.indexer.keyword_store.chunks(doc_id) if passage else []
        chunk = next((chunk for chunk in chunks if chunk.id == passage), None)
        if chunk is None or not _on_page(chunk.meta, page):
            return words, []
        return words, passage_boxes(words.words, chunk.content or "")

    # -- status ------------------------------------------------------------------------

    def status(self, *, with_disk: bool = False) -> dict[str, Any]:
        """:returns: what is indexed (``auskunft status --json``'s shape), the write jobs
        waiting or running, and the index generation."""
        status = index_status(self.settings)
        status["generation"] = self._generation
        status["jobs"] = [job.to_dict() for job in self.jobs() if not job.finished]
        if with_disk:
            status["disk_bytes"] = data_dir_bytes(self.settings)
        return status

    # -- sources -----------------------------------------------------------------------

    @contextmanager
    def _registry(self) -> Iterator[SourceRegistry]:
        with self._catalog() as catalog:
            yield SourceRegistry(catalog)

    def sources(self) -> list[SourceConfig]:
        """:returns: every registered source with its last sync."""
        with self._registry() as registry:
            return registry.list()

    def source(self, name: str) -> SourceConfig:
        """:returns: one source.

        :raises NotFound: when there is no such source.
        """
        with self._registry() as registry:
            source = registry.get(name)
        if source is None:
            msg = f"There is no source {name!r}"
            raise NotFound(msg)
        return source

    def add_source(self, source: SourceConfig, *, check: bool = True) -> SourceConfig:
        """Register a source after testing its connection.

        :raises ConfigurationError: when it is invalid, exists, or cannot be reached.
        """
        if check:
            SourceRegistry.check(source, self.settings)
        with self._registry() as registry:
            return registry.add(source)

    def update_source(self, name: str, **changes: Any) -> SourceConfig:
        """Change a source (a change of location, groups or type rebuilds its documents
        at the next sync).

        :raises NotFound: when there is no such source.
        :raises ConfigurationError: when a value is invalid or the source is read-only.
        """
        self.source(name)
        with self._registry() as registry:
            return registry.update(name, **changes)

    def check_source(self, source: SourceConfig) -> str:
        """:returns: what a connection test found.

        :raises ConfigurationError: when it cannot be reached; the message says why.
        """
        return SourceRegistry.check(source, self.settings)

    def remove_source(self, name: str, *, caller: Caller) -> Job:
        """Remove a source and its documents (on the writer thread).

        :raises NotFound: when there is no such source.
        """
        self.source(name)

        def remove(job: Job) -> dict[str, Any]:
            indexer = self.indexer
            removed = SourceRegistry(indexer.catalog).remove(name, indexer)
            return {"deleted": removed}

        return self._submit("remove", name, caller.name, remove)

    def sync(self, name: str, *, caller: Caller, retry_failed: bool = False) -> Job:
        """Queue a sync of a source; the returned job shows its progress.

        A sync of the same source already waiting is returned instead of a second one.

        :raises NotFound: when there is no such source.
        """
        self.source(name)
        if self.settings.queue.url:
            return self._enqueue_sync(name, caller)
        with self._jobs_lock:
            for job in self._jobs.values():
                if job.kind == "sync" and job.target == name and job.state == "queued":
                    return job

        def run(job: Job) -> dict[str, Any]:
            indexer = self.indexer
            registry = SourceRegistry(indexer.catalog)
            try:
                job.total = registry.count_documents(name, indexer)
            except AuskunftError:
                job.total = None  # the sync itself records why the source failed
            with indexer.reporting_pages(self._pages(job)):
                report = registry.sync(
                    name, indexer, self._progress(job), retry_failed=retry_failed
                )
            return report.to_dict()

        return self._submit("sync", name, caller.name, run)

    def ingest_path(
        self,
        path: Path,
        *,
        caller: Caller,
        source: str | None = None,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        access_groups: Sequence[str] | None = None,
        doc_type: str | None = None,
        retry_failed: bool = False,
    ) -> Job:
        """Queue the ingestion of a folder or file on this machine (``auskunft ingest``).

        :raises NotFound: when the path does not exist here.
        """
        resolved = path.expanduser().resolve()
        if not resolved.exists():
            msg = f"{path} does not exist on the service's machine"
            raise NotFound(msg)

        def run(job: Job) -> dict[str, Any]:
            with self.indexer.reporting_pages(self._pages(job)):
                report = self.indexer.ingest_path(
                    resolved,
                    source=source,
                    include=include,
                    exclude=exclude,
                    access_groups=access_groups,
                    metadata={"doc_type": doc_type} if doc_type else None,
                    retry_failed=retry_failed,
                    progress=self._progress(job),
                )
            return report.to_dict()

        return self._submit("ingest", str(resolved), caller.name, run)

    def _enqueue_sync(self, name: str, caller: Caller) -> Job:
        """Server mode: the queue's workers sync; this job only records the hand-over."""
        from ingest.sync.queue import JobQueue

        queue = JobQueue(self.settings)
        with queue.opened():
            added = queue.enqueue_sync(name)
        job = Job(
            id=next(self._job_ids),
            kind="sync",
            target=name,
            requested_by=caller.name,
            state="done",
            report={"queued": added, "queue": self.settings.queue.name},
            finished_at=_now(),
        )
        with self._jobs_lock:
            self._jobs[job.id] = job
        return job

    def retry(self, doc_id: str, *, caller: Caller) -> Job:
        """Queue another try of a failed document.

        :raises NotFound: when the catalog does not know it.
        """
        with self._catalog() as catalog:
            if catalog.get(doc_id) is None:
                msg = f"Document {doc_id} is unknown"
                raise NotFound(msg)

        def run(job: Job) -> dict[str, Any]:
            indexer = self.indexer
            return SourceRegistry(indexer.catalog).retry(doc_id, indexer).to_dict()

        return self._submit("retry", doc_id, caller.name, run)

    # -- writes of queue workers (embedded stores: the service is their one writer) -----

    def write_prepared(
        self, documents: Sequence[dict[str, Any]], *, caller: Caller
    ) -> dict[str, Any]:
        """Write documents a queue worker prepared elsewhere (fetched, parsed, chunked,
        embedded) into the index, on the writer thread, with the catalog protocol of every
        write; documents marked gone are removed.

        :param documents: :meth:`~ingest.sync.runner.PreparedDocument.to_wire` of each.
        :returns: the write's report (``indexed``, ``deleted``, ``chunks``, …).
        :raises QueryError: when a document is not such a description.
        :raises BackendError: when a store fails (the worker's job is retried).
        """
        try:
            prepared = [PreparedDocument.from_wire(document) for document in documents]
        except ValueError as exc:
            raise QueryError(str(exc)) from exc
        target = ", ".join(sorted({item.entry.source for item in prepared})) or "-"
        return self._write_now(
            target,
            caller,
            lambda job: self.indexer.runner(self._progress(job)).write(prepared).to_dict(),
        )

    def remove_documents(self, doc_ids: Sequence[str], *, caller: Caller) -> dict[str, Any]:
        """Remove documents from both stores and the catalog (a queue worker's sync found
        them gone), on the writer thread.

        :returns: ``{"removed": n}`` (ids the catalog does not know are left alone).
        :raises BackendError: when a store fails.
        """

        def remove(_job: Job) -> dict[str, Any]:
            catalog = self.indexer.catalog
            entries = [e for e in (catalog.get(doc_id) for doc_id in doc_ids) if e is not None]
            return {"removed": self.indexer.runner().remove(entries)}

        return self._write_now(f"{len(doc_ids)} documents", caller, remove)

    def _write_now(
        self, target: str, caller: Caller, work: Callable[[Job], dict[str, Any]]
    ) -> dict[str, Any]:
        """Run a write on the writer thread and wait for it.

        :raises BackendError: when it failed.
        """
        job = self.wait(self._submit("write", target, caller.name, work))
        if job.state == "failed":
            raise BackendError(job.error or "The write failed")
        return dict(job.report or {})

    def failures(self) -> list[dict[str, Any]]:
        """:returns: every failed document with its reason."""
        failures: list[dict[str, Any]] = index_status(self.settings)["failures"]
        return failures

    # -- jobs --------------------------------------------------------------------------

    def jobs(self) -> list[Job]:
        """:returns: the write jobs of this process, newest first."""
        with self._jobs_lock:
            return sorted(self._jobs.values(), key=lambda job: job.id, reverse=True)

    def job(self, job_id: int) -> Job:
        """:returns: one job.

        :raises NotFound: when this process has no such job.
        """
        with self._jobs_lock:
            job = self._jobs.get(job_id)
        if job is None:
            msg = f"There is no job {job_id}"
            raise NotFound(msg)
        return job

    def wait(self, job: Job, timeout: float | None = None) -> Job:
        """Wait until a job has ended (for the CLI and tests).

        :returns: the job.
        :raises TimeoutError: when it has not ended within ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while not job.finished:
            if deadline is not None and time.monotonic() > deadline:
                msg = f"Job {job.id} ({job.kind} {job.target}) still {job.state}"
                raise TimeoutError(msg)
            time.sleep(0.05)
        return job

    def _progress(self, job: Job) -> Callable[[str, str], None]:
        def count(event: str, uri: str) -> None:
            job.counts[event] = job.counts.get(event, 0) + 1
            if job.ocr is not None and job.ocr["uri"] == uri:
                job.ocr = None  # the document is done
            if event in ("indexed", "deleted"):
                self._generation += 1

        return count

    @staticmethod
    def _pages(job: Job) -> Callable[[str, int, int], None]:
        def read(uri: str, done: int, total: int) -> None:
            job.ocr = {"uri": uri, "pages_done": done, "pages_total": total}

        return read

    def _submit(
        self, kind: JobKind, target: str, requested_by: str, work: Callable[[Job], Any]
    ) -> Job:
        if self._writer is None:
            msg = "The application is not open"
            raise ConfigurationError(msg)
        job = Job(id=next(self._job_ids), kind=kind, target=target, requested_by=requested_by)
        with self._jobs_lock:
            self._jobs[job.id] = job
            for old in sorted(self._jobs)[: max(0, len(self._jobs) - _MAX_JOBS_KEPT)]:
                if self._jobs[old].finished:
                    del self._jobs[old]

        def run() -> None:
            job.state = "running"
            job.started_at = _now()
            try:
                job.report = work(job)
                job.state = "done"
            except AuskunftError as exc:
                logger.warning("%s %s failed: %s", kind, target, exc)
                job.error = str(exc)
                job.state = "failed"
            except Exception as exc:  # the writer thread must survive any one job
                logger.exception("%s %s failed", kind, target)
                job.error = f"{type(exc).__name__}: {exc}"
                job.state = "failed"
            finally:
                job.finished_at = _now()
                self._generation += 1

        future: Future[None] = self._writer.submit(run)
        del future  # the job records the outcome
        return job

    def _recover(self) -> dict[str, Any]:
        indexer = self.indexer
        runner = indexer.runner()
        return {"recovered": runner.recover()}

    # -- the schedule ------------------------------------------------------------------

    def _schedule(self) -> None:
        """Queue the syncs that are due, every ``worker.poll_seconds``."""
        retry_after = timedelta(minutes=self.settings.worker.retry_minutes)
        system = Caller("scheduler", (), is_admin=True)
        if self.settings.queue.url:  # server mode: due syncs go to the queue's workers
            from ingest.sync.scheduler import SyncScheduler

            scheduler = SyncScheduler(self.settings)
            while not self._stop.is_set():
                try:
                    scheduler.run_once()
                except AuskunftError as exc:
                    logger.warning("Scheduler: %s", exc)
                self._stop.wait(self.settings.worker.poll_seconds)
            return
        while not self._stop.is_set():
            try:
                with self._registry() as registry:
                    registry.apply_config(self.settings.sources)
                    due = [
                        source.name
                        for source in registry.list()
                        if is_due(source, datetime.now(UTC), retry_after)
                    ]
                busy = {
                    job.target for job in self.jobs() if job.kind == "sync" and not job.finished
                }
                for name in due:
                    if name not in busy:
                        self.sync(name, caller=system)
            except AuskunftError as exc:  # a bad settings entry: the next round tries again
                logger.warning("Scheduler: %s", exc)
            self._stop.wait(self.settings.worker.poll_seconds)

    def seed(self, entries: Sequence[SourceConfig], *, caller: Caller) -> list[Job]:
        """On a first start (no source registered, nothing indexed), register these
        sources and sync them in the background.

        :returns: the sync jobs queued (none on a later start).
        """
        with self._catalog() as catalog:
            registered = {source.name for source in SourceRegistry(catalog).list()}
            indexed = catalog.counts_by_source()
        if registered or indexed:
            self._adopt(entries, registered, set(indexed))
            return []
        jobs = []
        for entry in entries:
            self.add_source(entry)
            jobs.append(self.sync(entry.name, caller=caller))
        return jobs

    def _adopt(
        self, entries: Sequence[SourceConfig], registered: set[str], indexed: set[str]
    ) -> None:
        """Register the seed's sources whose documents are indexed but that are no source
        (a data directory the samples were ingested into before they were sources): they
        are shown and synced as sources, not as unregistered documents. Nothing is
        ingested now."""
        for entry in entries:
            if entry.name in registered or entry.name not in indexed:
                continue
            try:
                self.add_source(entry)
            except AuskunftError as exc:
                logger.warning("The seed's source %s is not registered: %s", entry.name, exc)
