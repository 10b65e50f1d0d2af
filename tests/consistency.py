"""The check after a crash or a fault: the catalog and both stores agree, nothing twice."""

from __future__ import annotations

from ingest.catalog import Catalog, CatalogEntry
from search.backends import open_keyword_store, open_vector_store
from search.core.settings import Settings
from search.filters import SearchFilters


def assert_exactly_once(settings: Settings, files: int) -> list[CatalogEntry]:
    """Catalog rows == ``files``, all indexed; each document's chunks are in both stores
    once (the stores must be closed by their owner first).

    :returns: the catalog's entries.
    """
    catalog = Catalog.open(settings)
    try:
        entries = catalog.entries()
        assert catalog.counts_by_status() == {"indexing": 0, "indexed": files, "failed": 0}
        assert len(entries) == files
        chunk_ids = [cid for entry in entries for cid in entry.chunk_ids]
        assert len(chunk_ids) == len(set(chunk_ids))
    finally:
        catalog.close()
    keyword = open_keyword_store(settings)
    vector = open_vector_store(settings, 384)
    try:
        for store in (keyword, vector):
            assert store.count() == len(chunk_ids)
            assert store.doc_ids() == {entry.doc_id for entry in entries}
            for entry in entries:
                assert store.count(SearchFilters(doc_ids=[entry.doc_id])) == len(entry.chunk_ids)
    finally:
        keyword.close()
        vector.close()
    return entries
