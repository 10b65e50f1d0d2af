"""The embedded vector store: a qdrant-edge shard (the Qdrant engine in-process)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import qdrant_edge as edge
from haystack import Document

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
"""Name of the dense vector; a sparse one can be added next to it later."""

KEYWORD_FIELDS: Final = (fields.DOC_ID, fields.SOURCE, fields.DOC_TYPE, fields.ACCESS_GROUPS)
_CONFIG_FILE: Final = "edge_config.json"

T = TypeVar("T")


class EdgeVectorStore(VectorStore):
    """Cosine nearest-neighbour search over a qdrant-edge shard in a local directory.

    One process at a time may open a shard, for reading too: a second one gets
    :class:`BackendUnavailable`. The shard is opened on first use and held until
    :meth:`close`. Writes are visible to searches at once and durable (write-ahead log)
    before :meth:`commit`, which flushes them into the segments.

    After a large bulk write, call :meth:`optimize` once: it builds the HNSW graph, which
    makes searches much faster on large shards (100k × 384 dims: 3 min, p50 6.4 → 0.36 ms;
    10k: 2 s, 0.8 → 0.6 ms). Below a few thousand points it does not matter.

    :param path: directory of the shard; created on the first write.
    :param dimension: size of the embedding vectors.
    :raises ValueError: when ``dimension`` is not positive.
    """

    def __init__(self, path: Path, dimension: int) -> None:
        if dimension < 1:
            msg = f"dimension must be positive, got {dimension}"
            raise ValueError(msg)
        self.path = Path(path)
        self._dimension = dimension
        self._shard: edge.EdgeShard | None = None
        self._closed = False

    @property
    def dimension(self) -> int:
        """:returns: the vector size this store was created with."""
        return self._dimension

    # -- opening -------------------------------------------------------------------------

    def _config(self) -> edge.EdgeConfig:
        return edge.EdgeConfig(
            vectors={
                VECTOR_NAME: edge.EdgeVectorParams(
                    size=self._dimension, distance=edge.Distance.Cosine
                )
            }
        )

    def _exists(self) -> bool:
        return (self.path / _CONFIG_FILE).exists() or (self.path / "segments").exists()

    def _open(self, *, create: bool) -> edge.EdgeShard | None:
        if self._closed:
            msg = "EdgeVectorStore is closed"
            raise BackendError(msg)
        if self._shard is not None:
            return self._shard
        if self._exists():
            self._check_dimension()
            shard = self._call("open", lambda: edge.EdgeShard.load(str(self.path)))
        elif create:
            self.path.mkdir(parents=True, exist_ok=True)
            shard = self._call("create", self._create)
        else:
            return None
        self._shard = shard
        return shard

    def _create(self) -> edge.EdgeShard:
        shard = edge.EdgeShard.create(str(self.path), self._config())
        schemas = [(key, edge.PayloadSchemaType.Keyword) for key in KEYWORD_FIELDS]
        schemas.append((fields.DATE, edge.PayloadSchemaType.Datetime))
        for key, schema in schemas:
            shard.update(edge.UpdateOperation.create_field_index(key, schema))
        return shard

    def _check_dimension(self) -> None:
        try:
            config = json.loads((self.path / _CONFIG_FILE).read_text())
            built = int(config["vectors"][VECTOR_NAME]["size"])
        except (OSError, ValueError, KeyError, TypeError):
            return  # unreadable: qdrant-edge checks again when it loads the segments
        if built != self._dimension:
            raise IndexMismatch(self._mismatch(built))

    def _mismatch(self, built: int) -> str:
        return (
            f"vector index at {self.path} was built with {built}-dim vectors, the embedder "
            f"gives {self._dimension}: reindex with the original embedding model, or delete "
            "the index directory and ingest again"
        )

    def _call(self, what: str, operation: Callable[[], T]) -> T:
        """Run a qdrant-edge call; its exceptions are plain ``Exception`` with a message."""
        try:
            return operation()
        except Exception as exc:  # qdrant-edge raises nothing narrower: translated here
            text = str(exc)
            if "WouldBlock" in text or "already in use" in text:
                msg = (
                    f"vector index at {self.path} is open in another process "
                    "(a qdrant-edge shard has one owner); stop that process or wait for it"
                )
                raise BackendUnavailable(msg) from exc
            if "dimension error" in text or "vector size" in text:
                msg = f"vector index at {self.path}: {text}"
                raise IndexMismatch(msg) from exc
            msg = f"vector index at {self.path}: {what} failed: {text}"
            raise BackendError(msg) from exc

    # -- writing -------------------------------------------------------------------------

    def write(self, chunks: Sequence[Document]) -> None:
        """Insert or replace chunks by id (visible at once, flushed by :meth:`commit`).

        :param chunks: chunks with ``content``, ``meta`` and ``embedding``.
        :raises IndexMismatch: when an embedding has the wrong size.
        :raises BackendUnavailable: when another process holds the shard.
        :raises BackendError: when a chunk has no embedding or the write fails.
        """
        if not chunks:
            return
        latest = {chunk.id: chunk for chunk in chunks}  # the last of duplicate ids wins
        points = [
            edge.Point(
                id=point_id(chunk.id),
                vector={VECTOR_NAME: chunk_vector(chunk, self._dimension)},
                payload=payload(chunk),
            )
            for chunk in latest.values()
        ]
        shard = self._open(create=True)
        assert shard is not None
        self._call("write", lambda: shard.update(edge.UpdateOperation.upsert_points(points)))

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        """Remove every chunk of these documents; unknown ids are ignored.

        :raises BackendUnavailable: when another process holds the shard.
        """
        if not doc_ids:
            return
        shard = self._open(create=False)
        if shard is None:
            return
        condition = edge.FieldCondition(key=fields.DOC_ID, match=edge.MatchAny(list(doc_ids)))
        operation = edge.UpdateOperation.delete_points_by_filter(edge.Filter(must=[condition]))
        self._call("delete", lambda: shard.update(operation))

    def commit(self) -> None:
        """Flush writes and deletes into the segments."""
        if self._shard is not None:
            shard = self._shard
            self._call("flush", shard.flush)

    def optimize(self) -> bool:
        """Merge segments and build the HNSW graph; blocks until done.

        :returns: whether anything was optimised.
        :raises BackendError: when qdrant-edge fails.
        """
        shard = self._open(create=False)
        if shard is None:
            return False
        return self._call("optimize", shard.optimize)

    def close(self) -> None:
        """Release the shard (its lock and memory); writes survive in the log."""
        if self._shard is not None:
            shard, self._shard = self._shard, None
            self._call("close", shard.close)
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
        shard = self._open(create=False)
        if shard is None or top_k < 1 or matches_nothing(filters):
            return []
        request = edge.QueryRequest(
            limit=top_k,
            query=edge.Query.Nearest([float(v) for v in embedding], using=VECTOR_NAME),
            filter=edge_filter(filters),
            with_payload=True,
            with_vector=False,
        )
        points = self._call("search", lambda: shard.query(request))
        return [
            ScoredChunk(document=document_from_payload(point.payload or {}), score=point.score)
            for point in points
        ]

    def count(self, filters: SearchFilters | None = None) -> int:
        """:returns: the number of chunks matching the filters."""
        shard = self._open(create=False)
        if shard is None or matches_nothing(filters):
            return 0
        request = edge.CountRequest(exact=True, filter=edge_filter(filters))
        return self._call("count", lambda: shard.count(request))

    def doc_ids(self) -> set[str]:
        """:returns: every ``doc_id`` with at least one chunk."""
        shard = self._open(create=False)
        if shard is None:
            return set()
        total = self.count()
        if total == 0:
            return set()
        request = edge.FacetRequest(key=fields.DOC_ID, limit=total, exact=True)
        response = self._call("facet", lambda: shard.facet(request))
        # an exact facet also lists deleted values, with a count of 0
        return {str(hit.value) for hit in response.hits if hit.count > 0}

    def iter_chunks(
        self, filters: SearchFilters | None = None, batch_size: int = 256
    ) -> Iterator[list[Document]]:
        """Every chunk with its embedding, in batches (for copying the index to a server).

        :param filters: restrictions (e.g. ``doc_ids`` to read whole documents).
        :param batch_size: chunks per batch.
        :returns: batches of chunks, in point id order.
        """
        shard = self._open(create=False)
        if shard is None or matches_nothing(filters):
            return
        offset: edge.PointId | None = None
        while True:
            request = edge.ScrollRequest(
                offset=offset,
                limit=batch_size,
                filter=edge_filter(filters),
                with_payload=True,
                with_vector=True,
            )
            records, offset = self._call("scroll", lambda r=request: shard.scroll(r))  # type: ignore[misc]
            batch = [_with_vector(record.payload or {}, record.vector) for record in records]
            if batch:
                yield batch
            if offset is None:
                return


def _with_vector(body: dict[str, Any], vector: Any) -> Document:
    """:returns: the stored chunk with its dense vector."""
    dense = vector.get(VECTOR_NAME) if isinstance(vector, dict) else vector
    embedding = [float(value) for value in dense] if dense is not None else None
    return dataclasses.replace(document_from_payload(body), embedding=embedding)


def edge_filter(filters: SearchFilters | None) -> edge.Filter | None:
    """Translate filters into a qdrant-edge filter (every condition must hold).

    :param filters: the filters.
    :returns: the filter, or ``None`` for no restriction.
    """
    if filters is None:
        return None
    conditions: list[edge.FieldCondition] = []
    for key, values in keyword_filters(filters):
        conditions.append(edge.FieldCondition(key=key, match=edge.MatchAny(values)))
    if filters.has_date_range:
        conditions.append(
            edge.FieldCondition(
                key=fields.DATE,
                range=edge.RangeDateTime(
                    gte=as_date(filters.date_from).isoformat() if filters.date_from else None,
                    lte=as_date(filters.date_to).isoformat() if filters.date_to else None,
                ),
            )
        )
    return edge.Filter(must=list(conditions)) if conditions else None
