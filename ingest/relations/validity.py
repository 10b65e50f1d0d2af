"""Which statutes a document holds, which ones they amend or repeal, and when they are in
force.

A document's pages of text are read for what a careful reader of local law looks at:

- **references** to statutes by title and date anywhere in it (``Hundesteuersatzung vom
  21. März 2017``; :mod:`ingest.relations.statute_refs`), each with a normalised name and date to
  match them by;
- the **enactments** it holds: usually one, but an archive's PDF may put an amending
  statute in front of the statute it amends, a taxi ordinance may carry its two later
  amendments behind it, and a council paper may hold the draft statute it asks the
  council to adopt in an annex. Each begins at a preamble (``Aufgrund der §§ … folgende
  Satzung beschlossen``); a statute or guidance document is one from its first page;
- for each enactment: whether it **amends** another statute, which one and which §§
  (:mod:`ingest.relations.amendments`); its **force clauses** with the page and sentence saying
  them — entry into force, retroactive or on the day after publication (resolved from the
  publication certificate where there is one), expiry, parts of it, and the other
  statutes it puts out of force (:mod:`ingest.relations.force_clauses`); the dates it may be cited
  by (its title's, its decision's, its Ausfertigung's).

Everything here is a pure function of text: no store, no model.
:func:`ingest.relations.versions.link_versions` links the enactments of a corpus into
version histories. Dates are ISO strings (``2025-01-01``), as in the index metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from ingest.relations.amendments import Amendment, Change, amendment_of
from ingest.relations.force_clauses import (
    ENTERS,
    LEAVES,
    ForceClause,
    Publication,
    force_clauses,
    publication,
)
from ingest.relations.statute_refs import (
    KIND_WORD,
    StatuteRef,
    same_statute,
    statute_name,
    statute_references,
)
from ingest.relations.statute_text import DocumentText, Evidence, Page, dates_in, pages_of, squash

__all__ = [
    "ENTERS",
    "LEAVES",
    "REGULATION_TYPES",
    "Amendment",
    "Change",
    "DocumentValidity",
    "Enactment",
    "Evidence",
    "ForceClause",
    "Page",
    "Publication",
    "StatuteRef",
    "analyse",
    "dates_in",
    "pages_of",
    "same_statute",
    "statute_name",
    "statute_references",
]

REGULATION_TYPES: Final = frozenset({"statute", "guidance"})
"""Document types whose text is a rule in itself from the first page; other documents
(council papers, minutes) hold an enactment only where a statute's preamble is in them."""

_PREAMBLE = re.compile(r"^[ \t#*]*Auf\s?[Gg]rund\s+(?:des|der|von|§|\$)", re.MULTILINE)
_ENACTING = re.compile(r"beschlossen|erlassen|verordnet|gegeben|wie\s+folgt\s+geändert")
_PREAMBLE_END = re.compile(r":\s")
_SIGNATURE = re.compile(r"(?:^|\n)[ \t]*[A-ZÄÖÜ][\wäöüß.-]+,\s*(?:den\s*_*\s*)?$")
_DECISION = re.compile(
    r"(?:Sitzung|Gemeindevertretung|Stadtrat|Gemeinderat|Gemeindevorstand\w*|Beschlu(?:ss|ß)\S*)"
    r"\b[^.]{0,90}?\b(?:am|vom)\s*$"
)
_PAPER = re.compile(
    r"Drucksache|\bDrs\.|Vorlage|Beschlu(?:ss|ß)|Niederschrift|Protokoll|Antrag|Anfrage|Tagesordnung",
    re.IGNORECASE,
)
_HEAD = 600
"""How much of an enactment without a preamble is read for its title."""


@dataclass(frozen=True, slots=True)
class Enactment:
    """One statute text in a document.

    :param title: its title (the document's for the first, else as printed above it).
    :param name: the name of the statute it is a version of (:func:`statute_name`): its
        own, or, for an amendment, the amended statute's; ``""`` when it names none.
    :param date: its own date: the Ausfertigung (signature) date, else its title's, else
        the date of the decision, else the document's.
    :param dates: every date it may be cited by (title, decision, signature, document),
        ISO, sorted.
    :param first_page: the page it starts on (``None`` where the format has no pages).
    :param last_page: the page it ends on.
    :param amendment: what it amends, if it is an amending statute.
    :param in_force: its clauses about itself: entry into force, expiry, the same for
        parts of it, in order.
    :param repeals: its clauses putting other statutes out of force.
    :param published: its publication, where its certificate states it.
    """

    title: str
    name: str
    date: str | None
    dates: tuple[str, ...]
    first_page: int | None
    last_page: int | None
    amendment: Amendment | None = None
    in_force: tuple[ForceClause, ...] = ()
    repeals: tuple[ForceClause, ...] = ()
    published: Publication | None = None

    @property
    def entry(self) -> ForceClause | None:
        """The clause putting the whole enactment into force, if there is one."""
        return next((c for c in self.in_force if c.effect == ENTERS and not c.provisions), None)

    @property
    def expiry(self) -> ForceClause | None:
        """The clause ending the whole enactment (a sunset clause), if there is one."""
        return next((c for c in self.in_force if c.effect == LEAVES and not c.provisions), None)


@dataclass(frozen=True, slots=True)
class DocumentValidity:
    """What a document says about statutes.

    :param enactments: the statute texts it holds, in order (none for a council paper
        that only mentions a statute).
    :param references: every statute it names by title and date, with pages.
    """

    enactments: tuple[Enactment, ...] = ()
    references: tuple[StatuteRef, ...] = ()


def analyse(
    pages: Sequence[Page], *, title: str = "", doc_type: str = "statute", date: str | None = None
) -> DocumentValidity:
    """Read a document's statutes, amendments and force clauses.

    :param pages: the document's pages (:func:`pages_of`).
    :param title: its title (as :func:`ingest.pipeline.doc_metadata.infer_metadata` gives it).
    :param doc_type: its type; a ``statute`` or ``guidance`` document (or one whose title
        names a statute and is no council paper's) is an enactment from its first page,
        any other holds one only from a statute's preamble on.
    :param date: its own date, ISO, if known.
    :returns: the document's enactments and references.
    """
    doc = DocumentText.of(pages)
    references = tuple(replace(r, page=doc.page_at(r.start)) for r in statute_references(doc.text))
    regulation = doc_type in REGULATION_TYPES or _names_a_rule(title, doc_type)
    segments = _segments(doc.text, regulation=regulation)
    enactments = tuple(
        _enactment(
            doc,
            start,
            end,
            preamble,
            references,
            title=title if start == 0 else "",
            doc_date=date if index == 0 else None,
        )
        for index, (start, end, preamble) in enumerate(segments)
    )
    return DocumentValidity(enactments, references)


def _names_a_rule(title: str, doc_type: str) -> bool:
    """A document typed otherwise whose title names a statute (``Archivordnung des
    Landkreises …``, typed a decision) — but not a council paper about one."""
    return doc_type != "correspondence" and bool(statute_name(title)) and not _PAPER.search(title)


def _segments(text: str, *, regulation: bool) -> list[tuple[int, int, int | None]]:
    """``(start, end, preamble)`` of each enactment: one per preamble, the first from the
    document's start when it is a regulation."""
    preambles = [match.start() for match in _PREAMBLE.finditer(text) if _enacts(text, match.end())]
    if not preambles:
        return [(0, len(text), None)] if regulation else []
    floors = [0, *(at + 1 for at in preambles[:-1])]
    starts = [
        0 if index == 0 and regulation else max(floor, _head(text, at))
        for index, (at, floor) in enumerate(zip(preambles, floors, strict=True))
    ]
    return list(zip(starts, [*starts[1:], len(text)], preambles, strict=True))


def _enacts(text: str, at: int) -> bool:
    """Whether the sentence from ``at`` enacts (``… folgende Satzung beschlossen:``), not
    ``Aufgrund von § 34 LKrO werden folgende Ausschüsse gebildet:``."""
    end = _PREAMBLE_END.search(text, at, at + 1500)
    return bool(_ENACTING.search(text, at, end.end() if end else at + 1500))


def _head(text: str, preamble: int) -> int:
    """Where the title above a preamble begins: the lines right above it that do not end a
    sentence, at most back to the start of its page."""
    page_start = text.rfind("\f", 0, preamble) + 2 if "\f" in text[:preamble] else 0
    start = preamble
    for _ in range(12):
        if start <= page_start:
            break
        line_start = text.rfind("\n", 0, start - 1) + 1
        line = text[line_start:start].strip()
        if re.search(r"[.:;!?]$", line) and not re.search(r"\b\d{1,2}\.$", line):
            break
        start = line_start
    return max(start, page_start)


def _enactment(
    doc: DocumentText,
    start: int,
    end: int,
    preamble: int | None,
    references: Sequence[StatuteRef],
    *,
    title: str,
    doc_date: str | None,
) -> Enactment:
    head = doc.text[start : preamble if preamble is not None else min(end, start + _HEAD)]
    printed = _printed_title(head)
    heading = f"{title}\n{printed}" if preamble is not None else title
    amendment = amendment_of(doc, start, end, heading=heading, refs=references)
    if amendment is not None:
        target = amendment.target
        after = re.split(r"[ÄA]nderung\s+(?:der|des)|Aufhebung\s+der|Nachtrag\s+zur", heading)
        name = target.name if target else statute_name(after[-1])
    else:
        name = statute_name(title) or (statute_name(printed) if preamble is not None else "")
    named = f"{title}\n{printed}" if preamble is not None else title
    dates = _own_dates(doc.text, start, end, preamble, named, amending=bool(amendment))
    if doc_date:
        dates.append(("document", doc_date))
    published = publication(doc, start, end)
    in_force, repeals = force_clauses(
        doc,
        start,
        end,
        name=name,
        refs=[r for r in references if start <= r.start < end],
        published=published,
        amending=amendment is not None,
    )
    by_kind = dict(reversed(dates))
    own = by_kind.get("signature") or by_kind.get("title") or by_kind.get("decision") or doc_date
    pages = [p for p in (doc.page_at(start), doc.page_at(max(start, end - 1))) if p is not None]
    return Enactment(
        title=squash(title or printed),
        name=name,
        date=own,
        dates=tuple(sorted({iso for _how, iso in dates})),
        first_page=min(pages, default=None),
        last_page=max(pages, default=None),
        amendment=amendment,
        in_force=tuple(in_force),
        repeals=tuple(repeals),
        published=published,
    )


def _printed_title(head: str) -> str:
    """The title above a preamble: from the first line naming a statute or an amendment."""
    lines = [line.strip() for line in head.splitlines() if line.strip() not in ("", "\f")]
    for index, line in enumerate(lines):
        if KIND_WORD.search(line) or re.search(r"[ÄA]nderung\b", line):
            return " ".join(lines[index:])[:300]
    return " ".join(lines)[-300:]


def _own_dates(
    text: str, start: int, end: int, preamble: int | None, title: str, *, amending: bool
) -> list[tuple[str, str]]:
    """``(how, iso)`` of the dates an enactment may be cited by: its title's (not an
    amendment's: that dates the statute it amends), its decision's in the preamble, and
    the Ausfertigung's (``Linsengericht, den 23.10.2018``)."""
    found: list[tuple[str, str]] = []
    for title_date in re.finditer(r"\bvom\s+(.{6,22})", title):
        if dates_in(title_date[1]) and not amending:
            found.append(("title", dates_in(title_date[1])[0][2]))
    if preamble is not None:
        window = text[preamble : preamble + 1500]
        enacting = _ENACTING.search(window)
        window = window[: enacting.end() + 40] if enacting else window
        found += [
            ("decision", iso)
            for at, _end, iso in dates_in(window)
            if _DECISION.search(window[max(0, at - 120) : at])
        ]
    found += [
        ("signature", iso)
        for at, _end, iso in dates_in(text[start:end])
        if _SIGNATURE.search(text[max(0, start + at - 60) : start + at])
    ]
    return found
