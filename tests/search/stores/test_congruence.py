"""Congruence: identical data and queries on two implementations of a store contract.

Like qdrant-client's ``tests/congruence_tests``: a reference store (the embedded one) and
a candidate get the same chunks; then the same queries must give

- **exactly** the same chunks under every filter and access-group restriction (a filter is
  a yes/no question, no ranking involved);
- **nearly** the same ranking: the top-1 hit is the same chunk, and the top-k sets overlap
  by at least ``MIN_OVERLAP`` (exact nearest-neighbour search on both sides ties only on
  equal scores, so qdrant-client's local mode must agree fully; a server's HNSW index and
  Elasticsearch's BM25 statistics per shard may reorder near-ties, hence the tolerance).

Pairs: qdrant-edge vs qdrant-client local mode always runs here; qdrant-edge vs a Qdrant
server and tantivy vs Elasticsearch run when ``AUSKUNFT_QDRANT_URL`` /
``AUSKUNFT_ELASTICSEARCH_URL`` are set (marked ``integration``).
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from haystack import Document

from search.core import fields
from search.filters import SearchFilters
from search.stores.base import KeywordStore, VectorStore
from search.stores.qdrant_edge_store import EdgeVectorStore
from search.stores.qdrant_store import QdrantVectorStore
from search.stores.tantivy_store import TantivyKeywordStore
from tests.search.stores.contract import CHUNKS, DIMENSION, without_embeddings

QDRANT_URL = os.environ.get("AUSKUNFT_QDRANT_URL")
ELASTICSEARCH_URL = os.environ.get("AUSKUNFT_ELASTICSEARCH_URL")

TOP_K = 10
MIN_OVERLAP = {"exact": 1.0, "approximate": 0.8}
"""Share of the reference's top-k vectors that the candidate must also return."""
KEYWORD_MIN_OVERLAP = 2 / 3
"""Keyword top-3: BM25 statistics differ a little between tantivy and Elasticsearch
(per-shard document frequencies, length norms), so one near-tie may swap."""

RANDOM_CHUNKS = 300
SOURCES = ("ortsrecht", "ratsinfo", "intranet")
GROUPS = (("public",), ("personalamt",), ("public", "it"))

FILTERS = [
    SearchFilters(sources=["ratsinfo"]),
    SearchFilters(doc_types=["guidance"], sources=["ortsrecht"]),
    SearchFilters(access_groups=["personalamt"]),
    SearchFilters(access_groups=["it", "nobody"]),
    SearchFilters(access_groups=["public"]),
    SearchFilters(doc_ids=["hundesteuer", "mail-buergerbuero"]),
    SearchFilters(date_from=date(2018, 1, 1), date_to=date(2022, 6, 30)),
    SearchFilters(date_to=date(2022, 6, 1), doc_types=["statute", "guidance"]),
    SearchFilters(access_groups=[]),
]


def _random_chunks(seed: int = 7) -> list[Document]:
    """Contract chunks plus seeded random ones, so rankings have something to agree on."""
    rng = random.Random(seed)
    chunks = list(CHUNKS)
    for n in range(RANDOM_CHUNKS):
        vector = [rng.gauss(0.0, 1.0) for _ in range(DIMENSION)]
        meta = {
            fields.DOC_ID: f"zufall-{n // 3}",
            fields.CHUNK_ID: f"zufall-{n // 3}:{n % 3}",
            fields.TITLE: f"Vorlage {n // 3}",
            fields.SOURCE: SOURCES[n % 3],
            fields.DOC_TYPE: "decision" if n % 2 else "statute",
            fields.ACCESS_GROUPS: list(GROUPS[n % 3]),
            fields.DATE: f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
        }
        chunks.append(
            Document(id=meta[fields.CHUNK_ID], content=f"Text {n}", meta=meta, embedding=vector)
        )
    return chunks


def _overlap(reference: list[str], candidate: list[str]) -> float:
    return len(set(reference) & set(candidate)) / max(len(reference), 1)


# -- vector stores -----------------------------------------------------------------------


@pytest.fixture(
    params=["qdrant-local", pytest.param("qdrant-server", marks=pytest.mark.integration)]
)
def vector_pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[VectorStore, VectorStore, str]]:
    reference = EdgeVectorStore(tmp_path / "edge", dimension=DIMENSION)
    collection = f"auskunft-congruence-{uuid.uuid4().hex[:10]}"
    if request.param == "qdrant-local":
        candidate = QdrantVectorStore(location=":memory:", dimension=DIMENSION)
        kind = "exact"
    else:
        if QDRANT_URL is None:
            pytest.skip("no Qdrant server: set AUSKUNFT_QDRANT_URL to compare it with qdrant-edge")
        candidate = QdrantVectorStore(QDRANT_URL, collection=collection, dimension=DIMENSION)
        kind = "approximate"
    chunks = _random_chunks()
    for store in (reference, candidate):
        store.write(chunks)
        store.commit()
    yield reference, candidate, kind
    reference.close()
    candidate.close()
    if request.param == "qdrant-server":
        from qdrant_client import QdrantClient

        client = QdrantClient(url=QDRANT_URL)
        client.delete_collection(collection)
        client.close()


def _vector_queries(count: int = 25, seed: int = 11) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(0.0, 1.0) for _ in range(DIMENSION)] for _ in range(count)]


def test_vector_rankings_agree(vector_pair: Any) -> None:
    reference, candidate, kind = vector_pair
    overlaps = []
    for query in _vector_queries():
        expected = reference.search(query, top_k=TOP_K)
        found = candidate.search(query, top_k=TOP_K)
        assert found[0].chunk_id == expected[0].chunk_id
        assert found[0].score == pytest.approx(expected[0].score, abs=1e-4)
        overlaps.append(_overlap([h.chunk_id for h in expected], [h.chunk_id for h in found]))
    assert min(overlaps) >= MIN_OVERLAP[kind], overlaps


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[:60])
def test_vector_filters_agree_exactly(vector_pair: Any, filters: SearchFilters) -> None:
    reference, candidate, _kind = vector_pair
    assert candidate.count(filters) == reference.count(filters)
    query = _vector_queries(1)[0]
    everything = len(_random_chunks())
    expected = {h.chunk_id for h in reference.search(query, filters=filters, top_k=everything)}
    found = {h.chunk_id for h in candidate.search(query, filters=filters, top_k=everything)}
    assert found == expected


def test_vector_stores_hold_the_same_documents(vector_pair: Any) -> None:
    reference, candidate, _kind = vector_pair
    assert candidate.doc_ids() == reference.doc_ids()
    reference.delete_documents(["hundesteuer", "zufall-3"])
    candidate.delete_documents(["hundesteuer", "zufall-3"])
    reference.commit()
    candidate.commit()
    assert candidate.count() == reference.count() == len(_random_chunks()) - 5


# -- keyword stores ----------------------------------------------------------------------

KEYWORD_QUERIES = [
    "Hunde",
    "Steuer für den ersten Hund",
    "Restmülltonne Gebühr",
    "Gebuehr",
    "Strasse",
    '"ersten Hund"',
    "Hunde -Steuerbefreiung",
    "Hundesteuer",
    "Beschäftigte Personalakten",
    "BauGB Bebauungsplan",
    "Drs. 2024/0153",
    "(Hund OR Restmülltonne) AND Bescheid",
]


@pytest.fixture
def keyword_pair(tmp_path: Path) -> Iterator[tuple[KeywordStore, KeywordStore]]:
    if ELASTICSEARCH_URL is None:
        pytest.skip(
            "no Elasticsearch server: set AUSKUNFT_ELASTICSEARCH_URL to compare it with "
            "tantivy (two tantivy indexes would agree by construction)"
        )
    from elasticsearch import Elasticsearch

    from search.stores.elasticsearch_store import ElasticsearchKeywordStore

    reference = TantivyKeywordStore(tmp_path / "tantivy")
    candidate = ElasticsearchKeywordStore(
        ELASTICSEARCH_URL, index=f"auskunft-congruence-{uuid.uuid4().hex[:10]}"
    )
    for store in (reference, candidate):
        store.write(without_embeddings())
        store.commit()
    yield reference, candidate
    reference.close()
    candidate.close()
    client = Elasticsearch(ELASTICSEARCH_URL)
    client.indices.delete(index=f"{candidate.index}-*", ignore_unavailable=True)
    client.close()


@pytest.mark.integration
@pytest.mark.parametrize("query", KEYWORD_QUERIES)
def test_keyword_rankings_agree(keyword_pair: Any, query: str) -> None:
    reference, candidate = keyword_pair
    expected = [hit.chunk_id for hit in reference.search(query, top_k=3)]
    found = [hit.chunk_id for hit in candidate.search(query, top_k=3)]
    assert bool(found) == bool(expected)
    if expected:
        assert found[0] == expected[0]
        assert _overlap(expected, found) >= KEYWORD_MIN_OVERLAP


@pytest.mark.integration
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[:60])
def test_keyword_filters_agree_exactly(keyword_pair: Any, filters: SearchFilters) -> None:
    reference, candidate = keyword_pair
    query = "Euro Hunde Beschäftigte Bürgerbüro Bauausschuss Straße Hund Text"
    assert candidate.count(filters) == reference.count(filters)
    expected = {hit.chunk_id for hit in reference.search(query, filters=filters, top_k=50)}
    found = {hit.chunk_id for hit in candidate.search(query, filters=filters, top_k=50)}
    assert found == expected
