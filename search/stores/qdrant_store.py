"""The server vector store: a Qdrant collection through qdrant-client.

qdrant-client also runs the same API in-process (``path=`` or ``location=":memory:"``),
which the default tests use; production uses a server (``url=``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

from haystack import Document
from haystack.utils import Secret
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from search.core import fields
from search.core.errors import BackendError, BackendUnavailable, IndexMismatch
from search.filters import SearchFilters
from search.stores.base import ScoredChunk, VectorStore
from search.stores.common import (
    as_date,
    check_query_dimension,
    chunk_vector,
    document_from_payload,
    keyword_filters,
    matches_nothing,
    payload,
    point_id,
)

VECTOR_NAME: Final = "dense"
KEYWORD_FIELDS: Final = (fields.DOC_ID, fields.SOURCE, fields.DOC_TYPE, fields.ACCESS_GROUPS)
_BATCH: Final = 256
_PAGE: Final = 1000

T = TypeVar("T")


class QdrantVectorStore(VectorStore):
    """Cosine nearest-neighbour search over a Qdrant collection.

    Give exactly one of ``url`` (a Qdrant server), ``path`` (qdrant-client's local mode in
    a directory) or ``location=":memory:"``. The client and the collection are created on
    first use. Writes wait for the server, so they are visible at once; :meth:`commit`
    has nothing left to do.

    :param url: server address, e.g. ``http://localhost:6333``.
    :param path: directory for local mode (for tests and small setups; slow past ~10k points).
    :param location: ``":memory:"`` for a throwaway local store.
    :param collection: collection name.
    :param dimension: size of the embedding vectors.
    :param api_key: server API key (never serialised).
    :param timeout: request timeout in seconds.
    :raises ValueError: when not exactly one location is given or ``dimension`` < 1.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        path: Path | None = None,
        location: str | None = None,
        collection: str = "auskunft-chunks",
        dimension: int,
        api_key: Secret | None = None,
        timeout: int = 30,
    ) -> None:
        if sum(value is not None for value in (url, path, location)) != 1:
            msg = "give exactly one of url, path or location"
            raise ValueError(msg)
        if dimension < 1:
            msg = f"dimension must be positive, got {dimension}"
            raise ValueError(msg)
        self.url = url
        self.path = Path(path) if path is not None else None
        self.location = location
        self.collection = collection
        self._dimension = dimension
        self.api_key = api_key
        self.timeout = timeout
        self._client: QdrantClient | None = None
        self._ready = False
        self._closed = False

    @property
    def dimension(self) -> int:
        """:returns: the vector size this store was created with."""
        return self._dimension

    @property
    def _where(self) -> str:
        return self.url or str(self.path or self.location)

    # -- opening -------------------------------------------------------------------------

    def _call(self, what: str, operation: Callable[[], T]) -> T:
        """Run a client call and translate its exceptions."""
        try:
            return operation()
        except ResponseHandlingException as exc:  # the server did not answer
            msg = f"Qdrant at {self._where} is unreachable ({what}): {exc}"
            raise BackendUnavailable(msg) from exc
        except UnexpectedResponse as exc:
            if exc.status_code in (401, 403):
                msg = f"Qdrant at {self._where} refused the API key ({what})"
                raise BackendUnavailable(msg) from exc
            msg = f"Qdrant at {self._where}: {what} failed: {exc}"
            raise BackendError(msg) from exc
        except (RuntimeError, ValueError, OSError) as exc:  # local mode
            if "already accessed" in str(exc):
                msg = (
                    f"vector index at {self._where} is open in another process "
                    "(qdrant-client local mode has one owner); stop it or use a Qdrant server"
                )
                raise BackendUnavailable(msg) from exc
            if "dim" in str(exc).lower():
                raise IndexMismatch(str(exc)) from exc
            msg = f"Qdrant at {self._where}: {what} failed: {exc}"
            raise BackendError(msg) from exc

    def _client_for(self) -> QdrantClient:
        if self._closed:
            msg = "QdrantVectorStore is closed"
            raise BackendError(msg)
        if self._client is None:
            key = self.api_key.resolve_value() if self.api_key is not None else None

            def connect() -> QdrantClient:
                if self.url is not None:
                    # the version check is an extra request, and only warns when it fails
                    return QdrantClient(
                        url=self.url, api_key=key, timeout=self.timeout, check_compatibility=False
                    )
                if self.path is not None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    return QdrantClient(path=str(self.path))
                return QdrantClient(location=self.location)

            self._client = self._call("connect", connect)
        return self._client

    def _open(self, *, create: bool) -> QdrantClient | None:
        client = self._client_for()
        if self._ready:
            return client
        if self._call("check", lambda: client.collection_exists(self.collection)):
            self._check_dimension(client)
        elif create:
            self._call("create", lambda: self._create(client))
        else:
            return None
        self._ready = True
        return client

    def _create(self, client: QdrantClient) -> None:
        client.create_collection(
            self.collection,
            vectors_config={
                VECTOR_NAME: models.VectorParams(
                    size=self._dimension, distance=models.Distance.COSINE
                )
            },
        )
        if self.url is None:
            return  # local mode ignores payload indexes (and warns about them)
        schemas = [(key, models.PayloadSchemaType.KEYWORD) for key in KEYWORD_FIELDS]
        schemas.append((fields.DATE, models.PayloadSchemaType.DATETIME))
        for key, schema in schemas:
            client.create_payload_index(self.collection, key, schema)

    def _check_dimension(self, client: QdrantClient) -> None:
        info = self._call("inspect", lambda: client.get_collection(self.collection))
        vectors = info.config.params.vectors
        params = vectors.get(VECTOR_NAME) if isinstance(vectors, dict) else None
        if params is None:
            msg = (
                f"Qdrant collection {self.collection!r} at {self._where} has no vector named "
                f"{VECTOR_NAME!r}; it was not built by Auskunft: use another collection"
            )
            raise IndexMismatch(msg)
        if params.size != self._dimension:
            msg = (
                f"vector index {self.collection!r} at {self._where} was built with "
                f"{params.size}-dim vectors, the embedder gives {self._dimension}: reindex "
                "with the original embedding model, or drop the collection and ingest again"
            )
            raise IndexMismatch(msg)

    # -- writing -------------------------------------------------------------------------

    def write(self, chunks: Sequence[Document]) -> None:
        """Insert or replace chunks by id (visible when this returns).

        :param chunks: chunks with ``content``, ``meta`` and ``embedding``.
        :raises IndexMismatch: when an embedding has the wrong size.
        :raises BackendUnavailable: when Qdrant cannot be reached.
        :raises BackendError: when a chunk has no embedding or the write fails.
        """
        if not chunks:
            return
        latest = {chunk.id: chunk for chunk in chunks}  # the last of duplicate ids wins
        points = [
            models.PointStruct(
                id=point_id(chunk.id),
                vector={VECTOR_NAME: chunk_vector(chunk, self._dimension)},
                payload=payload(chunk),
            )
            for chunk in latest.values()
        ]
        client = self._open(create=True)
        assert client is not None
        for start in range(0, len(points), _BATCH):
            batch = points[start : start + _BATCH]
            self._call("write", lambda b=batch: client.upsert(self.collection, b, wait=True))  # type: ignore[misc]

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        """Remove every chunk of these documents; unknown ids are ignored.

        :raises BackendUnavailable: when Qdrant cannot be reached.
        """
        if not doc_ids:
            return
        client = self._open(create=False)
        if client is None:
            return
        selector = models.FilterSelector(
            filter=models.Filter(
                must=[
                    models.FieldCondition(
                        key=fields.DOC_ID, match=models.MatchAny(any=list(doc_ids))
                    )
                ]
            )
        )
        self._call("delete", lambda: client.delete(self.collection, selector, wait=True))

    def commit(self) -> None:
        """Nothing to do: every write already waited for Qdrant."""

    def close(self) -> None:
        """Close the client (and release local mode's lock)."""
        if self._client is not None:
            client, self._client = self._client, None
            self._call("close", client.close)
        self._closed = True

    # -- reading -------------------------------------------------------------------------

    def search(
        self,
        embedding: Sequence[float],
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
    ) -> list[ScoredChunk]:
        """Find the chunks closest to ``embedding`` by cosine similarity.

        :param embedding: the query vector.
        :param filters: restrictions.
        :param top_k: the maximum number of hits.
        :returns: hits, best first; scores are cosine similarities.
        :raises IndexMismatch: when ``embedding`` has the wrong size.
        :raises BackendError: when the search fails.
        """
        check_query_dimension(embedding, self._dimension)
        client = self._open(create=False)
        if client is None or top_k < 1 or matches_nothing(filters):
            return []
        vector = [float(v) for v in embedding]
        response = self._call(
            "search",
            lambda: client.query_points(
                self.collection,
                query=vector,
                using=VECTOR_NAME,
                query_filter=qdrant_filter(filters),
                limit=top_k,
                with_payload=True,
            ),
        )
        return [
            ScoredChunk(document=document_from_payload(point.payload or {}), score=point.score)
            for point in response.points
        ]

    def count(self, filters: SearchFilters | None = None) -> int:
        """:returns: the number of chunks matching the filters."""
        client = self._open(create=False)
        if client is None or matches_nothing(filters):
            return 0
        result = self._call(
            "count",
            lambda: client.count(self.collection, count_filter=qdrant_filter(filters), exact=True),
        )
        return result.count

    def doc_ids(self) -> set[str]:
        """:returns: every ``doc_id`` with at least one chunk."""
        client = self._open(create=False)
        if client is None:
            return set()
        found: set[str] = set()
        offset: Any = None
        while True:
            records, offset = self._call(
                "scroll",
                lambda o=offset: client.scroll(  # type: ignore[misc]
                    self.collection, limit=_PAGE, offset=o, with_payload=[fields.DOC_ID]
                ),
            )
            found.update(str(r.payload[fields.DOC_ID]) for r in records if r.payload)
            if offset is None:
                return found

    def iter_chunks(
        self, filters: SearchFilters | None = None, batch_size: int = 256
    ) -> Iterator[list[Document]]:
        """Every chunk with its embedding, in batches (to copy or compare indexes).

        :param filters: restrictions (e.g. ``doc_ids`` to read whole documents).
        :param batch_size: chunks per batch.
        :returns: batches of chunks, in point id order.
        """
        client = self._open(create=False)
        if client is None or matches_nothing(filters):
            return
        offset: Any = None
        while True:
            records, offset = self._call(
                "scroll",
                lambda o=offset: client.scroll(  # type: ignore[misc]
                    self.collection,
                    scroll_filter=qdrant_filter(filters),
                    limit=batch_size,
                    offset=o,
                    with_payload=True,
                    with_vectors=[VECTOR_NAME],
                ),
            )
            batch = []
            for record in records:
                vector = record.vector
                dense = vector.get(VECTOR_NAME) if isinstance(vector, dict) else vector
                embedding = [float(v) for v in dense] if dense is not None else None  # type: ignore[arg-type]
                batch.append(
                    dataclasses.replace(
                        document_from_payload(record.payload or {}), embedding=embedding
                    )
                )
            if batch:
                yield batch
            if offset is None:
                return


def qdrant_filter(filters: SearchFilters | None) -> models.Filter | None:
    """Translate filters into a Qdrant filter (every condition must hold).

    :param filters: the filters.
    :returns: the filter, or ``None`` for no restriction.
    """
    if filters is None:
        return None
    conditions: list[models.Condition] = []
    for key, values in keyword_filters(filters):
        conditions.append(models.FieldCondition(key=key, match=models.MatchAny(any=values)))
    if filters.has_date_range:
        conditions.append(
            models.FieldCondition(
                key=fields.DATE,
                range=models.DatetimeRange(gte=_day(filters.date_from), lte=_day(filters.date_to)),
            )
        )
    return models.Filter(must=conditions) if conditions else None


def _day(value: date | None) -> date | None:
    return as_date(value) if value is not None else None
