"""Where Auskunft keeps its state: SQLite files (embedded) or PostgreSQL (servers).

The catalog, the source registry, the audit log and the embedding cache write their SQL
once, with ``?`` and ``:name`` placeholders and statements both engines understand
(``INSERT … ON CONFLICT … DO UPDATE``, ``RETURNING``); a :class:`Database` runs it on
SQLite or PostgreSQL. Schemas that differ (auto-increment, blobs, triggers) are given
per dialect by the table's owner.

PostgreSQL is used when ``database.url`` is set, else when ``queue.url`` is (the queue's
database then holds the state too), so several machines can run workers without
sharing a volume. SQLite stays the embedded default: one file per kind of state in the
data directory.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import psycopg

from search.core.errors import BackendError, BackendUnavailable
from search.core.settings import Settings

Dialect = Literal["sqlite", "postgres"]
Params = Sequence[Any] | Mapping[str, Any]

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def state_url(settings: Settings) -> str | None:
    """:returns: the PostgreSQL URL of the shared state, or ``None`` (embedded SQLite)."""
    return settings.database.url or settings.queue.url


class Row(tuple[Any, ...]):
    """A PostgreSQL row that, like :class:`sqlite3.Row`, is read by index or by name."""

    _names: tuple[str, ...]

    def __new__(cls, names: tuple[str, ...], values: Sequence[Any]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names.index(key))
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        """:returns: the column names, so ``dict(row)`` works."""
        return list(self._names)


def _rows(cursor: psycopg.Cursor[Any]) -> Any:
    names = tuple(column.name for column in cursor.description or ())
    return lambda values: Row(names, values)


class Database(ABC):
    """One connection to the state database, safe to share between threads.

    :param label: what it holds, for error messages (``catalog``, ``audit log`` …).
    """

    dialect: Dialect

    _unavailable: tuple[type[Exception], ...] = ()
    """The driver's errors that mean "not now" (:class:`BackendUnavailable`)."""
    _failed: tuple[type[Exception], ...] = ()
    """The driver's other errors (:class:`BackendError`)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._lock = threading.RLock()

    def _where(self) -> str:
        """:returns: the database in error messages."""
        return self.label

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate the driver's errors into Auskunft's."""
        try:
            yield
        except self._unavailable as exc:
            msg = f"{self._where()}: {exc}"
            raise BackendUnavailable(msg) from exc
        except self._failed as exc:
            msg = f"{self._where()}: {exc}"
            raise BackendError(msg) from exc

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Any:
        """Run one statement.

        :returns: a cursor (``fetchone``, ``fetchall``, iteration, ``rowcount``); rows
            are read by index or column name.
        :raises BackendError: when the database refuses the statement.
        """

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each parameter set."""

    @abstractmethod
    def script(self, sql: str, lock_key: str) -> None:
        """Run a schema script once, atomically, even when several processes start at once.

        :param sql: statements without parameters.
        :param lock_key: names the script, so concurrent starts wait for each other.
        """

    @abstractmethod
    def transaction(self) -> Any:
        """:returns: a context manager: the statements inside commit together or not at all."""

    @abstractmethod
    def columns(self, table: str) -> set[str]:
        """:returns: the column names of a table."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""


class SQLiteDatabase(Database):
    """A SQLite file in WAL mode (autocommit; :meth:`transaction` for several statements).

    :param path: the file; its folder is created.
    :param label: what it holds.
    """

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path, label: str) -> None:
        super().__init__(label)
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as exc:
            msg = f"{label} {path}: {exc}"
            raise BackendError(msg) from exc
        self.conn = conn

    _unavailable = (sqlite3.OperationalError,)  # locked, disk full, file gone
    _failed = (sqlite3.Error,)

    def _where(self) -> str:
        return f"{self.label} {self.path}"

    def execute(self, sql: str, params: Params = ()) -> Any:
        with self._lock, self._errors():
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with self._lock, self._errors():
            self.conn.executemany(sql, rows)

    def script(self, sql: str, lock_key: str) -> None:
        del lock_key  # SQLite serialises writers itself
        with self._lock, self._errors():
            self.conn.executescript(sql)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        with self._lock:
            with self._errors():
                self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            with self._errors():
                self.conn.execute("COMMIT")

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self.execute(f"PRAGMA table_info({table})")}

    def close(self) -> None:
        with self._lock:
            self.conn.close()


class PostgresDatabase(Database):
    """A PostgreSQL connection (autocommit; :meth:`transaction` for several statements).

    :param url: ``postgresql://user:password@host:5432/database``.
    :param label: what it holds.
    :raises BackendUnavailable: when the server cannot be reached.
    """

    dialect: Dialect = "postgres"

    def __init__(self, url: str, label: str) -> None:
        super().__init__(label)
        self.url = url
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            msg = f"{label}: PostgreSQL cannot be reached: {exc}"
            raise BackendUnavailable(msg) from exc
        self.conn.row_factory = _rows

    @staticmethod
    def translate(sql: str) -> str:
        """:returns: the statement with psycopg's placeholders (``%s``, ``%(name)s``)."""
        sql = sql.replace("%", "%%").replace("?", "%s")
        return _NAMED.sub(r"%(\1)s", sql)

    _unavailable = (psycopg.OperationalError,)  # server down, connection lost
    _failed = (psycopg.Error,)

    def execute(self, sql: str, params: Params = ()) -> Any:
        with self._lock, self._errors():
            return self.conn.execute(self.translate(sql), params or None)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with self._lock, self._errors(), self.conn.cursor() as cursor:
            cursor.executemany(self.translate(sql), rows)

    def script(self, sql: str, lock_key: str) -> None:
        key = int.from_bytes(hashlib.sha256(lock_key.encode()).digest()[:8], "big", signed=True)
        with self._lock, self._errors(), self.conn.transaction():
            # two processes creating the same tables at once would collide
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            self.conn.execute(sql.encode())

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        with self._lock, self._errors(), self.conn.transaction():
            yield self

    def columns(self, table: str) -> set[str]:
        rows = self.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {row[0] for row in rows}

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def open_database(settings: Settings, path: Path, label: str) -> Database:
    """:returns: the state database: PostgreSQL at :func:`state_url`, else the SQLite file
    ``path``.

    :raises BackendUnavailable: when PostgreSQL cannot be reached.
    """
    url = state_url(settings)
    return PostgresDatabase(url, label) if url else SQLiteDatabase(path, label)
