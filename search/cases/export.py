"""The reply letter as a file: DOCX (python-docx) or ODT (odfdo).

Both hold the same text in the same order: the inquiry's title (and Drucksache), the
remark (*KI-Entwurf – nicht freigegeben* until the release, then who released it when),
each question followed by its answer with its markers ``[n]``, the numbered sources
(``[n] document, §/TOP, page``) and, when some were left out, how many.
"""

from __future__ import annotations

import io
from typing import Final, Literal

from search.cases.letter import Letter

ExportFormat = Literal["docx", "odt"]
MEDIA_TYPES: Final[dict[str, str]] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
SOURCES_HEADING: Final = "Quellen"


def _lines(letter: Letter) -> list[tuple[str, str]]:
    """The letter as (style, text) lines: ``title``, ``remark``, ``heading``, ``text``,
    ``question``, ``source``."""
    lines = [("title", letter.title)]
    if letter.reference:  # "2025/0042", or as the catalog has it: "Drucksache 2025/0042"
        numbered = letter.reference[:1].isdigit()
        lines.append(("text", f"Drucksache {letter.reference}" if numbered else letter.reference))
    lines.append(("remark", letter.remark))
    for item in letter.items:
        lines.append(("heading", f"Frage {item.label}".strip()))
        lines.append(("question", item.question))
        answer = item.answer or "(noch keine Antwort)"
        lines.append(("text", f"{answer}" + (" (KI-Entwurf)" if item.ai else "")))
    lines.append(("heading", SOURCES_HEADING))
    lines.extend(("source", f"[{source.number}] {source.text}") for source in letter.sources)
    lines.extend(("remark", note) for note in letter.notes)
    return lines


def to_docx(letter: Letter) -> bytes:
    """:returns: the letter as a Word document."""
    from docx import Document

    document = Document()
    for style, text in _lines(letter):
        if style == "title":
            document.add_heading(text, level=1)
        elif style == "heading":
            document.add_heading(text, level=2)
        else:
            paragraph = document.add_paragraph()
            run = paragraph.add_run(text)
            run.bold = style == "remark"
            run.italic = style == "question"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_odt(letter: Letter) -> bytes:
    """:returns: the letter as an OpenDocument text."""
    from odfdo import Document, Header, Paragraph

    document = Document("text")
    body = document.body
    body.clear()
    for style, text in _lines(letter):
        if style == "title":
            body.append(Header(1, text))
        elif style == "heading":
            body.append(Header(2, text))
        else:
            body.append(Paragraph(text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def export(letter: Letter, fmt: ExportFormat) -> bytes:
    """:returns: the letter in ``docx`` or ``odt``.

    :raises ValueError: for another format.
    """
    if fmt == "docx":
        return to_docx(letter)
    if fmt == "odt":
        return to_odt(letter)
    msg = f"Unknown export format {fmt!r}; use docx or odt"
    raise ValueError(msg)
