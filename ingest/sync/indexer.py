"""What the CLI, the UI and workers call to ingest: the data directory's writer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from connectors.filesystem import FilesystemConnector
from ingest.catalog import Catalog
from ingest.sync.pool import PageCallback, PreparePool
from ingest.sync.rules import call_source
from ingest.sync.runner import EMBEDDING_MODEL_SETTING, IngestReport, IngestRunner, ProgressCallback
from search.backends import WriteLock, open_embedder, open_keyword_store, open_vector_store
from search.core.errors import BackendError
from search.core.settings import Settings
from search.embedders import CachedEmbedder
from search.stores.base import KeywordStore, VectorStore

_NOT_OPEN = "Indexer is not open; use it as a context manager"


class Indexer:
    """Holds the write lock, the catalog and both stores while ingesting.

    Use as a context manager::

        with Indexer(settings) as indexer:
            report = indexer.ingest_path(Path("samples/corpus"), source="beispiel")

    :param settings: the settings.
    :param embedder: an embedder to share (default: the configured one).
    :param preparer: where parsing, OCR and embedding run (default: in this process);
        closed with the indexer.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: CachedEmbedder | None = None,
        *,
        preparer: PreparePool | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._preparer = preparer
        self._pages: PageCallback | None = None
        self._lock = WriteLock(settings.lock_path)
        self.catalog = Catalog.open(settings)
        self._keyword: KeywordStore | None = None
        self._vector: VectorStore | None = None

    def __enter__(self) -> Indexer:
        if not self.settings.stores.servers:  # servers take many writers; see ingest.sync.worker
            self._lock.__enter__()
        try:
            embedder = self.embedder
            self._keyword = open_keyword_store(self.settings)
            self._vector = open_vector_store(self.settings, embedder.dimension)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for store in (self._keyword, self._vector):
            if store is not None:
                store.close()
        self._keyword = self._vector = None
        if self._preparer is not None:
            self._preparer.close()
        self.catalog.close()
        self._lock.__exit__(exc_type, exc, tb)

    @property
    def embedder(self) -> CachedEmbedder:
        """:returns: the embedder."""
        if self._embedder is None:
            self._embedder = open_embedder(self.settings)
        return self._embedder

    @property
    def keyword_store(self) -> KeywordStore:
        """:returns: the open keyword store.

        :raises BackendError: when used outside ``with``.
        """
        if self._keyword is None:
            raise BackendError(_NOT_OPEN)
        return self._keyword

    @property
    def vector_store(self) -> VectorStore:
        """:returns: the open vector store.

        :raises BackendError: when used outside ``with``.
        """
        if self._vector is None:
            raise BackendError(_NOT_OPEN)
        return self._vector

    def runner(self, progress: ProgressCallback | None = None) -> IngestRunner:
        """:returns: a runner on the open stores.

        :raises BackendError: when used outside ``with``.
        """
        return IngestRunner(
            self.settings,
            self.catalog,
            self.keyword_store,
            self.vector_store,
            self.embedder,
            progress,
            preparer=self._preparer,
            pages=self._pages,
        )

    @contextmanager
    def reporting_pages(self, pages: PageCallback | None) -> Iterator[None]:
        """Have the runs started within tell ``pages`` about each scanned page read
        (``uri, pages done, pages to read``): the progress of a long OCR.

        :param pages: the callback.
        """
        before, self._pages = self._pages, pages
        try:
            yield
        finally:
            self._pages = before

    def ingest_path(
        self,
        path: Path,
        *,
        source: str | None = None,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        access_groups: Sequence[str] | None = None,
        metadata: dict[str, Any] | None = None,
        retry_failed: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest a folder (recursively) or a single file.

        Unchanged files are skipped, changed ones replaced, and files of the same source
        under ``path`` that no longer exist are removed from both indexes.

        :param path: folder or file.
        :param source: source name (default: the folder's name).
        :param include: glob patterns (default from settings).
        :param exclude: glob patterns, in addition to those of the settings.
        :param access_groups: who may see the documents (default from settings).
        :param metadata: defaults for every document (e.g. ``{"doc_type": "statute"}``).
        :param retry_failed: try failed files again even when unchanged.
        :param progress: callback per document.
        :returns: the report.
        :raises SourceUnavailable: when ``path`` does not exist or cannot be listed.
        :raises BackendError: when a store or the embedder fails.
        """
        resolved = path.expanduser().resolve()
        name = source or (resolved.name if resolved.is_dir() else resolved.parent.name)
        connector = call_source(
            name,
            lambda: FilesystemConnector(
                resolved,
                name=name,
                include=include or self.settings.ingest.include,
                exclude=[*self.settings.ingest.exclude, *(exclude or ())],
            ),
        )
        return self.runner(progress).run(
            connector,
            access_groups=access_groups,
            metadata=metadata,
            retry_failed=retry_failed,
        )

    def remove_documents(self, doc_ids: Sequence[str]) -> int:
        """Remove documents from both stores and the catalog.

        Follows the catalog protocol: the documents are marked ``indexing`` first, so a
        run killed half-way is completed by the next ingestion.

        :param doc_ids: document ids; unknown ones are ignored.
        :returns: the number of documents removed.
        :raises BackendError: when used outside ``with`` or a store fails.
        """
        entries = [entry for doc_id in doc_ids if (entry := self.catalog.get(doc_id))]
        return self.runner().remove(entries)

    def remove_source(self, source: str) -> int:
        """Remove every document of a source from both stores and the catalog.

        :param source: the source name.
        :returns: the number of documents removed.
        :raises BackendError: when used outside ``with`` or a store fails.
        """
        return self.remove_documents(
            [entry.doc_id for entry in self.catalog.entries(source=source)]
        )


def data_dir_bytes(settings: Settings) -> int:
    """:returns: the bytes used by the data directory (indexes, catalog, caches)."""
    root = settings.data_dir
    if not root.is_dir():
        return 0
    total = 0
    for path in root.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            continue  # removed while we walk (a commit replaces index files)
    return total


def index_status(settings: Settings) -> dict[str, Any]:
    """What is indexed, read from the catalog (no lock needed, stores are not opened).

    :returns: ``{"data_dir", "documents": {status: n}, "total", "chunks",
        "sources": {source: {status: n}}, "embedding_model", "failures": [...]}``.
    """
    catalog = Catalog.open(settings)
    try:
        counts = catalog.counts_by_status()
        failures = [
            {
                "doc_id": entry.doc_id,
                "source": entry.source,
                "uri": entry.uri,
                "reason": entry.error_reason,
                "error": entry.error,
            }
            for entry in catalog.entries(status="failed")
        ]
        return {
            "data_dir": str(settings.data_dir),
            "documents": counts,
            "total": sum(counts.values()),
            "chunks": catalog.chunk_count(),
            "sources": catalog.counts_by_source(),
            "embedding_model": catalog.get_setting(EMBEDDING_MODEL_SETTING),
            "failures": failures,
        }
    finally:
        catalog.close()
