"""Title, document type, date and reference of a parsed document, inferred from its text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath
from typing import Any

from ingest.elements import ParsedDocument
from search import fields

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
        r"dienstvereinbarung", re.IGNORECASE)),
]  # fmt: skip
_REFERENCE = re.compile(
    r"\b(?:(?:Drs|Drucks)\.|Drucksachen?(?:-Nr\.)?|Vorlagen?(?:-Nr\.)?|Beschlussvorlage|"
    r"Sitzungsvorlage)\s*(?:Nr\.\s*|Nummer\s*)?:?\s*([A-Z]{0,3}\s?\d{1,4}\s?/\s?\d{1,5}(?:[-/]\d+)?)",
)
_SPACES = re.compile(r"\s+")


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


def _doc_type(parsed: ParsedDocument, title: str, filename: str, first_page: str) -> str:
    if parsed.metadata.get("subject") is not None or filename.lower().endswith((".eml", ".msg")):
        return "correspondence"
    # the title decides; the file name and the top of the first page are fallbacks
    for text in (title, filename.replace("-", " ").replace("_", " "), first_page[:500]):
        for doc_type, pattern in _DOC_TYPES:
            if pattern.search(text):
                return doc_type
    return "other"


def _first_page_text(parsed: ParsedDocument, limit: int = 4000) -> str:
    first = next((e.page for e in parsed.elements if e.page is not None), None)
    parts: list[str] = []
    size = 0
    for element in parsed.elements:
        if element.attachment is not None or element.page not in (None, first):
            continue
        parts.append(element.text)
        size += len(element.text)
        if size > limit:
            break
    return "\n".join(parts)


def infer_metadata(parsed: ParsedDocument, filename: str) -> dict[str, Any]:
    """Infer citation metadata from what a document says about itself.

    :param parsed: the parsed (and structured) document.
    :param filename: its file name, the fallback for the title.
    :returns: ``title`` (never empty), ``doc_type`` (one of :data:`search.fields.DOC_TYPES`),
        and, when found, ``date`` (ISO, from the file's metadata, else the title line,
        else the first page) and ``reference`` (Drucksache or Vorlage number).
    """
    title = _title(parsed, filename)
    first_page = _first_page_text(parsed)
    result: dict[str, Any] = {
        fields.TITLE: title,
        fields.DOC_TYPE: _doc_type(parsed, title, filename, first_page),
    }
    metadata_date = str(parsed.metadata.get("date") or "")
    found_date = (
        metadata_date[:10]
        if _ISO_DATE.match(metadata_date)
        else find_date(title) or find_date(first_page)
    )
    if found_date:
        result[fields.DATE] = found_date
    reference = parsed.metadata.get("reference")
    if not reference:
        match = _REFERENCE.search(f"{title}\n{first_page}")
        reference = match.group(0).strip() if match else None
    if reference:
        result[fields.REFERENCE] = _SPACES.sub(" ", str(reference))
    return result
