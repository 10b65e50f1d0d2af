"""API keys of machine clients (scripts, a city's own LLM client over MCP).

A key is shown once, when it is made; only its SHA-256 is stored, so a copy of the data
directory gives nobody a key. Each key carries the access groups its client may search
(and whether it may administer); a revoked key is refused at once. A key is random
(256 bits), so a plain hash is enough: there is no password to guess.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from search.core.errors import ConfigurationError, NotFound

PREFIX = "ak_"
_NAME = re.compile(r"^[\w .@-]{1,80}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    groups     TEXT NOT NULL,
    admin      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used  TEXT
);
"""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored (never the secret itself).

    :param id: its number.
    :param name: what it is for (``mcp-assistent``).
    :param groups: access groups of its client.
    :param admin: may administer.
    """

    id: int
    name: str
    groups: tuple[str, ...]
    admin: bool
    created_at: str
    revoked_at: str | None
    last_used: str | None

    @property
    def active(self) -> bool:
        """:returns: whether it is not revoked."""
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict (without any secret)."""
        return {name: getattr(self, name) for name in self.__slots__} | {"active": self.active}


class ApiKeyStore:
    """The keys, in ``api_keys.sqlite`` under the data directory.

    :param path: the database file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            with conn:
                yield conn
        finally:
            conn.close()

    @staticmethod
    def _key(row: sqlite3.Row) -> ApiKey:
        return ApiKey(
            id=row["id"],
            name=row["name"],
            groups=tuple(g for g in row["groups"].split("\n") if g),
            admin=bool(row["admin"]),
            created_at=row["created_at"],
            revoked_at=row["revoked_at"],
            last_used=row["last_used"],
        )

    def create(
        self, name: str, groups: Sequence[str], *, admin: bool = False
    ) -> tuple[ApiKey, str]:
        """Make a key.

        :param name: what it is for.
        :param groups: the access groups its client may search (at least one).
        :param admin: whether it may administer.
        :returns: the key and its secret (shown once, stored only as a hash).
        :raises ConfigurationError: for an empty name or no groups.
        """
        clean = [group.strip() for group in groups if group and group.strip()]
        if not _NAME.match(name.strip()):
            msg = f"Invalid key name {name!r}: 1–80 letters, digits, space, '.', '@', '-'"
            raise ConfigurationError(msg)
        if not clean:
            msg = "A key needs at least one access group"
            raise ConfigurationError(msg)
        secret = PREFIX + secrets.token_urlsafe(32)
        with self._lock, self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO api_keys (name, hash, groups, admin, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name.strip(), _hash(secret), "\n".join(dict.fromkeys(clean)), admin, _now()),
            )
            row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (cursor.lastrowid,))
            return self._key(row.fetchone()), secret

    def verify(self, secret: str) -> ApiKey | None:
        """:returns: the active key with this secret, or ``None``."""
        if not secret.startswith(PREFIX):
            return None
        with self._lock, self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL", (_hash(secret),)
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE api_keys SET last_used = ? WHERE id = ?", (_now(), row["id"]))
            return self._key(row)

    def list(self) -> list[ApiKey]:
        """:returns: every key, revoked ones too, oldest first."""
        with self._connect() as conn:
            return [self._key(row) for row in conn.execute("SELECT * FROM api_keys ORDER BY id")]

    def revoke(self, key_id: int) -> ApiKey:
        """Refuse a key from now on.

        :raises NotFound: when there is no such key.
        """
        with self._lock, self._connect() as conn:
            conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (_now(), key_id),
            )
            row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            msg = f"There is no API key {key_id}"
            raise NotFound(msg)
        return self._key(row)
