"""Citations: where a passage stands, in the form German administrative staff write it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from search import fields

_DOC_TYPE_LABELS = {
    "de": {
        "decision": "Beschluss/Vorlage",
        "statute": "Satzung/Verordnung",
        "guidance": "Dienstanweisung/Rundschreiben",
        "correspondence": "Schreiben/E-Mail",
        "other": "Dokument",
    },
    "en": {
        "decision": "council decision",
        "statute": "statute/regulation",
        "guidance": "internal guidance",
        "correspondence": "correspondence",
        "other": "document",
    },
}


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


def doc_type_label(doc_type: str | None, language: str = "de") -> str:
    """:returns: the document type in words."""
    labels = _DOC_TYPE_LABELS.get(language, _DOC_TYPE_LABELS["de"])
    return labels.get(doc_type or "other", labels["other"])


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
        """:returns: the full citation of a passage."""
        location = self.location(meta)
        document = self.document(meta)
        return f"{document}, {location}" if location else document
