"""The catalog: one row per document the ingestion has seen (SQLite, or PostgreSQL when
the state is shared; see :mod:`search.sql`).

It records where a document came from, the hash of the bytes that were indexed, its
status, the reason when it failed, and the ids of its chunks. Together with the stores it
follows a small protocol that keeps everything consistent when ingestion is killed:

1. ``begin(doc)`` marks a document ``indexing`` (committed) before its chunks are written;
2. the stores delete its old chunks, write the new ones and commit;
3. ``finish(doc)`` marks it ``indexed``.

A document found ``indexing`` at the next start was interrupted somewhere in 2: its chunks
are deleted from both stores and it is ingested again (see ``IngestRunner.recover``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from search.core.settings import Settings
from search.sql import Database, PostgresDatabase, SQLiteDatabase, state_url

Status = Literal["indexing", "indexed", "failed"]
STATUSES: tuple[Status, ...] = ("indexing", "indexed", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id        TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    uri           TEXT NOT NULL,
    filename      TEXT NOT NULL,
    content_hash  TEXT,
    version       TEXT,
    meta_hash     TEXT,
    size          INTEGER,
    status        TEXT NOT NULL,
    error_reason  TEXT,
    error         TEXT,
    title         TEXT,
    doc_type      TEXT,
    date          TEXT,
    reference     TEXT,
    page_count    INTEGER,
    ocr_pages     INTEGER NOT NULL DEFAULT 0,
    chunk_ids     TEXT NOT NULL DEFAULT '[]',
    access_groups TEXT NOT NULL DEFAULT '[]',
    warnings      TEXT NOT NULL DEFAULT '[]',
    first_seen    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    indexed_at    TEXT,
    analysis      TEXT
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source, uri);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def make_doc_id(source: str, uri: str) -> str:
    """:returns: the stable id of the document at ``uri`` in ``source``."""
    return hashlib.sha256(f"{source}\x00{uri}".encode()).hexdigest()[:24]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class CatalogEntry:
    """One document as the catalog knows it."""

    doc_id: str
    source: str
    uri: str
    filename: str
    status: Status
    content_hash: str | None = None
    version: str | None = None
    """The source's change marker (mtime, ETag) of the bytes that were ingested."""
    meta_hash: str | None = None
    """SHA-256 of the source metadata that was ingested (a council decision's result can
    change while its PDF does not)."""
    size: int | None = None
    error_reason: str | None = None
    error: str | None = None
    title: str | None = None
    doc_type: str | None = None
    date: str | None = None
    reference: str | None = None
    page_count: int | None = None
    ocr_pages: int = 0
    chunk_ids: list[str] = field(default_factory=list)
    access_groups: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    first_seen: str = ""
    updated_at: str = ""
    indexed_at: str | None = None
    analysis: dict[str, Any] | None = None
    """What its text says of other documents (:func:`ingest.relations.linking.analyse_text`):
    statutes it holds, amends and repeals, their dates, its references."""

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return {name: getattr(self, name) for name in self.__slots__}


_JSON_COLUMNS = ("chunk_ids", "access_groups", "warnings")
# columns added after the first release: (name, SQL type)
_ADDED_COLUMNS = (("version", "TEXT"), ("meta_hash", "TEXT"), ("analysis", "TEXT"))
_POSTGRES_ADDED = ("analysis",)
"""Columns added after PostgreSQL catalogs were first created."""


def _migrate(db: Database) -> None:
    """Add columns that a catalog written by an older version lacks."""
    if db.dialect == "postgres":
        for name, sql_type in _ADDED_COLUMNS:
            if name in _POSTGRES_ADDED:
                db.execute(f"ALTER TABLE documents ADD COLUMN IF NOT EXISTS {name} {sql_type}")
        return
    present = db.columns("documents")
    for name, sql_type in _ADDED_COLUMNS:
        if name not in present:
            db.execute(f"ALTER TABLE documents ADD COLUMN {name} {sql_type}")


class Catalog:
    """The catalog of documents.

    :param path: the SQLite file (its folder is created on first use), or an open
        :class:`~search.sql.Database` (e.g. PostgreSQL; see :meth:`open`).
    """

    def __init__(self, path: Path | Database) -> None:
        self.path = path if isinstance(path, Path) else None
        self._db: Database | None = None if isinstance(path, Path) else path
        self._ready = False

    @classmethod
    def open(cls, settings: Settings) -> Catalog:
        """:returns: the configured catalog: PostgreSQL when the state is shared
        (``database.url`` or ``queue.url``), else ``catalog.sqlite`` in the data directory.

        :raises BackendUnavailable: when PostgreSQL cannot be reached.
        """
        url = state_url(settings)
        return cls(PostgresDatabase(url, "catalog") if url else settings.catalog_path)

    @property
    def conn(self) -> Database:
        """:returns: the open database (opened and migrated on first use)."""
        if self._db is None:
            assert self.path is not None  # for mypy: set whenever no database was given
            self._db = SQLiteDatabase(self.path, "catalog")
        if not self._ready:
            self._db.script(_SCHEMA, "auskunft-catalog")
            _migrate(self._db)
            self._ready = True
        return self._db

    @property
    def dialect(self) -> str:
        """:returns: ``sqlite`` or ``postgres``."""
        return self.conn.dialect

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            self._db.close()
            self._db = None
            self._ready = False

    def transaction(self) -> Any:
        """:returns: a context manager that runs several statements atomically."""
        return self.conn.transaction()

    # -- reading -----------------------------------------------------------------------

    @staticmethod
    def _entry(row: Any) -> CatalogEntry:
        values = dict(row)
        for column in _JSON_COLUMNS:
            values[column] = json.loads(values[column] or "[]")
        values["analysis"] = json.loads(values["analysis"]) if values.get("analysis") else None
        return CatalogEntry(**values)

    def get(self, doc_id: str) -> CatalogEntry | None:
        """:returns: the entry of this document, if the catalog has one."""
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return self._entry(row) if row else None

    def entries(
        self, *, source: str | None = None, status: Status | None = None
    ) -> list[CatalogEntry]:
        """:returns: entries, optionally of one source and/or status, ordered by URI."""
        clauses, params = [], []
        if source is not None:
            clauses.append("source = ?")
            params.append(source)
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(f"SELECT * FROM documents {where} ORDER BY uri", params)
        return [self._entry(row) for row in rows]

    def counts_by_status(self) -> dict[str, int]:
        """:returns: number of documents per status (every status present, zero or not)."""
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for row in self.conn.execute("SELECT status, COUNT(*) FROM documents GROUP BY status"):
            counts[row[0]] = row[1]
        return counts

    def counts_by_source(self) -> dict[str, dict[str, int]]:
        """:returns: ``{source: {status: count}}``."""
        result: dict[str, dict[str, int]] = {}
        rows = self.conn.execute(
            "SELECT source, status, COUNT(*) FROM documents GROUP BY source, status"
        )
        for source, status, count in rows:
            result.setdefault(source, dict.fromkeys(STATUSES, 0))[status] = count
        return result

    def sources_visible_to(self, groups: Sequence[str]) -> set[str]:
        """:returns: the sources with an indexed document that one of ``groups`` may see
        (a name alone tells something: staff do not learn of sources closed to them)."""
        if not groups:
            return set()
        marks = ", ".join("?" * len(groups))
        if self.dialect == "sqlite":
            sql = (
                "SELECT DISTINCT d.source FROM documents d, json_each(d.access_groups) g "
                f"WHERE d.status = 'indexed' AND g.value IN ({marks})"
            )
        else:
            sql = (
                "SELECT DISTINCT d.source FROM documents d, "
                "jsonb_array_elements_text(d.access_groups::jsonb) g "
                f"WHERE d.status = 'indexed' AND g IN ({marks})"
            )
        return {row[0] for row in self.conn.execute(sql, list(groups))}

    def chunk_count(self) -> int:
        """:returns: the number of chunks of indexed documents, per the catalog."""
        length = "json_array_length(chunk_ids::json)"
        if self.dialect == "sqlite":
            length = "json_array_length(chunk_ids)"
        row = self.conn.execute(
            f"SELECT COALESCE(SUM({length}), 0) FROM documents WHERE status = 'indexed'"
        ).fetchone()
        return int(row[0])

    def holding_statutes(self) -> list[CatalogEntry]:
        """:returns: indexed entries whose analysis found a statute text or a reference in
        them (the JSON written by :meth:`upsert` has a non-empty ``"enactments": [{…}]``
        or ``"references": [{…}]`` list)."""
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE status = 'indexed' "
            "AND (analysis LIKE ? OR analysis LIKE ?)",
            ('%"enactments": [{%', '%"references": [{%'),
        )
        return [self._entry(row) for row in rows]

    def targets(self) -> list[dict[str, Any]]:
        """:returns: what references can point to, per indexed document: ``doc_id``,
        ``uri``, ``reference``, ``doc_type``, ``title`` (or the file name), ``date``,
        ``access_groups`` and ``paper`` (the OParl paper it belongs to, if any)."""
        paper = "json_extract(analysis, '$.paper')"
        if self.dialect == "postgres":
            paper = "(analysis::json ->> 'paper')"
        rows = self.conn.execute(
            "SELECT doc_id, uri, reference, doc_type, COALESCE(title, filename) AS title, "
            f"date, access_groups, {paper} AS paper FROM documents WHERE status = 'indexed'"
        )
        return [
            dict(row) | {"access_groups": json.loads(row["access_groups"] or "[]")} for row in rows
        ]

    def indexed_doc_ids(self) -> set[str]:
        """:returns: ids of every document whose chunks should be in the stores."""
        rows = self.conn.execute("SELECT doc_id FROM documents WHERE status = 'indexed'")
        return {row[0] for row in rows}

    # -- writing -----------------------------------------------------------------------

    def upsert(self, entry: CatalogEntry) -> None:
        """Insert or replace an entry (``first_seen`` of an existing row is kept)."""
        now = _now()
        entry.updated_at = now
        existing = self.conn.execute(
            "SELECT first_seen FROM documents WHERE doc_id = ?", (entry.doc_id,)
        ).fetchone()
        entry.first_seen = existing[0] if existing else now
        values = entry.to_dict()
        for column in _JSON_COLUMNS:
            values[column] = json.dumps(values[column], ensure_ascii=False)
        if values["analysis"] is not None:
            values["analysis"] = json.dumps(values["analysis"], ensure_ascii=False)
        columns = ", ".join(values)
        placeholders = ", ".join(f":{name}" for name in values)
        updates = ", ".join(f"{name} = excluded.{name}" for name in values if name != "doc_id")
        self.conn.execute(
            f"INSERT INTO documents ({columns}) VALUES ({placeholders}) "
            f"ON CONFLICT (doc_id) DO UPDATE SET {updates}",
            values,
        )

    def upsert_many(self, entries: Sequence[CatalogEntry]) -> None:
        """Insert or replace several entries in one transaction."""
        with self.transaction():
            for entry in entries:
                self.upsert(entry)

    def mark_indexed(self, entries: Sequence[CatalogEntry]) -> None:
        """Mark entries ``indexed`` now, in one transaction."""
        now = _now()
        for entry in entries:
            entry.status = "indexed"
            entry.indexed_at = now
            entry.error_reason = entry.error = None
        self.upsert_many(entries)

    def delete(self, doc_ids: Sequence[str]) -> None:
        """Remove these documents from the catalog."""
        with self.transaction() as db:
            db.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in doc_ids])

    def get_setting(self, key: str) -> str | None:
        """:returns: a stored index setting (e.g. the embedding model), if any."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Store an index setting."""
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
