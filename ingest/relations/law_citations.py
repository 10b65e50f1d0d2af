"""§ and Art. citations of laws in German administrative text, parsed.

``§ 34 Abs. 1 BauGB``, ``§§ 135 a - c BauGB``, ``§§ 5, 51 und 93 Abs. 1 der Hessischen
Gemeindeordnung (HGO)``, ``§§ 5 Abs. 2 HGO, 17 Abs. 1 OWiG``, ``Art. 33 Abs. 2 des
Grundgesetzes``, ``§ 12e des Behindertengleichstellungsgesetzes (BGG)``, and in scans as OCR
reads them (``88 127 ff. BauGB``, ``$ 34 Abs. 4 BauGB``). A citation names a law by its
abbreviation, its title (:mod:`ingest.relations.law_names`) or an abbreviation in parentheses after
a title the catalogue does not know; a § that names no law (``§ 3 der Satzung``,
``§ 6 Abs. 1 Nr. 2``) is no citation of a law. A list or range becomes one
:class:`LawCitation` per §, Absatz and Nummer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from ingest.relations.law_names import (
    abbreviation_pattern,
    canonical_abbreviation,
    is_state_adjective,
    law_for,
    title_patterns,
)
from search.citation_patterns import PART_WORD

MAX_RANGE: Final = 40
"""A wider range (``§§ 1 bis 200``) keeps its two ends only."""

# a § sign as written, and as OCR reads it in scans: "$ 34", "§ § 22", "88 127 ff.",
# "8& 127", "des 8 25 des Grundsteuergesetzes"
_SIGN = re.compile(
    r"(?P<sign>§\s?§|§|\$\$?|&\$|\$&|8&|&8|88(?=\s\d)|"
    r"(?:(?<=\bdes\s)|(?<=\bder\s)|(?<=\bnach\s)|(?<=\bgemäß\s)|(?<=\bgem\.\s))8(?=\s\d)|"
    r"(?<![\w.])Art(?:ikel|\.)\s?(?=\d))"
)
_PLURAL_SIGNS: Final = frozenset({"§§", "§ §", "$$", "88", "8&", "&8", "&$", "$&"})
_NUMBER = r"\d{1,4}(?![\d.,]\d)"
# a letter after a norm's number: "12e", "135 a", "5 a)"; not "3 u." nor "2 i. V. m."
_LETTER = r"(?:(?P<letter>[a-z])(?![a-zäöüß])|\s(?P<spaced>[a-z])(?![a-zäöüß.]))\)?"
_UNIT = re.compile(rf"\s*(?P<n>{_NUMBER})(?:\s?(?P<ff>ff?\.?)(?![a-zäöüß])|{_LETTER})?")
_RANGE = re.compile(
    rf"\s*(?:bis|-|–|—)\s*(?:(?P<n>{_NUMBER}){_LETTER}?|(?P<only>[a-z])(?![a-zäöüß]))"
)
_PARENS_ABSATZ = re.compile(r"\s?\((?P<n>\d{1,2}[a-z]?)\)")
_PART = re.compile(
    rf"\s*,?\s*(?P<word>{PART_WORD}|Buchst(?:abe|\.)?|lit\.|Halbs(?:atz|\.)|Alt(?:ernative|\.)|"
    r"Unterabs(?:atz|\.))\s*"
    r"(?P<value>\d{1,3}(?:[a-z](?![a-zäöüß])|\s[a-z](?![a-zäöüß.]))?|[IVX]{1,4}\b|[a-z](?![a-zäöüß])\)?)"
)
_PART_MORE = re.compile(
    r"\s*(?P<sep>,|und|oder|bis|-|–|sowie|u\.)\s*"
    r"(?P<value>\d{1,3}(?:[a-z](?![a-zäöüß])|\s[a-z](?![a-zäöüß.]))?|[a-z](?![a-zäöüß])\)?)"
    r"(?!\s*(?:Abs|Nr|Satz|S\.)|[\d.,])"
)
_SEPARATOR = re.compile(r"\s*(?:,|und|oder|sowie|bzw\.|u\.)\s*")
_ARTICLE_WORDS = re.compile(r"\s*(?:(?:des|der|dem|im|in der|nach dem|gemäß dem)\s+)?")
_PARENTHESIS = re.compile(r"\s*\((?P<inner>[^()\n]{2,80})\)")
_WINDOW_WORDS = 12
_LOCAL = re.compile(r"satzung|ordnung der|richtlinie", re.IGNORECASE)
# an abbreviation the catalogue does not know: HArchivG, OWiG, HGastG, AbwAG (two capitals
# at least, ending as laws' abbreviations end); not a word in capitals (ANTRAG, GESETZ)
_GENERIC_ABBREVIATION = re.compile(
    r"(?<![\w-])(?=\w*[A-ZÄÖÜ]\w*[A-ZÄÖÜ])[A-ZÄÖÜ][A-Za-zÄÖÜäöüß]{0,8}(?:G|GB|O|VO|V)(?![\w-])"
)
_NOT_LAWS: Final = frozenset(
    {"TOP", "VO", "GO", "EUR", "DIN", "ISO", "NRW", "EG", "OG", "UG", "DG"}
)
_ROMAN_NUMBER = re.compile(r"[IVXLC]+")
_ROMAN: Final = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}
_PART_KEY = re.compile(r"(?P<absatz>Abs)|(?P<satz>S(?:atz|\.))|(?P<nummer>Nr|Nummer|Ziff)")


@dataclass(frozen=True, slots=True)
class LawCitation:
    """One norm of a law a text cites.

    :param start: offset of the citation (for a list, of the whole list) in the text.
    :param end: offset after it.
    :param text: the citation as written: ``§§ 135 a - c BauGB``.
    :param law: the law's abbreviation (``BauGB``, ``SGB VIII``; as written when the
        catalogue does not know the law).
    :param section: ``§ 135a`` or ``Art. 28``.
    :param number: ``135a``.
    :param absatz: the Absatz, where cited.
    :param satz: the Satz, where cited.
    :param nummer: the Nummer (or Ziffer), where cited.
    """

    start: int
    end: int
    text: str
    law: str
    section: str
    number: str
    absatz: str | None = None
    satz: str | None = None
    nummer: str | None = None


def section_label(sign: str, number: str) -> str:
    """:returns: ``§ 34`` or ``Art. 28`` (for a sign ``§``/``Art.`` and a number)."""
    return f"Art. {number}" if sign.startswith("Art") else f"§ {number}"


def is_law_abbreviation(name: str) -> bool:
    """:returns: whether ``name`` is a law's abbreviation: known to the catalogue, or made
    like one (``HArchivG``, ``OWiG``)."""
    generic = _generic_abbreviation(_GENERIC_ABBREVIATION.fullmatch(name))
    return law_for(name) is not None or generic is not None


@dataclass(slots=True)
class _Unit:
    """One cited norm number with its parts, before the law is known."""

    numbers: list[str]
    parts: dict[str, list[str]] = field(default_factory=dict)


def _letters(first: str, last: str) -> list[str]:
    if not first or ord(last) < ord(first) or ord(last) - ord(first) > 12:
        return [last]
    return [chr(code) for code in range(ord(first), ord(last) + 1)]


def _expand(n: str, letter: str | None, end: re.Match[str] | None) -> list[str]:
    """``135a``–``c``, ``1`` bis ``5a``, ``4`` bis ``6``: every number of a range."""
    start = f"{n}{letter or ''}"
    if end is None:
        return [start]
    if end.group("only"):  # 135a–c
        return [f"{n}{x}" for x in _letters(letter or "a", end.group("only"))]
    last_n, last_letter = int(end.group("n")), end.group("letter") or end.group("spaced") or ""
    if last_n < int(n):
        return [start]
    if last_n - int(n) > MAX_RANGE:
        return [start, f"{last_n}{last_letter}"]
    found = [start, *(str(x) for x in range(int(n) + 1, last_n + 1))]
    if last_letter:  # 84 bis 91 a; 306 - 306 c
        first = chr(ord(letter) + 1) if letter and last_n == int(n) else "a"
        found += [f"{last_n}{x}" for x in _letters(first, last_letter)]
    return list(dict.fromkeys(found))


def _part_values(first: str, more: list[tuple[str, str]]) -> list[str]:
    values = [first]
    for sep, value in more:
        if sep in ("bis", "-", "–") and value.isdigit() and values[-1].isdigit():
            low, high = int(values[-1]), int(value)
            if 0 < high - low <= MAX_RANGE:
                values.extend(str(x) for x in range(low + 1, high + 1))
                continue
        values.append(value)
    return values


def _clean_value(value: str) -> str:
    value = value.replace(" ", "").rstrip(")")
    return str(_ROMAN[value]) if value in _ROMAN else value


def _unit(text: str, pos: int, *, plural: bool) -> tuple[_Unit | None, int]:
    """The norm number (or range) at ``pos`` with its Absatz, Satz and Nummer."""
    match = _UNIT.match(text, pos)
    if match is None:
        return None, pos
    pos = match.end()
    end = None
    if not match.group("ff") and (span := _RANGE.match(text, pos)):
        if span.group("only") and not (match.group("letter") or match.group("spaced")):
            span = None  # "§ 5 - a" is no range of letters
        if span is not None:
            end, pos = span, span.end()
    letter = match.group("letter") or match.group("spaced")
    unit = _Unit(_expand(match.group("n"), letter, end))
    if parens := _PARENS_ABSATZ.match(text, pos):
        unit.parts["absatz"] = [parens.group("n")]
        pos = parens.end()
    while part := _PART.match(text, pos):
        named = _PART_KEY.match(part.group("word"))
        kind = named.lastgroup if named else None  # Buchstabe, Halbsatz …: not kept
        pos = part.end()
        more: list[tuple[str, str]] = []
        # "Abs. 1, 3 und 4" lists parts of one §; after "§§" a number is the next §
        while not plural and (extra := _PART_MORE.match(text, pos)):
            more.append((extra.group("sep"), _clean_value(extra.group("value"))))
            pos = extra.end()
        if kind and kind not in unit.parts:
            unit.parts[kind] = _part_values(_clean_value(part.group("value")), more)
    return unit, pos


def _law_at(text: str, pos: int) -> tuple[str | None, int]:
    """The law named at ``pos`` (after a norm's number and parts), and where it ends."""
    lead = _ARTICLE_WORDS.match(text, pos)
    start = lead.end() if lead else pos
    article = bool(lead and lead.group(0).strip())
    known = abbreviation_pattern().match(text, start)
    if known:
        return canonical_abbreviation(known.group(0)), _after_parenthesis(text, known.end())
    for pattern, law in title_patterns():
        titled = pattern.match(text, start)
        if titled:
            return law.abbreviation, _after_parenthesis(text, titled.end())
    if article:
        named = _named_in_parenthesis(text, start)
        if named:
            return named
    word = re.match(r"\S+", text[start:])
    if word and is_state_adjective(word.group(0)):
        return None, pos  # "des Hessischen Verwaltungsverfahrensgesetzes" without (HVwVfG)
    generic = _generic_abbreviation(_GENERIC_ABBREVIATION.match(text, start))
    if generic:
        return generic.group(0), _after_parenthesis(text, generic.end())
    return None, pos


def _generic_abbreviation(found: re.Match[str] | None) -> re.Match[str] | None:
    """``found`` unless it is a word that looks like a law's abbreviation and is none: a
    roman number (``§ 102 IV``: an Absatz), a unit, a storey."""
    if found is None or found.group(0) in _NOT_LAWS or _ROMAN_NUMBER.fullmatch(found.group(0)):
        return None
    return found


def _after_parenthesis(text: str, pos: int) -> int:
    """After ``(BauGB)`` following a title (or a title after an abbreviation)."""
    parenthesis = _PARENTHESIS.match(text, pos)
    if parenthesis and _abbreviation_in(parenthesis.group("inner")):
        return parenthesis.end()
    return pos


def _abbreviation_in(inner: str) -> str | None:
    """``BauGB`` of ``(BauGB)``, ``AbwAG`` of ``(Abwasserabgabengesetz - AbwAG)``."""
    last = re.split(r"\s+[-–]\s+|;\s*|,\s*", inner.strip())[-1].strip()
    known = abbreviation_pattern().fullmatch(last)
    if known:
        return canonical_abbreviation(known.group(0))
    generic = _generic_abbreviation(_GENERIC_ABBREVIATION.fullmatch(last))
    return generic.group(0) if generic else None


def _named_in_parenthesis(text: str, start: int) -> tuple[str, int] | None:
    """``des Hessischen Archivgesetzes (HArchivG)``: a title the catalogue does not know,
    named by the abbreviation in parentheses after it (within a few words)."""
    for count, token in enumerate(re.finditer(r"\(|[^\s(]+", text[start : start + 400])):
        word = token.group(0)
        if word == "(":
            parenthesis = _PARENTHESIS.match(text, start + token.start())
            found = _abbreviation_in(parenthesis.group("inner")) if parenthesis else None
            return (found, parenthesis.end()) if parenthesis and found else None
        ends_sentence = word.endswith((".", ";", ":", ",")) and not is_state_adjective(word)
        if count >= _WINDOW_WORDS or ends_sentence or "§" in word or word == "vom":
            return None
        if _LOCAL.search(word):
            return None
    return None


def law_citations(text: str) -> Iterator[LawCitation]:
    """Find the § and Art. citations of laws in a text.

    :param text: any text.
    :returns: the citations in order, one per cited §, Absatz and Nummer.
    """
    consumed = 0
    for sign in _SIGN.finditer(text):
        if sign.start() < consumed:
            continue
        mark = sign.group("sign")
        plural = mark in _PLURAL_SIGNS
        pos = sign.end()
        pending: list[tuple[str, _Unit]] = []
        cited: list[tuple[str, _Unit, str]] = []
        while True:
            unit, after = _unit(text, pos, plural=plural)
            if unit is None:
                break
            pending.append((mark, unit))
            pos = after
            law, after_law = _law_at(text, pos)
            if law:
                cited += [(m, u, law) for m, u in pending]
                pending = []
                pos = after_law
                # "§§ 5 Abs. 2 HGO, 17 Abs. 1 OWiG": each number with its own law
                more = _SEPARATOR.match(text, pos)
                if plural and more and re.match(r"\s*\d", text[more.end() :]):
                    pos = more.end()
                    continue
                break
            more = _SEPARATOR.match(text, pos)
            if more is None:
                break
            again = _SIGN.match(text, more.end())
            if again:  # "§§ 34 Abs. 4 und § 12 BauGB"
                mark = again.group("sign")
                plural = plural or mark in _PLURAL_SIGNS
                pos = again.end()
                continue
            if not re.match(r"\s*\d", text[more.end() :]):
                break
            pos = more.end()
        consumed = max(consumed, pos)
        if not cited:
            continue
        start, end = sign.start(), max(pos, sign.end())
        written = text[start:end].strip()
        for mark, unit, law in cited:
            yield from _expanded(mark, unit, law, written, start, start + len(written))


def _expanded(
    mark: str, unit: _Unit, law: str, written: str, start: int, end: int
) -> Iterator[LawCitation]:
    absaetze: list[str | None] = [*unit.parts.get("absatz", [])] or [None]
    nummern: list[str | None] = [*unit.parts.get("nummer", [])] or [None]
    satz = unit.parts["satz"][0] if unit.parts.get("satz") else None
    for number in unit.numbers:
        section = section_label(mark, number)
        for absatz in absaetze:
            for nummer in nummern:
                yield LawCitation(start, end, written, law, section, number, absatz, satz, nummer)
