"""One contract for the state (catalog, source registry, audit log, embedding cache), run
against both engines: SQLite files (embedded) and a real PostgreSQL server started by the
tests (the shared state of workers on several machines)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
import pytest

from ingest.catalog import Catalog
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.audit import WRITER_ROLE, AuditLog, AuditRecord
from search.core.errors import BackendError
from search.core.settings import Settings
from search.embedders.cache import EmbeddingCache
from search.sql import Database, PostgresDatabase, SQLiteDatabase
from tests.ingest.test_catalog import entry as _entry

Opener = Callable[[str], Database]


@pytest.fixture(params=["sqlite", "postgres"])
def open_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens a new connection to one state database per call (like separate processes)."""
    opened: list[Database] = []
    if request.param == "postgres":
        url = request.getfixturevalue("state_url")

        def opener(label: str) -> Database:
            opened.append(PostgresDatabase(url, label))
            return opened[-1]
    else:

        def opener(label: str) -> Database:
            opened.append(SQLiteDatabase(tmp_path / "state.sqlite", label))
            return opened[-1]

    yield opener
    for db in opened:
        db.close()


# -- catalog ---------------------------------------------------------------------------


def test_catalog_reads_what_it_wrote(open_db: Opener) -> None:
    catalog = Catalog(open_db("catalog"))
    catalog.upsert_many(
        [
            _entry("b", chunk_ids=["b:0000", "b:0001"], access_groups=["public", "amt22"]),
            _entry("a", status="failed", error_reason="encrypted", error="Passwort nötig"),
            _entry("c", status="indexing", size=12, page_count=3, ocr_pages=2),
        ]
    )
    b = catalog.get("b")
    assert b is not None
    assert (b.chunk_ids, b.access_groups, b.status) == (
        ["b:0000", "b:0001"],
        ["public", "amt22"],
        "indexed",
    )
    assert catalog.counts_by_status() == {"indexing": 1, "indexed": 1, "failed": 1}
    assert catalog.counts_by_source() == {"amt": {"indexing": 1, "indexed": 1, "failed": 1}}
    assert catalog.chunk_count() == 2
    assert catalog.indexed_doc_ids() == {"b"}
    assert [e.doc_id for e in catalog.entries()] == ["a", "b", "c"]  # by URI
    assert [e.doc_id for e in catalog.entries(source="amt", status="failed")] == ["a"]
    assert catalog.entries(source="anderes") == []
    failed = catalog.get("a")
    assert failed is not None and (failed.error_reason, failed.error) == (
        "encrypted",
        "Passwort nötig",
    )
    c = catalog.get("c")
    assert c is not None and (c.size, c.page_count, c.ocr_pages) == (12, 3, 2)
    assert catalog.get("zzz") is None


def test_sources_visible_to_groups(open_db: Opener) -> None:
    catalog = Catalog(open_db("catalog"))
    confidential = _entry("vertraulich", access_groups=["amt10"])
    confidential.source = "personalamt"
    broken = _entry("kaputt", status="failed", access_groups=["amt22"])
    broken.source = "bau"
    catalog.upsert_many([_entry("oeffentlich", access_groups=["public"]), confidential, broken])
    assert catalog.sources_visible_to(["amt22", "public"]) == {"amt"}
    assert catalog.sources_visible_to(["amt10"]) == {"personalamt"}
    assert catalog.sources_visible_to(["amt10", "public"]) == {"amt", "personalamt"}
    assert catalog.sources_visible_to([]) == set()


def test_catalog_keeps_first_seen_settings_and_deletes(open_db: Opener) -> None:
    catalog = Catalog(open_db("catalog"))
    catalog.upsert(_entry("a", status="indexing"))
    first = catalog.get("a")
    assert first is not None
    catalog.mark_indexed([_entry("a", status="indexing", error="alt")])
    catalog.set_setting("embedding_model", "m1")
    catalog.set_setting("embedding_model", "m2")
    other = Catalog(open_db("catalog"))  # another process sees it
    again = other.get("a")
    assert again is not None
    assert (again.status, again.error, again.first_seen) == ("indexed", None, first.first_seen)
    assert again.indexed_at is not None
    assert other.get_setting("embedding_model") == "m2"
    assert other.get_setting("unbekannt") is None
    other.delete(["a", "nie-da"])
    assert catalog.get("a") is None


def test_catalog_transaction_is_all_or_nothing(open_db: Opener) -> None:
    catalog = Catalog(open_db("catalog"))
    catalog.upsert(_entry("a"))
    with pytest.raises(RuntimeError), catalog.transaction():
        catalog.upsert(_entry("b"))
        catalog.conn.execute("DELETE FROM documents WHERE doc_id = ?", ("a",))
        raise RuntimeError
    assert {e.doc_id for e in catalog.entries()} == {"a"}


def test_catalog_writers_in_parallel_lose_nothing(open_db: Opener) -> None:
    """Four connections (as four workers) write 50 documents each at the same time."""
    catalogs = [Catalog(open_db("catalog")) for _ in range(4)]
    catalogs[0].entries()  # the schema exists before the race starts, as after a start
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(50):
                catalogs[worker].upsert_many([_entry(f"w{worker}-{n:02}", chunk_ids=[f"{n}"])])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(catalogs[0].indexed_doc_ids()) == 200
    assert catalogs[0].chunk_count() == 200


def test_schema_created_by_processes_starting_at_once(open_db: Opener) -> None:
    dbs = [open_db("catalog") for _ in range(4)]
    errors: list[BaseException] = []

    def start(db: Database) -> None:
        try:
            SourceRegistry(Catalog(db)).list()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in dbs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# -- source registry -------------------------------------------------------------------


def test_registry_stores_sources_and_their_sync_state(open_db: Opener, tmp_path: Path) -> None:
    folder = tmp_path / "akten"
    folder.mkdir()
    registry = SourceRegistry(Catalog(open_db("catalog")))
    registry.add(SourceConfig(name="akten", location=str(folder), access_groups=["amt22"]))
    registry.update("akten", doc_type="guidance", interval_minutes=30)
    source = registry.require("akten")
    assert source.needs_reindex  # the type changed: the next sync rebuilds
    registry.record_sync(source, report={"indexed": 3})
    registry.record_sync(registry.require("akten"), error="Freigabe nicht erreichbar")
    other = SourceRegistry(Catalog(open_db("catalog")))
    stored = other.require("akten")
    assert (stored.location, stored.access_groups) == (str(folder), ["amt22"])
    assert (stored.doc_type, stored.interval_minutes, stored.needs_reindex) == (
        "guidance",
        30,
        False,
    )
    assert stored.last_sync is not None and stored.last_sync["error"] == "Freigabe nicht erreichbar"
    assert [s.name for s in other.list()] == ["akten"]


# -- audit log -------------------------------------------------------------------------


def _record(user: str, query: str, *, kind: str = "search", time: str = "") -> AuditRecord:
    chunks = [{"chunk_id": "d1:0001", "doc_id": "d1", "content_hash": "abc"}]
    return AuditRecord(kind, user, query, "hybrid", {"user_groups": ["public"]}, chunks, time=time)  # type: ignore[arg-type]


def test_audit_appends_filters_and_purges(open_db: Opener) -> None:
    log = AuditLog(open_db("audit log"))
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    ids = [
        log.append(_record("alt", "alte Suche", time=old)),
        log.append(_record("meier", "Hundesteuer")),
        log.append(_record("meier", "Frage?", kind="answer")),
        log.append(_record("schulz", "Dienstreise")),
    ]
    assert ids == sorted(ids) and len(set(ids)) == 4
    other = AuditLog(open_db("audit log"))
    assert [r.query for r in other.records()] == [
        "Dienstreise",
        "Frage?",
        "Hundesteuer",
        "alte Suche",
    ]
    assert [r.query for r in other.records(user="meier", kind="answer")] == ["Frage?"]
    since = datetime.now(UTC) - timedelta(days=1)
    assert len(other.records(since=since)) == 3
    assert other.records(limit=1)[0].chunks[0]["doc_id"] == "d1"
    assert other.purge(30) == 1
    assert [r.user for r in other.records()] == ["schulz", "meier", "meier"]


def test_audit_records_cannot_be_changed_or_deleted(open_db: Opener) -> None:
    db = open_db("audit log")
    log = AuditLog(db)
    log.append(_record("meier", "Hundesteuer"))
    with pytest.raises(BackendError, match="append-only"):
        db.execute("""UPDATE records SET "user" = 'schulz'""")
    if db.dialect == "postgres":  # SQLite's retention purge deletes without a setting
        with pytest.raises(BackendError, match="append-only"):
            db.execute("DELETE FROM records")
        with pytest.raises(BackendError, match="append-only"):
            db.execute("TRUNCATE records")
    assert [r.user for r in log.records()] == ["meier"]


def test_audit_writer_role_may_insert_and_read_only(state_url: str) -> None:
    log = AuditLog(PostgresDatabase(state_url, "audit log"))
    log.append(_record("meier", "Hundesteuer"))
    with psycopg.connect(state_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE clerk_{id(log)} LOGIN IN ROLE {WRITER_ROLE}")
    clerk_url = state_url.replace("auskunft@", f"clerk_{id(log)}@")
    with psycopg.connect(clerk_url, autocommit=True) as clerk:
        clerk.execute(f"SET ROLE {WRITER_ROLE}")
        clerk.execute(
            'INSERT INTO records (time, kind, "user", query, mode, filters, chunks) '
            "VALUES ('2026-12-06T10:00:00', 'search', 'clerk', 'q', 'hybrid', '{}', '[]')"
        )
        assert clerk.execute("SELECT count(*) FROM records").fetchone() == (2,)
        for statement in ("UPDATE records SET query = 'x'", "DELETE FROM records"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                clerk.execute(statement)
    assert log.records()[0].user == "clerk"


def test_audit_from_settings_uses_the_shared_database(state_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database={"url": state_url})
    log = AuditLog.from_settings(settings)
    log.append(_record("meier", "Hundesteuer"))
    assert not settings.audit_path.exists()  # nothing in the data directory
    assert AuditLog.from_settings(settings).records()[0].user == "meier"


# -- embedding cache -------------------------------------------------------------------


def test_embedding_cache_shared_by_two_processes(open_db: Opener) -> None:
    first, second = EmbeddingCache(open_db("cache")), EmbeddingCache(open_db("cache"))
    key = EmbeddingCache.key("model", "passage", "Hundesteuer")
    vector = np.arange(4, dtype=np.float32)
    first.put_many([(key, vector)])
    second.put_many([(key, vector + 1)])  # the same text embedded meanwhile: kept once
    found = second.get_many([key, EmbeddingCache.key("model", "passage", "anderes")])
    assert list(found) == [key]
    np.testing.assert_array_equal(found[key], vector)
    assert len(first) == 1


def test_catalog_open_follows_the_settings(state_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database={"url": state_url})
    catalog = Catalog.open(settings)
    catalog.upsert(_entry("a"))
    assert catalog.dialect == "postgres"
    assert not settings.catalog_path.exists()
    assert Catalog(settings.catalog_path).get("a") is None
    assert Catalog.open(settings).get("a") is not None


# -- cases -----------------------------------------------------------------------------


def test_cases_refuse_a_stale_write_from_another_process(open_db: Opener) -> None:
    from search.cases.case import Case, now
    from search.cases.store import CaseStore
    from search.core.errors import Conflict

    one, other = CaseStore(open_db("cases")), CaseStore(open_db("cases"))
    case = Case(
        id="c1", title="Anfrage", preamble="", justification="", inquiry_text="Anfrage",
        origin={"kind": "text"}, created_by="anna", groups=["ratsbuero"], created_at=now(),
    )  # fmt: skip
    one.save(case)
    mine, theirs = one.get("c1"), other.get("c1")
    mine.department = "Amt 22"
    one.save(mine)
    theirs.department = "Amt 30"
    with pytest.raises(Conflict):
        other.save(theirs)
    assert other.get("c1").department == "Amt 22" and other.get("c1").version == 2
    log = AuditLog(open_db("audit log"))
    log.record_case("anna", "c1", "released", details={"status": "released"})
    [record] = log.records(kind="case")
    assert (record.user, record.query, record.mode) == ("anna", "c1", "released")
