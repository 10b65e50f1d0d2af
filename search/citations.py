"""Citations: where a passage stands, in the form German administrative staff write it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from search.core import fields


def format_date(iso: str | None, language: str = "de") -> str:
    """:returns: ``21.03.2017`` (de) or ``2017-03-21`` (en); ``""`` for no date."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return day.strftime("%d.%m.%Y") if language == "de" else day.isoformat()


def format_pages(start: int | None, end: int | None, language: str = "de") -> str:
    """:returns: ``S. 2``, ``S. 2–3`` (de) or ``p. 2``, ``pp. 2–3`` (en); ``""`` without pages."""
    if start is None:
        return ""
    if end is None or end == start:
        return f"S. {start}" if language == "de" else f"p. {start}"
    return f"S. {start}–{end}" if language == "de" else f"pp. {start}–{end}"


# "§ 3", "§§ 3", "Art. 5", "Artikel 5" and the finer units after them: "Abs. 2", "Satz 1", "Nr. 4"
_NORM = re.compile(r"^(§§?\s*\d+\s*[a-z]?|Art(?:ikel|\.)\s*\d+\s*[a-z]?)\b")
_NORM_PART = re.compile(r"^((?:Abs\.|Absatz|Satz|S\.|Nr\.|Nummer|Buchst\.)\s*\d+\s*[a-z]?)\b")
_TOP = re.compile(r"\bTOP\s*(\d+(?:\.\d+)?)")
_DRUCKSACHE = re.compile(
    r"(?:Drucksache|Drs\.|Vorlage)\s*(?:Nr\.\s*)?(\d{2,4}\s*/\s*\d+|\d{4}-\d+)"
)
_SHORT_TITLE = re.compile(r"\(([^()]{3,60})\)")
# the abbreviation a law is cited by: "BauGB", "GG", "SGB II", "WEG" (not "Drs. 2024/0153")
_LAW_ABBREVIATION = re.compile(
    r"^[A-ZÄÖÜ][A-Za-zÄÖÜäöüß-]{0,11}[A-ZÄÖÜ][a-zäöü]*(?: [IVX]+| \d+)?$"
)
_VOM = re.compile(r"\s+vom\s+\d{1,2}\.\s*\S+\s+\d{4}\s*$")


class CitationBuilder:
    """Formats citations from chunk metadata.

    ``Hundesteuersatzung (21.03.2017), § 3 Steuersatz, S. 2`` or, for a council paper,
    ``Drs. 2024/0153 – Erhöhung der Hundesteuer (12.03.2024), TOP 7, S. 1``.

    :param language: ``de`` or ``en``.
    """

    def __init__(self, language: str = "de") -> None:
        self.language = language

    def document(self, meta: Mapping[str, Any]) -> str:
        """:returns: the document part: reference, title and date."""
        title = meta.get(fields.TITLE) or meta.get(fields.FILENAME) or meta.get(fields.URI, "")
        reference = meta.get(fields.REFERENCE)
        if reference and reference not in title:
            title = f"{reference} – {title}"
        iso = meta.get(fields.DATE)
        day = format_date(iso, self.language)
        # "Satzung … vom 21. März 2017" already names its date
        if not day or (iso and " vom " in title and iso[:4] in title):
            return str(title)
        return f"{title} ({day})"

    def location(self, meta: Mapping[str, Any]) -> str:
        """:returns: the place in the document: section and pages (may be empty)."""
        parts = [
            meta.get(fields.SECTION) or "",
            format_pages(meta.get(fields.PAGE_START), meta.get(fields.PAGE_END), self.language),
        ]
        return ", ".join(part for part in parts if part)

    def cite(self, meta: Mapping[str, Any]) -> str:
        """:returns: the full citation of a passage (a law cited by its abbreviation:
        ``§ 34 Abs. 1 BauGB``)."""
        statute = _statute_norm(meta)
        if statute:
            return statute
        location = self.location(meta)
        council = council_context(meta, self.language)
        if council:  # "Drs. 2023/0412, Gemeinderat 12.03.2024, TOP 7, beschlossen – Titel"
            title = meta.get(fields.TITLE) or meta.get(fields.FILENAME) or ""
            document = f"{council} – {title}" if title else council
        else:
            document = self.document(meta)
        return f"{document}, {location}" if location else document

    def letter_form(self, meta: Mapping[str, Any]) -> str:
        """A citation in the form written in a letter to the council or a citizen.

        Always German, whatever ``language``, because that is where it is pasted:

        - a norm of a law known by its abbreviation: ``§ 34 Abs. 1 BauGB``;
        - a norm: ``§ 3 Abs. 1 der Hundesteuersatzung vom 21.03.2017, S. 2``;
        - a decision recorded under an agenda item that names its paper:
          ``Drs. 2024/0153, Beschluss vom 14.11.2024 (TOP 7), S. 3``;
        - a council paper: ``Drs. 2024/0153 „Änderung der Hundesteuersatzung“ vom
          08.10.2024, S. 1``;
        - a council paper with its consultations (OParl): ``Drs. 2024/0153 „Änderung der
          Hundesteuersatzung“, Gemeinderat 12.11.2024, TOP 7, beschlossen, S. 1``;
        - anything else: ``DA Dienstreisen vom 01.06.2012, 6. Abrechnung, S. 2``.

        :param meta: chunk metadata (title, reference, date, section, pages).
        :returns: the citation.
        """
        statute = _statute_norm(meta)
        if statute:
            return statute
        title = str(meta.get(fields.TITLE) or meta.get(fields.FILENAME) or "")
        council = council_context(meta, "de")
        if council:
            number, _, rest = council.partition(", ")
            pages = format_pages(meta.get(fields.PAGE_START), meta.get(fields.PAGE_END), "de")
            if not number.startswith("Drs. "):  # no paper number: the consultation alone
                number, rest = "", council
            head = f"{number} „{title}“" if number and title else number or f"„{title}“"
            return ", ".join(part for part in (head, rest, pages) if part)
        short = _short_title(title)
        day = format_date(meta.get(fields.DATE), "de")
        vom = f" vom {day}" if day else ""
        section = str(meta.get(fields.SECTION) or "")
        pages = format_pages(meta.get(fields.PAGE_START), meta.get(fields.PAGE_END), "de")
        tail = f", {pages}" if pages else ""
        reference = str(meta.get(fields.REFERENCE) or "")
        own = _DRUCKSACHE.search(reference)
        subject = title.split(" – ", 1)[1] if own and " – " in title else ""
        norm = _norm(section)
        if norm:
            name = subject or short
            article = "des" if name.lower().endswith("gesetz") else "der"
            name = f"{name}es" if article == "des" else name
            paper = f" (Drs. {own.group(1).replace(' ', '')})" if own else ""
            return f"{norm} {article} {name}{paper}{vom}{tail}"
        top = _TOP.search(section)
        named = _DRUCKSACHE.search(section) if top else None
        if top and named:
            number = named.group(1).replace(" ", "")
            return f"Drs. {number}, Beschluss{vom} (TOP {top.group(1)}){tail}"
        if own:
            number = own.group(1).replace(" ", "")
            quoted = f" „{subject}“" if subject else ""
            return f"Drs. {number}{quoted}{vom}{tail}"
        where = f", TOP {top.group(1)}" if top else (f", {section}" if section else "")
        return f"{short}{vom}{where}{tail}"


def council_context(meta: Mapping[str, Any], language: str = "de") -> str:
    """The council context of a paper, from its ``council`` metadata (OParl).

    The consultation that has a result is cited, the latest first; without any result,
    the latest consultation.

    :param meta: chunk metadata with ``council`` (see :data:`search.core.fields.COUNCIL`) and
        ``reference``.
    :param language: of the date.
    :returns: ``Drs. 2023/0412, Gemeinderat 12.03.2024, TOP 7, beschlossen``, or ``""``
        when the metadata has no consultation.
    """
    council = meta.get(fields.COUNCIL)
    if not isinstance(council, Mapping):
        return ""
    consultations = [c for c in council.get("consultations") or [] if isinstance(c, Mapping)]
    if not consultations:
        return ""
    decided = [c for c in consultations if c.get("result")] or consultations
    latest = max(decided, key=lambda c: str(c.get("date") or ""))
    reference = str(meta.get(fields.REFERENCE) or "").strip()
    named = _DRUCKSACHE.search(reference)
    number = named.group(1).replace(" ", "") if named else reference
    where = " ".join(
        str(part)
        for part in (
            latest.get("organization") or latest.get("meeting"),
            format_date(latest.get("date"), language),
        )
        if part
    )
    parts = [
        f"Drs. {number}" if number else "",
        where,
        f"TOP {latest['agenda_item']}" if latest.get("agenda_item") else "",
        str(latest.get("result") or ""),
    ]
    return ", ".join(part for part in parts if part)


def _short_title(title: str) -> str:
    """``Satzung über … (Hundesteuersatzung) vom 21. März 2017`` → ``Hundesteuersatzung``."""
    match = _SHORT_TITLE.search(title)
    if match:
        return match.group(1).strip()
    return _VOM.sub("", title).strip()


def _statute_norm(meta: Mapping[str, Any]) -> str:
    """``§ 34 Abs. 1 BauGB`` for a passage of a statute with a law abbreviation as its
    reference (a federal or state law); ``""`` otherwise."""
    reference = str(meta.get(fields.REFERENCE) or "").strip()
    if meta.get(fields.DOC_TYPE) != "statute" or not _LAW_ABBREVIATION.match(reference):
        return ""
    norm = _norm(str(meta.get(fields.SECTION) or ""))
    if not norm:
        return ""
    pages = format_pages(meta.get(fields.PAGE_START), meta.get(fields.PAGE_END), "de")
    return f"{norm} {reference}, {pages}" if pages else f"{norm} {reference}"


def _norm(section: str) -> str:
    """``§ 3 Steuersatz › Abs. 2`` → ``§ 3 Abs. 2``; ``""`` when no § or article is named."""
    parts = [part.strip() for part in section.split("›")]
    found: list[str] = []
    for part in parts:
        if not found:
            match = _NORM.match(part)
            if match:
                found.append(" ".join(match.group(1).split()))
            continue
        finer = _NORM_PART.match(part)
        if finer:
            found.append(" ".join(finer.group(1).split()))
    return " ".join(found)
