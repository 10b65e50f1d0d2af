"""Copy an embedded installation's state (catalog, source registry, audit log, embedding
cache) from its SQLite files into the shared PostgreSQL (``database.url`` or ``queue.url``).

Rows are upserted by their keys, so running it again completes an interrupted copy without
duplicates. Audit records are appended in their order (the log is append-only); the id of
the last record copied is remembered in the target, so a second run copies only what was
recorded since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.catalog import Catalog
from ingest.sync.sources import SourceRegistry
from search.audit import AuditLog
from search.core.errors import ConfigurationError
from search.core.settings import Settings
from search.embedders.cache import EmbeddingCache
from search.sql import Database, PostgresDatabase, SQLiteDatabase, state_url

_AUDIT_MARK = "migrated_audit_upto"
_BATCH = 1000


@dataclass
class StateReport:
    """What a copy of the state did."""

    documents: int = 0
    settings: int = 0
    sources: int = 0
    audit_records: int = 0
    embeddings: int = 0
    target: str = ""


def migrate_state(settings: Settings) -> StateReport:
    """Copy the SQLite state of ``settings.data_dir`` into the shared PostgreSQL.

    :param settings: the settings, with ``database.url`` (or ``queue.url``) set.
    :returns: the report.
    :raises ConfigurationError: when no PostgreSQL is configured.
    :raises BackendError: when a database fails (run it again to complete the copy).
    """
    url = state_url(settings)
    if url is None:
        msg = "Set database.url (AUSKUNFT_DATABASE__URL) to copy the state into PostgreSQL"
        raise ConfigurationError(msg)
    report = StateReport(target=url.rsplit("@", 1)[-1])
    catalog = Catalog(PostgresDatabase(url, "catalog"))
    try:
        SourceRegistry(catalog)  # creates the tables of the target
        if settings.catalog_path.is_file():
            source = SQLiteDatabase(settings.catalog_path, "catalog")
            try:
                SourceRegistry(Catalog(source))  # an old catalog gets the columns first
                report.documents = _copy(source, catalog.conn, "documents", "doc_id")
                report.settings = _copy(source, catalog.conn, "settings", "key")
                report.sources = _copy(source, catalog.conn, "sources", "name")
            finally:
                source.close()
        report.audit_records = _copy_audit(settings.audit_path, catalog, url)
        report.embeddings = _copy_cache(settings.embedding_cache_path, url)
    finally:
        catalog.close()
    return report


def _copy(
    source: Database, target: Database, table: str, key: str, *, keep_existing: bool = False
) -> int:
    """Upsert every row of ``table`` into ``target``, in batches.

    :param keep_existing: leave a row the target has already (else it is updated).
    :returns: the rows copied.
    """
    rows = source.execute(f"SELECT * FROM {table}").fetchall()
    if not rows:
        return 0
    columns = list(rows[0].keys())
    names = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != key)
    conflict = "DO NOTHING" if keep_existing else f"DO UPDATE SET {updates}"
    sql = (
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}) "
        f'ON CONFLICT ("{key}") {conflict}'
    )
    for start in range(0, len(rows), _BATCH):
        with target.transaction() as db:
            db.executemany(sql, [tuple(row) for row in rows[start : start + _BATCH]])
    return len(rows)


def _copy_audit(path: Path, catalog: Catalog, url: str) -> int:
    if not path.is_file():
        return 0
    source = AuditLog(SQLiteDatabase(path, "audit log"))
    target = AuditLog(PostgresDatabase(url, "audit log"))
    try:
        done = int(catalog.get_setting(_AUDIT_MARK) or 0)
        records = [r for r in reversed(source.records()) if r.id is not None and r.id > done]
        for record in records:
            assert record.id is not None  # for mypy: filtered above
            record_id = record.id
            record.id = None
            target.append(record)
            catalog.set_setting(_AUDIT_MARK, str(record_id))
        return len(records)
    finally:
        source.close()
        target.close()


def _copy_cache(path: Path, url: str) -> int:
    if not path.is_file():
        return 0
    source = SQLiteDatabase(path, "embedding cache")
    target = EmbeddingCache(PostgresDatabase(url, "embedding cache"))
    try:
        # target.conn creates the table; a key is the hash of model and text, so a vector
        # the target has already is the same one
        return _copy(source, target.conn, "embeddings", "key", keep_existing=True)
    finally:
        source.close()
        target.close()
