"""What every connector yields: a reference to list, a document to fetch."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

PLAIN_TEXT: Final = "plain_text"
"""Metadata flag of a :class:`SourceDocument` whose ``content`` is UTF-8 text with
paragraphs (already extracted by its source), not a file to parse."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A document a connector has seen, before its bytes are read.

    :param uri: where the original lives (``file:///…``, ``https://…``); unique per source.
    :param size: size in bytes, if known without reading it.
    :param version: a cheap change marker (mtime, ETag), if the source has one.
    """

    uri: str
    size: int | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """The bytes of one document and what its source knows about it.

    :param uri: as in :class:`SourceRef`.
    :param filename: the file name, used to detect the format.
    :param content: the raw bytes.
    :param metadata: source metadata (title, date, doc_type, reference, access_groups, …).
    """

    uri: str
    filename: str
    content: bytes
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """:returns: SHA-256 hex digest of the bytes."""
        return hashlib.sha256(self.content).hexdigest()


class Connector(Protocol):
    """A source of documents.

    Besides ``name``, ``list`` and ``fetch``, a connector may offer these members, which
    the ingestion looks up with ``getattr`` (see :class:`SyncingConnector`):

    - ``scope``: the URI prefix that a *complete* listing covers; a document of the source
      under it that is no longer listed was deleted. ``None`` (or absent) means the listing
      is partial (an incremental sync lists only what changed), so nothing is deleted for
      being unlisted. It is read again after ``list()`` is exhausted: a connector that had
      to skip objects of a full listing sets it to ``None`` then.
    - ``removed()``: URIs the source reports as deleted (e.g. OParl ``deleted: true``),
      asked after ``list()`` is exhausted.
    - ``skipped``: objects the connector could not turn into a document at all (garbage
      JSON, a 500 for one object), each ``{"uri", "reason", "error"}``; they are reported,
      the others are ingested.
    - ``state()``: what to remember for the next sync (a ``modified_since`` cursor, ETags);
      stored after a successful sync and passed back to the connector's constructor.
    - ``check()``: test the connection; returns a short description of what was found,
      raises ``OSError`` or ``ValueError`` with a readable message otherwise.

    A :class:`SourceRef`'s ``version`` that equals the one recorded at the last successful
    ingestion means "unchanged": the document is not fetched again.

    Source metadata in :attr:`SourceDocument.metadata` overrides what the parser infers;
    ``access_groups`` there overrides the source's groups for that one document (e.g. a
    non-public agenda item).
    """

    name: str

    def list(self) -> Iterator[SourceRef]:
        """:returns: every document the source currently has."""
        ...

    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the document's bytes and metadata.

        :raises OSError: when it cannot be read.
        """
        ...


class SyncingConnector(Connector, Protocol):
    """A connector that syncs incrementally and remembers where it stopped."""

    @property
    def scope(self) -> str | None:
        """:returns: URI prefix of a complete listing, ``None`` for a partial one."""
        ...

    skipped: list[dict[str, str]]

    def removed(self) -> Iterator[str]:
        """:returns: URIs deleted at the source since the last sync."""
        ...

    def state(self) -> dict[str, Any]:
        """:returns: what the next sync needs (cursor, ETags), JSON-serialisable."""
        ...

    def check(self) -> str:
        """:returns: a short description of the source (connection test).

        :raises OSError: when it cannot be reached.
        :raises ValueError: when it answers, but not as this kind of source.
        """
        ...
