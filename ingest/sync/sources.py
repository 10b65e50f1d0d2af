"""The source registry: which sources the admin configured, and what their last sync did.

Sources live in a ``sources`` table of the catalog database, so the registry and the
documents it produced are backed up, moved and deleted together. Each source has a
``kind`` (:mod:`ingest.sync.kinds`: folder, OParl, website, law XML), which says how its
location is checked and how its connector is built. Sources can also be defined in the
settings file (``[[sources]]``); :meth:`SourceRegistry.apply_config` brings those into the
registry, marked ``origin="config"`` so the admin interface shows them read-only.

Incremental connectors keep a ``state`` (a ``modified_since`` cursor, ETags) that is
stored after each successful sync and handed back for the next one.

A sync goes through :class:`ingest.sync.indexer.Indexer`, so it is incremental and crash-safe
like ``auskunft ingest``. Removing a source removes its documents from both indexes and
the catalog.
"""

from __future__ import annotations

import builtins
import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field

from connectors.base import Connector, SourceDocument, SourceRef
from ingest.catalog import Catalog
from ingest.sync.indexer import Indexer
from ingest.sync.kinds import KINDS
from ingest.sync.rules import call_source
from ingest.sync.runner import IngestReport, ProgressCallback
from search.core.errors import AuskunftError, ConfigurationError
from search.core.fields import DOC_TYPES
from search.core.settings import EDITABLE_SOURCE_FIELDS, Settings, SourceEntry

SOURCE_KINDS: tuple[str, ...] = tuple(KINDS)
"""Kinds of source that can be synced."""
logger = logging.getLogger(__name__)

ORIGINS: tuple[str, ...] = ("admin", "config")

_NAME = re.compile(r"^\w[\w .-]{0,79}$")
# what a change of these fields means for documents already indexed: they carry the old
# values (access groups, type) or lie outside the new location, so they are rebuilt
_REINDEX_FIELDS = ("location", "access_groups", "doc_type")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    config        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    last_sync     TEXT,
    needs_reindex INTEGER NOT NULL DEFAULT 0
);
"""
# columns added after the first release: (name, SQL definition)
_ADDED_COLUMNS = (("state", "TEXT"), ("origin", "TEXT NOT NULL DEFAULT 'admin'"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean(values: Iterable[str]) -> list[str]:
    return [value.strip() for value in values if value and value.strip()]


class SourceConfig(SourceEntry):
    """One registered source: its configuration, the fields of
    :class:`~search.core.settings.SourceEntry` (one typed model for the settings file, the CLI,
    the API and the admin form), and the registry's record of it.

    The configuration: ``name`` (unique, recorded with every document), ``kind`` (one of
    :data:`SOURCE_KINDS`), ``location`` (a folder path for ``folder``, a URL for ``oparl``
    and ``website``), ``include``/``exclude`` glob patterns, ``access_groups`` (empty: the
    settings' default), ``doc_type`` (``None``: inferred), ``options`` of the kind and
    ``interval_minutes``.
    """

    model_config = ConfigDict(extra="forbid")

    origin: str = "admin"
    """``admin`` (added in the interface or CLI) or ``config`` (the settings file, read-only
    in the interface)."""
    created_at: str = ""
    updated_at: str = ""
    last_sync: dict[str, Any] | None = None
    """``{"at", "ok", "report"}`` after a sync, ``{"at", "ok": False, "error"}`` after a failure."""
    needs_reindex: bool = False
    """A change makes the next sync rebuild the source's documents."""
    state: dict[str, Any] = Field(default_factory=dict)
    """What the connector needs for the next incremental sync (its cursor)."""

    @classmethod
    def of(cls, entry: SourceEntry, **record: Any) -> SourceConfig:
        """:returns: a source of this configuration, with these record fields."""
        return cls(**entry.model_dump(), **record)

    def validated(self) -> SourceConfig:
        """:returns: a cleaned copy (stripped, absolute folder path).

        :raises ConfigurationError: when a value is invalid or the folder does not exist.
        """
        name = self.name.strip()
        if not _NAME.match(name):
            msg = (
                f"Invalid source name {self.name!r}: use letters, digits, space, '.', '-' "
                "or '_' (at most 80 characters)"
            )
            raise ConfigurationError(msg)
        kind = KINDS.get(self.kind)
        if kind is None:
            msg = f"Unknown source kind {self.kind!r}; use one of {', '.join(SOURCE_KINDS)}"
            raise ConfigurationError(msg)
        if self.doc_type is not None and self.doc_type not in DOC_TYPES:
            msg = f"Unknown document type {self.doc_type!r}; use one of {', '.join(DOC_TYPES)}"
            raise ConfigurationError(msg)
        unknown = set(self.options) - set(kind.options)
        if unknown:
            known = ", ".join(kind.options) or "none"
            msg = f"Unknown option(s) {', '.join(sorted(unknown))} for {self.kind}; known: {known}"
            raise ConfigurationError(msg)
        if self.interval_minutes is not None and self.interval_minutes < 1:
            msg = f"The sync interval must be at least one minute, not {self.interval_minutes}"
            raise ConfigurationError(msg)
        if self.origin not in ORIGINS:
            msg = f"Unknown origin {self.origin!r}"
            raise ConfigurationError(msg)
        return self.model_copy(
            update={
                "name": name,
                "location": kind.check_location(self.location),
                "include": _clean(self.include),
                "exclude": _clean(self.exclude),
                "access_groups": _clean(self.access_groups),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict of the whole source (its cursor excepted)."""
        return self.model_dump(exclude={"state"})

    def _config_json(self) -> str:
        return self.model_dump_json(include=set(EDITABLE_SOURCE_FIELDS))


class SourceRegistry:
    """Add, edit, remove, list and sync sources.

    :param catalog: the catalog whose database holds the registry (e.g. ``indexer.catalog``).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        db = self.catalog.conn
        if db.dialect == "postgres":  # one script under the schema lock: no race
            added = "".join(
                f"ALTER TABLE sources ADD COLUMN IF NOT EXISTS {c} {d};" for c, d in _ADDED_COLUMNS
            )
            db.script(_SCHEMA + added, "auskunft-sources")
            return
        db.script(_SCHEMA, "auskunft-sources")
        missing = [(c, d) for c, d in _ADDED_COLUMNS if c not in db.columns("sources")]
        if missing:
            # another connection (a thread of the service) may be migrating at this moment
            with self.catalog.transaction():
                present = db.columns("sources")
                for column, definition in missing:
                    if column not in present:
                        db.execute(f"ALTER TABLE sources ADD COLUMN {column} {definition}")

    # -- reading -----------------------------------------------------------------------

    @staticmethod
    def _source(row: Any) -> SourceConfig:
        config = json.loads(row["config"])
        return SourceConfig(
            name=row["name"],
            kind=row["kind"],
            **{key: value for key, value in config.items() if key in EDITABLE_SOURCE_FIELDS},
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            last_sync=json.loads(row["last_sync"]) if row["last_sync"] else None,
            needs_reindex=bool(row["needs_reindex"]),
            origin=row["origin"],
            state=json.loads(row["state"]) if row["state"] else {},
        )

    def list(self) -> list[SourceConfig]:
        """:returns: every configured source, by name."""
        rows = self.catalog.conn.execute("SELECT * FROM sources ORDER BY name")
        return [self._source(row) for row in rows]

    def get(self, name: str) -> SourceConfig | None:
        """:returns: the source of this name, if configured."""
        row = self.catalog.conn.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        return self._source(row) if row else None

    def require(self, name: str) -> SourceConfig:
        """:returns: the source of this name.

        :raises ConfigurationError: when there is none.
        """
        source = self.get(name)
        if source is None:
            msg = f"No source named {name!r}"
            raise ConfigurationError(msg)
        return source

    def unregistered_sources(self) -> builtins.list[str]:
        """:returns: sources that have documents in the catalog but no registry entry
        (e.g. ingested with ``auskunft ingest``)."""
        known = {source.name for source in self.list()}
        return sorted(set(self.catalog.counts_by_source()) - known)

    # -- writing -----------------------------------------------------------------------

    def _save(self, source: SourceConfig) -> None:
        self.catalog.conn.execute(
            "INSERT INTO sources (name, kind, config, created_at, updated_at, last_sync, "
            "needs_reindex, origin, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, config = excluded.config, "
            "created_at = excluded.created_at, updated_at = excluded.updated_at, "
            "last_sync = excluded.last_sync, needs_reindex = excluded.needs_reindex, "
            "origin = excluded.origin, state = excluded.state",
            (
                source.name,
                source.kind,
                source._config_json(),
                source.created_at,
                source.updated_at,
                json.dumps(source.last_sync, ensure_ascii=False) if source.last_sync else None,
                int(source.needs_reindex),
                source.origin,
                json.dumps(source.state, ensure_ascii=False),
            ),
        )

    def add(self, source: SourceConfig) -> SourceConfig:
        """Register a new source (nothing is ingested until :meth:`sync`).

        :returns: the stored source.
        :raises ConfigurationError: when a value is invalid or the name is taken.
        """
        clean = source.validated()
        if self.get(clean.name) is not None:
            msg = f"A source named {clean.name!r} exists already"
            raise ConfigurationError(msg)
        now = _now()
        clean = clean.model_copy(update={"created_at": now, "updated_at": now, "last_sync": None})
        self._save(clean)
        return clean

    def update(self, name: str, /, **changes: Any) -> SourceConfig:
        """Change a source's settings (not its name or kind).

        A change of location, access groups or document type makes the next sync rebuild
        the source's documents, because those already indexed carry the old values.

        :param name: the source.
        :param changes: new values of ``location``, ``include``, ``exclude``,
            ``access_groups``, ``doc_type`` or ``options``.
        :returns: the stored source.
        :raises ConfigurationError: when the source does not exist or a value is invalid.
        """
        current = self.require(name)
        _refuse_config_source(current)
        if "name" in changes or "kind" in changes:
            msg = "A source's name and kind cannot be changed; add a new source instead"
            raise ConfigurationError(msg)
        unknown = set(changes) - set(EDITABLE_SOURCE_FIELDS)
        if unknown:
            msg = f"Cannot change {', '.join(sorted(unknown))} of a source"
            raise ConfigurationError(msg)
        updated = current.model_copy(update=changes).validated()
        if any(getattr(updated, f) != getattr(current, f) for f in _REINDEX_FIELDS):
            updated.needs_reindex = True
        updated.updated_at = _now()
        self._save(updated)
        return updated

    def remove(self, name: str, indexer: Indexer) -> int:
        """Remove a source and all its documents from both indexes and the catalog.

        Also removes the documents of a source that is only in the catalog (ingested
        with ``auskunft ingest``).

        :param name: the source.
        :param indexer: an open indexer (holds the write lock).
        :returns: the number of documents removed.
        :raises BackendError: when a store fails (the source stays registered).
        """
        source = self.get(name)
        if source is not None:
            _refuse_config_source(source)
        return self._remove(name, indexer)

    def _remove(self, name: str, indexer: Indexer) -> int:
        removed = indexer.remove_source(name)
        self.catalog.conn.execute("DELETE FROM sources WHERE name = ?", (name,))
        return removed

    def apply_config(
        self, entries: Iterable[SourceEntry], indexer: Indexer | None = None
    ) -> builtins.list[str]:
        """Bring the sources of the settings file into the registry.

        New ones are added, changed ones updated (a change of location, groups or type
        makes the next sync rebuild them). A source of the same name added in the admin
        interface becomes managed by the file. Sources that came from the file but are no
        longer in it are removed with their documents when ``indexer`` is given (removal
        needs the write lock), else left for the next call with one.

        :param entries: the ``sources`` of the settings.
        :param indexer: an open indexer, to remove sources dropped from the file.
        :returns: names of the sources that changed (added, updated or removed).
        :raises ConfigurationError: when entries are invalid (after the valid ones were
            applied; an invalid entry's earlier registration is kept as it was), or a name
            is used twice (nothing applied).
        """
        wanted: builtins.list[SourceConfig] = []
        errors: builtins.list[str] = []
        for entry in entries:
            try:
                wanted.append(SourceConfig.of(entry, origin="config").validated())
            except ConfigurationError as exc:  # e.g. a share not mounted right now
                errors.append(str(exc))
        names = [entry.name.strip() for entry in entries]
        if len(set(names)) != len(names):
            msg = "The settings file defines a source name twice"
            raise ConfigurationError(msg)
        changed: builtins.list[str] = []
        now = _now()
        for source in wanted:
            current = self.get(source.name)
            if current is None:
                self._save(source.model_copy(update={"created_at": now, "updated_at": now}))
                changed.append(source.name)
                continue
            if current.kind != source.kind:
                msg = (
                    f"Source {source.name!r} is a {current.kind} source in the registry but a "
                    f"{source.kind} source in the settings file; remove one of them"
                )
                raise ConfigurationError(msg)
            editable = {name: getattr(source, name) for name in EDITABLE_SOURCE_FIELDS}
            if current.origin == "config" and all(
                getattr(current, name) == value for name, value in editable.items()
            ):
                continue
            updated = current.model_copy(update={"origin": "config", "updated_at": now, **editable})
            if any(getattr(updated, f) != getattr(current, f) for f in _REINDEX_FIELDS):
                updated.needs_reindex = True
            self._save(updated)
            changed.append(source.name)
        if indexer is not None:
            for stale in self.list():
                if stale.origin == "config" and stale.name not in names:
                    self._remove(stale.name, indexer)
                    changed.append(stale.name)
        if errors:
            msg = f"Sources of the settings file not applied: {'; '.join(errors)}"
            raise ConfigurationError(msg)
        return changed

    # -- syncing -----------------------------------------------------------------------

    @staticmethod
    def connector(source: SourceConfig, settings: Settings) -> Connector:
        """:returns: the connector that lists the source's documents, continuing from the
        state of its last successful sync (from scratch when it must be rebuilt)."""
        state = {} if source.needs_reindex else source.state
        return call_source(
            source.name, lambda: KINDS[source.kind].connector(source, settings, dict(state))
        )

    def count_documents(self, name: str, indexer: Indexer) -> int | None:
        """:returns: how many documents a sync of the source will look at (for a progress
        bar), or ``None`` when only the sync itself can tell (incremental sources).

        :raises ConfigurationError: when the source does not exist.
        :raises SourceError: when it cannot be listed.
        """
        source = self.require(name)
        if not KINDS[source.kind].countable:
            return None
        connector = self.connector(source, indexer.settings)
        return call_source(name, lambda: sum(1 for _ in connector.list()))

    @classmethod
    def check(cls, source: SourceConfig, settings: Settings) -> str:
        """Test a source's connection without ingesting anything.

        :param source: a source (need not be registered yet).
        :param settings: the settings.
        :returns: a short description of what was found.
        :raises ConfigurationError: when a value of the source is invalid.
        :raises SourceUnavailable: when the source cannot be reached.
        :raises SourceInvalid: when it is not what its kind expects; the message says why.
        """
        clean = source.validated()
        connector = cls.connector(clean, settings)
        return call_source(clean.name, connector.check)

    def sync(
        self,
        name: str,
        indexer: Indexer,
        progress: ProgressCallback | None = None,
        *,
        retry_failed: bool = False,
    ) -> IngestReport:
        """Bring the indexes in line with the source now: new and changed files are
        ingested, deleted ones removed. The result is recorded as the last sync.

        :param name: the source.
        :param indexer: an open indexer.
        :param progress: callback per document (``event``, ``uri``).
        :param retry_failed: parse failed files again even when unchanged.
        :returns: the report.
        :raises ConfigurationError: when the source does not exist.
        :raises SourceError: when it cannot be listed (recorded as the last sync).
        :raises BackendError: when a store or the embedder fails (recorded as well).
        """
        source = self.require(name)
        try:
            if source.needs_reindex:
                indexer.remove_source(source.name)
            connector = self.connector(source, indexer.settings)
            report = indexer.runner(progress).run(
                connector,
                access_groups=source.access_groups or None,
                metadata={"doc_type": source.doc_type} if source.doc_type else None,
                retry_failed=retry_failed,
            )
        except AuskunftError as exc:
            self.record_sync(source, error=str(exc))
            raise
        self.record_sync(source, report=report.to_dict(), connector=connector)
        return report

    def record_sync(
        self,
        source: SourceConfig,
        *,
        report: dict[str, Any] | None = None,
        error: str | None = None,
        connector: Connector | None = None,
    ) -> None:
        """Record the outcome of a sync as the source's last sync.

        :param source: the source (updated in place and stored).
        :param report: what a successful sync did; the source no longer needs a rebuild.
        :param error: why it failed (``report`` is ignored then); state stays as it was.
        :param connector: the connector of a successful sync; its ``state()`` is kept
            for the next one.
        """
        if error is not None:
            source.last_sync = {"at": _now(), "ok": False, "error": error}
        else:
            source.last_sync = {"at": _now(), "ok": True, "report": report or {}}
            source.state = dict(connector.state()) if connector is not None else {}
            source.needs_reindex = False
        self._save(source)

    def retry(self, doc_id: str, indexer: Indexer) -> IngestReport:
        """Ingest one failed document again, with its source's settings.

        :param doc_id: the document.
        :param indexer: an open indexer.
        :returns: the report (``failed`` is 1 when it failed again).
        :raises ConfigurationError: when the catalog does not know the document, or its
            source is neither registered nor a folder it can still read.
        """
        entry = indexer.catalog.get(doc_id)
        if entry is None:
            msg = f"Document {doc_id} is unknown"
            raise ConfigurationError(msg)
        source = self.get(entry.source)
        if source is None:  # ingested with `auskunft ingest`: its file is all we know
            path = _file_of(entry.uri)
            if path is None:
                msg = f"The file of document {doc_id} is gone"
                raise ConfigurationError(msg)
            return indexer.ingest_path(
                path,
                source=entry.source,
                access_groups=entry.access_groups or None,
                retry_failed=True,
            )
        one = _OneDocument(self.connector(source, indexer.settings), entry.uri)
        return indexer.runner().run(
            one,
            access_groups=source.access_groups or None,
            metadata={"doc_type": source.doc_type} if source.doc_type else None,
            retry_failed=True,
        )


class _OneDocument(Connector):
    """A source's connector narrowed to one of its documents (a partial listing)."""

    def __init__(self, connector: Connector, uri: str) -> None:
        self.name = connector.name
        self._connector = connector
        self._uri = uri

    def list(self) -> Iterator[SourceRef]:
        yield SourceRef(uri=self._uri)

    def fetch(self, ref: SourceRef) -> SourceDocument:
        return self._connector.fetch(ref)


def _file_of(uri: str) -> Path | None:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    return path if path.is_file() else None


def _refuse_config_source(source: SourceConfig) -> None:
    if source.origin == "config":
        msg = (
            f"Source {source.name!r} is defined in the settings file; change or remove it "
            "there (it is applied at the next sync)"
        )
        raise ConfigurationError(msg)


@contextmanager
def open_registry(settings: Settings) -> Iterator[SourceRegistry]:
    """The registry for reading and editing, without the index's write lock, with the
    settings file's sources applied (an invalid entry is logged and left out; removing
    sources dropped from the file waits for a sync, which holds the lock).

    :param settings: the settings.
    :returns: a context manager giving the registry; the catalog is closed afterwards.
    """
    catalog = Catalog.open(settings)
    try:
        registry = SourceRegistry(catalog)
        try:
            registry.apply_config(settings.sources)
        except ConfigurationError as exc:
            logger.warning("%s", exc)
        yield registry
    finally:
        catalog.close()
