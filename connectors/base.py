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
    """A source of documents."""

    name: str

    def list(self) -> Iterator[SourceRef]:
        """:returns: every document the source currently has."""
        ...

    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the document's bytes and metadata.

        :raises OSError: when it cannot be read.
        """
        ...
