"""What parsing produces and structuring annotates: a document as a list of elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ElementKind = Literal["heading", "text", "list_item", "table"]


@dataclass(slots=True)
class Element:
    """One block of a parsed document, in reading order.

    :param text: the block's text (for tables: rows as lines, cells separated by `` | ``).
    :param page: 1-based page number; ``None`` where the format has no pages (DOCX without
        rendered page breaks, HTML, e-mail).
    :param kind: what the block is.
    :param heading_level: for headings, 1 is outermost; ``None`` otherwise.
    :param ocr: whether the text was recognised by OCR.
    :param attachment: file name of the e-mail attachment the block comes from.
    :param section_path: headings enclosing this block, outermost first; set by
        the structure step (``("Abschnitt II", "§ 3 Steuersatz")``), empty before it.
    """

    text: str
    page: int | None = None
    kind: ElementKind = "text"
    heading_level: int | None = None
    ocr: bool = False
    attachment: str | None = None
    section_path: tuple[str, ...] = ()


@dataclass(slots=True)
class OutlineEntry:
    """A bookmark of a PDF's outline: heading title, nesting level (1 = top) and page."""

    title: str
    level: int
    page: int | None


@dataclass(slots=True)
class ParsedDocument:
    """A parsed document.

    :param elements: blocks in reading order.
    :param page_count: number of pages, ``None`` for formats without pages.
    :param title: the document's own title (PDF metadata, first heading, e-mail subject),
        if it has one.
    :param metadata: what the file says about itself: ``date`` (ISO), ``author``,
        ``reference`` (Drucksache number), e-mail ``from``/``to``/``subject``.
    :param outline: the PDF outline, if any.
    :param ocr_pages: pages whose text came from OCR.
    :param warnings: problems that did not stop parsing (an unreadable attachment, a page
        OCR could not read).
    """

    elements: list[Element]
    page_count: int | None = None
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    outline: list[OutlineEntry] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
