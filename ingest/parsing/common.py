"""Helpers shared by the format parsers: unstructured elements → our elements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ingest.elements import Element, ElementKind

_SPACES = re.compile(r"[ \t\u00a0]+")
_NUMBER_ONLY = re.compile(r"^(\(\d+[a-z]?\)|[a-z]\)|\d+\.|[-–•])$")
"""A paragraph number or bullet on its own (``(1)``, ``a)``): belongs to the next block."""

_PAGE_NUMBER = re.compile(
    r"^[-–]?\s*(Seite\s+)?\d{1,4}\s*([-–]|(von|/)\s*\d{1,4})?$", re.IGNORECASE
)
"""A page number line (``- 2 -``, ``Seite 3 von 8``): noise, the page is known anyway."""


def is_page_number(text: str) -> bool:
    """:returns: whether ``text`` is just a page number (``- 2 -``, ``Seite 3 von 8``)."""
    return bool(_PAGE_NUMBER.match(text.strip()))


# unstructured categories we drop: running headers and bare page numbers
_DROPPED = {"Header", "PageNumber", "PageBreak", "Image"}


def clean_text(text: str) -> str:
    """:returns: ``text`` with runs of spaces collapsed and lines stripped."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def table_text(element: Any) -> str:
    """Render an unstructured table as rows of cells joined by `` | ``.

    :param element: an unstructured ``Table`` element.
    :returns: one line per row; falls back to the element's text without HTML.
    """
    html = getattr(element.metadata, "text_as_html", None)
    if not html:
        return clean_text(element.text)
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except (ValueError, TypeError):
        return clean_text(element.text)
    rows = []
    for row in root.iter("tr"):
        cells = [clean_text(cell.text_content()).replace("\n", " ") for cell in row]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows) or clean_text(element.text)


def convert(
    raw_elements: Iterable[Any],
    *,
    headings: bool,
    pages: bool,
    attachment: str | None = None,
) -> list[Element]:
    """Turn unstructured elements into ours.

    :param raw_elements: elements returned by a ``partition_*`` function.
    :param headings: whether ``Title`` elements are real headings (true for DOCX, ODT,
        HTML, Markdown; unstructured guesses them from font sizes in PDFs and is mostly
        wrong there, so PDF headings come from the outline and the structure step).
    :param pages: whether to keep ``metadata.page_number``.
    :param attachment: e-mail attachment name to set on every element.
    :returns: elements in reading order, paragraph numbers joined to their paragraph.
    """
    result: list[Element] = []
    pending_prefix = ""
    for raw in raw_elements:
        category = getattr(raw, "category", "")
        if category in _DROPPED:
            continue
        page = getattr(raw.metadata, "page_number", None) if pages else None
        if category == "Table":
            text = table_text(raw)
            kind: ElementKind = "table"
        else:
            text = clean_text(raw.text or "")
            kind = "text"
            if category == "ListItem":
                kind = "list_item"
            elif category == "Title" and headings:
                kind = "heading"
        if not text or (pages and is_page_number(text)):
            continue
        if kind != "table" and _NUMBER_ONLY.match(text):
            pending_prefix = f"{pending_prefix}{text} "
            continue
        level = None
        if kind == "heading":
            depth = getattr(raw.metadata, "category_depth", None)
            level = (depth or 0) + 1
        if pending_prefix:
            text = pending_prefix + text
            pending_prefix = ""
            if kind == "heading":
                kind, level = "list_item", None
        result.append(
            Element(text=text, page=page, kind=kind, heading_level=level, attachment=attachment)
        )
    if pending_prefix:
        result.append(Element(text=pending_prefix.strip(), attachment=attachment))
    return result


def first_heading(elements: Iterable[Element]) -> str | None:
    """:returns: the text of the first heading, if any."""
    for element in elements:
        if element.kind == "heading":
            return element.text.replace("\n", " ")
    return None
