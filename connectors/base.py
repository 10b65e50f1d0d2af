"""What every connector yields: a reference to list, a document to fetch."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

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


Skipped = dict[str, str]
"""An object a source has but its connector could not turn into a document (a garbage JSON
object, a 500 for one page): ``{"uri", "reason", "error"}``; reported, the others go on."""


@dataclass(frozen=True, slots=True)
class Listing:
    """What a connector knows once its ``list()`` is exhausted; see :meth:`Connector.listing`.

    :param scope: the URI prefix that this listing covered *completely*: a document of the
        source under it that was not listed has been deleted. ``None``: the listing was
        partial (incremental, limited, or it had to skip objects), so nothing is deleted
        for being unlisted.
    :param skipped: objects the source has but the connector could not read.
    :param removed: URIs the source itself reports as deleted (e.g. OParl ``deleted``).
    """

    scope: str | None = None
    skipped: tuple[Skipped, ...] = ()
    removed: tuple[str, ...] = ()


class Connector(ABC):
    """A source of documents.

    A connector lists references (:meth:`list`) and fetches bytes (:meth:`fetch`). What
    else it can do is part of its type: each capability is a method with a neutral
    default, overridden by the connectors that have it, so the ingestion asks every
    connector the same questions and never probes for attributes:

    - **complete listing and removals** — :meth:`listing`: the scope a listing covered
      completely, what it skipped, what the source reported deleted (default: a partial
      listing that skipped and removed nothing);
    - **incremental sync with a cursor** — :meth:`state`: what the next sync needs, stored
      after a successful sync and handed back to the connector's constructor (default:
      nothing, every sync lists everything);
    - **connection check** — :meth:`check` (default: list everything and count).

    Connectors raise ``OSError`` (the source cannot be reached or read) and
    ``ValueError`` (it answers, but not as this kind of source); the ingestion translates
    them once (``ingest.sync.rules``).

    A :class:`SourceRef`'s ``version`` that equals the one recorded at the last successful
    ingestion means "unchanged": the document is not fetched again.

    Source metadata in :attr:`SourceDocument.metadata` overrides what the parser infers;
    ``access_groups`` there overrides the source's groups for that one document (e.g. a
    non-public agenda item).
    """

    name: str

    @abstractmethod
    def list(self) -> Iterator[SourceRef]:
        """:returns: every document the source currently has (or, incrementally, every
        document that changed since the cursor).

        :raises OSError: when the source cannot be listed.
        :raises ValueError: when it answers, but not as this kind of source.
        """

    @abstractmethod
    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the document's bytes and metadata.

        :raises OSError: when it cannot be read.
        """

    def listing(self) -> Listing:
        """:returns: what the last exhausted :meth:`list` covered, skipped and saw removed."""
        return Listing()

    def state(self) -> dict[str, Any]:
        """:returns: what the next sync needs (cursor, ETags), JSON-serialisable."""
        return {}

    def check(self) -> str:
        """Test the connection.

        :returns: a short description of what was found.
        :raises OSError: when the source cannot be reached.
        :raises ValueError: when it answers, but not as this kind of source.
        """
        return f"{sum(1 for _ in self.list())} documents"
