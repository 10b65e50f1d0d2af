"""Claims of a sentence that word overlap cannot check: figures, dates, references,
negation and modal force, named bodies and offices.

"Die Hundesteuer für den ersten Hund beträgt 150 Euro [1]" over a passage that says
120 Euro shares almost every word with it. The errors that matter in administration — a
wrong amount, date, § number, a dropped "nicht", the wrong committee — change one token.
So each kind of claim is extracted, normalised (``1.200,50 €`` = ``1200,5 Euro``,
``01.03.2017`` = ``1. März 2017``, ``(2)`` in § 3 = ``§ 3 Abs. 2``) and looked up in the
passages the sentence cites; what is not there is a :class:`Mismatch`, with the words as
the sentence wrote them.

The checks err on the side of passing: a claim is supported when any cited passage
states it anywhere (a figure need not be stated in the same sentence), and negation and
modal force are compared only with the passage sentence that shares most of the
sentence's content words.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from search.answers.sentences import content_terms, split_sentences, strip_citations
from search.citation_patterns import DRUCKSACHE, PARAGRAPH_SIGN, PART_WORD

FIGURE: Final = "figure"
DATE: Final = "date"
REFERENCE: Final = "reference"
NEGATION: Final = "negation"
BODY: Final = "body"

MONTHS: Final = {
    "januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "märz": 3, "mär": 3,
    "maerz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
NUMBER_WORDS: Final = {
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8,
    "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwanzig": 20, "dreißig": 30,
    "vierzig": 40, "fünfzig": 50,
}  # fmt: skip
"""Number words that state a figure ("zwei Wochen"); "ein"/"eine" are articles too, and
"hundert" is mostly "vom Hundert"."""
SCALES: Final = {
    "tsd": 1e3, "tausend": 1e3, "mio": 1e6, "million": 1e6, "millionen": 1e6,
    "mrd": 1e9, "milliarde": 1e9, "milliarden": 1e9,
}  # fmt: skip

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_DATE_PATTERNS: Final = (
    # ISO 2017-03-21
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    # 21.03.2017, 21.3.17, 21. 03. 2017
    re.compile(r"(?<![\d.,])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})(?!\d|[.,]\d)"),
    # 21. März 2017, 1. Januar, 1. Jan. 2017, März 2017
    re.compile(
        rf"(?:(?<![\d.,])(?P<d>\d{{1,2}})\.\s*)?\b(?P<mn>{_MONTH})\b\.?(?:\s+(?P<y>\d{{4}}))?",
        re.I,
    ),
    # 15.03. (a day and month without year), not followed by another number
    re.compile(r"(?<![\d.,])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?!\s?\d)"),
)
_TIME = re.compile(r"(?<![\d.,])(?P<h>\d{1,2})(?:[.:](?P<min>\d{2}))?\s*Uhr\b")
_PARAGRAPH = re.compile(
    rf"(?P<sign>{PARAGRAPH_SIGN})\s*(?P<list>\d+\s?[a-z]?\b(?:\s*(?:,|und|bis|-|–|sowie)\s*\d+\s?[a-z]?\b)*)"
    rf"(?P<parts>(?:\s*(?:{PART_WORD})\s*\d+[a-z]?\b)*)",
)
_PART = re.compile(rf"({PART_WORD})\s*(\d+)[a-z]?\b")
_LONE_PART = re.compile(
    r"\b(?P<kind>Abs(?:atz|\.)|Nr\.|Nummer|Ziff(?:er|\.)|Satz)\s*(?P<n>\d+)\b"
    r"(?P<parts>(?:\s*(?:S(?:atz|\.)|Nr\.?|Nummer|Ziff(?:er|\.)?)\s*\d+[a-z]?\b)*)"
)
_MARKER = re.compile(r"(?:^|\s)\((\d{1,2})\)\s")
_LIST_ITEM = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s")
_FIGURE = re.compile(
    rf"(?<![\w.,/§-])(?P<n>{_NUMBER})(?![\w]|[.,]\d|/\d)"
    r"(?:\s*(?P<scale>Tsd\.?|Tausend|Mio\.?|Millionen|Million|Mrd\.?|Milliarden|Milliarde)(?!\w))?"
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)

NEGATORS: Final = frozenset(
    {"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals",
     "weder", "nichts", "nirgends", "keinesfalls", "ohne"}
)  # fmt: skip
MODALS: Final = {
    "muss": "must", "müssen": "must", "musst": "must", "müsste": "must", "müssten": "must",
    "kann": "may", "können": "may", "könnte": "may", "könnten": "may", "darf": "may",
    "dürfen": "may", "dürfte": "may", "soll": "should", "sollen": "should",
    "sollte": "should", "sollten": "should",
}  # fmt: skip
_WORD = re.compile(r"[\wäöüÄÖÜß]+")
_UMLAUTS = str.maketrans("äöü", "aou")
_AUXILIARIES: Final = frozenset(
    content_terms("wurden wurde worden gibt gab geben lassen darf dürfen muss soll")
)
"""Verbs a negation stands beside without negating their meaning ("wurden nicht …")."""
_HEADING = 40
NEW_SENTENCE_SHARE: Final = 0.15
"""A further passage sentence counts as said again when it adds this share of the words."""
NEGATION_MATCH: Final = 0.5
"""The least share of a sentence's content words its closest passage sentence must share
for negation and modal force to be compared with it."""

BODY_ENDINGS: Final = (
    "ausschuss", "beirat", "rat", "amt", "behörde", "kasse", "büro", "gericht", "dezernat",
    "referat", "kommission", "verwaltung", "fraktion", "versammlung", "präsidium",
    "ministerium",
)  # fmt: skip
NOT_BODIES: Final = frozenset(
    {"gesamt", "insgesamt", "ehrenamt", "beamt", "samt", "apparat", "vorrat", "heirat",
     "zierat", "inserat", "quadrat", "karat", "sparkasse", "krankenkasse", "stelle",
     "haltestelle", "baustelle", "feuerstelle", "stellvertretend", "rat", "amt", "kasse",
     "büro", "gericht", "verwaltung", "versammlung", "kommission", "ausschuss",
     "beirat", "behörde", "referat", "fraktion", "dezernat", "präsidium", "ministerium",
     "leerstelle", "schnittstelle", "arbeitsstelle", "planstelle", "ausbildungsstelle",
     "teilzeitstelle", "vollzeitstelle", "stellen"}
)  # fmt: skip
_CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\wäöüß]*(?:-[\wäöüß]+)*")
_NAMED_OFFICE = re.compile(
    r"\b(?:Fachbereich|Dezernat|Referat|Amt|Stabsstelle|Büro|Ausschuss)\s+(?:für\s+)?"
    r"(?:[IVX]+\b|\d+\b|[A-ZÄÖÜ][\wäöüß-]+)"
)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A claim of a sentence that its cited passages do not state.

    :param kind: ``figure``, ``date``, ``reference``, ``negation`` or ``body``.
    :param words: the words of the sentence that make the claim (for a dropped negation,
        the negation the passage has).
    """

    kind: str
    words: str


@dataclass(frozen=True, slots=True)
class _Date:
    day: int | None
    month: int
    year: int | None
    text: str


@dataclass(frozen=True, slots=True)
class _Reference:
    sign: str  # "§" or "Art", or "Drs" for a Drucksache
    number: str
    parts: tuple[tuple[str, str], ...]
    text: str


def _value(number: str, scale: str | None = None) -> str:
    value = float(number.replace(".", "").replace(",", "."))
    if scale:
        value *= SCALES[scale.lower().rstrip(".")]
    # every digit counts: 1.399.738,44 is not 1.399.743,44
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _year(text: str) -> int:
    year = int(text)
    return year + (2000 if year < 50 else 1900) if year < 100 else year


def dates_in(text: str) -> tuple[list[_Date], str]:
    """:returns: the dates of a text and the text with them blanked out."""
    found: list[_Date] = []
    chars = list(text)
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer("".join(chars)):
            groups = match.groupdict()
            month = MONTHS[groups["mn"].lower()] if groups.get("mn") else int(groups["m"])
            day = int(groups["d"]) if groups.get("d") else None
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            if groups.get("mn") and day is None and not groups.get("y"):
                continue  # "im Mai" is no date worth checking
            year = _year(groups["y"]) if groups.get("y") else None
            found.append(_Date(day, month, year, match.group(0).strip()))
            chars[match.start() : match.end()] = " " * (match.end() - match.start())
    return found, "".join(chars)


def references_in(text: str) -> tuple[list[_Reference], str]:
    """:returns: the references (§, Art., Abs., Nr., Drucksachen) of a text and the text
    with them blanked out."""
    found: list[_Reference] = []
    chars = list(text)
    for match in DRUCKSACHE.finditer(text):
        number = re.sub(r"\s", "", match.group("n"))
        year, _, rest = number.partition("/")
        found.append(
            _Reference("Drs", f"{int(year)}/{int(rest.split('/')[0])}", (), match.group(0))
        )
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    text = "".join(chars)
    for match in _PARAGRAPH.finditer(text):
        sign = "§" if match.group("sign").startswith("§") else "Art"
        parts = tuple(
            (kind[0].upper() if kind[0] != "Z" else "N", number)
            for kind, number in _PART.findall(match.group("parts"))
        )
        numbers = re.findall(r"\d+\s?[a-z]?\b", match.group("list"))
        for index, number in enumerate(numbers):
            # the parts belong to the last number of a list ("§§ 2, 8 Abs. 2")
            own = parts if index == len(numbers) - 1 else ()
            found.append(_Reference(sign, number.replace(" ", ""), own, match.group(0).strip()))
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    text = "".join(chars)
    for match in _LONE_PART.finditer(text):
        kind = match.group("kind")[0].upper()
        parts = (
            (kind if kind in "AS" else "N", match.group("n")),
            *(
                (part[0].upper() if part[0] in "AS" else "N", number)
                for part, number in _PART.findall(match.group("parts"))
            ),
        )
        found.append(_Reference("", "", parts, match.group(0)))
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    return found, "".join(chars)


def _figures(text: str) -> list[tuple[str, str]]:
    """:returns: (normalised value, words) of the figures in a text without dates and
    references."""
    found: list[tuple[str, str]] = []
    for match in _TIME.finditer(text):
        found.append((f"{int(match.group('h'))}:{match.group('min') or '00'}", match.group(0)))
    text = _TIME.sub(" ", text)
    for match in _FIGURE.finditer(text):
        found.append((_value(match.group("n"), match.group("scale")), match.group(0)))
    for match in _NUMBER_WORD.finditer(text):
        found.append((str(NUMBER_WORDS[match.group(1).lower()]), match.group(0)))
    return found


def _body_key(word: str) -> str | None:
    lower = word.lower()
    for suffix in ("", "es", "s", "e", "en", "n"):
        key = lower[: len(lower) - len(suffix)]
        if lower.endswith(suffix) and key.endswith(BODY_ENDINGS):
            if key in NOT_BODIES or key.endswith(("beamt", "gesamt")):
                return None
            return key
    return None


def bodies_in(text: str) -> list[tuple[str, str]]:
    """:returns: (normalised name, words) of the named bodies and offices in a text."""
    found = [
        (" ".join(match.group(0).lower().split()), match.group(0))
        for match in _NAMED_OFFICE.finditer(text)
    ]
    for match in _CAPITALISED.finditer(text):
        word = match.group(0)
        last = word.rsplit("-", 1)[-1] if "-" in word else word
        key = _body_key(last)
        if key and len(key) > 4:
            found.append((key, word))
    return found


_Negators = list[tuple[str, set[str], set[str]]]


def _folded(text: str) -> str:
    """Lowercased, umlauts without dots: "Gemeinderat" is found in "Gemeinderäte"."""
    return text.lower().translate(_UMLAUTS)


def _polarity(sentence: str) -> tuple[_Negators, Counter[str]]:
    """:returns: the negations of a sentence — each with the content terms of the words it
    negates (the three after it, or before it when it ends a clause) and of the words
    around it — and its modal verbs."""
    tokens = re.findall(r"[\wäöüÄÖÜß]+|[,;:.!?()–]", sentence)
    negators: _Negators = []
    for index, token in enumerate(tokens):
        if token.lower() not in NEGATORS:
            continue
        after = itertools.takewhile(lambda t: t[0].isalnum(), tokens[index + 1 : index + 4])
        before = content_terms(" ".join(tokens[max(0, index - 3) : index])) - _AUXILIARIES
        negated = content_terms(" ".join(after)) - _AUXILIARIES
        negators.append((token.lower(), negated or before, negated | before))
    words = [token.lower() for token in tokens]
    return negators, Counter(MODALS[word] for word in words if word in MODALS)


@dataclass(slots=True)
class PassageClaims:
    """What a cited passage states, normalised for look-up (built once per passage).

    :param text: the passage text as the model saw it.
    :param context: title, section path and citation of the passage (they support
        references, dates and figures too: "§ 3" in the section path supports "§ 3").
    """

    text: str
    context: str = ""
    figures: set[str] = field(init=False)
    dates: list[_Date] = field(init=False)
    references: list[_Reference] = field(init=False)
    markers: set[str] = field(init=False)
    own: set[str] = field(init=False)
    items: set[str] = field(init=False)
    sentences: list[tuple[set[str], _Negators, Counter[str]]] = field(init=False)
    lowered: str = field(init=False)

    def __post_init__(self) -> None:
        whole = f"{self.text}\n{self.context}"
        self.dates, rest = dates_in(whole)
        self.references, rest = references_in(rest)
        self.figures = {value for value, _ in _figures(rest)}
        self.figures |= {str(date.year) for date in self.dates if date.year}
        self.markers = set(_MARKER.findall(self.text))
        # the passage's own §/Art. (its section path): its "(2)" markers are its Abs. 2
        # (or the heading the passage starts with: "§ 3 Steuersatz (1) …")
        heads = references_in(f"{self.context}\n{self.text[:_HEADING]}")[0]
        self.own = {f"{ref.sign}{ref.number}" for ref in heads}
        self.items = set(_LIST_ITEM.findall(self.text))
        self.sentences = [
            (content_terms(sentence), *_polarity(sentence))
            for sentence in split_sentences(self.text)
        ]
        self.lowered = _folded(whole)


def _date_supported(date: _Date, passages: Sequence[PassageClaims]) -> bool:
    for passage in passages:
        for known in passage.dates:
            if known.month != date.month:
                continue
            if date.day is not None and known.day != date.day:
                continue
            if date.year is None or known.year == date.year:
                return True
            if known.year is None and str(date.year) in passage.figures:
                return True
    return False


def _reference_supported(reference: _Reference, passages: Sequence[PassageClaims]) -> bool:
    for passage in passages:
        if reference.sign == "Drs":
            if any(
                known.sign == "Drs" and known.number == reference.number
                for known in passage.references
            ):
                return True
            continue
        if reference.sign and not any(
            known.sign == reference.sign and known.number == reference.number
            for known in passage.references
        ):
            continue
        if all(_part_supported(part, reference, passage) for part in reference.parts):
            return True
    return False


def _part_supported(part: tuple[str, str], reference: _Reference, passage: PassageClaims) -> bool:
    kind, number = part
    stated = any(
        part in known.parts and (not reference.sign or known.number == reference.number)
        for known in passage.references
    )
    if stated:
        return True
    own = not reference.sign or f"{reference.sign}{reference.number}" in passage.own
    if kind == "A":
        return own and number in passage.markers
    if kind == "N":
        return number in passage.items
    # Satz n: sentences are not numbered; the passage's own paragraph has that many
    return own and int(number) <= len(passage.sentences)


def _closest_sentences(
    terms: set[str], passages: Sequence[PassageClaims]
) -> tuple[_Negators, Counter[str]] | None:
    """The passage sentences an answer sentence says again: the one sharing most of its
    content words, then (an answer may sum up two) those adding a good share more.

    :returns: their negations and modal verbs together, or ``None`` if they share too little.
    """
    candidates = [sentence for passage in passages for sentence in passage.sentences]
    remaining, covered = set(terms), 0
    negators: _Negators = []
    modals: Counter[str] = Counter()
    for _ in range(3):
        best = max(
            candidates,
            # most shared words; of equals, the one the answer says most of
            key=lambda s: (len(remaining & s[0]), len(remaining & s[0]) / (len(s[0]) or 1)),
            default=None,
        )
        gain = len(remaining & best[0]) if best else 0
        if not best or gain < max(NEW_SENTENCE_SHARE * len(terms), 2 if covered else 1):
            break
        remaining -= best[0]
        covered += gain
        negators += best[1]
        modals += best[2]
    return (negators, modals) if terms and covered / len(terms) >= NEGATION_MATCH else None


def check(sentence: str, passages: Sequence[PassageClaims]) -> list[Mismatch]:
    """Check a sentence's claims against the passages it cites.

    :param sentence: the sentence (its ``[n]`` citations are ignored).
    :param passages: the cited passages.
    :returns: the claims no cited passage states, in order of kind; empty if none.
    """
    text = strip_citations(sentence)
    dates, rest = dates_in(text)
    references, rest = references_in(rest)
    known_figures = set().union(*(passage.figures for passage in passages))
    mismatches = [
        Mismatch(FIGURE, words) for value, words in _figures(rest) if value not in known_figures
    ]
    mismatches += [
        Mismatch(DATE, date.text) for date in dates if not _date_supported(date, passages)
    ]
    mismatches += [
        Mismatch(REFERENCE, reference.text)
        for reference in references
        if not _reference_supported(reference, passages)
    ]
    mismatches += _negation(text, passages)
    mismatches += [
        Mismatch(BODY, words)
        for key, words in bodies_in(text)
        if not any(_folded(key) in passage.lowered for passage in passages)
    ]
    return list(dict.fromkeys(mismatches))


def _negation(text: str, passages: Sequence[PassageClaims]) -> list[Mismatch]:
    terms = content_terms(text)
    closest = _closest_sentences(terms, passages)
    if closest is None:
        return []
    negators, modals = _polarity(text)
    known_negators, known_modals = closest
    if len(negators) > len(known_negators):
        known = [word for word, _, _ in known_negators]
        extra = [word for word, _, _ in negators if word not in known] or [negators[0][0]]
        return [Mismatch(NEGATION, _as_written(text, extra[0]))]
    # a negation the answer dropped, of words it kept (not of a clause it left out)
    kept = [word for word, negated, _ in known_negators if negated & terms]
    if len(negators) < len(kept):
        return [Mismatch(NEGATION, kept[0])]
    # a negation moved to other words ("Anträge können nicht gestellt werden")
    for word, negated, _ in negators:
        if negated and not any(negated & around for _, _, around in known_negators):
            return [Mismatch(NEGATION, _as_written(text, word))]
    extra_modals = modals - known_modals
    if modals and known_modals and extra_modals:
        words = [w for w in _WORD.findall(text) if MODALS.get(w.lower()) in extra_modals]
        return [Mismatch(NEGATION, words[0])]
    return []


def _as_written(text: str, word: str) -> str:
    match = re.search(rf"\b{re.escape(word)}\b", text, re.I)
    return match.group(0) if match else word
