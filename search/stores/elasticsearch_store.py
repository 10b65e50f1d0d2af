"""The server keyword store: an Elasticsearch index with the German analyser."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TypeVar

import elasticsearch
from elasticsearch import Elasticsearch, helpers
from haystack import Document
from haystack.utils import Secret

from search.core import fields
from search.core.errors import BackendError, BackendUnavailable, IndexMismatch
from search.filters import SearchFilters
from search.stores import elasticsearch_dsl as dsl
from search.stores.base import FUZZY_CHUNKS, DocumentScore, KeywordStore, ScoredChunk
from search.stores.common import (
    CHUNK_LEVEL,
    CONTENT,
    DOCUMENT_LEVEL,
    LEVEL,
    META,
    chunk_order,
    document_from_payload,
    matches_nothing,
    payload,
    whole_documents,
)
from search.stores.query_syntax import parse_query

_PAGE: Final = 1000

T = TypeVar("T")


class ElasticsearchKeywordStore(KeywordStore):
    """Keyword search over an Elasticsearch index.

    The documents live in the concrete index ``<index>-v1`` behind the alias ``<index>``;
    every request goes through the alias, so a later reindex can build ``<index>-v2`` and
    switch the alias without downtime. The client and the index are created on first use.
    Writes are visible after :meth:`commit` (a refresh), or earlier at Elasticsearch's
    refresh interval.

    :param url: server address, e.g. ``http://localhost:9200``.
    :param index: the alias name.
    :param api_key: API key (never serialised); ``None`` for an unsecured server.
    :param title_boost: weight of title matches relative to content matches.
    :param snippet_chars: maximum length of a highlight passage.
    :param timeout: request timeout in seconds.
    :param max_retries: retries on connection errors, timeouts and HTTP 429.
    :raises ValueError: when a number is out of range.
    """

    def __init__(
        self,
        url: str,
        index: str = "auskunft-chunks",
        api_key: Secret | None = None,
        *,
        title_boost: float = 1.0,
        snippet_chars: int = 240,
        timeout: float = 30.0,
        max_retries: int = 3,
    ) -> None:
        if title_boost <= 0:
            msg = f"title_boost must be positive, got {title_boost}"
            raise ValueError(msg)
        if snippet_chars < 20:
            msg = f"snippet_chars must be at least 20, got {snippet_chars}"
            raise ValueError(msg)
        self.url = url
        self.index = index
        self.api_key = api_key
        self.title_boost = title_boost
        self.snippet_chars = snippet_chars
        self.timeout = timeout
        self.max_retries = max_retries
        self._client: Elasticsearch | None = None
        self._ready = False
        self._closed = False

    @property
    def concrete_index(self) -> str:
        """:returns: the index the alias points to when this store creates it."""
        return f"{self.index}-v1"

    # -- opening -------------------------------------------------------------------------

    def _call(self, what: str, operation: Callable[[], T]) -> T:
        """Run a client call and translate its exceptions."""
        try:
            return operation()
        except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
            msg = f"Elasticsearch at {self.url} is unreachable ({what}): {exc}"
            raise BackendUnavailable(msg) from exc
        except (elasticsearch.AuthenticationException, elasticsearch.AuthorizationException) as exc:
            msg = f"Elasticsearch at {self.url} refused the credentials ({what}): {exc}"
            raise BackendUnavailable(msg) from exc
        except helpers.BulkIndexError as exc:
            first = exc.errors[0] if exc.errors else {}
            msg = f"Elasticsearch rejected {len(exc.errors)} chunks ({what}), first: {first}"
            raise BackendError(msg) from exc
        except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
            msg = f"Elasticsearch at {self.url}: {what} failed: {exc}"
            raise BackendError(msg) from exc

    def _client_for(self) -> Elasticsearch:
        if self._closed:
            msg = "ElasticsearchKeywordStore is closed"
            raise BackendError(msg)
        if self._client is None:
            key = self.api_key.resolve_value() if self.api_key is not None else None
            self._client = Elasticsearch(
                self.url,
                api_key=key,
                request_timeout=self.timeout,
                max_retries=self.max_retries,
                retry_on_timeout=True,
            )
        return self._client

    def _open(self, *, create: bool) -> Elasticsearch | None:
        client = self._client_for()
        if self._ready:
            return client
        if self._call("check", lambda: bool(client.indices.exists_alias(name=self.index))):
            self._check_mapping(client)
        elif self._call("check", lambda: bool(client.indices.exists(index=self.index))):
            msg = (
                f"Elasticsearch has an index named {self.index!r} that is not an alias; "
                "Auskunft keeps its chunks behind an alias: delete it or choose another name"
            )
            raise IndexMismatch(msg)
        elif create:
            self._call("create index", lambda: self._create(client))
        else:
            return None
        self._ready = True
        return client

    def _create(self, client: Elasticsearch) -> None:
        try:
            client.indices.create(index=self.concrete_index, **dsl.index_body(self.index))
        except elasticsearch.BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise  # another process may have created it first; anything else is real

    def _check_mapping(self, client: Elasticsearch) -> None:
        mappings = self._call("inspect", lambda: client.indices.get_mapping(index=self.index))
        for name, body in mappings.body.items():
            if not dsl.is_compatible(body.get("mappings", {}).get("_meta")):
                msg = (
                    f"Elasticsearch index {name!r} behind {self.index!r} was built with "
                    "another schema or analyser version: reindex into a new index"
                )
                raise IndexMismatch(msg)

    # -- writing -------------------------------------------------------------------------

    def write(self, chunks: Sequence[Document]) -> None:
        """Insert or replace chunks by id, and the whole-document records of their
        documents (visible after :meth:`commit`).

        :param chunks: chunks with ``content`` and ``meta``: all chunks of a document.
        :raises BackendUnavailable: when Elasticsearch cannot be reached.
        :raises BackendError: when a chunk is rejected.
        """
        if not chunks:
            return
        bodies = [payload(chunk) | {LEVEL: CHUNK_LEVEL} for chunk in chunks]
        for record in whole_documents(chunks):
            body = payload(record) | {LEVEL: DOCUMENT_LEVEL}
            body[dsl.DOCUMENT_CONTENT] = body.pop(CONTENT)
            body[dsl.DOCUMENT_TITLE] = body.pop(fields.TITLE)
            # a whole-document record keeps only what facets read: it is never a chunk again
            body[META] = fields.facet_meta(body[META])
            bodies.append(body)
        client = self._open(create=True)
        assert client is not None

        def actions() -> Iterator[dict[str, Any]]:
            for body in bodies:
                yield {"_index": self.index, "_id": body[fields.CHUNK_ID], "_source": body}

        self._call(
            "write",
            lambda: helpers.bulk(
                client, actions(), chunk_size=500, max_retries=self.max_retries, initial_backoff=1
            ),
        )

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        """Remove every chunk of these documents; unknown ids are ignored.

        :raises BackendUnavailable: when Elasticsearch cannot be reached.
        """
        if not doc_ids:
            return
        client = self._open(create=False)
        if client is None:
            return
        # delete_by_query only sees refreshed documents: include writes not yet committed
        self._call("refresh", lambda: client.indices.refresh(index=self.index))
        self._call(
            "delete",
            lambda: client.delete_by_query(
                index=self.index,
                query={"terms": {fields.DOC_ID: list(doc_ids)}},
                conflicts="proceed",
            ),
        )

    def commit(self) -> None:
        """Refresh the index so that writes and deletes are visible to searches."""
        if self._client is None or not self._ready:
            return
        client = self._client
        self._call("refresh", lambda: client.indices.refresh(index=self.index))

    def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            client, self._client = self._client, None
            client.close()
        self._closed = True

    # -- reading -------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
        highlight: bool = True,
    ) -> list[ScoredChunk]:
        """Search chunk text and title (see :mod:`search.stores.query_syntax`).

        :param query: the query as typed by a person; invalid syntax is read as words.
        :param filters: restrictions.
        :param top_k: the maximum number of hits.
        :param highlight: ask for a highlighted passage of each hit's content.
        :returns: hits, best first, with highlights of the content unless switched off.
        :raises BackendUnavailable: when Elasticsearch cannot be reached.
        :raises BackendError: when the search fails.
        """
        tree = parse_query(query)
        if tree.is_empty or top_k < 1 or matches_nothing(filters):
            return []
        client = self._open(create=False)
        if client is None:
            return []
        body = {
            "bool": {
                "must": [dsl.text_query(tree, self.title_boost)],
                "filter": [*dsl.filter_clauses(filters), {"term": {LEVEL: CHUNK_LEVEL}}],
            }
        }
        marking = dsl.highlight(self.snippet_chars) if highlight else None
        response = self._call(
            "search",
            lambda: client.search(index=self.index, query=body, size=top_k, highlight=marking),
        )
        return [
            ScoredChunk(
                document=document_from_payload(hit["_source"]),
                score=float(hit["_score"] or 0.0),
                highlights=tuple(hit.get("highlight", {}).get("content", ())),
            )
            for hit in response["hits"]["hits"]
        ]

    def knows(self, word: str) -> bool:
        """:returns: whether some chunk's text or title has every term of the word."""
        client = self._open(create=False)
        if client is None:
            return True
        word_query = {
            "multi_match": {"query": word, "fields": [CONTENT, fields.TITLE], "operator": "and"}
        }
        body = {"bool": {"must": [word_query], "filter": [{"term": {LEVEL: CHUNK_LEVEL}}]}}
        response = self._call("count", lambda: client.count(index=self.index, query=body))
        return bool(response["count"])

    def fuzzy_text(self, word: str, filters: SearchFilters | None = None) -> str | None:
        """:returns: the text of the best chunks the filters allow that match the word
        with fuzziness (Elasticsearch's ``AUTO``: 1 edit up to five letters, else 2)."""
        client = self._open(create=False)
        if client is None or matches_nothing(filters):
            return None
        near = {"match": {CONTENT: {"query": word, "fuzziness": "AUTO"}}}
        body = {
            "bool": {
                "must": [near],
                "filter": [*dsl.filter_clauses(filters), {"term": {LEVEL: CHUNK_LEVEL}}],
            }
        }
        response = self._call(
            "search", lambda: client.search(index=self.index, query=body, size=FUZZY_CHUNKS)
        )
        hits = response["hits"]["hits"]
        texts = [document_from_payload(hit["_source"]).content or "" for hit in hits]
        return "\n".join(texts) or None

    def search_documents(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
    ) -> list[DocumentScore]:
        """Search whole documents (see :meth:`KeywordStore.search_documents`).

        :param query: the query as typed by a person; invalid syntax is read as words.
        :param filters: restrictions.
        :param top_k: the maximum number of documents.
        :returns: documents, best first.
        :raises BackendUnavailable: when Elasticsearch cannot be reached.
        :raises BackendError: when the search fails.
        """
        tree = parse_query(query)
        if tree.is_empty or top_k < 1 or matches_nothing(filters):
            return []
        client = self._open(create=False)
        if client is None:
            return []
        body = {
            "bool": {
                "must": [dsl.text_query(tree, self.title_boost, documents=True)],
                "filter": [*dsl.filter_clauses(filters), {"term": {LEVEL: DOCUMENT_LEVEL}}],
            }
        }
        response = self._call(
            "search documents",
            lambda: client.search(
                index=self.index, query=body, size=top_k, source_includes=[fields.DOC_ID, META]
            ),
        )
        return [
            DocumentScore(
                doc_id=str(hit["_source"][fields.DOC_ID]),
                score=float(hit["_score"] or 0),
                meta=dict(hit["_source"].get(META) or {}),
            )
            for hit in response["hits"]["hits"]
        ]

    def chunks(self, doc_id: str, *, limit: int = 2000) -> list[Document]:
        """:returns: the visible chunks of a document, in document order."""
        client = self._open(create=False)
        if client is None or limit < 1:
            return []
        query = {
            "bool": {"filter": [{"term": {fields.DOC_ID: doc_id}}, {"term": {LEVEL: CHUNK_LEVEL}}]}
        }
        response = self._call(
            "read document", lambda: client.search(index=self.index, query=query, size=limit)
        )
        found = [document_from_payload(hit["_source"]) for hit in response["hits"]["hits"]]
        return sorted(found, key=chunk_order)

    def count(self, filters: SearchFilters | None = None) -> int:
        """:returns: the number of visible chunks matching the filters."""
        if matches_nothing(filters):
            return 0
        client = self._open(create=False)
        if client is None:
            return 0
        query = {"bool": {"filter": [*dsl.filter_clauses(filters), {"term": {LEVEL: CHUNK_LEVEL}}]}}
        response = self._call("count", lambda: client.count(index=self.index, query=query))
        return int(response["count"])

    def doc_ids(self) -> set[str]:
        """:returns: every ``doc_id`` with at least one visible chunk."""
        client = self._open(create=False)
        if client is None:
            return set()
        found: set[str] = set()
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {
                "size": _PAGE,
                "sources": [{"doc_id": {"terms": {"field": fields.DOC_ID}}}],
            }
            if after is not None:
                composite["after"] = after
            response = self._call(
                "list documents",
                lambda c=composite: client.search(  # type: ignore[misc]
                    index=self.index, size=0, aggs={"ids": {"composite": c}}
                ),
            )
            result = response["aggregations"]["ids"]
            found.update(str(bucket["key"]["doc_id"]) for bucket in result["buckets"])
            after = result.get("after_key")
            if after is None or not result["buckets"]:
                return found
