"""DOCX, ODT, HTML, plain text and Markdown through unstructured, offline."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from lxml import etree

from ingest.pipeline.elements import ParsedDocument
from ingest.pipeline.parsing.common import clean_text, convert, document_title, first_heading
from ingest.pipeline.parsing.offline import LANGUAGES, ensure_offline
from search.core.errors import CorruptDocument, EmptyDocument

_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dcterms": "http://purl.org/dc/terms/",
}
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _zip_properties(content: bytes, member: str) -> dict[str, str]:
    """Title, author and date from ``docProps/core.xml`` (DOCX) or ``meta.xml`` (ODT)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            root = etree.fromstring(archive.read(member))
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError):
        return {}
    found: dict[str, str] = {}
    for key, paths in {
        "title": ("//dc:title",),
        "author": ("//dc:creator", "//meta:initial-creator"),
        "created": ("//dcterms:created", "//meta:creation-date"),
    }.items():
        for path in paths:
            nodes = root.xpath(path, namespaces=_NAMESPACES)
            text = clean_text(nodes[0].text or "") if nodes else ""
            if text:
                found[key] = text
                break
    return found


def _partition(kind: str) -> Callable[..., list[Any]]:
    ensure_offline()
    if kind == "docx":
        from unstructured.partition.docx import partition_docx

        return partition_docx
    if kind == "odt":
        from unstructured.partition.odt import partition_odt

        return partition_odt
    if kind == "html":
        from unstructured.partition.html import partition_html

        return partition_html
    if kind == "md":
        from unstructured.partition.md import partition_md

        return partition_md
    from unstructured.partition.text import partition_text

    return partition_text


def _page_title(title: str, heading: str | None) -> str | None:
    """A web page's ``<title>`` without the site's name after it.

    ``Benutzungsordnung … | Stadt Lindenbrück``: when the page's first heading is the
    part before the separator, the heading is the document's title.
    """
    title = " ".join(title.split())
    for separator in (" | ", " – ", " - "):
        head, found, _site = title.rpartition(separator)
        if found and heading and " ".join(heading.split()) == head.strip():
            return head.strip()
    return title or None


def decode_text(content: bytes) -> str:
    """:returns: ``content`` decoded as UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", "replace")


def parse_office(content: bytes, kind: str, *, attachment: str | None = None) -> ParsedDocument:
    """Parse a DOCX, ODT, HTML, text or Markdown file.

    :param content: the file's bytes.
    :param kind: ``docx``, ``odt``, ``html``, ``txt`` or ``md``.
    :param attachment: e-mail attachment name to put on every element.
    :returns: elements with heading levels from the document's own hierarchy; pages only
        for DOCX files in which Word rendered page breaks.
    :raises CorruptDocument: when the file cannot be read.
    :raises EmptyDocument: when it contains no text.
    """
    partition = _partition(kind)
    properties: dict[str, str] = {}
    if kind in ("docx", "odt") and not zipfile.is_zipfile(io.BytesIO(content)):
        msg = f"{kind.upper()} file cannot be read: it is not a valid {kind.upper()} archive"
        raise CorruptDocument(msg)
    try:
        if kind in ("docx", "odt"):
            member = "docProps/core.xml" if kind == "docx" else "meta.xml"
            properties = _zip_properties(content, member)
            raw = partition(file=io.BytesIO(content), languages=LANGUAGES)
        else:
            raw = partition(text=decode_text(content), languages=LANGUAGES)
    except Exception as exc:  # a damaged file fails in any way: recorded, the batch goes on
        msg = f"{kind.upper()} file cannot be read ({type(exc).__name__}: {exc})"
        raise CorruptDocument(msg) from exc
    # DOCX page numbers are only meaningful where Word rendered page breaks
    has_pages = kind == "docx" and any(
        (getattr(r.metadata, "page_number", None) or 1) > 1 for r in raw
    )
    elements = convert(raw, headings=kind != "txt", pages=has_pages, attachment=attachment)
    if not elements:
        msg = "The document contains no text"
        raise EmptyDocument(msg)
    title = properties.get("title")
    if kind == "html":
        match = _HTML_TITLE.search(decode_text(content))
        title = _page_title(clean_text(match.group(1)) if match else "", first_heading(elements))
    metadata: dict[str, Any] = {}
    if properties.get("author"):
        metadata["author"] = properties["author"]
    page_count = max((e.page or 1 for e in elements), default=1) if has_pages else None
    return ParsedDocument(
        elements=elements,
        page_count=page_count,
        # plain text has no headings: the title is the block at the top that reads like one
        title=title
        or first_heading(elements)
        or (document_title(elements) if kind == "txt" else None),
        metadata=metadata,
    )
