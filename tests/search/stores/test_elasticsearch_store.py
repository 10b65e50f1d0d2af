"""The Elasticsearch keyword store against the contract, when a server is configured.

Set ``AUSKUNFT_ELASTICSEARCH_URL`` (e.g. ``http://localhost:9200``) to run the server class;
each test uses its own index and deletes it afterwards.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from search.core.errors import BackendUnavailable
from search.stores.elasticsearch_store import ElasticsearchKeywordStore
from tests.search.stores.contract import CHUNKS, KeywordStoreContract, without_embeddings

ELASTICSEARCH_URL = os.environ.get("AUSKUNFT_ELASTICSEARCH_URL")


@pytest.mark.integration
@pytest.mark.skipif(
    ELASTICSEARCH_URL is None,
    reason="no Elasticsearch server: set AUSKUNFT_ELASTICSEARCH_URL to run these tests",
)
class TestElasticsearchKeywordStore(KeywordStoreContract):
    @pytest.fixture
    def store(self) -> Iterator[ElasticsearchKeywordStore]:
        assert ELASTICSEARCH_URL is not None
        store = ElasticsearchKeywordStore(
            ELASTICSEARCH_URL, index=f"auskunft-test-{uuid.uuid4().hex[:12]}"
        )
        yield store
        store.close()
        client = Elasticsearch(ELASTICSEARCH_URL)
        client.indices.delete(index=store.concrete_index, ignore_unavailable=True)
        client.close()

    def reopen(self, store: Any, **changes: Any) -> ElasticsearchKeywordStore:
        store.close()
        return ElasticsearchKeywordStore(store.url, **{"index": store.index, **changes})

    def test_index_lives_behind_an_alias(self, store: ElasticsearchKeywordStore) -> None:
        store.write(without_embeddings(CHUNKS[:1]))
        store.commit()
        client = Elasticsearch(store.url)
        try:
            aliases = client.indices.get_alias(name=store.index).body
        finally:
            client.close()
        assert list(aliases) == [store.concrete_index]

    def test_writes_are_visible_after_commit(self, store: ElasticsearchKeywordStore) -> None:
        store.write(without_embeddings())
        store.commit()
        assert store.count() == len(CHUNKS)
        # deletes see writes that were not committed yet
        store.write(without_embeddings(CHUNKS[:1]))
        store.delete_documents(["hundesteuer"])
        store.commit()
        assert store.count() == len(CHUNKS) - 2


def test_unreachable_server_is_backend_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = ElasticsearchKeywordStore(f"http://127.0.0.1:{port}", timeout=2, max_retries=0)
    with pytest.raises(BackendUnavailable, match="unreachable"):
        store.search("Hund")
    with pytest.raises(BackendUnavailable, match="unreachable"):
        store.write(without_embeddings(CHUNKS[:1]))
    store.close()


def test_constructor_does_no_io() -> None:
    store = ElasticsearchKeywordStore("http://127.0.0.1:9", index="x")
    assert store.concrete_index == "x-v1"
    assert store.search("der die das") == []  # nothing to search: no request at all
    store.close()


def test_a_word_scores_in_content_and_title_summed_as_in_tantivy() -> None:
    # tantivy adds a word's content score and its boosted title score (Boolean "should");
    # the rendered Elasticsearch query must do the same, not take the larger of the two
    from search.stores import elasticsearch_dsl as dsl
    from search.stores.query_syntax import parse_query

    rendered = dsl.text_query(parse_query('Hundesteuer "ersten Hund"'), 2.0)
    word, phrase = rendered["bool"]["should"]
    for clause, kind in ((word, "match"), (phrase, "match_phrase")):
        per_field = clause["bool"]["should"]
        assert clause["bool"]["minimum_should_match"] == 1
        assert [next(iter(part)) for part in per_field] == [kind, kind]
        assert [next(iter(part[kind])) for part in per_field] == ["content", "title"]
        assert per_field[1][kind]["title"]["boost"] == 2.0
    assert word["bool"]["should"][0]["match"]["content"]["query"] == "Hundesteuer"
    assert phrase["bool"]["should"][0]["match_phrase"]["content"]["query"] == "ersten Hund"
    documents = dsl.text_query(parse_query("Hund"), 2.0, documents=True)
    fields_used = [next(iter(p["match"])) for p in documents["bool"]["should"][0]["bool"]["should"]]
    assert fields_used == [dsl.DOCUMENT_CONTENT, dsl.DOCUMENT_TITLE]
