"""A corpus's statutes as version histories: which amends which, which replaced which,
and from when to when each is in force.

:func:`link_versions` takes what :func:`ingest.relations.validity.analyse` read from each document
and links

- each **amendment** to the statute it amends, by the statute's name and date as the
  amendment cites it (``1. Satzung zur Änderung der Hundesteuersatzung vom 21. März 2017``
  → the ``Satzung über die Erhebung der Hundesteuer … vom 21. März 2017``). An amendment
  does not end its statute: it makes a new version of it;
- each statute to the one it **replaces**, where its final clause puts that one out of
  force (``Gleichzeitig tritt die Hundesteuersatzung vom 12. Dezember 2001 außer Kraft``,
  ``die bisherige Satzung vom 12.02.2020``). The replaced statute is in force until the
  day before (``in_force_until``), as is one a repealing statute (``Aufhebungssatzung``)
  or its own sunset clause ends.

The unit is an enactment (a statute text; a document may hold several), named by
:class:`Part`. Everything is data: no store, deterministic for the same input.
:func:`in_force_on` answers which texts make up a statute on a given day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

from ingest.relations.force_clauses import ForceClause, Relative
from ingest.relations.statute_refs import StatuteRef, same_statute
from ingest.relations.statute_text import Evidence
from ingest.relations.validity import DocumentValidity, Enactment

_FOREVER: Final = "9999-12-31"


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """What :func:`link_versions` needs of a document.

    :param doc_id: the document's id in the index.
    :param title: its title.
    :param doc_type: its type (``statute``, ``guidance``, ``decision`` …).
    :param date: its date, ISO.
    :param validity: what :func:`ingest.relations.validity.analyse` read from it.
    :param source: statutes link only within one source (one municipality's law: two
        towns both have a ``Hundesteuersatzung vom 21.03.2017``).
    """

    doc_id: str
    title: str
    doc_type: str
    date: str | None
    validity: DocumentValidity
    source: str = ""


@dataclass(frozen=True, slots=True, order=True)
class Part:
    """An enactment: the ``index``-th statute text of document ``doc_id``."""

    doc_id: str
    index: int


@dataclass(frozen=True, slots=True)
class Dated:
    """A date and where a document states it.

    :param date: ISO; ``None`` when the text states it only relative to a publication
        whose date the document does not give (``relative`` says how).
    :param doc_id: the document that says so.
    :param evidence: page and sentence.
    :param relative: ``day_after_publication``, ``publication_day``, ``immediately``.
    :param retroactive: the date lies before the statute was made (``rückwirkend``).
    """

    date: str | None
    doc_id: str
    evidence: Evidence
    relative: Relative | None = None
    retroactive: bool = False


@dataclass(frozen=True, slots=True)
class Version:
    """One enactment in the history of a statute.

    :param part: which enactment.
    :param title: its title.
    :param name: the statute's name (:func:`ingest.relations.validity.statute_name`).
    :param date: its own date (Ausfertigung), ISO.
    :param amends: the enactment it amends, for an amendment found in the corpus.
    :param amended_target: the statute it amends as it cites it, for an amendment.
    :param in_force_from: the first day in force, with the sentence saying so.
    :param in_force_until: the last day in force, with the sentence ending it (a later
        statute's, or its own sunset clause); for an amendment, its statute's.
    :param replaces: enactments it puts out of force.
    :param replaced_by: the enactment that puts it out of force.
    """

    part: Part
    title: str
    name: str
    date: str | None
    amends: Part | None = None
    amended_target: StatuteRef | None = None
    in_force_from: Dated | None = None
    in_force_until: Dated | None = None
    replaces: tuple[Part, ...] = ()
    replaced_by: Part | None = None

    @property
    def is_amendment(self) -> bool:
        """Whether it amends a statute rather than being one."""
        return self.amended_target is not None

    @property
    def effective_from(self) -> str | None:
        """The first day in force; its own date where the text does not resolve it
        (``am Tage nach der Bekanntmachung``, published a few days after that date)."""
        if self.in_force_from is not None and self.in_force_from.date:
            return self.in_force_from.date
        return self.date


@dataclass(frozen=True, slots=True)
class StatuteHistory:
    """A statute through time: its successive versions in order of entry into force —
    each base statute, the amendments to it, and the statute that replaced it.

    :param name: the statute's name.
    :param versions: the enactments, ordered by the day they took effect.
    """

    name: str
    versions: tuple[Version, ...]


@dataclass(frozen=True, slots=True)
class DocumentLinks:
    """What to store per document.

    :param doc_id: the document.
    :param amends: documents holding a statute this document amends.
    :param amended_by: documents amending a statute in this document.
    :param replaces: documents holding a statute this document puts out of force.
    :param replaced_by: documents putting a statute in this document out of force.
    :param in_force_from: when the document's (first) statute enters into force.
    :param in_force_until: the last day it is in force.
    """

    doc_id: str
    amends: tuple[str, ...] = ()
    amended_by: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    replaced_by: tuple[str, ...] = ()
    in_force_from: Dated | None = None
    in_force_until: Dated | None = None


@dataclass(frozen=True, slots=True)
class Versions:
    """The corpus linked.

    :param versions: every enactment, by document id and index.
    :param histories: one per statute, ordered by name.
    :param documents: per document id, what to store with it.
    """

    versions: tuple[Version, ...]
    histories: tuple[StatuteHistory, ...]
    documents: dict[str, DocumentLinks]

    def version(self, part: Part) -> Version:
        """The version of an enactment."""
        return next(v for v in self.versions if v.part == part)


def link_versions(records: Iterable[DocumentRecord]) -> Versions:
    """Link the enactments of a corpus into version histories.

    :param records: the corpus's documents with their analysis.
    :returns: every enactment with its links and dates, the histories, and per document
        what to store.
    """
    records = sorted(records, key=lambda r: r.doc_id)
    parts = [
        (Part(r.doc_id, index), enactment, r)
        for r in records
        for index, enactment in enumerate(r.validity.enactments)
    ]
    amends = {
        part: _base_of(part, enactment, record, parts)
        for part, enactment, record in parts
        if enactment.amendment is not None
    }
    replaced: dict[Part, tuple[Part, Dated]] = {}  # repealed → by which, from when
    for part, enactment, record in parts:
        for clause in enactment.repeals:
            for ref in clause.statutes:
                for old in _repealed(part, enactment, record, ref, parts):
                    replaced.setdefault(old, (part, _dated(clause, record.doc_id)))
        repealed = amends.get(part)  # an Aufhebungssatzung ends the statute it names
        if (
            enactment.amendment
            and enactment.amendment.repeals_whole
            and repealed
            and enactment.entry
        ):
            replaced.setdefault(repealed, (part, _dated(enactment.entry, record.doc_id)))
    versions: dict[Part, Version] = {}
    for part, enactment, record in parts:
        until = _until(part, enactment, record, replaced)
        versions[part] = Version(
            part=part,
            title=enactment.title,
            name=enactment.name,
            date=enactment.date,
            amends=amends.get(part),
            amended_target=_target(enactment),
            in_force_from=_dated(enactment.entry, record.doc_id) if enactment.entry else None,
            in_force_until=until,
            replaces=tuple(sorted(p for p, (by, _d) in replaced.items() if by == part)),
            replaced_by=replaced[part][0] if part in replaced else None,
        )
    for part, base in amends.items():  # an amendment lives as long as its statute
        if base is not None and versions[base].in_force_until is not None:
            versions[part] = replace(versions[part], in_force_until=versions[base].in_force_until)
    ordered = tuple(versions[p] for p, _e, _r in parts)
    return Versions(ordered, _histories(ordered), _documents(ordered, records))


def in_force_on(history: StatuteHistory, on: str) -> tuple[Version, ...]:
    """The texts that make up a statute on a day: the version of the statute in force
    then, followed by its amendments in force by then, in order.

    A version whose entry into force the text leaves to its publication, with no
    publication date known, counts from its own date (publication follows within days).

    :param history: a statute's history (:attr:`Versions.histories`).
    :param on: the day, ISO.
    :returns: the base statute first, then its amendments; empty when none is in force.
        Where the base statute is not in the corpus, only the amendments.
    """

    def active(version: Version) -> bool:
        start = version.effective_from
        end = version.in_force_until.date if version.in_force_until else None
        return start is not None and start <= on <= (end or _FOREVER)

    bases = [v for v in history.versions if not v.is_amendment and active(v)]
    base = max(bases, key=_order, default=None)
    amendments = [v for v in history.versions if v.is_amendment and active(v)]
    if base is not None:
        amendments = [v for v in amendments if v.amends == base.part]
    return ((base,) if base else ()) + tuple(sorted(amendments, key=_order))


# ---------------------------------------------------------------------------- helpers


def _dated(clause: ForceClause, doc_id: str) -> Dated:
    return Dated(clause.date, doc_id, clause.evidence, clause.relative, clause.retroactive)


def _day_before(dated: Dated) -> Dated:
    if dated.date is None:
        return dated
    before = (date.fromisoformat(dated.date) - timedelta(days=1)).isoformat()
    return Dated(before, dated.doc_id, dated.evidence, dated.relative, dated.retroactive)


def _target(enactment: Enactment) -> StatuteRef | None:
    if enactment.amendment is None:
        return None
    return enactment.amendment.target or _unnamed(enactment)


def _unnamed(enactment: Enactment) -> StatuteRef:
    """An amendment that names its statute by no title we can read: by its name only."""
    return StatuteRef(enactment.title, enactment.name, None, None, 0, 0)


def _cites(ref: StatuteRef, enactment: Enactment) -> bool:
    """Whether a reference's date is one the enactment may be cited by."""
    return bool({ref.date, ref.version} & set(enactment.dates) - {None})


def _base_of(
    part: Part,
    enactment: Enactment,
    record: DocumentRecord,
    parts: Sequence[tuple[Part, Enactment, DocumentRecord]],
) -> Part | None:
    """The statute an amendment amends: one of the same name that the amendment cites by
    one of its dates (the same document's first: an amendment printed in front of its
    statute); citing none by date, the one statute of the name made before it."""
    targets = enactment.amendment.targets if enactment.amendment else ()
    for target in targets or (_unnamed(enactment),):
        candidates = [
            p for p, e in _namesakes(target, record, parts, before=enactment.date, inclusive=True)
            if p != part and e.amendment is None
        ]  # fmt: skip
        if target.date or target.version:
            by_date = [p for p in candidates if _cites(target, _enactment_of(p, parts))]
            if by_date:
                return min(by_date, key=lambda p: (p.doc_id != part.doc_id, p))
        elif len(candidates) == 1:
            return candidates[0]
    return None


def _repealed(
    part: Part,
    enactment: Enactment,
    record: DocumentRecord,
    ref: StatuteRef,
    parts: Sequence[tuple[Part, Enactment, DocumentRecord]],
) -> list[Part]:
    """The enactments a repeal clause names: of the same name and cited by one of their
    dates; an undated ``bisherige`` one only where one earlier statute of the name exists."""
    candidates = [
        (p, e) for p, e in _namesakes(ref, record, parts, before=enactment.date, inclusive=False)
        if p.doc_id != part.doc_id
    ]  # fmt: skip
    if ref.date or ref.version:
        return [p for p, e in candidates if _cites(ref, e)]
    bases = [p for p, e in candidates if e.amendment is None]
    return bases if ref.predecessor and len(bases) == 1 else []


def _namesakes(
    ref: StatuteRef,
    record: DocumentRecord,
    parts: Sequence[tuple[Part, Enactment, DocumentRecord]],
    *,
    before: str | None,
    inclusive: bool,
) -> list[tuple[Part, Enactment]]:
    """Enactments of the same source and name as ``ref``, made before a date."""
    limit = before or _FOREVER
    return [
        (p, e)
        for p, e, r in parts
        if r.source == record.source
        and same_statute(ref.name, e.name)
        and ((e.date or "") <= limit if inclusive else (e.date or "") < limit)
    ]


def _enactment_of(part: Part, parts: Sequence[tuple[Part, Enactment, DocumentRecord]]) -> Enactment:
    return next(e for p, e, _r in parts if p == part)


def _until(
    part: Part,
    enactment: Enactment,
    record: DocumentRecord,
    replaced: dict[Part, tuple[Part, Dated]],
) -> Dated | None:
    """The last day in force: the day before its successor or repealer takes effect, or
    before its own sunset clause; where unresolved, the clause with no date."""
    ends: list[Dated] = []
    if part in replaced:
        ends.append(_day_before(replaced[part][1]))
    if enactment.expiry is not None:
        ends.append(_day_before(_dated(enactment.expiry, record.doc_id)))
    dated = [d for d in ends if d.date]
    if dated:
        return min(dated, key=lambda d: d.date or "")
    return ends[0] if ends else None


def _order(version: Version) -> tuple[str, str, Part]:
    return (version.effective_from or _FOREVER, version.date or "", version.part)


def _histories(versions: Sequence[Version]) -> tuple[StatuteHistory, ...]:
    """Group versions: a statute with its amendments, and a statute with the one it
    replaced (union-find over both links)."""
    parent = {v.part: v.part for v in versions}

    def root(part: Part) -> Part:
        while parent[part] != part:
            parent[part] = parent[parent[part]]
            part = parent[part]
        return part

    def join(a: Part, b: Part) -> None:
        parent[root(a)] = root(b)

    for version in versions:
        if version.amends is not None:
            join(version.part, version.amends)
        for old in version.replaces:
            if not version.is_amendment:
                join(old, version.part)
    groups: dict[Part, list[Version]] = {}
    for version in versions:
        groups.setdefault(root(version.part), []).append(version)
    histories = []
    for members in groups.values():
        members.sort(key=_order)
        bases = [v for v in members if not v.is_amendment] or members
        histories.append(StatuteHistory(bases[-1].name, tuple(members)))
    return tuple(sorted(histories, key=lambda h: (h.name, h.versions[0].part)))


def _documents(
    versions: Sequence[Version], records: Sequence[DocumentRecord]
) -> dict[str, DocumentLinks]:
    by_part = {v.part: v for v in versions}
    amended_by: dict[str, set[str]] = {}
    replaced_by: dict[str, set[str]] = {}
    for version in versions:
        if version.amends is not None:
            amended_by.setdefault(version.amends.doc_id, set()).add(version.part.doc_id)
        for old in version.replaces:
            replaced_by.setdefault(old.doc_id, set()).add(version.part.doc_id)
    documents: dict[str, DocumentLinks] = {}
    for record in records:
        own = [v for v in versions if v.part.doc_id == record.doc_id]
        doc_id = record.doc_id
        first = by_part.get(Part(doc_id, 0))
        documents[doc_id] = DocumentLinks(
            doc_id=doc_id,
            amends=_others({v.amends.doc_id for v in own if v.amends is not None}, doc_id),
            amended_by=_others(amended_by.get(doc_id, set()), doc_id),
            replaces=_others({p.doc_id for v in own for p in v.replaces}, doc_id),
            replaced_by=_others(replaced_by.get(doc_id, set()), doc_id),
            in_force_from=first.in_force_from if first else None,
            in_force_until=first.in_force_until if first else None,
        )
    return documents


def _others(doc_ids: set[str], own: str) -> tuple[str, ...]:
    return tuple(sorted(doc_ids - {own}))
