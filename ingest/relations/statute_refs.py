"""Statutes named by title and date, and the names they are matched by.

``Hundesteuersatzung vom 21. März 2017``, ``Satzung über die Erhebung der Hundesteuer in
der Stadt Lindenbrück (Hundesteuersatzung) vom 21. März 2017`` and ``der
Entwässerungssatzung vom 21.03.2017`` are references; :func:`statute_name` gives the
first two the same name, so an amendment citing one finds the statute titled the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

from ingest.relations.statute_text import dates_in, mask_abbreviations, squash

_KIND_SUFFIXES: Final = (
    "verordnung",
    "satzung",
    "ordnung",
    "richtlinien",
    "richtlinie",
    "anweisung",
)
"""How the names of rules end, longest first where one ends another."""
KIND_NAMES: Final = frozenset({"satzung", "verordnung", "ordnung", "richtlinie", "anweisung"})
"""The names of a bare kind of statute (:func:`statute_name` of ``die bisherige Satzung``)."""
_BARE_KINDS: Final = frozenset(
    {"satzung", "verordnung", "rechtsverordnung", "richtlinie", "richtlinien", "vo",
     "dienstanweisung", "anweisung", "ordnung", "änderungssatzung", "nachtragssatzung",
     "änderungsverordnung"}
)  # fmt: skip
"""Words that say what kind of rule a statute is, but not which one."""
_NOT_LOCAL: Final = frozenset(
    {"gemeindeordnung", "landkreisordnung", "kreisordnung", "abgabenordnung", "bauordnung",
     "landesbauordnung", "straßenverkehrsordnung", "gewerbeordnung", "handwerksordnung",
     "zivilprozessordnung", "strafprozessordnung", "insolvenzordnung", "ordnung",
     "verwaltungsgerichtsordnung", "finanzgerichtsordnung", "haushaltsordnung",
     "grundbuchordnung", "gemo", "hgo"}
)  # fmt: skip
"""Codes and state laws whose names end like a local statute's."""
KIND_WORD: Final = re.compile(
    r"(?:\b[A-ZÄÖÜ][\wäöüß]*-\s+und\s+)?\b(?:[A-ZÄÖÜ][\wäöüß]*(?:"
    + "|".join(_KIND_SUFFIXES)
    + r")|Verordnung|Satzung|Ordnung|Richtlinien?|Anweisung|SATZUNG|VERORDNUNG|VO)\b(?!-)"
)
"""A word naming a kind of rule (``Satzung``, ``Hundesteuersatzung``, ``Friedhofs- und
Bestattungsordnung``)."""
_STOP_WORDS: Final = frozenset(
    {
     "über", "für", "zur", "zum", "zu", "die", "der", "das", "den", "des", "dem", "ein",
     "eine", "einer", "eines", "einem", "von", "vom", "im", "in", "an", "auf", "und", "mit",
     "bei", "aus", "nach", "sowie", "erhebung", "benutzung", "gewährung", "bildung",
     "festsetzung", "regelung", "beschaffung", "anbringung", "unterhaltung", "unterstützung",
     "förderung", "bezuschussung", "installation", "inanspruchnahme", "änderung", "anderung",
     "aufhebung", "neufassung", "gebiet", "genehmigung", "abrechnung", "erheben"}
)  # fmt: skip
"""Words of a title that do not say what a statute is about."""
_PLACE_WORDS: Final = frozenset(
    {"gemeinde", "stadt", "landkreis", "landkreises", "kreis", "kreises", "markt",
     "ortsgemeinde", "landratsamt", "landratsamts", "landratsamtes", "verwaltungsverbandes",
     "gemeindeverwaltungsverbandes"}
)  # fmt: skip
"""Words followed by a place's name (``der Gemeinde Linsengericht``, ``des Landratsamts
Göppingen``)."""
_ANNEX = re.compile(r"\W*(?:Anlagen?|Gebührenverzeichnis|Verzeichnis)\s+zu[mr]?\b", re.IGNORECASE)
_MIT_WIRKUNG = re.compile(r"\bmit\s+Wirkung\s+vom\s*$")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_VOM = re.compile(r"\b(?:vom|v\.)\s*$")
_VERSION = re.compile(
    r"^[\s\d,]{0,8}(?:(?:in\s+(?:der|ihrer)\s+(?:jetzigen\s+|aktuellen\s+)?Fassung|i\.\s?d\.\s?F\.)"
    r"(?:\s+(?:der|des)\s+(?:\d+\.\s*|letzten\s+)?(?:[ÄA]nderung\w*|Nachtrag\w*))?"
    r"|und\s+(?:der\s+)?(?:\d+\.\s*)?(?:[ÄA]nderung|Nachtrag)|mit\s+dem\s+(?:\d+\.\s*)?Nachtrag"
    r"|(?:zuletzt|letztmals)\s+geändert\s+durch\s+(?:die|den|das)\s+(?:\d+\.\s*)?[ÄA]nderung\w*)"
    r"\s+vom\s*$"
    r"|^[\s,]{0,3}(?:zuletzt|letztmals)\s+geändert\s+am\s*$",
    re.IGNORECASE,
)
_VERSION_ONLY = re.compile(r"(?:Fassung|i\.\s?d\.\s?F\.)\s+vom\s*$", re.IGNORECASE)
_AMENDED_VERSION = re.compile(
    r"(?:Fassung|i\.\s?d\.\s?F\.)\s+(?:der|des)\s+(?:\d+\.\s*|letzten\s+)?$", re.IGNORECASE
)
_PREDECESSOR = re.compile(r"\bbisherige[nr]?\s+(?:\S+\s+)?$", re.IGNORECASE)
_NOT_IN_TITLE = re.compile(r"(?i:gesetz)|\bBGBl|\bGVBl|\bgeändert\s+durch|[.;!?](?:\s|$)")
_MAX_TITLE = 220


@dataclass(frozen=True, slots=True)
class StatuteRef:
    """A statute named by its title and date.

    :param text: the words as written (``Hundesteuersatzung vom 21. März 2017``).
    :param name: the normalised name to match by (:func:`statute_name`): the same for
        ``Satzung über die Erhebung der Hundesteuer`` and ``Hundesteuersatzung``; only the
        kind (``satzung``) for ``die bisherige Satzung vom …``.
    :param date: the statute's date as cited (``vom …``), ISO; ``None`` when only a
        version is named (``Abfallsatzung in der Fassung vom 12.12.2024``) or none.
    :param version: the version cited (``in der Fassung der 1. Änderung vom …``), ISO.
    :param start: offset of the reference in the text searched.
    :param end: offset after it.
    :param page: the page it is on, where known.
    :param predecessor: named as the one a new statute replaces (``die bisherige …``).
    """

    text: str
    name: str
    date: str | None
    version: str | None
    start: int
    end: int
    page: int | None = None
    predecessor: bool = False

    @property
    def key(self) -> str:
        """``name@date`` (``hundesteuersatzung@2017-03-21``), for exact matching."""
        return f"{self.name}@{self.date or self.version or ''}"

    @property
    def generic(self) -> bool:
        """Whether the name is only a kind of statute (``die bisherige Satzung vom …``)."""
        return self.name in KIND_NAMES


def _kind_of(word: str) -> tuple[str, str]:
    """``Hundesteuersatzung`` → ``("hundesteuer", "satzung")``; no kind → ``(word, "")``."""
    folded = word.lower()
    if folded in ("vo", "rechtsverordnung"):
        return "", "verordnung"
    if folded in ("dienstanweisung", "anweisung"):
        return "", "anweisung"
    for suffix in _KIND_SUFFIXES:
        if folded.endswith(suffix):
            subject = folded[: -len(suffix)]
            kind = "richtlinie" if suffix == "richtlinien" else suffix
            if subject in ("änderungs", "nachtrags"):
                subject = ""
            return subject, kind
    return folded, ""


def _stem(word: str) -> str:
    stem = re.sub(r"[^a-z]", "", word.lower().translate(_FOLD))
    for ending in ("en", "e", "n", "s"):
        if len(stem) > len(ending) + 3 and stem.endswith(ending):
            return stem[: -len(ending)]
    return stem


def _named(word: str) -> str:
    subject, kind = _kind_of(re.sub(r"-\s+und\s+", "und", word))
    return _stem(subject) + kind if subject else kind


def _is_local(word: str) -> bool:
    return word.lower().split()[-1] not in _NOT_LOCAL


def statute_name(title: str) -> str:
    """The name a statute is matched by: the stem of what it is about, and its kind.

    ``Satzung über die Erhebung der Hundesteuer in der Stadt Lindenbrück
    (Hundesteuersatzung)``, ``Hundesteuersatzung`` and ``Satzung über die Erhebung einer
    Hundesteuer im Gebiet der Gemeinde Linsengericht`` are all ``hundesteuersatzung``;
    ``Satzung über Sondernutzungen an öffentlichen Straßen`` and ``Sondernutzungssatzung``
    are both ``sondernutzungsatzung``; ``1. Satzung zur Änderung der Hauptsatzung`` is
    ``hauptsatzung``. A bare kind (``die bisherige Satzung``) gives ``satzung``.

    :param title: a statute's title or the words naming it.
    :returns: the name, or ``""`` when ``title`` names no local statute.
    """
    title = re.split(r"\s+vom\b", title, maxsplit=1, flags=re.IGNORECASE)[0]
    if _ANNEX.match(title):  # "Anlage zur Gebührenverordnung": not a statute of its own
        return ""
    for inner in re.findall(r"[(\[]([^()\[\]]{3,80})[)\]]", title):
        word = KIND_WORD.search(inner)
        if word and word[0].lower() not in _BARE_KINDS and _is_local(word[0]):
            return _named(word[0])
    local = [w for w in KIND_WORD.finditer(title) if _is_local(w[0])]
    if not local:
        return ""
    first = local[0]
    if first[0].lower() not in _BARE_KINDS:
        return _named(first[0])
    _, kind = _kind_of(first[0])
    run: list[str] = []
    skip_place = False
    for token in re.findall(r"[\wäöüßÄÖÜ-]+|[()\[\],]", title[first.end() :]):
        lower = token.lower()
        if token in "()[]" or (token == "," and run):
            break
        if token == ",":
            continue
        if skip_place:  # "der Gemeinde Linsengericht"
            skip_place = False
        elif lower in _PLACE_WORDS:
            skip_place = True
        elif lower not in _STOP_WORDS and token[:1].isupper():
            _, inner_kind = _kind_of(token)
            if inner_kind and _is_local(token):  # "Satzung zur Änderung der Hauptsatzung"
                return _named(token)
            run.append(token)
            continue
        if run:
            break
    return _stem(run[-1]) + kind if run else kind


def same_statute(a: str, b: str) -> bool:
    """Whether two names (:func:`statute_name`) may name the same statute.

    Equal names match; a bare kind (``satzung``) matches only itself; otherwise the
    subjects must agree, whatever the kind word (``Feldwegesatzung``, ``Feldwegeordnung``).
    """
    if a == b:
        return bool(a)
    if not a or not b or a in KIND_NAMES or b in KIND_NAMES:
        return False
    return _subject(a) == _subject(b) and len(_subject(a)) >= 4


def _subject(name: str) -> str:
    for kind in ("verordnung", "satzung", "ordnung", "richtlinie", "anweisung"):
        if name.endswith(kind):
            return name[: -len(kind)]
    return name


def statute_references(text: str, *, offset: int = 0) -> list[StatuteRef]:
    """Every statute named by title and date in ``text``.

    A reference is a statute's title — its kind word (``Satzung``, ``…satzung``,
    ``…ordnung``, ``Richtlinie``, ``Verordnung``) and what follows it up to the date, or
    a longer title before a parenthesis holding the short one — then ``vom`` and a date,
    and the version named after it (``in der Fassung der 1. Änderung vom …``). Codes
    and state laws with names alike (``Gemeindeordnung``, ``… Gesetz vom``) are left out.

    :param text: any text.
    :param offset: added to the offsets returned (``text`` is a part of a longer text).
    :returns: the references in order of appearance.
    """
    found: list[StatuteRef] = []
    words = [w for w in KIND_WORD.finditer(text) if _is_local(w[0])]
    all_dates = dates_in(text)
    for start, end, iso in all_dates:
        if found and _VERSION.match(text[found[-1].end - offset : start]):
            last = found[-1]  # "… vom 23.10.2018 i. d. F. der 1. Änderung vom 22.04.2021"
            wording = squash(text[last.start - offset : end])
            found[-1] = replace(last, text=wording, end=end + offset, version=iso)
            continue
        leading = text[max(0, start - 25) : start]
        if not _VOM.search(leading) or _MIT_WIRKUNG.search(leading):  # "mit Wirkung vom …"
            continue
        before = [w for w in words if w.end() <= start and start - w.end() <= _MAX_TITLE]
        if not before:
            continue
        word = before[-1]
        version_of = _AMENDED_VERSION.search(text[max(0, word.start() - 40) : word.start()])
        if version_of and len(before) > 1 and word[0].lower() in _BARE_KINDS:
            # "Hundesteuersatzung in der Fassung der 1. Änderungssatzung vom …"
            word = before[-2]
        between = text[word.end() : start]
        if _NOT_IN_TITLE.search(mask_abbreviations(between)) or any(
            word.end() <= s < start for s, _e, _i in all_dates
        ):
            continue
        title_start = _title_start(text, word)
        name = statute_name(text[title_start:start])
        if not name:
            continue
        version_only = bool(_VERSION_ONLY.search(text[title_start:start]) or version_of)
        found.append(
            StatuteRef(
                text=squash(text[title_start:end]),
                name=name,
                date=None if version_only else iso,
                version=iso if version_only else None,
                start=title_start + offset,
                end=end + offset,
                predecessor=bool(_PREDECESSOR.search(text[max(0, title_start - 30) : title_start])),
            )
        )
    return found


def _title_start(text: str, word: re.Match[str]) -> int:
    """Where a title begins: its kind word, an ordinal before it, or a bare kind word
    before a parenthesis holding the short title (``Satzung über … (Hundesteuersatzung)``)."""
    start = word.start()
    opening = text.rfind("(", max(0, start - 60), start)
    if opening != -1 and ")" not in text[opening:start]:
        earlier = [
            w
            for w in KIND_WORD.finditer(text, max(0, opening - _MAX_TITLE), opening)
            if w[0].lower() in _BARE_KINDS
        ]
        if earlier and not _NOT_IN_TITLE.search(
            mask_abbreviations(text[earlier[-1].end() : opening])
        ):
            start = earlier[-1].start()
    ordinal = re.search(
        r"(?:\b\d+\.\s*|\b(?:Erste|Zweite|Dritte)\s+)$", text[max(0, start - 8) : start]
    )
    return start - len(ordinal[0]) if ordinal else start
