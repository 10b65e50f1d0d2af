"""Helpers shared by the format parsers: unstructured elements → our elements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ingest.pipeline.elements import Element, ElementKind

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


_TITLE_WORDS = re.compile(
    r"satzung|ordnung|richtlinie|beschluss|vorlage|niederschrift|protokoll|vertrag|"
    r"dienstanweisung|merkblatt|leitfaden|bekanntmachung|gesetz|vereinbarung|bericht|"
    r"rundschreiben|hausmitteilung",
    re.IGNORECASE,
)
# what a statute's heading is called; an OCR'd heading set in spaced letters
# ("V e r o r d n u n g" read as "Ve rordnrüng") is matched against them
_KINDS = (
    "Satzung Verordnung Ordnung Richtlinie Richtlinien Gebührenordnung Benutzungsordnung "
    "Dienstanweisung Merkblatt Vereinbarung Geschäftsordnung"
)
# a notice above the title, not the title
_LABEL_ONLY = re.compile(r"^(öffentliche\s+)?bekanntmachung$", re.IGNORECASE)
_NOT_TITLE_START = re.compile(r"^(Aufgrund|Auf Grund|\(\d+\)|§|Stand\b|\w+:\s)")
# a title starts with a capital (or an ordinal before one: "1. Satzung zur Änderung …")
_TITLE_START = re.compile(r"^(?:\d{1,2}\.\s+)?[A-ZÄÖÜ„\"]")
# a title goes on after a word that cannot end it ("… einer Steuer auf")
_OPEN_WORD = re.compile(
    r"\b(auf|über|für|zur|zum|zu|der|des|die|das|dem|den|und|oder|von|vom|im|in|mit|an|bei|"
    r"nach|einer|eines|einem|einen)$",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"^(über|für|zur|zum|zu|der|des|die|im|in|von|vom|bei|nach)\b")
_AFTER_DATE = re.compile(
    r"(\bvom\s+\d{1,2}\.\s?(?:\d{1,2}\.\s?|[A-Za-zä]+\s)\d{4})(?!\s*(?:\(|in der Fassung))\s.*$"
)
_VERSION = re.compile(r"\s+Version:?\s*\d+(?:\.\d+)*$")
_HYPHEN_GAP = re.compile(r"(\w)- (?!(?:und|oder|bis|sowie)\b)(?=[a-zäöüß])")


def _one_line(text: str) -> str:
    """One line, without the ``=====`` a plain-text file underlines its title with."""
    return " ".join(re.sub(r"[=_]{3,}|-{3,}", " ", text).split())


def _kind_word(text: str) -> str:
    """``Satzun`` → ``Satzung``: a heading of one short word, OCR'd with an error or in
    spaced letters, read as the kind of document it nearly spells; else ``text``."""
    from search.stores.query_syntax import closest_word

    words = text.split()
    squeezed = "".join(words)
    if not 1 <= len(words) <= 4 or not squeezed.isalpha() or len(squeezed) < 6:
        return text
    closest = closest_word(squeezed, _KINDS)
    return closest if closest and closest.lower() != squeezed.lower() else text


def _title_like_block(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return (
        3 <= len(text) <= 200
        and letters >= 0.6 * len(text)
        and not text.endswith((",", ";"))
        and not _NOT_TITLE_START.match(text)
        and not (text.endswith(".") and len(text.split()) > 8)
    )


def document_title(elements: list[Element]) -> str | None:
    """The title a reader sees at the top of the first page, from its blocks.

    The block naming a kind of document (``Satzung``, ``Verordnung``, ``Richtlinie``) is
    preferred, since the first lines of a page are often a letterhead or a notice
    (``Öffentliche Bekanntmachung``). A title set over several blocks is joined again:
    ``Satzung`` / ``über die Bildung … der Kindertagesstätten`` / ``der Gemeinde …``,
    or ``… einer Steuer auf`` / ``Spielgeräte …``. The text after the date that ends a
    title (``… vom 07.12.2021``) is dropped: in a scan it is the logo beside it. When
    the page repeats the title (a running header, then the title itself), the later one
    is taken unless it is longer.

    :param elements: the document's elements in reading order.
    :returns: the title, or ``None`` when no block reads like one.
    """
    blocks = [
        _kind_word(_one_line(e.text)) if e.ocr else _one_line(e.text)
        for e in elements[:14]
        if e.page in (None, 1) and e.kind != "table" and e.attachment is None
    ]
    candidates = [
        index
        for index, text in enumerate(blocks)
        if _title_like_block(text) and _TITLE_START.match(text) and not _LABEL_ONLY.match(text)
        and (len(text.split()) >= 2 or _TITLE_WORDS.search(text))
        # "1. Raumtemperaturen" is a numbered section; "1. Satzung zur Änderung" a title
        and (not text[0].isdigit() or _TITLE_WORDS.search(text))
    ]  # fmt: skip
    if not candidates:
        return None
    named = [i for i in candidates if _TITLE_WORDS.search(blocks[i])]
    start = named[0] if named else candidates[0]
    title = _joined(blocks, start)
    for later in named[1:]:
        again = _joined(blocks, later)
        if len(again) <= len(title) and _similar(title, again):
            title = again
    return title


def _joined(blocks: list[str], start: int) -> str:
    title = blocks[start]
    for following in blocks[start + 1 :]:
        bare_kind = len(title.split()) == 1
        if not _title_like_block(following):
            break
        if following.startswith("("):  # the short name: "(Verwaltungskostensatzung)"
            short = re.match(r"^\([^()]{3,60}\)", following)
            if not short:
                break
            title = f"{title} {short.group(0)}"
            continue
        if not (bare_kind or _OPEN_WORD.search(title) or _CONTINUATION.match(following)):
            break
        title = f"{title} {following}"
    title = _HYPHEN_GAP.sub(r"\1", _AFTER_DATE.sub(r"\1", _VERSION.sub("", title)))
    return title.rstrip(" .,;:")


def _similar(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.85
