"""Title, document type, date and reference of a parsed document, inferred from its text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath
from typing import Any

from ingest.pipeline.elements import ParsedDocument
from search.core import fields

_MONTHS = {
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5,
    "juni": 6, "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11,
    "dezember": 12,
}  # fmt: skip
_LONG_DATE = re.compile(r"\b(\d{1,2})\.\s*(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

_DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("decision", re.compile(
        r"beschlussvorlage|niederschrift|protokoll|drucksache|\bbeschluss|\bantrag\b|"
        r"\banfrage\b|sitzungsvorlage|\bdrs\.", re.IGNORECASE)),
    ("statute", re.compile(
        r"satzung|verordnung|gebührenordnung|\bgesetz\b|\bordnung\b|gebührenverzeichnis|"
        r"friedhofsordnung|benutzungsordnung", re.IGNORECASE)),
    ("guidance", re.compile(
        r"dienstanweisung|rundschreiben|richtlinie|merkblatt|leitfaden|handreichung|"
        r"dienstvereinbarung|geschäftsverteilung|hausmitteilung|organisationsverfügung",
        re.IGNORECASE)),
]  # fmt: skip
_REFERENCE = re.compile(
    r"\b(?:(?:Drs|Drucks)\.|Drucksachen?(?:-Nr\.)?|Vorlagen?(?:-Nr\.)?|Beschlussvorlage|"
    r"Sitzungsvorlage)\s*(?:Nr\.\s*|Nummer\s*)?:?\s*([A-Z]{0,3}\s?\d{1,4}\s?/\s?\d{1,5}(?:[-/]\d+)?)",
)
# before a paper's own number on its header line: nothing, or a word naming the paper
# ("Beschlussvorlage – Drucksache 2023/0087"); a number inside a sentence is a mention
_OWN_REFERENCE_PREFIX = re.compile(r"^\s*(?:[A-ZÄÖÜ][\w-]*\s*[-–:|]?\s*)?$")
_SPACES = re.compile(r"\s+")
_MINUTES = re.compile(r"niederschrift|protokoll|tagesordnung", re.IGNORECASE)
_HEADER_CHARS = 600


def _iso(day: int, month: int, year: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first German date in ``text`` (``21. März 2017``, ``21.03.2017``) as ISO.

    A date after ``vom`` wins over others (``Satzung … vom 21. März 2017``).

    :param text: any text.
    :returns: ``YYYY-MM-DD`` or ``None``.
    """
    found: list[tuple[int, str]] = []
    for match in _LONG_DATE.finditer(text):
        iso = _iso(int(match[1]), _MONTHS[match[2].lower()], int(match[3]))
        if iso:
            found.append((match.start(), iso))
    for match in _NUMERIC_DATE.finditer(text):
        iso = _iso(int(match[1]), int(match[2]), int(match[3]))
        if iso:
            found.append((match.start(), iso))
    if not found:
        return None
    found.sort()
    for start, iso in found:
        if re.search(r"\b(vom|am|den)\s*$", text[max(0, start - 8) : start]):
            return iso
    return found[0][1]


_LEGAL_BASIS_BEFORE = re.compile(
    r"(Fassung(?: der Bekanntmachung)?|geändert durch(?: \w+)?|Gesetz(?:es)?|Verordnung|"
    r"Artikel \d+ des Gesetzes|i\.\s?d\.\s?F\.)\s*(vom|v\.)\s*$",
    re.IGNORECASE,
)
_LEGAL_BASIS_AFTER = re.compile(r"^\s*\((?:GVBl|BGBl|GBl|Nds\.|GV\.|SGV|GVOBl|S\.)", re.IGNORECASE)
_LABELLED = re.compile(
    r"(?:\bDatum|Sitzungstag|Sitzungstermin|Sitzung(?:\s+\w+){0,3}\s+(?:am|vom)|beschlossen am|"
    r"(?:Gemeindevertretung|Stadtverordnetenversammlung|Gemeinderat|Stadtrat)(?:\s+\S+){0,4}\s+am|"
    r"Beschlu(?:ss|ß)\S*(?:\s+\S+){0,4}\s+vom|"
    r"Stand)\s*[:,]?\s*(?:(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag),?\s*)?$",
    re.IGNORECASE,
)
# a title page's own version line, not "HGO in der Fassung vom …" inside a sentence
_VERSION_LINE = re.compile(r"In der Fassung vom\s*$")
# "1. Satzung zur Änderung der Abfallsatzung … vom 12.12.2024": the date is the amended one's
_AMENDMENT = re.compile(r"\bzur\s+Änderung\b|Änderungssatzung|\bNachtrag", re.IGNORECASE)
_SIGNATURE = re.compile(r"[A-ZÄÖÜ][\wäöüß.-]+,\s*(?:den\s+)?$")
_FILENAME_DATE = re.compile(
    r"(?<!\d)(?:(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})|(\d{2})\.(\d{2})\.(\d{4}))(?!\d)"
)


def _dates(text: str) -> list[tuple[int, int, str]]:
    """Every German date in ``text`` as ``(start, end, iso)``, in order."""
    found: list[tuple[int, int, str]] = []
    for pattern, fields_of in (
        (_LONG_DATE, lambda m: (int(m[1]), _MONTHS[m[2].lower()], int(m[3]))),
        (_NUMERIC_DATE, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
    ):
        for match in pattern.finditer(text):
            iso = _iso(*fields_of(match))
            if iso:
                found.append((match.start(), match.end(), iso))
    return sorted(found)


def _is_legal_basis(text: str, start: int, end: int) -> bool:
    """A date that dates another law (``HGO in der Fassung vom 07.03.2005 (GVBl. …)``)."""
    return bool(
        _LEGAL_BASIS_BEFORE.search(text[max(0, start - 60) : start])
        or _LEGAL_BASIS_AFTER.match(text[end : end + 12])
    )


def _filename_date(filename: str) -> str | None:
    for match in _FILENAME_DATE.finditer(PurePath(filename).stem):
        if match[1]:
            iso = _iso(int(match[3]), int(match[2]), int(match[1]))
        else:
            iso = _iso(int(match[4]), int(match[5]), int(match[6]))
        if iso and 1900 < int(iso[:4]) < 2100:
            return iso
    return None


def document_date(
    parsed: ParsedDocument, title: str, doc_type: str, filename: str, first_page: str
) -> str | None:
    """The date of the document itself, by the strength of the evidence.

    1. the file's own metadata (an e-mail's Date header);
    2. the title's date (``Satzung … vom 21. März 2017``), except for council papers
       and amending statutes, whose title usually dates the statute they change;
    3. a labelled date on the first page (``Datum``, ``Sitzungstag``, ``in ihrer Sitzung
       am … beschlossen``, ``hat die Gemeindevertretung … am …``, a title page's line
       ``In der Fassung vom …``);
    4. a date in the file name (``hundesteuersatzung-2017-03-21.pdf``);
    5. the signature line of the Ausfertigung (``Linsengericht, den 09.09.2025``);
    6. the first date on the first page that does not date a law cited as legal basis.

    :returns: ISO date or ``None``.
    """
    metadata_date = str(parsed.metadata.get("date") or "")
    if _ISO_DATE.match(metadata_date):
        return metadata_date[:10]
    # A statute is cited by the date in its title; a council paper's title usually
    # dates the statute it changes, so there the labelled date comes first.
    amends = _AMENDMENT.search(title)
    title_date = find_date(title) if doc_type != "decision" and not amends else None
    if title_date:
        return title_date
    page_dates = _dates(first_page)
    for start, _end, iso in page_dates:
        line = first_page[first_page.rfind("\n", 0, start) + 1 : start]
        if _LABELLED.search(first_page[max(0, start - 70) : start]) or _VERSION_LINE.match(line):
            return iso
    from_name = _filename_date(filename)
    if from_name:
        return from_name
    last_page = _page_text(parsed, last=True)
    for start, _end, iso in reversed(_dates(last_page)):
        if _SIGNATURE.search(last_page[max(0, start - 40) : start]):
            return iso
    for start, end, iso in page_dates:
        if not _is_legal_basis(first_page, start, end):
            return iso
    return None


def prettify_filename(filename: str) -> str:
    """``hundesteuersatzung-2017-03-21-original.pdf`` → ``Hundesteuersatzung 2017 03 21 original``.

    :param filename: a file name.
    :returns: a readable title.
    """
    stem = PurePath(filename).stem
    text = _SPACES.sub(" ", re.sub(r"[_\-]+", " ", stem)).strip()
    return text[:1].upper() + text[1:] if text else filename


def _title(parsed: ParsedDocument, filename: str) -> str:
    title = _SPACES.sub(" ", parsed.title or "").strip(" -–:;,")
    if len(title) > 200:
        title = title[:200].rsplit(" ", 1)[0] + " …"
    return title if len(title) >= 3 else prettify_filename(filename)


def _own_reference(title: str, header: str) -> str | None:
    """The number of the paper itself: in its title, or heading a line of its header.

    ``(Drucksache 2019/0211)`` inside a sentence of an instruction names the decision it
    implements, not the instruction.
    """
    match = _REFERENCE.search(title)
    if match:
        return match.group(0).strip()
    for line in header.splitlines():
        match = _REFERENCE.search(line)
        if match and _OWN_REFERENCE_PREFIX.match(line[: match.start()]):
            return match.group(0).strip()
    return None


def _doc_type(parsed: ParsedDocument, title: str, filename: str, first_page: str) -> str:
    declared = parsed.metadata.get(fields.DOC_TYPE)
    if declared in fields.DOC_TYPES:  # the format says what it is (a law of the federal portal)
        return str(declared)
    if parsed.metadata.get("subject") is not None or filename.lower().endswith((".eml", ".msg")):
        return "correspondence"
    # the title decides; the file name and the top of the first page (its lines, not
    # the cells of a table: "Dezernat II: Ordnung, Soziales" names no statute) are fallbacks
    top = "\n".join(line for line in first_page[:500].splitlines() if " | " not in line)
    for text in (title, filename.replace("-", " ").replace("_", " "), top):
        for doc_type, pattern in _DOC_TYPES:
            if pattern.search(text):
                return doc_type
    return "other"


def _page_text(parsed: ParsedDocument, limit: int = 4000, *, last: bool = False) -> str:
    pages = [e.page for e in parsed.elements if e.page is not None and e.attachment is None]
    wanted = (max(pages) if last else min(pages)) if pages else None
    parts: list[str] = []
    size = 0
    elements = reversed(parsed.elements) if last else iter(parsed.elements)
    for element in elements:
        if element.attachment is not None or element.page not in (None, wanted):
            continue
        parts.append(element.text)
        size += len(element.text)
        if size > limit:
            break
    return "\n".join(reversed(parts) if last else parts)


def _first_page_text(parsed: ParsedDocument, limit: int = 4000) -> str:
    return _page_text(parsed, limit)


def infer_metadata(parsed: ParsedDocument, filename: str) -> dict[str, Any]:
    """Infer citation metadata from what a document says about itself.

    :param parsed: the parsed (and structured) document.
    :param filename: its file name, the fallback for the title.
    :returns: ``title`` (never empty), ``doc_type`` (one of :data:`search.core.fields.DOC_TYPES`),
        and, when found, ``date`` (ISO, from the file's metadata, else the title line,
        else the first page) and ``reference`` (Drucksache or Vorlage number).
    """
    title = _title(parsed, filename)
    first_page = _first_page_text(parsed)
    result: dict[str, Any] = {
        fields.TITLE: title,
        fields.DOC_TYPE: _doc_type(parsed, title, filename, first_page),
    }
    found_date = document_date(parsed, title, result[fields.DOC_TYPE], filename, first_page)
    if found_date:
        result[fields.DATE] = found_date
    reference = parsed.metadata.get("reference")
    # minutes cite many papers; a paper names its own number in the title or the header
    if not reference and not _MINUTES.search(title):
        reference = _own_reference(title, first_page[:_HEADER_CHARS])
    if reference:
        result[fields.REFERENCE] = _SPACES.sub(" ", str(reference))
    return result
