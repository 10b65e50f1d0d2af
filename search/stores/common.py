"""Helpers every store implementation shares: ids, dates, payloads and empty filters."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from haystack import Document

from search.core import fields
from search.core.errors import BackendError, IndexMismatch
from search.filters import SearchFilters

POINT_ID_NAMESPACE: Final = uuid.UUID("6f1b2c4e-3d0a-5b8e-9c7f-a1d2e3f40516")
"""Namespace of the uuid5 point ids derived from chunk ids; never change it."""

CONTENT: Final = "content"
META: Final = "meta"


def point_id(chunk_id: str) -> str:
    """:returns: the UUID a vector store uses for a chunk (Qdrant needs UUIDs or integers)."""
    return str(uuid.uuid5(POINT_ID_NAMESPACE, chunk_id))


def chunk_date(meta: Mapping[str, Any]) -> date | None:
    """Read the chunk's date for date filters.

    :param meta: the chunk's meta.
    :returns: the date, or ``None`` when missing or not an ISO date (the chunk is then
        excluded by every date filter but otherwise searchable).
    """
    value = meta.get(fields.DATE)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def access_groups(meta: Mapping[str, Any]) -> list[str]:
    """:returns: the chunk's access groups as a list of strings (a single string is allowed)."""
    value = meta.get(fields.ACCESS_GROUPS)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(group) for group in value]


def json_meta(document: Document) -> dict[str, Any]:
    """Make the meta JSON-safe (dates become ISO strings).

    :param document: the chunk.
    :returns: a copy of its meta that ``json.dumps`` accepts.
    :raises BackendError: when a value cannot be stored as JSON.
    """

    def convert(value: Any) -> Any:
        if isinstance(value, date | datetime):
            return value.isoformat()
        msg = f"meta of chunk {document.id} has a value that is not JSON: {value!r}"
        raise BackendError(msg)

    return dict(json.loads(json.dumps(document.meta, default=convert)))


def payload(document: Document) -> dict[str, Any]:
    """Build the stored form of a chunk for vector stores and Elasticsearch.

    :param document: the chunk.
    :returns: ``chunk_id``, ``content``, ``meta`` and the filterable fields at top level.
    :raises BackendError: when the meta cannot be stored as JSON.
    """
    meta = json_meta(document)
    body: dict[str, Any] = {
        fields.CHUNK_ID: document.id,
        CONTENT: document.content or "",
        META: meta,
        fields.TITLE: str(meta.get(fields.TITLE) or ""),
        fields.ACCESS_GROUPS: access_groups(meta),
    }
    for key in (fields.DOC_ID, fields.SOURCE, fields.DOC_TYPE):
        if meta.get(key) is not None:
            body[key] = str(meta[key])
    day = chunk_date(meta)
    if day is not None:
        body[fields.DATE] = day.isoformat()
    return body


def document_from_payload(body: Mapping[str, Any]) -> Document:
    """:returns: the chunk stored by :func:`payload` (without embedding)."""
    return Document(
        id=str(body[fields.CHUNK_ID]),
        content=body.get(CONTENT, ""),
        meta=dict(body.get(META) or {}),
    )


def matches_nothing(filters: SearchFilters | None) -> bool:
    """:returns: whether a filter list is empty, so no chunk can match (e.g. no groups)."""
    if filters is None:
        return False
    lists = (
        filters.sources,
        filters.doc_types,
        filters.access_groups,
        filters.doc_ids,
    )
    if any(values is not None and len(values) == 0 for values in lists):
        return True
    return (
        filters.date_from is not None
        and filters.date_to is not None
        and filters.date_from > filters.date_to
    )


def as_date(value: date) -> date:
    """:returns: the day of a date or datetime bound."""
    return value.date() if isinstance(value, datetime) else value


def check_query_dimension(embedding: Sequence[float], dimension: int) -> None:
    """:raises IndexMismatch: when a query vector does not fit the index."""
    if len(embedding) != dimension:
        msg = (
            f"query vector has {len(embedding)} dimensions, the vector index "
            f"{dimension}: embed queries with the model that built the index"
        )
        raise IndexMismatch(msg)


def keyword_filters(filters: SearchFilters) -> list[tuple[str, list[str]]]:
    """The set any-of filters as ``(payload key, allowed values)``, for every backend.

    :param filters: the filters.
    :returns: one pair per restricted keyword field (source, type, access groups, doc ids).
    """
    pairs = (
        (fields.SOURCE, filters.sources),
        (fields.DOC_TYPE, filters.doc_types),
        (fields.ACCESS_GROUPS, filters.access_groups),
        (fields.DOC_ID, filters.doc_ids),
    )
    return [(key, list(values)) for key, values in pairs if values is not None]


def chunk_vector(chunk: Document, dimension: int) -> list[float]:
    """:returns: the chunk's embedding as floats.

    :raises BackendError: when the chunk has no embedding.
    :raises IndexMismatch: when it has the wrong size.
    """
    if chunk.embedding is None:
        msg = f"chunk {chunk.id} has no embedding"
        raise BackendError(msg)
    if len(chunk.embedding) != dimension:
        msg = (
            f"chunk {chunk.id} has a {len(chunk.embedding)}-dim embedding, but the vector "
            f"index holds {dimension}-dim vectors"
        )
        raise IndexMismatch(msg)
    return [float(value) for value in chunk.embedding]


LEVEL: Final = "level"
"""Keyword-store field telling chunk records from whole-document records."""
CHUNK_LEVEL: Final = "chunk"
DOCUMENT_LEVEL: Final = "document"


def whole_documents(chunks: Sequence[Document]) -> list[Document]:
    """The whole-document records of the documents these chunks belong to.

    :param chunks: all chunks of one or more documents (see :mod:`search.stores.base`).
    :returns: one Document per ``doc_id``: ``id`` is the doc id (chunk ids always have a
        ``:NNNN`` suffix, so they never collide), ``content`` the title and the chunks'
        text in document order, ``meta`` the first chunk's (filter fields and access groups
        are the same for every chunk of a document) without the title: in a whole
        document the title is one line of the text, not a boosted field of its own, which
        would rank documents by their title words (measured: README).
    """
    by_doc: dict[str, list[Document]] = {}
    for chunk in chunks:
        by_doc.setdefault(str(chunk.meta[fields.DOC_ID]), []).append(chunk)
    records = []
    for doc_id, parts in by_doc.items():
        parts.sort(key=lambda chunk: chunk.meta.get(fields.CHUNK_INDEX) or 0)
        meta = dict(parts[0].meta)
        title = str(meta.pop(fields.TITLE, None) or "")
        texts = [title, *(part.content or "" for part in parts)]
        records.append(
            Document(id=doc_id, content="\n".join(text for text in texts if text), meta=meta)
        )
    return records


def chunk_order(chunk: Document) -> tuple[int, str]:
    """:returns: a sort key that puts a document's chunks in document order."""
    index = chunk.meta.get(fields.CHUNK_INDEX)
    return (index if isinstance(index, int) else 1 << 30, chunk.id)
