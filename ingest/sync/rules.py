"""The one rule for syncing a source: what to fetch, what to delete, what was skipped.

Every path that brings the index in line with a source uses a :class:`SourceSync`: the
direct run (:meth:`ingest.sync.runner.IngestRunner.run`, used by ``auskunft ingest``, the
service's writer and the registry's sync and retry) and a queue worker's sync job
(:meth:`ingest.sync.worker.QueueWorker.sync_source`), which hands the documents to fetch to
document jobs. So the decisions below are made once:

- **fetch** a listed document unless the catalog holds it with the same change marker
  (``SourceRef.version``) and it is settled (indexed, or failed and not retried);
- **delete** a document when the connector's listing covered its URI completely
  (:attr:`connectors.base.Listing.scope`) and did not list it, or when the source reports
  it removed; never because a complete listing came back *empty* while the catalog holds
  documents under its scope (an unmounted share, a server that lost its list): those are
  kept and the listing is reported as skipped (``empty-listing``);
- **skip** and report what the connector could not read (:attr:`Listing.skipped`).

Connector errors are translated here, once, into the tree of :mod:`search.core.errors`:
``OSError`` becomes :class:`~search.core.errors.SourceUnavailable`, ``ValueError``
:class:`~search.core.errors.SourceInvalid`. A failed listing deletes nothing and leaves the
cursor where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from connectors.base import Connector, Skipped, SourceRef
from ingest.catalog import Catalog, CatalogEntry, make_doc_id
from ingest.relations.linking import ANALYSIS_VERSION
from search.core.errors import AuskunftError, SourceInvalid, SourceUnavailable

T = TypeVar("T")

EMPTY_LISTING = "empty-listing"
"""Reason of the skipped entry a complete listing without documents leaves in a report."""


@contextmanager
def source_errors(name: str) -> Iterator[None]:
    """Translate a connector's errors into :class:`~search.core.errors.SourceError`.

    :param name: the source, named in the message.
    :raises SourceUnavailable: for an ``OSError`` (unreachable, unreadable, timeout).
    :raises SourceInvalid: for a ``ValueError`` (not this kind of source).
    """
    try:
        yield
    except AuskunftError:
        raise
    except OSError as exc:
        msg = f"{name}: {exc}"
        raise SourceUnavailable(msg) from exc
    except ValueError as exc:
        msg = f"{name}: {exc}"
        raise SourceInvalid(msg) from exc


def call_source(name: str, action: Callable[[], T]) -> T:
    """:returns: ``action()``, with the connector's errors translated (:func:`source_errors`)."""
    with source_errors(name):
        return action()


def analysed(entry: CatalogEntry) -> bool:
    """:returns: whether the entry's analysis is of the current version."""
    return int((entry.analysis or {}).get("version") or 0) >= ANALYSIS_VERSION


def is_current(previous: CatalogEntry | None, version: str | None, retry_failed: bool) -> bool:
    """:returns: whether the catalog holds this version of a document, settled: no need to
    fetch it (its change marker is the one of the last ingestion, and it is indexed, or
    failed and ``retry_failed`` is off)."""
    if previous is None or version is None or previous.content_hash is None:
        return False
    return previous.version == version and is_settled(previous, retry_failed)


def is_settled(previous: CatalogEntry, retry_failed: bool) -> bool:
    """:returns: whether a document's last ingestion stands: indexed (and its text
    analysed by the current :data:`~ingest.relations.linking.ANALYSIS_VERSION`: a document
    indexed before is read again once, so its links are found), or failed for good."""
    if previous.status == "indexed":
        return analysed(previous)
    return previous.status == "failed" and not retry_failed


@dataclass(frozen=True, slots=True)
class Departures:
    """What a finished listing means for the catalog.

    :param gone: documents to remove: they left the source.
    :param skipped: what the source had but did not deliver, and listings not trusted to
        delete anything (``uri``, ``reason``, ``error``), for the sync's report.
    """

    gone: list[CatalogEntry]
    skipped: list[Skipped]


class SourceSync:
    """One sync of one source against the catalog.

    Iterate :meth:`refs` (the listing, errors translated, every URI remembered), ask
    :meth:`needs_fetch` for each, and once the listing is exhausted ask :meth:`departures`
    what left the source.

    :param catalog: the catalog.
    :param connector: the source's connector.
    :param retry_failed: fetch documents again that failed with the same version.
    """

    def __init__(
        self, catalog: Catalog, connector: Connector, *, retry_failed: bool = False
    ) -> None:
        self.catalog = catalog
        self.connector = connector
        self.retry_failed = retry_failed
        self.seen: set[str] = set()
        self._exhausted = False

    def refs(self) -> Iterator[SourceRef]:
        """:returns: the connector's listing.

        :raises SourceError: when the source cannot be listed (nothing is deleted then).
        """
        with source_errors(self.connector.name):
            for ref in self.connector.list():
                self.seen.add(ref.uri)
                yield ref
        self._exhausted = True

    def needs_fetch(self, ref: SourceRef) -> bool:
        """:returns: whether a listed document must be fetched (see :func:`is_current`)."""
        previous = self.catalog.get(make_doc_id(self.connector.name, ref.uri))
        return not is_current(previous, ref.version, self.retry_failed)

    def departures(self) -> Departures:
        """Decide which documents have left the source; see the module's rules.

        :returns: the documents gone and what was skipped.
        :raises RuntimeError: when the listing was not exhausted (a bug of the caller).
        """
        if not self._exhausted:
            msg = "departures() before the listing was exhausted would delete the unlisted"
            raise RuntimeError(msg)
        name = self.connector.name
        listing = self.connector.listing()
        skipped = [dict(item) for item in listing.skipped]
        scope = listing.scope
        if scope is not None and not self.seen:
            kept = sum(1 for e in self.catalog.entries(source=name) if e.uri.startswith(scope))
            if kept:  # an unmounted share, a list the server lost: not a source emptied
                scope = None
                error = f"the source listed nothing; its {kept} documents are kept"
                skipped.append({"uri": name, "reason": EMPTY_LISTING, "error": error})
        gone: dict[str, CatalogEntry] = {}
        if scope is not None:
            for entry in self.catalog.entries(source=name):
                if entry.uri.startswith(scope) and entry.uri not in self.seen:
                    gone[entry.doc_id] = entry
        for uri in listing.removed:
            reported = self.catalog.get(make_doc_id(name, uri))
            if reported is not None:
                gone.setdefault(reported.doc_id, reported)
        return Departures(gone=list(gone.values()), skipped=skipped)
