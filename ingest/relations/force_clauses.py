"""Force clauses: when a statute, or a part of it, enters or leaves force, and which
other statutes it puts out of force.

``Diese Satzung tritt am 1. Januar 2025 in Kraft``, ``tritt zum 01.01.2017 rückwirkend in
Kraft``, ``tritt am Tage nach ihrer öffentlichen Bekanntmachung in Kraft`` (resolved from
the publication certificate when the document has one), ``§ 4 tritt am … in Kraft``,
``Gleichzeitig tritt die Hundesteuersatzung vom 12. Dezember 2001 außer Kraft``.

A sentence is about the enactment itself when it says so (``Diese Satzung``, ``Die
Änderung``, its own name, a § of it). One naming another statute's entry into force
(``die Verordnung …, die am 1. September 2022 in Kraft tritt``) is not its clause, and
one putting another statute out of force does not end this one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from ingest.relations.statute_refs import KIND_NAMES, StatuteRef, same_statute, statute_name
from ingest.relations.statute_text import (
    PROVISION,
    DocumentText,
    Evidence,
    dates_in,
    normal_provision,
    shift_date,
    squash,
)

Effect = Literal["enters", "leaves"]
Relative = Literal["day_after_publication", "publication_day", "immediately"]

ENTERS: Final = "enters"
LEAVES: Final = "leaves"


@dataclass(frozen=True, slots=True)
class Publication:
    """When a statute was published, as its certificate says (``Vorstehende
    Bekanntmachung wurde … am 27.02.2025 veröffentlicht``)."""

    date: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class ForceClause:
    """A sentence saying when a statute, or a part of it, enters or leaves force.

    :param effect: ``enters`` or ``leaves``.
    :param date: the day the effect begins — the first day in force, or the first day no
        longer in force — ISO; ``None`` when the document does not resolve it
        (``am Tage nach der öffentlichen Bekanntmachung`` and no publication date).
    :param evidence: the page and sentence.
    :param relative: how the date is stated when not as a date: ``day_after_publication``,
        ``publication_day``, ``immediately``.
    :param retroactive: ``rückwirkend``.
    :param provisions: the parts it is about (``§ 4``, ``§ 2 Abs. 3``; of the other
        statute for a repeal: ``Abschnitt 4``); empty for a whole statute.
    :param statutes: the other statutes it puts out of force; empty when it is about the
        enactment itself.
    :param published: the publication the date was resolved from.
    """

    effect: Effect
    date: str | None
    evidence: Evidence
    relative: Relative | None = None
    retroactive: bool = False
    provisions: tuple[str, ...] = ()
    statutes: tuple[StatuteRef, ...] = ()
    published: Evidence | None = None


_ANCHOR = re.compile(
    r"\b(?P<where>in|außer|ausser)\s+Kraft\b(?![-\w])(?!\s+(?:getreten|gesetzt|zu\s+setzen))"
    r"|\bverlier\w*\b[^.]{0,120}?\bGültigkeit\b"
    r"|\bbefristet\b",
    re.IGNORECASE,
)
_FINITE = re.compile(r"\b(?:tritt|treten|trat|traten|verlier\w*|ist|sind)\b")
_THIS = re.compile(
    # "Diese Satzung", "Diese erste Satzung zur Änderung …", "Dieses Förderprogramm"
    r"\b(?:[Dd]iese[rs]?|[Dd]ie\s+vorstehende)\s+(?:[\wäöüß.-]+\s+){0,2}?"
    r"(?:[\wäöüß]*(?:[Ss]atzung|[Oo]rdnung|[Rr]ichtlinien?|[Aa]nweisung|VO)"
    r"|Bestimmungen|Regelung(?:en)?|Vorschriften|Förderprogramm|Programm|Tarif)\b"
)
_THE = re.compile(
    # "Die Satzung tritt", "Sie tritt": this one when it enters into force; when it leaves,
    # as likely the one it replaces ("Die Satzung, zuletzt geändert …, tritt … außer Kraft")
    r"^\W*(?:\(\d+\)\s*)?(?:Artikel\s+\w+\s+)?(?:Die|Das|Der)\s+"
    r"(?:Satzung|Verordnung|Richtlinien?|Ordnung|Dienstanweisung|Regelung)\b"
    r"(?!\s+(?:vom|v\.|über|für|der\s+\w+\s+vom|\S+\s+vom))"
    r"|^\W*(?:\(\d+\)\s*)?Sie\s+(?:tritt|treten)\b"
)
_THIS_AMENDMENT = re.compile(
    # in an amending statute: "Die Änderung tritt …", "Die 1. Satzung zur Änderung … tritt …"
    r"\b(?:[Dd]iese|[Dd]ie)\s+(?:\d+\.\s*|erste\s+|zweite\s+)?(?:[ÄA]nderung\w*|Satzung\s+zur\s+[ÄA]nderung)"
    r"(?!\s+der\s+\w+\s+vom)"
)
_OWN_NAME = re.compile(
    r"^\W*(?:\(\d+\)\s*)?(?:Die|Das|Der)\s+(?P<word>\S+)\s+(?:tritt|treten|ist)\b"
)
_PART = rf"(?:{PROVISION}|Abschnitt\s+[\dIVX]+)"
_SUBJECT_PARTS = re.compile(
    rf"^\W*(?:\(\d+\)\s*)?(?:Abweichend[^,.]{{0,60}}?(?:,\s*|\s+(?=tritt|treten))|Gleichzeitig\s+)?"
    rf"(?P<verb>(?:tritt|treten)\s+)?(?P<parts>{_PART}(?:\s*(?:,|und|sowie)\s*{_PART})*)"
    r"(?(verb)|(?=[^.]{0,80}?\b(?:tritt|treten|ist|sind)\b|\s+(?:\(|der|des)\b))"
)
_OF_ANOTHER = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:der|des)\b")
_PREDECESSOR = re.compile(
    r"\b(?:die|der|das)\s+(?:bisherige[nr]?|bisher\s+gültigen|alte[nr]?|früheren|seitherigen|evtl\.)\s+"
    r"(?P<what>(?:[\wäöüß]+-\s+und\s+)?[\wäöüß]+)",
    re.IGNORECASE,
)
_EFFECT_DATE = re.compile(
    r"(?:\bam|\bzum|\bab(?:\s+dem)?|\bmit\s+Wirkung\s+(?:vom|zum|ab)|\bmit\s+Ablauf\s+des"
    r"|\bbis\s+(?:zum|einschließlich)?|\brückwirkend\s+(?:zum|ab|am))\s*$",
    re.IGNORECASE,
)
_END_OF_DAY = re.compile(r"Ablauf\s+des\s*$")
_OTHER_SUBJECT = re.compile(r",\s+(?:die|der)\s+(?:\d+\.\s*)?[ÄA]nderung\w*\b")
_NOT_EFFECT = re.compile(r"(?:getreten|geändert|beschlossen|ausgefertigt)\s+(?:am|zum)\s*$")
_ANNOUNCEMENT = (
    r"(?:Vollendung\s+(?:der\s+|ihrer\s+|seiner\s+)?)?(?:öffentlichen\s+)?"
    r"(?:Bekanntmachung|Verkündung|Veröffentlichung|Bekanntgabe)"
)
_DAY_AFTER = re.compile(
    rf"\bTag(?:e|es)?\s+nach\s+(?:der\s+|ihrer\s+|seiner\s+)?{_ANNOUNCEMENT}", re.IGNORECASE
)
_SAME_DAY = re.compile(
    rf"\bTag(?:e|es)?\s+(?:der|ihrer|seiner)\s+{_ANNOUNCEMENT}"
    r"|\bmit\s+(?:der|ihrer|seiner)\s+(?:öffentlichen\s+)?(?:Bekanntmachung|Verkündung)\b",
    re.IGNORECASE,
)
_IMMEDIATELY = re.compile(r"\bmit\s+sofortiger\s+Wirkung\b|\bsofort\b", re.IGNORECASE)
_SAME_TIME = re.compile(
    r"\bGleichzeit(?:ig)?\b|\bgleichen\s+(?:Tage?|Zeitpunkt|Datum)|\bgleichem\s+(?:Tage?|Datum)"
    r"|\bdamit\b|\bTage?\s+des\s+(?:In-?Kraft-?Tretens|Inkrafttretens)",
    re.IGNORECASE,
)
_RETROACTIVE = re.compile(r"\brückwirkend", re.IGNORECASE)
_AM_VOM = re.compile(r"\b(?:am|vom)\s*$")
_PREAMBLE_WORD = re.compile(r"\bAuf\s?grund\b")
_THEREFORE = re.compile(r";|,\s*(?:somit|damit|also)\b")
_PUBLISHED = re.compile(
    r"\bveröffentlicht\b|\bbekannt\s?gemacht\b(?!e)|\bverkündet\b(?!\s+als)"
    r"|\bBekanntmachung\s+erfolgte\b",
    re.IGNORECASE,
)


def publication(doc: DocumentText, start: int, end: int) -> Publication | None:
    """When the statute in ``start`` … ``end`` was published: the last date after ``am``
    or ``vom`` in its last publication sentence (``Vorstehende Bekanntmachung wurde … am
    27.02.2025 veröffentlicht``, ``Öffentlich bekannt gemacht im … vom 30. März 2017``).

    :returns: the publication, or ``None`` when the document does not say.
    """
    found = None
    for match in _PUBLISHED.finditer(doc.text, start, end):
        s, e = doc.sentence(match.start(), match.end())
        sentence = doc.text[s:e]
        anchor = _ANCHOR.search(sentence)
        if (anchor and anchor.start() < match.start() - s) or _PREAMBLE_WORD.search(sentence):
            continue  # a force clause, or the preamble's "verkündet als Artikel 1 …"
        if anchor:  # "Die Bekanntmachung erfolgte am 19.7.1989; somit trat sie … in Kraft"
            sentence = _THEREFORE.split(sentence[: anchor.start()])[0]
        dated = [iso for at, _end, iso in dates_in(sentence) if _AM_VOM.search(sentence, 0, at)]
        if dated:
            found = Publication(dated[-1], doc.evidence(s, e))
    return found


def force_clauses(
    doc: DocumentText,
    start: int,
    end: int,
    *,
    name: str,
    refs: Sequence[StatuteRef],
    published: Publication | None,
    amending: bool = False,
) -> tuple[list[ForceClause], list[ForceClause]]:
    """The force clauses of the enactment in ``start`` … ``end``.

    :param doc: the document.
    :param name: the enactment's name (:func:`ingest.relations.statute_refs.statute_name`), to know
        ``Die Beitragssatzsatzung tritt …`` for its own.
    :param refs: the statute references of the document.
    :param published: its publication, to resolve ``am Tage nach der Bekanntmachung``.
    :param amending: whether it is an amending statute (then ``Die Änderung tritt …`` is
        its own clause; in a consolidated statute it is an amendment's).
    :returns: its clauses about itself, and those putting other statutes out of force.
    """
    own: list[ForceClause] = []
    others: list[ForceClause] = []
    seen: set[tuple[int, bool]] = set()
    for anchor in _ANCHOR.finditer(doc.text, start, end):
        s, e = doc.sentence(anchor.start(), anchor.end())
        leaves = (anchor["where"] or "außer").lower() != "in"
        if (s, leaves) in seen:
            continue
        seen.add((s, leaves))
        named = [r for r in refs if s <= r.start < e]
        clause = _clause(
            doc, s, e, named, name, leaves=leaves, published=published, amending=amending
        )
        if clause is not None:
            (others if clause.statutes else own).append(clause)
    entry = next((c for c in own if c.effect == ENTERS and not c.provisions), None)
    if entry is not None:  # "Gleichzeitig tritt die … außer Kraft": the day this one enters
        others = [
            replace(c, date=entry.date, relative=entry.relative, published=entry.published)
            if c.date is None and c.relative is None and _SAME_TIME.search(c.evidence.sentence)
            else c
            for c in others
        ]
    return own, others


def _clause(
    doc: DocumentText,
    s: int,
    e: int,
    named: list[StatuteRef],
    name: str,
    *,
    leaves: bool,
    published: Publication | None,
    amending: bool,
) -> ForceClause | None:
    sentence = doc.text[s:e]
    if not _FINITE.search(sentence):
        return None
    own_parts, other_parts = _subject_parts(sentence)
    others = [r for r in named if r.date or r.version or r.predecessor]
    for match in _PREDECESSOR.finditer(sentence):  # "die bisherige Entwässerungssatzung"
        if not any(r.start < s + match.end() and s + match.start() < r.end for r in named):
            others.append(
                _predecessor(doc, s + match.start(), s + match.end(), match["what"], name)
            )
    this = bool(
        _THIS.search(sentence) or own_parts or (amending and _THIS_AMENDMENT.search(sentence))
    )
    the = bool(_THE.search(sentence) or _own_name(sentence, name))
    if leaves and not this and the and not others:  # "Die Satzung, zuletzt geändert …"
        others = [_predecessor(doc, s, s, "Satzung", name)]
    if leaves and others and not ("befristet" in sentence and this):
        # "die bisherige Satzung vom …" is this statute's predecessor: it has its name
        statutes = tuple(replace(r, name=name or r.name) if r.generic else r for r in others)
        return _dated(doc, s, e, named, LEAVES, published, tuple(other_parts), statutes)
    if not (this or (the and not leaves)):
        return None
    return _dated(doc, s, e, named, LEAVES if leaves else ENTERS, published, tuple(own_parts))


def _predecessor(doc: DocumentText, start: int, end: int, words: str, name: str) -> StatuteRef:
    """The statute a ``bisherige …`` names: its own name, or this one's if it names a kind."""
    what = statute_name(words)
    return StatuteRef(
        text=squash(doc.text[start:end]), name=what if what not in ("", *KIND_NAMES) else name,
        date=None, version=None, start=start, end=end, page=doc.page_at(start), predecessor=True,
    )  # fmt: skip


def _own_name(sentence: str, name: str) -> bool:
    """``Die Beitragssatzsatzung tritt …`` in the Beitragssatzsatzung."""
    match = _OWN_NAME.match(sentence)
    return bool(match and name and same_statute(statute_name(match["word"]), name))


def _subject_parts(sentence: str) -> tuple[list[str], list[str]]:
    """The parts a clause is about: ``§ 4 tritt …`` (its own), ``Abschnitt 4 … der
    Allgemeinen Dienst- und Geschäftsanweisung vom … tritt … außer Kraft`` (another's)."""
    match = _SUBJECT_PARTS.match(sentence)
    if not match:
        return [], []
    parts = [
        normal_provision(p) if p.lstrip()[:1] in "§$" else squash(p)
        for p in re.findall(_PART, match["parts"])
    ]
    if _OF_ANOTHER.match(sentence, match.end()):
        return [], parts
    return parts, []


def _dated(
    doc: DocumentText,
    s: int,
    e: int,
    named: Sequence[StatuteRef],
    effect: Effect,
    published: Publication | None,
    provisions: tuple[str, ...] = (),
    statutes: tuple[StatuteRef, ...] = (),
) -> ForceClause:
    """A clause with its date: as stated, or resolved from the publication."""
    evidence = doc.evidence(s, e)
    sentence = doc.text[s:e]
    other = _OTHER_SUBJECT.search(sentence)  # "…, die Änderungssatzung tritt am … in Kraft"
    if other and not _OTHER_SUBJECT.match(sentence):
        sentence = sentence[: other.start()]
    retroactive = bool(_RETROACTIVE.search(sentence))
    relative_to = _DAY_AFTER.search(sentence) or _SAME_DAY.search(sentence)
    for at, end, iso in dates_in(sentence):
        if any(r.start <= s + at < r.end for r in named):
            continue  # the date of a statute named: "die Hundesteuersatzung vom …"
        if relative_to and 0 <= at - relative_to.end() <= 12:
            # "am Tage nach ihrer Bekanntmachung am 28.03.2017": the publication, here
            published = Publication(iso, evidence)
            continue
        before = sentence[max(0, at - 30) : at]
        if _EFFECT_DATE.search(before) and not _NOT_EFFECT.search(before):
            end_of_day = _END_OF_DAY.search(before) or "befristet" in sentence[end : end + 20]
            stated = shift_date(iso, 1) if end_of_day else iso
            return ForceClause(effect, stated, evidence, None, retroactive, provisions, statutes)
    relative: Relative | None = None
    if _DAY_AFTER.search(sentence):
        relative = "day_after_publication"
    elif _SAME_DAY.search(sentence):
        relative = "publication_day"
    elif _IMMEDIATELY.search(sentence):
        relative = "immediately"
    if published is None or relative not in ("day_after_publication", "publication_day"):
        return ForceClause(effect, None, evidence, relative, retroactive, provisions, statutes)
    resolved = shift_date(published.date, 1 if relative == "day_after_publication" else 0)
    return ForceClause(
        effect, resolved, evidence, relative, retroactive, provisions, statutes, published.evidence
    )
