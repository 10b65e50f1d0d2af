"""Where cases are kept: the table ``cases`` of ``cases.sqlite`` in the data directory, or
of the shared PostgreSQL (:mod:`search.sql`), one JSON document per case.

A case is read, changed and written back whole. Each write names the version it read;
a write over a version someone else saved meanwhile is refused (:class:`Conflict`), so
two replicas of the service, or two people at once, never overwrite each other.
"""

from __future__ import annotations

import uuid
from typing import Final

from search.cases.case import CASE_ADAPTER, Case, now
from search.core.errors import Conflict, NotFound
from search.core.settings import Settings
from search.sql import Database, open_database

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS cases (
    id       TEXT PRIMARY KEY,
    version  INTEGER NOT NULL,
    data     TEXT NOT NULL,
    updated  TEXT NOT NULL
);
"""


def new_case_id() -> str:
    """:returns: a new case id (12 hex digits)."""
    return uuid.uuid4().hex[:12]


class CaseStore:
    """The cases.

    :param db: the state database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        db.script(_SCHEMA, "auskunft-cases")

    @classmethod
    def open(cls, settings: Settings) -> CaseStore:
        """:returns: the store in the configured state database (PostgreSQL when shared,
        else ``cases.sqlite`` in the data directory)."""
        return cls(open_database(settings, settings.cases_path, "cases"))

    def get(self, case_id: str) -> Case:
        """:returns: the case.

        :raises NotFound: when there is no such case.
        """
        row = self._db.execute("SELECT data, version FROM cases WHERE id = ?", (case_id,))
        found = row.fetchone()
        if found is None:
            msg = f"There is no case {case_id}"
            raise NotFound(msg)
        case = CASE_ADAPTER.validate_json(found[0])
        case.version = int(found[1])
        return case

    def all(self) -> list[Case]:
        """:returns: every case (a council office has hundreds a year, not millions)."""
        rows = self._db.execute("SELECT data, version FROM cases").fetchall()
        cases = []
        for data, version in rows:
            case = CASE_ADAPTER.validate_json(data)
            case.version = int(version)
            cases.append(case)
        return cases

    def save(self, case: Case) -> Case:
        """Write a case: a new one (version 0) is inserted, a known one replaced if nobody
        saved it since it was read.

        :returns: the case with its new version.
        :raises Conflict: when it was changed meanwhile.
        """
        read = case.version
        case.version = read + 1
        data = CASE_ADAPTER.dump_json(case).decode()
        if read == 0:
            self._db.execute(
                "INSERT INTO cases (id, version, data, updated) VALUES (?, ?, ?, ?)",
                (case.id, case.version, data, now()),
            )
            return case
        cursor = self._db.execute(
            "UPDATE cases SET version = ?, data = ?, updated = ? WHERE id = ? AND version = ?",
            (case.version, data, now(), case.id, read),
        )
        if cursor.rowcount != 1:
            case.version = read
            msg = f"Case {case.id} was changed meanwhile"
            raise Conflict(msg, "stale")
        return case

    def close(self) -> None:
        """Close the connection."""
        self._db.close()
