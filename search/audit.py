"""The audit log: one append-only row for every search, every answer, every step of a
council office's case (:mod:`search.cases`) and every change a queue worker made to the
index (SQLite, or PostgreSQL when the state is shared; see :mod:`search.sql`).

A record holds the time, the user, the query and filters, the retrieved chunk ids with the
hash of each chunk's document, and for an answer the model, the prompt version, the answer
text and its flags — enough to show later what a member of staff was shown and from which
version of which document. Rows cannot be updated (a trigger refuses it); they are only
deleted by the retention purge (``audit.retention_days``).

In PostgreSQL a trigger refuses updates, deletes and ``TRUNCATE`` (the purge alone may
delete, by a setting of its own transaction), and records are inserted under the role
``auskunft_audit_writer``, which may insert and read the table and nothing else, when the
connecting user may use it (the schema creates the role where it is allowed to).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO

from search.answers import Answer
from search.core.settings import Settings
from search.filters import SearchFilters
from search.results import SearchResponse
from search.sql import Database, PostgresDatabase, SQLiteDatabase, state_url

RecordKind = Literal["search", "answer", "ingest", "case"]
EXPORT_FORMATS = ("jsonl", "csv")

_COLUMNS = """
    time           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    "user"         TEXT NOT NULL,
    query          TEXT NOT NULL,
    mode           TEXT NOT NULL,
    filters        TEXT NOT NULL,
    chunks         TEXT NOT NULL,
    model          TEXT,
    prompt_version TEXT,
    answer         TEXT,
    flags          TEXT NOT NULL DEFAULT '[]',
    notices        TEXT NOT NULL DEFAULT '[]'
"""
_SQLITE_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS records (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,{_COLUMNS});
CREATE INDEX IF NOT EXISTS records_time ON records(time);
CREATE TRIGGER IF NOT EXISTS records_append_only BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
WRITER_ROLE = "auskunft_audit_writer"
"""The PostgreSQL role that may insert and read audit records, and nothing else."""
_POSTGRES_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS records (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,{_COLUMNS});
CREATE INDEX IF NOT EXISTS records_time ON records(time);
CREATE OR REPLACE FUNCTION auskunft_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('auskunft.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (%)', TG_OP;
END $$;
CREATE OR REPLACE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION auskunft_audit_guard();
CREATE OR REPLACE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION auskunft_audit_guard();
REVOKE UPDATE, DELETE, TRUNCATE ON records FROM PUBLIC;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN
        CREATE ROLE {WRITER_ROLE} NOLOGIN;
    END IF;
    GRANT SELECT, INSERT ON records TO {WRITER_ROLE};
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO {WRITER_ROLE}', current_schema());
    GRANT {WRITER_ROLE} TO CURRENT_USER;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'no role {WRITER_ROLE}: records are inserted as %', CURRENT_USER;
END $$;
"""
_JSON_COLUMNS = ("filters", "chunks", "flags", "notices")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class AuditRecord:
    """One search, answer, case step or ingestion job as recorded.

    :param kind: ``search``, ``answer``, ``case`` or ``ingest``.
    :param user: who searched (interface login, or the OS user for the CLI).
    :param query: the query or question.
    :param mode: the search mode.
    :param filters: the filters, including the user's access groups.
    :param chunks: ``{"chunk_id", "doc_id", "content_hash"}`` of every retrieved passage
        (for an answer: of every passage given to the model, in number order).
    :param model: the model (answers by an LLM).
    :param prompt_version: the prompt's version (answers by an LLM).
    :param answer: the answer text as shown.
    :param flags: the answer's flags.
    :param notices: notices shown with the search (e.g. keyword results only).
    :param time: when (UTC, ISO 8601).
    :param id: the row id.
    """

    kind: RecordKind
    user: str
    query: str
    mode: str
    filters: dict[str, Any]
    chunks: list[dict[str, Any]]
    model: str | None = None
    prompt_version: str | None = None
    answer: str | None = None
    flags: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    time: str = ""
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return asdict(self)


def _filters(filters: SearchFilters | None, as_of: str | None = None) -> dict[str, Any]:
    """:returns: the filters as recorded, with the *Rechtsstand* the search applied."""
    recorded: dict[str, Any] = {}
    for key, value in asdict(filters or SearchFilters()).items():
        if value is None or value is False:
            continue
        if isinstance(value, bool):
            recorded[key] = value
        else:
            recorded[key] = value.isoformat() if hasattr(value, "isoformat") else list(value)
    if as_of is not None:
        recorded["as_of"] = as_of
    return recorded


def _response_chunks(response: SearchResponse) -> list[dict[str, Any]]:
    return [
        {"chunk_id": p.chunk_id, "doc_id": hit.doc_id, "content_hash": hit.content_hash}
        for hit in response.results
        for p in hit.passages
    ]


class AuditLog:
    """The audit log: ``audit.sqlite`` in the data directory, or the shared PostgreSQL.

    One connection is shared by the threads of the service (it serialises them).

    :param path: the SQLite file, or an open :class:`~search.sql.Database`.
    :param enabled: when ``False``, nothing is recorded.
    :param retention_days: records older than this are purged on open (``None``: kept).
    :raises BackendError: when the log cannot be opened.
    """

    def __init__(
        self, path: Path | Database, *, enabled: bool = True, retention_days: int | None = None
    ) -> None:
        self.path = path if isinstance(path, Path) else None
        self.enabled = enabled
        self.retention_days = retention_days
        self._db: Database | None = None if isinstance(path, Path) else path
        self._writer_role = False
        if enabled:
            db = self._open()
            if db.dialect == "postgres":
                db.script(_POSTGRES_SCHEMA, "auskunft-audit")
                rows = db.execute("SELECT pg_has_role(current_user, ?, 'USAGE')", (WRITER_ROLE,))
                self._writer_role = bool(rows.fetchone()[0])
            else:
                db.script(_SQLITE_SCHEMA, "auskunft-audit")
            if retention_days is not None:
                self.purge(retention_days)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditLog:
        """:returns: the configured audit log (PostgreSQL when the state is shared)."""
        audit = settings.audit
        url = state_url(settings) if audit.enabled else None
        where: Path | Database = PostgresDatabase(url, "audit log") if url else settings.audit_path
        return cls(where, enabled=audit.enabled, retention_days=audit.retention_days)

    def _open(self) -> Database:
        if self._db is None:
            assert self.path is not None  # for mypy: set whenever no database was given
            self._db = SQLiteDatabase(self.path, "audit log")
        return self._db

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def append(self, record: AuditRecord) -> int | None:
        """Append a record.

        :param record: the record (``time`` is set now if empty).
        :returns: its id, or ``None`` when the log is disabled.
        :raises BackendError: when it cannot be written.
        """
        if not self.enabled:
            return None
        row = record.to_dict()
        row.pop("id")
        row["time"] = row["time"] or _now().isoformat(timespec="milliseconds")
        for column in _JSON_COLUMNS:
            row[column] = json.dumps(row[column], ensure_ascii=False, default=str)
        columns = ", ".join(f'"{name}"' for name in row)
        sql = f"INSERT INTO records ({columns}) VALUES ({', '.join('?' * len(row))}) RETURNING id"
        db = self._open()
        with db.transaction():
            if self._writer_role:  # the insert runs as a role that cannot change records
                db.execute(f"SET LOCAL ROLE {WRITER_ROLE}")
            return int(db.execute(sql, list(row.values())).fetchone()[0])

    def record_search(
        self, user: str, response: SearchResponse, filters: SearchFilters | None
    ) -> int | None:
        """Record a search and what it retrieved.

        :returns: the record's id (``None`` when disabled).
        """
        return self.append(
            AuditRecord(
                kind="search",
                user=user,
                query=response.query,
                mode=response.mode,
                filters=_filters(filters, response.as_of),
                chunks=_response_chunks(response),
                notices=list(response.notices),
            )
        )

    def record_answer(
        self, user: str, response: SearchResponse, filters: SearchFilters | None, answer: Answer
    ) -> int | None:
        """Record an answer and the passages it was drafted from.

        :returns: the record's id (``None`` when disabled).
        """
        chunks = [
            {
                "number": source.number,
                "chunk_id": source.chunk_id,
                "doc_id": source.doc_id,
                "content_hash": source.content_hash,
            }
            for source in answer.sources
        ]
        return self.append(
            AuditRecord(
                kind="answer",
                user=user,
                query=answer.question,
                mode=response.mode,
                filters=_filters(filters, response.as_of),
                chunks=chunks,
                model=answer.model,
                prompt_version=answer.prompt_version,
                answer=answer.text,
                flags=list(answer.flags),
                notices=[answer.error] if answer.error else [],
            )
        )

    def record_ingest(
        self,
        user: str,
        source: str,
        action: str,
        documents: Sequence[dict[str, Any]],
        summary: str = "",
    ) -> int | None:
        """Record what an ingestion job changed in the index, and who ran it.

        :param user: the worker (or person) that ran the job.
        :param source: the source's name (stored as the record's query).
        :param action: ``sync`` or ``document`` (stored as the mode).
        :param documents: ``{"doc_id", "uri", "content_hash", "outcome"}`` per document
            written, failed or removed.
        :param summary: e.g. the sync's counts.
        :returns: the record's id (``None`` when disabled).
        """
        return self.append(
            AuditRecord(
                kind="ingest",
                user=user,
                query=source,
                mode=action,
                filters={},
                chunks=list(documents),
                notices=[summary] if summary else [],
            )
        )

    def record_case(
        self,
        user: str,
        case_id: str,
        action: str,
        *,
        details: dict[str, Any] | None = None,
        chunks: Sequence[dict[str, Any]] = (),
        text: str | None = None,
        model: str | None = None,
        prompt_version: str | None = None,
        flags: Sequence[str] = (),
        note: str = "",
    ) -> int | None:
        """Record one step of a case (created, question edited, passages pinned, draft
        made or accepted, submitted, returned, released, commented, exported).

        :param user: who took the step.
        :param case_id: the case (stored as the record's query).
        :param action: the step (stored as the mode): ``create``, ``release`` …
        :param details: what the step changed (question id, status, department …),
            stored as the filters.
        :param chunks: ``{"chunk_id", "doc_id", "content_hash"}`` of passages pinned or
            drafted from.
        :param text: a draft's or comment's text (stored as the answer).
        :param model: the model of an AI draft.
        :param prompt_version: its prompt's version.
        :param flags: the draft's flags.
        :param note: e.g. a refusal's reason.
        :returns: the record's id (``None`` when disabled).
        """
        return self.append(
            AuditRecord(
                kind="case",
                user=user,
                query=case_id,
                mode=action,
                filters=dict(details or {}),
                chunks=list(chunks),
                model=model,
                prompt_version=prompt_version,
                answer=text,
                flags=list(flags),
                notices=[note] if note else [],
            )
        )

    def records(
        self,
        *,
        since: datetime | None = None,
        user: str | None = None,
        kind: RecordKind | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """:returns: records, newest first, optionally since a time, of a user or kind."""
        if not self.enabled:
            return []
        clauses, params = self._where(since, user, kind)
        sql = f"SELECT * FROM records{clauses} ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._record(row) for row in self._open().execute(sql, params).fetchall()]

    @staticmethod
    def _where(since: datetime | None, user: str | None, kind: str | None) -> tuple[str, list[str]]:
        conditions, params = [], []
        if since is not None:
            conditions.append("time >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="milliseconds"))
        if user:
            conditions.append('"user" = ?')
            params.append(user)
        if kind:
            conditions.append("kind = ?")
            params.append(kind)
        return (" WHERE " + " AND ".join(conditions) if conditions else ""), params

    @staticmethod
    def _record(row: Any) -> AuditRecord:
        values = dict(row)
        for column in _JSON_COLUMNS:
            values[column] = json.loads(values[column])
        return AuditRecord(**values)

    def purge(self, older_than_days: int) -> int:
        """Delete records older than a number of days.

        :returns: how many were deleted.
        """
        if not self.enabled:
            return 0
        cutoff = (_now() - timedelta(days=older_than_days)).isoformat(timespec="milliseconds")
        db = self._open()
        with db.transaction():
            if db.dialect == "postgres":  # the trigger lets this one transaction delete
                db.execute("SET LOCAL auskunft.audit_purge = 'on'")
            return int(db.execute("DELETE FROM records WHERE time < ?", (cutoff,)).rowcount)

    def export(
        self,
        out: TextIO,
        fmt: str = "jsonl",
        *,
        since: datetime | None = None,
        user: str | None = None,
    ) -> int:
        """Write records, oldest first, as JSON lines or CSV (list columns as JSON).

        :param out: where to write (text).
        :param fmt: ``jsonl`` or ``csv``.
        :param since: only records from this time on.
        :param user: only this user's records.
        :returns: how many records were written.
        :raises ValueError: for an unknown format.
        """
        if fmt not in EXPORT_FORMATS:
            msg = f"Unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}"
            raise ValueError(msg)
        rows = list(reversed(self.records(since=since, user=user)))
        write = _write_jsonl if fmt == "jsonl" else _write_csv
        write(out, rows)
        return len(rows)


def _write_jsonl(out: TextIO, rows: Sequence[AuditRecord]) -> None:
    for record in rows:
        out.write(json.dumps(record.to_dict(), ensure_ascii=False, default=str) + "\n")


def _write_csv(out: TextIO, rows: Sequence[AuditRecord]) -> None:
    columns = [f.name for f in fields(AuditRecord)]
    ordered = ["id", "time", *[c for c in columns if c not in ("id", "time")]]
    writer = csv.DictWriter(out, fieldnames=ordered)
    writer.writeheader()
    for record in rows:
        values = record.to_dict()
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False) if key in _JSON_COLUMNS else value
                for key, value in values.items()
            }
        )
