"""Copy an embedded index (tantivy + qdrant-edge) into the configured servers.

The qdrant-edge shard holds every chunk whole (text, meta and vector), so it is the
source of both copies: each indexed document of the catalog is read from it with its
chunks and written to the server vector store (with vectors) and the server keyword store
(text and meta). A document's chunks are written in one call, as ingestion does (a
keyword store builds its whole-document record from them). Writes are upserts by chunk
id, so running ``auskunft migrate`` again repairs an interrupted copy without duplicates;
documents the servers hold but the catalog does not are removed from them. Into
Elasticsearch the copy goes to a new index that replaces the live one in one alias swap
(:mod:`search.stores.elasticsearch_generations`), so searches never see a partial copy.

The catalog itself stays where it is (``catalog.sqlite`` in the data directory); the
servers' workers share that data directory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from haystack import Document

from ingest.catalog import Catalog, CatalogEntry
from search.backends import WriteLock, open_keyword_store, open_vector_store
from search.core import fields
from search.core.errors import ConfigurationError
from search.core.settings import Settings
from search.filters import SearchFilters
from search.stores.base import KeywordStore, VectorStore
from search.stores.qdrant_edge_store import EdgeVectorStore


@dataclass
class MigrationReport:
    """What a copy did."""

    documents: int = 0
    keyword_chunks: int = 0
    vector_chunks: int = 0
    removed: int = 0
    keyword_target: str = ""
    vector_target: str = ""


def migrate_index(
    settings: Settings,
    *,
    batch_size: int = 500,
    keyword_target: KeywordStore | None = None,
    vector_target: VectorStore | None = None,
) -> MigrationReport:
    """Copy every indexed document from the embedded stores into the server stores.

    :param settings: the settings; the embedded index is read from ``data_dir``, the
        targets are ``stores.elasticsearch_url`` and ``stores.qdrant_url``.
    :param batch_size: chunks per write (a document's chunks are never split).
    :param keyword_target: a keyword store to copy to instead of the configured server.
    :param vector_target: a vector store to copy to instead of the configured server
        (tests use qdrant-client's local mode).
    :returns: the report.
    :raises ConfigurationError: when no server is configured, or some indexed chunks have
        no vector (a dense budget was set): re-ingest into the servers instead.
    :raises BackendError: when a store fails (run it again to complete the copy).
    """
    if keyword_target is None and vector_target is None:
        stores = settings.stores
        if not (stores.elasticsearch_url and stores.qdrant_url):
            msg = (
                "Set stores.elasticsearch_url and stores.qdrant_url "
                "(AUSKUNFT_STORES__ELASTICSEARCH_URL, AUSKUNFT_STORES__QDRANT_URL) to migrate"
            )
            raise ConfigurationError(msg)
    catalog = Catalog(settings.catalog_path)
    # the embedded stores have one owner: no ingestion may run meanwhile
    with WriteLock(settings.lock_path):
        try:
            entries = catalog.entries(status="indexed")
            dimension = _dimension(settings.vector_index_path)
            source = EdgeVectorStore(settings.vector_index_path, dimension=dimension)
            try:
                expected = sum(len(entry.chunk_ids) for entry in entries)
                if source.count() != expected:
                    msg = (
                        f"The vector index holds {source.count()} chunks, the catalog "
                        f"{expected}: not every chunk has a vector (embedding budget), so "
                        "the index cannot be copied whole. Ingest into the servers instead."
                    )
                    raise ConfigurationError(msg)
                live = keyword_target or open_keyword_store(settings)
                keyword = _generation_of(live) if keyword_target is None else live
                vector = vector_target or open_vector_store(settings, dimension)
                try:
                    report = _copy(source, entries, keyword, vector, batch_size)
                    if keyword is not live:  # searches switch to the full copy at once
                        _swap_in(live, keyword)
                finally:
                    if keyword_target is None:
                        keyword.close()
                        live.close()
                    if vector_target is None:
                        vector.close()
            finally:
                source.close()
        finally:
            catalog.close()
    report.keyword_target = settings.stores.elasticsearch_url or type(keyword).__name__
    report.vector_target = settings.stores.qdrant_url or type(vector).__name__
    return report


def _generation_of(live: KeywordStore) -> KeywordStore:
    """:returns: a new Elasticsearch generation behind ``live``'s alias, else ``live``."""
    from search.stores.elasticsearch_store import ElasticsearchKeywordStore

    if not isinstance(live, ElasticsearchKeywordStore):
        return live
    from search.stores.elasticsearch_generations import new_generation

    return new_generation(live)


def _swap_in(live: KeywordStore, generation: KeywordStore) -> None:
    from search.stores.elasticsearch_generations import swap_in
    from search.stores.elasticsearch_store import ElasticsearchKeywordStore

    assert isinstance(live, ElasticsearchKeywordStore)
    assert isinstance(generation, ElasticsearchKeywordStore)
    swap_in(live, generation)


def _dimension(path: Path) -> int:
    """:returns: the vector size of the embedded shard (from its config file)."""
    import json

    try:
        config = json.loads((path / "edge_config.json").read_text())
        return int(config["vectors"]["dense"]["size"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"No embedded vector index at {path} to migrate"
        raise ConfigurationError(msg) from exc


def _copy(
    source: EdgeVectorStore,
    entries: Sequence[CatalogEntry],
    keyword: KeywordStore,
    vector: VectorStore,
    batch_size: int,
) -> MigrationReport:
    report = MigrationReport()
    doc_ids = [entry.doc_id for entry in entries]
    pending: list[Document] = []

    def flush() -> None:
        if pending:
            keyword.write([dataclasses.replace(chunk, embedding=None) for chunk in pending])
            vector.write(pending)
            report.keyword_chunks += len(pending)
            report.vector_chunks += len(pending)
            pending.clear()

    for start in range(0, len(doc_ids), 50):
        part = doc_ids[start : start + 50]
        by_doc: dict[str, list[Document]] = {doc_id: [] for doc_id in part}
        for batch in source.iter_chunks(SearchFilters(doc_ids=part)):
            for chunk in batch:
                by_doc[str(chunk.meta[fields.DOC_ID])].append(chunk)
        for chunks in by_doc.values():
            chunks.sort(key=lambda chunk: (chunk.meta.get(fields.CHUNK_INDEX, 0), chunk.id))
            if len(pending) + len(chunks) > batch_size:
                flush()
            pending.extend(chunks)
            report.documents += 1
    flush()
    keyword.commit()
    vector.commit()
    stale = sorted((keyword.doc_ids() | vector.doc_ids()) - set(doc_ids))
    if stale:  # left by an earlier copy or ingestion of documents removed since
        keyword.delete_documents(stale)
        vector.delete_documents(stale)
        keyword.commit()
        vector.commit()
        report.removed = len(stale)
    return report
