"""``auskunft migrate``: the embedded index copied into other stores through the contracts.

Here the "servers" are a second tantivy index and qdrant-client's local mode (the real
client code of the Qdrant server store); with ``AUSKUNFT_ELASTICSEARCH_URL`` and
``AUSKUNFT_QDRANT_URL`` set, the copy goes to the real servers too.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from haystack import Document

from ingest.catalog import Catalog
from ingest.sync.indexer import Indexer
from ingest.sync.migrate import migrate_index
from search.core.errors import ConfigurationError
from search.core.settings import Settings
from search.filters import SearchFilters
from search.stores.base import KeywordStore, VectorStore
from search.stores.qdrant_store import QdrantVectorStore
from search.stores.tantivy_store import TantivyKeywordStore

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    corpus = tmp_path_factory.mktemp("akten")
    for n in range(6):
        paragraphs = [f"Satzung Nr. {n} über die Gebühren der Musikschule {n}."] * 3 + [
            f"Die Jahresgebühr beträgt {100 + n} Euro; Geschwister zahlen die Hälfte."
        ] * 3
        (corpus / f"satzung-{n}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(corpus, source="ortsrecht")
    assert report.indexed == 6
    return settings


def _catalog_chunks(settings: Settings) -> dict[str, int]:
    catalog = Catalog(settings.catalog_path)
    try:
        return {e.doc_id: len(e.chunk_ids) for e in catalog.entries(status="indexed")}
    finally:
        catalog.close()


def _assert_copied(settings: Settings, keyword: KeywordStore, vector: VectorStore) -> None:
    per_doc = _catalog_chunks(settings)
    for store in (keyword, vector):
        assert store.count() == sum(per_doc.values())
        assert store.doc_ids() == set(per_doc)
        for doc_id, chunks in per_doc.items():
            assert store.count(SearchFilters(doc_ids=[doc_id])) == chunks
    hits = keyword.search('"Musikschule 3"')
    assert hits[0].document.meta["uri"].endswith("satzung-3.txt")
    assert "<mark>" in hits[0].highlights[0]


def test_migrate_copies_every_chunk_once_and_is_idempotent(
    indexed: Settings, tmp_path: Path
) -> None:
    keyword = TantivyKeywordStore(tmp_path / "keyword-copy")
    vector = QdrantVectorStore(path=tmp_path / "qdrant-copy", dimension=384)
    try:
        stale = Document(
            id="alt:0",
            content="Alte Satzung, längst aufgehoben.",
            meta={"doc_id": "alt", "title": "Alt", "access_groups": ["public"]},
            embedding=[1.0] * 384,
        )
        keyword.write([Document(id=stale.id, content=stale.content, meta=stale.meta)])
        vector.write([stale])
        keyword.commit()

        report = migrate_index(indexed, keyword_target=keyword, vector_target=vector)
        assert report.documents == 6
        assert report.removed == 1  # the stale document the source does not have
        _assert_copied(indexed, keyword, vector)

        # vectors arrive unchanged: a chunk's own vector finds it first
        chunk = next(iter(next(vector.iter_chunks(batch_size=1))))
        assert chunk.embedding is not None
        assert vector.search(chunk.embedding, top_k=1)[0].chunk_id == chunk.id

        again = migrate_index(indexed, keyword_target=keyword, vector_target=vector)
        assert again.keyword_chunks == report.keyword_chunks
        assert again.removed == 0
        _assert_copied(indexed, keyword, vector)
    finally:
        keyword.close()
        vector.close()


def test_migrate_needs_servers(indexed: Settings) -> None:
    with pytest.raises(ConfigurationError, match="elasticsearch_url"):
        migrate_index(indexed)


@pytest.mark.integration
@pytest.mark.skipif(
    not (os.environ.get("AUSKUNFT_ELASTICSEARCH_URL") and os.environ.get("AUSKUNFT_QDRANT_URL")),
    reason="no servers: set AUSKUNFT_ELASTICSEARCH_URL and AUSKUNFT_QDRANT_URL to run it",
)
def test_migrate_into_the_servers(indexed: Settings) -> None:
    from search.backends import open_keyword_store, open_vector_store

    name = f"auskunft-migrate-{uuid.uuid4().hex[:8]}"
    settings = indexed.model_copy(
        update={
            "stores": indexed.stores.model_copy(
                update={
                    "elasticsearch_url": os.environ["AUSKUNFT_ELASTICSEARCH_URL"],
                    "elasticsearch_index": name,
                    "qdrant_url": os.environ["AUSKUNFT_QDRANT_URL"],
                    "qdrant_collection": name,
                }
            )
        }
    )
    from elasticsearch import Elasticsearch
    from qdrant_client import QdrantClient

    es = Elasticsearch(os.environ["AUSKUNFT_ELASTICSEARCH_URL"])
    try:
        report = migrate_index(settings)
        assert report.documents == 6
        first = list(es.indices.get_alias(name=name).body)
        # a second full copy is built beside the first and swapped in; the first is gone
        again = migrate_index(settings)
        assert again.documents == 6
        second = list(es.indices.get_alias(name=name).body)
        assert len(first) == len(second) == 1
        assert first != second
        assert not es.indices.exists(index=first[0])
        keyword, vector = open_keyword_store(settings), open_vector_store(settings, 384)
        try:
            _assert_copied(settings, keyword, vector)
        finally:
            keyword.close()
            vector.close()
    finally:
        es.indices.delete(index=f"{name}-*", ignore_unavailable=True)
        es.close()
        qdrant = QdrantClient(url=os.environ["AUSKUNFT_QDRANT_URL"])
        qdrant.delete_collection(name)
        qdrant.close()
