"""Laws in the XML of the federal law portal (gesetze-im-internet.de, ``gii-norm.dtd``).

A file is one law: ``<dokumente>`` holds ``<norm>`` elements in reading order. The first
carries the law's metadata (``jurabk``, ``amtabk``, ``ausfertigung-datum``, ``langue``);
structural units (``<gliederungseinheit>``: Kapitel, Teil, Abschnitt) become headings; every
norm with an ``<enbez>`` (``§ 34``, ``Art 1``, ``Anlage 2``) becomes a heading
``§ 34 Zulässigkeit von Vorhaben …`` and each numbered Absatz ``(1) …`` a sub-heading
``Abs. 1``, so a chunk is one Absatz and cites as ``§ 34 Abs. 1``. Nummern (``<DL>``) stay
in the Absatz's text, one per line with their marker (``1.``, ``a)``).

The table of contents (``Inhaltsübersicht``) and the footnotes of the portal are left out:
they repeat the headings or document amendments, and would be found instead of the norm.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ingest.pipeline.elements import Element, ParsedDocument
from ingest.pipeline.structure import match_heading
from search.core.errors import CorruptDocument, EmptyDocument

_PARAGRAPH_LEVEL = 15
"""Rank of a § heading in :mod:`ingest.pipeline.structure`."""
_ABSATZ_LEVEL = 16
"""Below the §: an Absatz nests inside its norm."""
_ANLAGE_LEVEL = 10
_ABSATZ = re.compile(r"^\((\d+[a-z]?)\)\s")
_SKIPPED_NORMS = ("Inhaltsübersicht", "Inhaltsverzeichnis", "Übersicht")
_PLACEHOLDER = re.compile(r"^\(X+\)\s*")
_ARTICLE = re.compile(r"^Art\s+(?=\d)")
_SPACES = re.compile(r"[ \t\u00a0]+")
_YEAR_SUFFIX = re.compile(r"\s+\d{4}$")
_SGB = re.compile(r"^SGB\s+(\d{1,2})$")
_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")
_SKIPPED_TAGS = {"FnR", "Footnotes", "Footnote", "noindex", "kommentar", "IMG", "FnArea"}


def is_law_xml(content: bytes) -> bool:
    """:returns: whether ``content`` looks like a law of the federal portal (root ``dokumente``)."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"<?xml", b"<!DOCTYPE", b"<dokumente")):
        return False
    return re.search(rb"<(?:!DOCTYPE\s+)?dokumente\b", head) is not None


def _clean(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _inline(node: Any) -> str:
    """The text of ``node`` with line breaks for ``<BR>`` and lists, footnote marks left out."""
    parts: list[str] = [node.text or ""] if node.tag not in _SKIPPED_TAGS else []
    for child in node:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED_TAGS:
            pass
        elif child.tag == "BR":
            parts.append("\n")
        elif child.tag == "DL":
            parts.append("\n" + _list(child) + "\n")
        elif child.tag == "table":
            parts.append("\n" + _table(child) + "\n")
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _list(node: Any) -> str:
    """A ``<DL>`` (Nummern, Buchstaben): one line per item, the marker kept, nested indented."""
    lines: list[str] = []
    marker = ""
    for child in node:
        if child.tag == "DT":
            marker = " ".join(_inline(child).split())
        elif child.tag == "DD":
            item_lines = _clean(_inline(child)).split("\n")
            lines.append(f"{marker} {item_lines[0]}".strip())
            lines.extend(item_lines[1:])
            marker = ""
    return "\n".join(lines)


def _table(node: Any) -> str:
    rows = []
    for row in node.iter("row"):
        cells = [" ".join(_inline(entry).split()) for entry in row.iter("entry")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _blocks(content: Any) -> list[tuple[str, str]]:
    """``(kind, text)`` of each block of a norm's ``<Content>``, in order."""
    blocks: list[tuple[str, str]] = []
    for child in content:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED_TAGS:
            continue
        if child.tag == "table":
            text, kind = _table(child), "table"
        elif child.tag == "DL":
            text, kind = _list(child), "text"
        else:
            text, kind = _clean(_inline(child)), "text"
        if text.strip():
            blocks.append((kind, _clean(text)))
    return blocks


def _reference(jurabk: str, amtabk: str) -> str:
    """The abbreviation a law is cited by: ``BauGB`` (not the portal's ``BBauG``),
    ``StVO`` (not ``StVO 2013``), ``SGB II`` (not ``SGB 2``)."""
    if amtabk:
        return amtabk
    short = _YEAR_SUFFIX.sub("", jurabk)
    sgb = _SGB.match(short)
    if sgb and int(sgb.group(1)) < len(_ROMAN):
        return f"SGB {_ROMAN[int(sgb.group(1))]}"
    return short


def _text(node: Any, path: str) -> str:
    found = node.find(path)
    return " ".join(_inline(found).split()) if found is not None else ""


class _Outline:
    """Ranks for structural headings so that they nest by the portal's ``gliederungskennzahl``.

    :mod:`ingest.pipeline.structure` ranks ``Teil 1``, ``Kapitel 1``, ``Abschnitt 1`` by their
    names;
    other headings (``Erstes Kapitel``, ``Titel 2``, ``Buch 1``) by ``heading_level``, which
    is chosen here one below their parent.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, int]] = []  # (depth, rank)

    def rank(self, depth: int, heading: str) -> int:
        while self._stack and self._stack[-1][0] >= depth:
            self._stack.pop()
        legal = match_heading(heading)
        if legal is not None and legal[0] < _PARAGRAPH_LEVEL:
            rank = legal[0]
        else:
            parent = self._stack[-1][1] if self._stack else 0
            rank = min(parent + 1, _PARAGRAPH_LEVEL - 1)
        self._stack.append((depth, rank))
        return rank


def _norm_elements(norm: Any, outline: _Outline) -> list[Element]:
    meta = norm.find("metadaten")
    if meta is None:
        return []
    unit = meta.find("gliederungseinheit")
    if unit is not None:
        label = _text(unit, "gliederungsbez")
        title = _text(unit, "gliederungstitel")
        heading = " ".join(part for part in (label, title) if part)
        depth = max(1, len(_text(unit, "gliederungskennzahl")) // 3)
        if not heading:
            return []
        return [Element(text=heading, kind="heading", heading_level=outline.rank(depth, heading))]
    enbez = _PLACEHOLDER.sub("", _text(meta, "enbez"))
    if not enbez or enbez.startswith(_SKIPPED_NORMS):
        return []
    enbez = _ARTICLE.sub("Art. ", enbez)
    content = norm.find("textdaten/text/Content")
    blocks = _blocks(content) if content is not None else []
    if not blocks:  # "(weggefallen)": a heading without text locates nothing
        return []
    title = _text(meta, "titel")
    heading = f"{enbez} {title}".strip()
    level = _ANLAGE_LEVEL if enbez.startswith(("Anlage", "Anhang")) else _PARAGRAPH_LEVEL
    elements = [Element(text=heading, kind="heading", heading_level=level)]
    for kind, text in blocks:
        absatz = _ABSATZ.match(text) if kind == "text" else None
        if absatz is not None and level == _PARAGRAPH_LEVEL:
            elements.append(
                Element(text=f"Abs. {absatz.group(1)}", kind="heading", heading_level=_ABSATZ_LEVEL)
            )
        elements.append(Element(text=text, kind="table" if kind == "table" else "text"))
    return elements


def parse_law_xml(content: bytes) -> ParsedDocument:
    """Parse one law of the federal portal into elements.

    :param content: the bytes of the XML file.
    :returns: headings for structural units, norms and Absätze, the text of each Absatz;
        ``title`` is the law's long title (``langue``); ``metadata`` holds ``reference``
        (the abbreviation it is cited by, e.g. ``BauGB``), ``date`` (Ausfertigungsdatum),
        ``doc_type`` ``statute`` and ``jurabk``.
    :raises CorruptDocument: when the XML cannot be read or is not a law.
    :raises EmptyDocument: when the law has no norm with text.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        msg = f"Law XML cannot be read ({exc})"
        raise CorruptDocument(msg) from exc
    if root.tag != "dokumente":
        msg = f"Not a law of the federal portal: root element <{root.tag}>"
        raise CorruptDocument(msg)
    norms = root.findall("norm")
    head = norms[0].find("metadaten") if norms else None
    metadata: dict[str, Any] = {"doc_type": "statute"}
    title = None
    if head is not None:
        title = _text(head, "langue") or _text(head, "kurzue") or None
        jurabk = _text(head, "jurabk")
        reference = _reference(jurabk, _text(head, "amtabk"))
        if reference:
            metadata["reference"] = reference
            metadata["jurabk"] = jurabk
        date = _text(head, "ausfertigung-datum")
        if re.match(r"^\d{4}-\d{2}-\d{2}$", date):
            metadata["date"] = date
    outline = _Outline()
    elements: list[Element] = []
    for norm in norms:
        elements.extend(_norm_elements(norm, outline))
    if not any(element.kind != "heading" for element in elements):
        msg = "The law contains no norm with text"
        raise EmptyDocument(msg)
    return ParsedDocument(elements=elements, title=title, metadata=metadata)
