"""What one document says of others, resolved: which statute it amends and what amends
it, from when to when it is in force, what it cites and what cites it.

Ingestion reads these from the text (:mod:`ingest.relations`) and, after every run, links
the whole catalog and writes one record per document into the table ``relations`` of the
state database (SQLite ``catalog.sqlite`` in the data directory, or PostgreSQL), so a
reference to a document that arrives later is resolved then. The search service reads
the table (:class:`RelationStore`) to say of a hit "geändert durch …" and to rank what was
in force on the *Rechtsstand* date first (:func:`arrange`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from pydantic import TypeAdapter

from search.core.settings import Settings
from search.results import DocumentHit
from search.sql import Database, PostgresDatabase, SQLiteDatabase, state_url

_PARAGRAPH: Final = re.compile(r"§\s*(\d+\s*[a-z]?)\b")
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS relations (
    doc_id   TEXT PRIMARY KEY,
    data     TEXT NOT NULL,
    updated  TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Dated:
    """A day and where a document states it.

    :param date: ISO; ``None`` when the text names it only relative to a publication whose
        date the document does not give (``relative`` says how).
    :param doc_id: the document that says so.
    :param page: its page, where the format has pages.
    :param sentence: the sentence saying so.
    :param relative: ``day_after_publication``, ``publication_day`` or ``immediately``.
    :param retroactive: the day lies before the statute was made (*rückwirkend*).
    """

    date: str | None
    doc_id: str
    page: int | None = None
    sentence: str = ""
    relative: str | None = None
    retroactive: bool = False


@dataclass(frozen=True, slots=True)
class Linked:
    """Another document, as a link names it.

    :param doc_id: its id.
    :param title: its title.
    :param date: its date, ISO.
    :param in_force_from: the day it enters into force, where it is a rule with one.
    :param changes: for an amendment, the provisions it changes (``§ 3 Abs. 1``), where
        its text says so.
    :param groups: the access groups that may see it (a link is shown only to them).
    """

    doc_id: str
    title: str
    date: str | None = None
    in_force_from: str | None = None
    changes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference in the text, resolved where the target is indexed.

    :param kind: ``statute`` (by title and date), ``paper`` (Drucksache) or ``law`` (§).
    :param text: as written.
    :param key: normalised, to match targets by.
    :param page: where it stands.
    :param doc_id: the target document, when indexed.
    :param title: the target's title, when indexed.
    :param section: the target's section (``§ 34``), where it has one.
    """

    kind: str
    text: str
    key: str
    page: int | None = None
    doc_id: str | None = None
    title: str | None = None
    section: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRelations:
    """One document's links (the fields ``auskunft search --json`` gives each hit).

    :param doc_id: the document.
    :param in_force_from: the first day its (first) rule is in force.
    :param in_force_until: the last day, once superseded or repealed.
    :param amends: documents holding a statute it amends.
    :param amended_by: documents amending a statute it holds, in order of entry into force.
    :param replaces: documents whose statute it puts out of force.
    :param replaced_by: documents putting its statute out of force.
    :param references: what it cites.
    :param cited_by: documents citing it.
    :param history: the versions of its statute (base statutes and amendments), in order
        of entry into force, itself included.
    :param rule_pages: for an amendment, the first and last page of its text (a council
        paper may hold the amending statute in an annex), where the format has pages.
    """

    doc_id: str
    in_force_from: Dated | None = None
    in_force_until: Dated | None = None
    amends: tuple[Linked, ...] = ()
    amended_by: tuple[Linked, ...] = ()
    replaces: tuple[Linked, ...] = ()
    replaced_by: tuple[Linked, ...] = ()
    references: tuple[Reference, ...] = ()
    cited_by: tuple[Linked, ...] = ()
    history: tuple[Linked, ...] = ()
    rule_pages: tuple[int, int] | None = None

    @property
    def is_rule(self) -> bool:
        """Whether it is a rule with a known time in force (a statute or amendment)."""
        return self.in_force_from is not None or bool(self.amends or self.history)

    def in_force_on(self, day: str) -> bool | None:
        """:returns: whether its rule is in force on ``day`` (ISO); ``None`` when that is
        not known (not a rule, or its entry into force has no date)."""
        start = self.in_force_from.date if self.in_force_from else None
        if start is None:
            return None
        end = self.in_force_until.date if self.in_force_until else None
        return start <= day and (end is None or day <= end)

    def amendments_in_force(self, day: str) -> list[Linked]:
        """:returns: the amendments of its statute in force on ``day``."""
        return [a for a in self.amended_by if a.in_force_from and a.in_force_from <= day]

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict (the links' access groups left out)."""
        data: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        for name in _LINK_FIELDS:
            for link in data[name]:
                link.pop("groups", None)
        return data

    def visible_to(self, groups: Sequence[str] | None) -> DocumentRelations:
        """:returns: these relations with only the links ``groups`` may see (``None``:
        all, for admin tooling)."""
        if groups is None:
            return self
        allowed = set(groups)

        def kept(links: tuple[Linked, ...]) -> tuple[Linked, ...]:
            return tuple(link for link in links if allowed & set(link.groups))

        return replace(
            self,
            amends=kept(self.amends),
            amended_by=kept(self.amended_by),
            replaces=kept(self.replaces),
            replaced_by=kept(self.replaced_by),
            cited_by=kept(self.cited_by),
            history=kept(self.history),
        )


_ADAPTER: Final = TypeAdapter(DocumentRelations)
_LINK_FIELDS: Final = ("amends", "amended_by", "replaces", "replaced_by", "cited_by", "history")


def relations_from_dict(data: Mapping[str, Any]) -> DocumentRelations:
    """:returns: the relations a :meth:`DocumentRelations.to_dict` dict describes."""
    return _ADAPTER.validate_python(data)


def today() -> str:
    """:returns: today's date, ISO (the default *Rechtsstand*)."""
    return date.today().isoformat()


def arrange(
    ranked: Sequence[str],
    relations: Mapping[str, DocumentRelations],
    as_of: str,
    *,
    in_force_only: bool = False,
    dates: Mapping[str, str | None] | None = None,
) -> list[str]:
    """Order a ranked match set by what was in force on a day.

    - A rule not in force on ``as_of`` (not yet, or no longer) moves behind every document
      that is or has no time in force, keeping its rank among them; with
      ``in_force_only`` it is left out. So does any document dated after ``as_of`` (it did
      not exist then). Other documents keep their place.
    - An amendment in force on ``as_of`` moves right before the highest-ranked document
      holding the statute it amends: the current wording comes first.

    :param ranked: document ids, best first.
    :param relations: the relations of (some of) them.
    :param as_of: the day, ISO.
    :param in_force_only: leave out rules not in force on that day.
    :returns: the ids in their new order.
    """
    current: list[str] = []
    other: list[str] = []
    for doc_id in ranked:
        links = relations.get(doc_id)
        in_force = links.in_force_on(as_of) if links else None
        later = bool(dates and (dates.get(doc_id) or "") > as_of)
        (other if in_force is False or later else current).append(doc_id)
    if in_force_only:
        other = []
    placed: list[str] = []
    moved: set[str] = set()
    position = {doc_id: index for index, doc_id in enumerate(current)}
    for doc_id in current:
        if doc_id in moved:
            continue
        links = relations.get(doc_id)
        if links is not None:
            for amendment in links.amendments_in_force(as_of):
                # only an amendment ranked below its statute moves up
                if position.get(amendment.doc_id, -1) > position[doc_id]:
                    placed.append(amendment.doc_id)
                    moved.add(amendment.doc_id)
        placed.append(doc_id)
        moved.add(doc_id)
    return placed + other


def _german(day: str | None) -> str:
    if not day:
        return "?"
    year, month, dd = day.split("-")
    return f"{dd}.{month}.{year}"


def notes(links: DocumentRelations, as_of: str, language: str = "de") -> list[str]:
    """What a reader must know of a hit's validity on ``as_of``, one line each.

    :returns: e.g. "Geändert durch Drucksache 2024/0153 … (in Kraft seit 01.01.2025)",
        "Außer Kraft seit …", "Tritt erst am … in Kraft".
    """
    german = language != "en"
    lines: list[str] = []
    for base in links.amends:
        dated = base.date and " vom " not in base.title
        title = base.title + (f" vom {_german(base.date)}" if dated else "")
        lines.append(("Ändert " if german else "Amends ") + title)
    for amendment in links.amended_by:
        since = amendment.in_force_from
        if since and since <= as_of:
            when = f" (in Kraft seit {_german(since)})" if german else f" (in force since {since})"
        elif since:
            when = (
                f" (tritt am {_german(since)} in Kraft)" if german else f" (in force from {since})"
            )
        else:
            when = ""
        title = amendment.title + (f" vom {_german(amendment.date)}" if amendment.date else "")
        lines.append(("Geändert durch " if german else "Amended by ") + title + when)
    if links.in_force_until and links.in_force_until.date and links.in_force_until.date < as_of:
        since = (date.fromisoformat(links.in_force_until.date) + timedelta(days=1)).isoformat()
        by = f" ({links.replaced_by[0].title})" if links.replaced_by else ""
        lines.append(
            f"Außer Kraft seit {_german(since)}{by}" if german else f"Repealed since {since}{by}"
        )
    start = links.in_force_from.date if links.in_force_from else None
    if start and start > as_of:
        lines.append(
            f"Tritt erst am {_german(start)} in Kraft" if german else f"In force only from {start}"
        )
    return lines


def _paragraph(text: str) -> str | None:
    found = _PARAGRAPH.search(text)
    return found[1].lower() if found else None


def describe(hit: DocumentHit, links: DocumentRelations, as_of: str, language: str = "de") -> None:
    """Give a hit its relations and what they mean on ``as_of`` (:func:`notes`); mark its
    passages of provisions an amendment in force has changed as the earlier wording."""
    data = links.to_dict()
    hit.in_force_from = data["in_force_from"]
    hit.in_force_until = data["in_force_until"]
    hit.amends = data["amends"]
    hit.amended_by = data["amended_by"]
    hit.references = data["references"]
    hit.validity = notes(links, as_of, language)
    german = language != "en"
    if links.rule_pages and links.amends and links.in_force_on(as_of):
        first, last = links.rule_pages
        since = links.in_force_from.date if links.in_force_from else None
        base = links.amends[0].title
        for passage in hit.passages:
            if passage.page_start is not None and first <= passage.page_start <= last:
                passage.current = (
                    f"Geltende Fassung seit {_german(since)}, ändert {base}"
                    if german
                    else f"Current wording since {since}, amends {base}"
                )
    for passage in hit.passages:
        paragraph = _paragraph(passage.section)
        if paragraph is None:
            continue
        for amendment in links.amendments_in_force(as_of):
            changed = [c for c in amendment.changes if _paragraph(c) == paragraph]
            if changed:
                which, by = ", ".join(changed), amendment.title
                passage.superseded = (
                    f"{which} geändert durch {by} (in Kraft seit "
                    f"{_german(amendment.in_force_from)})"
                    if german
                    else f"{which} amended by {by} (in force since {amendment.in_force_from})"
                )


class RelationStore:
    """The table ``relations``: one JSON record per document, replaced whole by each link
    pass, read by the search service (cached until the table changes).

    :param db: the state database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._ready = False
        self._lock = threading.Lock()
        self._cache: dict[str, DocumentRelations] = {}
        self._stamp: tuple[Any, ...] | None = None

    @classmethod
    def open(cls, settings: Settings) -> RelationStore:
        """:returns: the store in the configured state database (PostgreSQL when shared,
        else the catalog's SQLite file)."""
        url = state_url(settings)
        db = PostgresDatabase(url, "relations") if url else None
        return cls(db or SQLiteDatabase(settings.catalog_path, "relations"))

    @property
    def db(self) -> Database:
        """:returns: the database, the table created on first use."""
        if not self._ready:
            self._db.script(_SCHEMA, "auskunft-relations")
            self._ready = True
        return self._db

    def replace_all(self, relations: Iterable[DocumentRelations]) -> int:
        """Replace every record by these, atomically.

        :returns: how many were written.
        """
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        rows = [
            {"doc_id": links.doc_id, "data": _ADAPTER.dump_json(links).decode(), "updated": stamp}
            for links in relations
        ]
        with self.db.transaction() as db:
            db.execute("DELETE FROM relations")
            db.executemany(
                "INSERT INTO relations (doc_id, data, updated) VALUES (:doc_id, :data, :updated)",
                rows,
            )
        return len(rows)

    def all(self) -> dict[str, DocumentRelations]:
        """:returns: every record by document id (read again only when the table changed)."""
        with self._lock:
            stamp = tuple(
                self.db.execute("SELECT COUNT(*), MAX(updated) FROM relations").fetchone()
            )
            if stamp != self._stamp:
                rows = self.db.execute("SELECT data FROM relations").fetchall()
                self._cache = {
                    links.doc_id: links
                    for links in (_ADAPTER.validate_json(row[0]) for row in rows)
                }
                self._stamp = stamp
            return self._cache

    def get(self, doc_id: str) -> DocumentRelations | None:
        """:returns: one document's record, if it has one."""
        return self.all().get(doc_id)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()


EMPTY: Final = DocumentRelations(doc_id="")
"""The relations of a document nothing is known of."""

__all__ = [
    "EMPTY",
    "Dated",
    "DocumentRelations",
    "Linked",
    "Reference",
    "RelationStore",
    "arrange",
    "describe",
    "notes",
    "relations_from_dict",
    "today",
]
