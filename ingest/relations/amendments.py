"""Amending statutes: which statute one amends, and which provisions it changes.

An enactment amends when its title says so (``1. Satzung zur Änderung der
Hauptsatzung …``, ``Erste Satzung zur Änderung …``, ``Änderungssatzung``,
``Nachtragssatzung``, ``2. Änderung der Verordnung …``, ``Satzung zur Aufhebung der …``)
or its first article does (``Artikel 1 Änderung der …``). The statute it amends is the
one its text says ``wird wie folgt geändert`` (``Die Hauptsatzung der Gemeinde
Linsengericht vom 23.10.2018 wird wie folgt geändert``), else the one its title names
after ``Änderung der``. The provisions it changes are read where it lists them (``§ 3
Abs. 1 erhält folgende Fassung``, ``In § 3 Abs. 2 wird die Angabe … ersetzt``, ``§ 5
Ortsbeirat wird aufgehoben``, and after ``Zu § 24``: ``Absatz 1 wird wie folgt
geändert``); the new wording they quote is not read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from ingest.relations.statute_refs import StatuteRef, statute_references
from ingest.relations.statute_text import (
    PROVISION,
    DocumentText,
    Evidence,
    mask_abbreviations,
    normal_provision,
    squash,
)

Action = Literal["amended", "replaced", "repealed", "inserted"]

_AMENDING = re.compile(
    r"(?:\b(?P<ord>\d+)\s*\.\s*|\b(?P<word>Erste|Zweite|Dritte|Vierte|Fünfte|Sechste)\s+)?"
    r"(?:(?:Satzung|Verordnung|Richtlinie|\w*[Oo]rdnung)\s+zur\s+(?P<how>[ÄA]nderung|Aufhebung)"
    r"\s+(?:der|des)\b"
    r"|(?P<compound>[ÄA]nderungssatzung|[ÄA]nderungsverordnung|Nachtragssatzung"
    r"|Aufhebungssatzung)\b"
    r"|Nachtrag\s+zur\b"
    r"|^[ \t]*(?:(?P<ord2>\d+)\s*\.\s*)?[ÄA]nderung\s+der\s+(?:\w+\s+)?"
    r"(?:Satzung|Verordnung|VO|\w+(?:satzung|ordnung))\b"
    r"|\bArtikel\s+(?:1|I)\b\s*[:.–-]?\s*[ÄA]nderung\s+(?:der|des)\b)",
    re.MULTILINE,
)
_VERSION_OF = re.compile(r"Fassung\s+der\s+$")
_ARTICLE = re.compile(r"\bArtikel\s+(?:1|I)\b\s*[:.–-]?\s*[ÄA]nderung\s+(?:der|des)\b")
_ORDINALS: Final = {"erste": 1, "zweite": 2, "dritte": 3, "vierte": 4, "fünfte": 5, "sechste": 6}
_AMENDS_HERE = re.compile(
    r"\b(?:wird|werden)\s+(?:hiermit\s+)?(?:wie\s+folgt\s+)?(?P<what>geändert|aufgehoben)\b"
    r"|\bwie\s+folgt\s+geändert\b"
)
_VERB_BEFORE = re.compile(r"\b(?:wird|werden)\s+(?:die|der|das)\s+$")
_AFTER_AMENDMENT_OF = re.compile(r"(?:[ÄA]nderung|Aufhebung|Nachtrag)\s+(?:der|des|zur)\s+$")

_CHANGE = re.compile(
    rf"(?:^|(?<=[\s:.]))(?:(?:\d+\.|[a-z]\))\s*)?(?:[Ii]n\s*)?(?P<prov>{PROVISION})", re.MULTILINE
)
_CONTEXT = re.compile(rf"^[ \t]*Zu\s+(?P<prov>{PROVISION})", re.MULTILINE)
_BARE_CHANGE = re.compile(
    r"^[ \t]*(?:\d+\.\s*)?(?P<prov>Abs(?:atz|ätze|\.)\s*\d+(?:\s*(?:und|,|bis)\s*\d+)*)",
    re.MULTILINE,
)
_CLAUSE_END = re.compile(r"[.;:](?:\s|$)|\n\s*(?:\d+\.|[a-z]\))\s")
_CHANGE_VERB = re.compile(
    r"^\s*(?:[\wäöüß„“\"-]+\s+){0,8}?(?:wird|werden|erhält|erhalten|entf[äa]ll)"
)
_INNER_PART = re.compile(r"^\s*(?:wird|werden)\s+(?:der|die|das)\s+(?P<part>Abs(?:atz|\.)\s*\d+)")
_ACTIONS: Final[tuple[tuple[Action, re.Pattern[str]], ...]] = (
    ("repealed", re.compile(r"\b(?:wird|werden)\s+aufgehoben\b|\bentf[äa]ll(?:t|en)\b|gestrichen")),
    ("replaced", re.compile(r"\bfolgende\s+(?:Neu)?[Ff]assung\b|\bneu\s+gefasst\b")),
    ("inserted", re.compile(r"\b(?:eingefügt|angefügt)\b")),
    ("amended", re.compile(r"\b(?:geändert|ersetzt|ergänzt|herabgesetzt|erhöht)\b")),
)  # fmt: skip
_QUOTED = re.compile(r"„[^“”]{0,3000}[“”]|\"[^\"]{0,3000}\"")


@dataclass(frozen=True, slots=True)
class Change:
    """A provision an amending statute changes, where it says so.

    :param provision: ``§ 3 Abs. 1``, ``§ 6 Abs. 1 Nr. 2``, ``§ 7``.
    :param action: ``amended`` (words replaced or added), ``replaced`` (new wording),
        ``repealed``, ``inserted`` (a new provision).
    :param evidence: the page and sentence.
    """

    provision: str
    action: Action
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Amendment:
    """What an amending statute amends.

    :param targets: the statutes it amends, by title and date as it cites them (an
        Artikel-Gesetz may amend several); the first is the one it is named after. Empty
        when it names none by date (``1. Satzung zur Änderung der Abfallsatzung``).
    :param ordinal: ``1`` for the ``1. Satzung zur Änderung``, where stated.
    :param repeals_whole: an ``Aufhebungssatzung``, or one saying the whole statute
        ``wird aufgehoben``.
    :param changes: the provisions it changes, in order, where it says so.
    :param evidence: where it says what it amends.
    """

    targets: tuple[StatuteRef, ...]
    ordinal: int | None
    repeals_whole: bool
    changes: tuple[Change, ...]
    evidence: Evidence

    @property
    def target(self) -> StatuteRef | None:
        """The statute it is named after, if it names one by date."""
        return self.targets[0] if self.targets else None


def amendment_of(
    doc: DocumentText, start: int, end: int, *, heading: str, refs: Sequence[StatuteRef]
) -> Amendment | None:
    """What the enactment in ``start`` … ``end`` amends, if it is an amending statute.

    :param doc: the document.
    :param heading: the enactment's title (as printed, and the document's for the first).
    :param refs: the statute references of the document.
    :returns: the amendment, or ``None`` when it amends nothing.
    """
    # "in der Fassung der 1. Änderungssatzung" names a version, not an amendment
    amending = (
        m for m in _AMENDING.finditer(heading) if not _VERSION_OF.search(heading, 0, m.start())
    )
    title = next(amending, None)
    if title is None and not _ARTICLE.search(doc.text, start, end):
        return None
    targets: list[StatuteRef] = []
    repeals_whole = bool(title and "Aufhebung" in (title["how"] or title["compound"] or ""))
    evidence: Evidence | None = None
    for ref in refs:  # "Die Hauptsatzung … vom 23.10.2018 wird wie folgt geändert"
        if not start <= ref.start < end:
            continue
        verb = _AMENDS_HERE.search(doc.text, ref.end, min(end, ref.end + 70))
        before = _VERB_BEFORE.search(doc.text, max(0, ref.start - 20), ref.start)
        if verb and (before or not re.search(r"[.;]\s", doc.text[ref.end : verb.start()])):
            repeals_whole = repeals_whole or verb["what"] == "aufgehoben"
            if all(t.key != ref.key for t in targets):
                targets.append(ref)
                evidence = evidence or doc.evidence_around(ref.start)
    if not targets:  # "1. Satzung zur Änderung der Entwässerungssatzung … vom 21.03.2017"
        in_text = [r for r in refs if start <= r.start < end and _after_amendment_of(doc.text, r)]
        targets = in_text or [
            r for r in statute_references(heading) if _after_amendment_of(heading, r)
        ]
        targets = targets[:1]
    if evidence is None:
        named = heading[title.start() : title.start() + 200] if title else ""
        evidence = Evidence(doc.page_at(start), squash(named.split("\n\n")[0]))
    ordinal = None
    if title and (title["ord"] or title["ord2"]):
        ordinal = int(title["ord"] or title["ord2"])
    elif title and title["word"]:
        ordinal = _ORDINALS[title["word"].lower()]
    changes = () if repeals_whole else tuple(_changes(doc, start, end))
    return Amendment(tuple(targets), ordinal, repeals_whole, changes, evidence)


def _after_amendment_of(text: str, ref: StatuteRef) -> bool:
    return bool(_AFTER_AMENDMENT_OF.search(text, max(0, ref.start - 30), ref.start))


def _changes(doc: DocumentText, start: int, end: int) -> list[Change]:
    """The provisions an amendment changes, in order, each once."""
    text = _QUOTED.sub(lambda m: " " * len(m[0]), doc.text[start:end])
    found: list[tuple[int, Change]] = []
    seen: set[str] = set()
    contexts = [(m.start(), normal_provision(m["prov"])) for m in _CONTEXT.finditer(text)]
    for pattern in (_CHANGE, _BARE_CHANGE):
        for match in pattern.finditer(text):
            rest = mask_abbreviations(text[match.end() : match.end() + 200])
            cut = _CLAUSE_END.search(rest)
            rest = rest[: cut.start() + 1] if cut else rest
            action = next((a for a, p in _ACTIONS if p.search(rest)), None)
            if action is None or not _CHANGE_VERB.match(rest):
                continue
            provision = normal_provision(match["prov"])
            if pattern is _BARE_CHANGE:  # "Zu § 24 …  1. Absatz 1 wird wie folgt geändert"
                context = [c for at, c in contexts if at < match.start()]
                if not context:
                    continue
                provision = f"{context[-1]} {provision}"
            inner = _INNER_PART.match(rest)
            if inner and "Abs." not in provision:  # "In § 6 wird der Absatz 1 … ergänzt"
                provision = f"{provision} {normal_provision(inner['part'])}"
            if provision not in seen:
                seen.add(provision)
                evidence = doc.evidence_around(start + match.start("prov"))
                found.append((match.start(), Change(provision, action, evidence)))
    return [change for _at, change in sorted(found, key=lambda pair: pair[0])]
