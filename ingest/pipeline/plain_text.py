"""Elements from pre-extracted text, without the file parsers.

Used for sources that deliver text already (a BEIR corpus, an export of a council
system): paragraphs are split at blank lines, Markdown headings (``# Title``) become
headings, and the structure step then finds ``§``/``TOP`` headings as for any document.
"""

from __future__ import annotations

import re

from connectors.base import SourceDocument
from ingest.pipeline.elements import Element, ParsedDocument
from search.core.errors import EmptyDocument

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")


def parse_plain_text(document: SourceDocument) -> ParsedDocument:
    """Build a parsed document from UTF-8 text.

    :param document: a document whose ``content`` is UTF-8 text.
    :returns: one element per paragraph (headings as ``heading``), no pages.
    :raises EmptyDocument: when there is no text.
    """
    text = document.content.decode("utf-8", errors="replace").replace("\r\n", "\n")
    elements: list[Element] = []
    for block in _PARAGRAPH_BREAK.split(text):
        lines: list[str] = []
        for line in block.split("\n"):
            heading = _MARKDOWN_HEADING.match(line.strip())
            if heading:
                if lines:
                    elements.append(Element(text=" ".join(lines)))
                    lines = []
                title = heading.group(2).replace("**", "").strip()
                elements.append(
                    Element(text=title, kind="heading", heading_level=len(heading.group(1)))
                )
            elif line.strip():
                lines.append(line.strip())
        if lines:
            elements.append(Element(text="\n".join(lines)))
    if not elements:
        msg = f"{document.filename} contains no text"
        raise EmptyDocument(msg)
    title = document.metadata.get("title")
    return ParsedDocument(elements=elements, title=str(title) if title else None)
