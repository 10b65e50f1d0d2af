"""The reader's two views of a document, as Streamlit components (no iframe, nothing
loaded from elsewhere: the HTML, CSS and JavaScript of ``ui/assets/reader.*``):

- :func:`page_view`: a PDF page image with the cited passage highlighted, a transparent
  text layer over it to select and copy from, a zoom, and a link to copy that opens the
  same page and passage again;
- :func:`text_view`: a document read whole, its sections as headings, the cited passage
  marked and scrolled into view.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.components.v2 import component

_ASSETS = Path(__file__).parent / "assets"

_HTML = """
<div class="reader">
  <div class="toolbar">
    <button type="button" class="zoom-out"></button>
    <span class="zoom-level" aria-live="polite"></span>
    <button type="button" class="zoom-in"></button>
    <button type="button" class="copy-link"></button>
    <input class="link" type="text" readonly>
    <span class="status" role="status"></span>
  </div>
  <div class="scroller" tabindex="0" role="region" aria-label="Dokumentseite"><div class="page">
    <img alt="">
    <div class="marks"></div>
    <div class="text-layer"></div>
  </div></div>
  <div class="reader-text" tabindex="0" role="region" aria-label="Dokumenttext"></div>
</div>
"""

_reader = component(
    "auskunft_reader",
    html=_HTML,
    css=(_ASSETS / "reader.css").read_text("utf-8"),
    js=(_ASSETS / "reader.js").read_text("utf-8"),
)


def document_link(doc_id: str, page: int | None = None, passage: str | None = None) -> str:
    """:returns: the path of the interface's document page showing ``doc_id`` at a page
    with a passage highlighted (made absolute in the browser)."""
    query: dict[str, str | int] = {"doc": doc_id}
    if page:
        query["page"] = page
    if passage:
        query["passage"] = passage
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + base if base else ''}/document?{urlencode(query)}"


def page_view(
    png: bytes, words: dict[str, Any], *, alt: str, link: str, labels: dict[str, str], key: str
) -> None:
    """Show a PDF page with its passage highlighted and its text selectable.

    :param png: the page image.
    :param words: the service's answer for the page (``words``, ``highlights``,
        ``aspect``, ``source``).
    :param alt: the image's text alternative.
    :param link: the document page's path for this page and passage (see
        :func:`document_link`).
    :param labels: the texts of the controls (``zoom_in``, ``zoom_out``, ``copy_link``,
        ``link``, ``link_copied``).
    :param key: the component's key.
    """
    data = {
        "kind": "page",
        "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "alt": alt,
        "aspect": words.get("aspect") or 1.414,
        "source": words.get("source", ""),
        "words": words.get("words", []),
        "highlights": words.get("highlights", []),
        "link": link,
        "labels": labels,
    }
    _reader(data=data, key=key)


def _heading(text: str, level: int) -> str:
    tag = f"h{min(max(level, 1) + 2, 5)}"
    return f"<{tag}>{html.escape(text)}</{tag}>"


def _paragraphs(lines: Sequence[str]) -> list[str]:
    """Lines as paragraphs; rows of a table (cells joined by `` | `` as the parser wrote
    them) as a table, its first row the header."""
    blocks: list[str] = []
    rows: list[list[str]] = []

    def table() -> None:
        if rows:
            head = "".join(f"<th>{html.escape(cell)}</th>" for cell in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
                for row in rows[1:]
            )
            blocks.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            rows.clear()

    for line in lines:
        if " | " in line:
            rows.append([cell.strip() for cell in line.split(" | ")])
            continue
        table()
        blocks.append(f"<p>{html.escape(line)}</p>")
    table()
    return blocks


def _shared(path: Sequence[str], other: Sequence[str]) -> int:
    """:returns: how many leading sections two section paths share."""
    count = 0
    while count < min(len(path), len(other)) and path[count] == other[count]:
        count += 1
    return count


def text_html(
    parts: Sequence[dict[str, Any]],
    cited: str | None,
    page_label: Callable[[int], str] | None = None,
) -> str:
    """The HTML of a document read whole, every text escaped.

    :param parts: the document's passages in order (``chunk_id``, ``section_path``,
        ``text``, ``heading_lines``, ``page_start``), as the service gives them.
    :param cited: the chunk id of the passage to mark.
    :param page_label: the label shown where a new page begins (formats with pages),
        e.g. ``Seite 2``.
    :returns: sections with headings and paragraphs (tables as tables); the cited
        passage is the ``<section class="cited">``.
    """
    blocks: list[str] = []
    page: int | None = None
    shown: list[str] = []
    for part in parts:
        path = [" ".join(str(name).split()) for name in part.get("section_path") or []]
        lines = [" ".join(line.split()) for line in str(part.get("text", "")).split("\n")]
        lines = [line for line in lines if line]
        count = int(part.get("heading_lines") or 0)
        headings, lines = lines[:count], lines[count:]
        if page_label and part.get("page_start") and part["page_start"] != page:
            page = int(part["page_start"])
            blocks.append(f'<p class="page-start">{html.escape(page_label(page))}</p>')
        body: list[str] = []
        # a section the text does not name itself (an e-mail's attachment) gets its heading
        common = _shared(path, shown)
        body.extend(
            _heading(name, depth)
            for depth, name in enumerate(path[common:], start=common + 1)
            if name not in headings
        )
        body.extend(
            _heading(line, path.index(line) + 1 if line in path else len(path) + 1)
            for line in headings
        )
        body.extend(_paragraphs(lines))
        shown = path
        marked = ' class="cited"' if cited and part.get("chunk_id") == cited else ""
        chunk = html.escape(str(part.get("chunk_id", "")), quote=True)
        blocks.append(f'<section data-chunk="{chunk}"{marked}>{"".join(body)}</section>')
    return "\n".join(blocks)


def text_view(body: str, *, link: str, labels: dict[str, str], key: str) -> None:
    """Show a document read whole (see :func:`text_html`), its cited passage in view.

    :param body: the escaped HTML of the document.
    :param link: the document page's path for this passage (see :func:`document_link`).
    :param labels: the texts of the controls (as for :func:`page_view`).
    :param key: the component's key.
    """
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    data = {"kind": "text", "html": body, "key": digest, "link": link, "labels": labels}
    _reader(data=data, key=key)
