"""Reading statute text: dates, pages, sentences and the provisions (§§) they name.

The small pieces :mod:`ingest.relations.validity` and
:mod:`ingest.relations.statute_refs` are built from,
tolerant of what OCR does to a scanned statute (``01. 01.1993``, ``$ 2`` for ``§ 2``,
``tritt am 01.01.2025. In Kraft``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from ingest.pipeline.elements import ParsedDocument
from search.answers.claims import MONTHS

Page = tuple[int | None, str]
"""A page of a document: its number (``None`` where the format has no pages) and text."""

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# 21.03.2017, 1.7.1960, OCR's 01. 01.1993 and 04,06.2009; 21. März 2017, 07. Dezember. 1987
_DATE = re.compile(
    rf"(?<![\d.,])(?P<d>\d{{1,2}})\s?[.,]\s?"
    rf"(?:(?P<m>\d{{1,2}})\s?\.\s?|(?P<mn>{_MONTH})\b\.?\s*)(?P<y>(?:19|20)\d{{2}})(?!\d)",
    re.IGNORECASE,
)


def dates_in(text: str) -> list[tuple[int, int, str]]:
    """Every German date with day, month and year in ``text``, as ``(start, end, iso)``.

    Numeric and spelled-out months in all common spellings (``21.03.2017``,
    ``1. Januar 2025``, ``1. Jan. 2025``), tolerant of the spaces and commas OCR puts in
    (``01. 01.1993``, ``04,06.2009``). The month names are those of
    :data:`search.answers.claims.MONTHS`.
    """
    found: list[tuple[int, int, str]] = []
    for match in _DATE.finditer(text):
        month = MONTHS[match["mn"].lower()] if match["mn"] else int(match["m"])
        try:
            iso = date(int(match["y"]), month, int(match["d"])).isoformat()
        except ValueError:
            continue
        found.append((match.start(), match.end(), iso))
    return found


def shift_date(iso: str, days: int) -> str:
    """``iso`` moved by ``days`` days."""
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where the document says something: the page and the sentence."""

    page: int | None
    sentence: str


PAGE_BREAK: Final = "\n\f\n"
"""What joins a document's pages into one text."""


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document's pages as one text: where each page starts, and each sentence.

    :param text: the pages joined by :data:`PAGE_BREAK`.
    :param starts: the offset each page starts at.
    :param numbers: each page's number.
    :param cuts: the offsets sentences start at (:func:`sentence_starts`).
    """

    text: str
    starts: tuple[int, ...]
    numbers: tuple[int | None, ...]
    cuts: tuple[int, ...]

    @classmethod
    def of(cls, pages: Sequence[Page]) -> DocumentText:
        """Join a document's pages."""
        starts: list[int] = []
        offset = 0
        for _number, text in pages:
            starts.append(offset)
            offset += len(text) + len(PAGE_BREAK)
        text = PAGE_BREAK.join(text for _n, text in pages)
        numbers = tuple(n for n, _text in pages)
        return cls(text, tuple(starts), numbers, tuple(sentence_starts(text)))

    def page_at(self, offset: int) -> int | None:
        """The number of the page ``offset`` is on."""
        if not self.starts:
            return None
        return self.numbers[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def sentence(self, start: int, end: int | None = None) -> tuple[int, int]:
        """Where the sentence (or sentences) around ``start`` … ``end`` begins and ends."""
        index = bisect.bisect_right(self.cuts, start) - 1
        after = bisect.bisect_left(self.cuts, start + 1 if end is None else end)
        return self.cuts[max(0, index)], self.cuts[min(after, len(self.cuts) - 1)]

    def evidence(self, start: int, end: int) -> Evidence:
        """The page and the text of ``start`` … ``end``."""
        return Evidence(self.page_at(start), squash(self.text[start:end]))

    def evidence_around(self, offset: int) -> Evidence:
        """The page and sentence ``offset`` is in."""
        return self.evidence(*self.sentence(offset))


def pages_of(parsed: ParsedDocument) -> list[Page]:
    """The pages of a parsed document as text, in order (e-mail attachments left out).

    :param parsed: a parsed document.
    :returns: ``(page, text)`` per page; one ``(None, text)`` for formats without pages.
    """
    pages: dict[int | None, list[str]] = {}
    for element in parsed.elements:
        if element.attachment is None:
            pages.setdefault(element.page, []).append(element.text)
    return [(number, "\n".join(texts)) for number, texts in pages.items()]


def squash(text: str) -> str:
    """``text`` with every run of white space one space."""
    return " ".join(text.split())


ABBREVIATIONS: Final = frozenset(
    {
     "abs", "nr", "art", "s", "z", "b", "d", "h", "i", "f", "v", "bzw", "ca", "ggf", "gem",
     "evtl", "ziff", "lfd", "str", "tel", "u", "a", "o", "dr", "st", "vgl", "hess", "insb",
     "usw", "etc", "buchst", "gvbl", "bgbl", "ff", "vo", "abschn", "anm"}
)  # fmt: skip
"""Words a full stop follows without ending a sentence (``Abs.``, ``Nr.``, ``z. B.``)."""
_END = re.compile(r"[.!?;:][“”\"]?(?=\s)")
_NEXT_STARTS = re.compile(r"\s+[(„\"A-ZÄÖÜ§\d*]")
# "§ 12 Inkrafttreten", "Artikel 2 Inkrafttreten", "8. In-Kraft-Treten": a heading line
_HEADING_LINE = re.compile(
    r"^[ \t#*]*(?:(?:§|\$|Art(?:ikel|\.)?)\s*[\dIVX]+[a-z]?\b[^\n.]{0,60}"
    r"|(?:\d+\.\s*)?(?:In-?Kraft-?Treten|Inkrafttreten|Außerkrafttreten)[^\n.]{0,40})[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_FORCE_HEADING = re.compile(
    r"\b(?:In-?Kraft-?Treten|Inkrafttreten|INKRAFTTRETEN)(?:,\s*Au(?:ß|ss)erkrafttreten)?[ \t]*\n"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_VERB = re.compile(r"\b(?:tritt|treten|wird|werden|erhält|entfällt|verlier\w*)\b")
_SECTION_WORDS = re.compile(
    r"\bAusfertigungsvermerk\b|^[ \t]*(?:Ausfertigung|Bescheinigung)\b", re.MULTILINE
)


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start: after a full stop that does not close an
    abbreviation, an ordinal or a date (OCR's ``tritt am 01.01.2025. In Kraft``), around
    heading lines, and before the certificate of a statute's execution or publication."""
    cuts = {0, len(text)}
    for match in _END.finditer(text):
        if not _NEXT_STARTS.match(text, match.end()):
            continue
        word = re.search(r"(\S+)$", text[max(0, match.start() - 20) : match.start()])
        token = word[1].lower().strip('(„"') if word else ""
        if match[0][0] == "." and (
            token.rstrip(".") in ABBREVIATIONS
            or len(token) == 1
            or (token[-1:].isdigit() and not re.fullmatch(r".*\d{4}", token))
            or (re.fullmatch(r".*\d{4}", token) and text[match.end() :].lstrip()[:3] == "In ")
        ):
            continue
        cuts.add(match.end())
    for match in _HEADING_LINE.finditer(text):
        if not _VERB.search(match[0]):
            cuts.update((match.start(), match.end()))
    for match in _BLANK_LINE.finditer(text):  # a paragraph ends a sentence
        cuts.add(match.end())
    for match in _SECTION_WORDS.finditer(text):
        cuts.add(match.start())
    for match in _FORCE_HEADING.finditer(text):  # "… nachzuweisen.“ Artikel 2 Inkrafttreten⏎"
        cuts.add(match.end())
    return sorted(cuts)


def mask_abbreviations(text: str) -> str:
    """``Abs.``, ``Nr.``, ``1.`` without their full stop, so that only sentence ends keep one."""

    def mask(match: re.Match[str]) -> str:
        word = match[1]
        keep = word.lower() in ABBREVIATIONS or len(word) == 1 or word.isdigit()
        return word + " " if keep else match[0]

    return re.sub(r"\b(\w+)\.", mask, text)


PROVISION: Final = (
    r"(?:§|\$[&$]?)\s*\d+\s?[a-z]?\b"
    r"(?:\s*(?:\(\d+\)|(?:Abs(?:atz|ätze|\.)?|Satz|S\.|Nr\.|Nummer|Ziff(?:er|\.)?|Buchst(?:abe|\.)?)"
    r"\s*(?:\d+|[a-z]\b)(?:\s*(?:und|,|bis)\s*\d+\b)*))*"
)
"""A provision as statutes name it: ``§ 3 Abs. 1``, ``§ 6 Abs. 1 Nr. 2``, ``$ 2 (1) Ziff. 1``."""


def normal_provision(words: str) -> str:
    """``$ 2 (1) Ziff. 1`` → ``§ 2 Abs. 1 Ziff. 1``; ``§ 4(2)`` → ``§ 4 Abs. 2``."""
    words = re.sub(r"^(?:§|\$[&$]?)\s*", "§ ", words.strip())
    words = re.sub(r"\s*\((\d+)\)", r" Abs. \1", words)
    words = re.sub(r"\bAbs(?:atz|ätze|\.)?\s*", "Abs. ", words)
    words = re.sub(r"\bBuchst(?:abe|\.)?\s*", "Buchst. ", words)
    words = re.sub(r"\bZiff(?:er|\.)?\s*", "Ziff. ", words)
    words = re.sub(r"\bNummer\s*", "Nr. ", words)
    words = re.sub(r"\s*\b(?:und|sowie)\s+(?=\d)", ", ", words)
    return squash(words)
