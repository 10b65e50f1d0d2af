"""Parsing: bytes of one document → :class:`~ingest.pipeline.elements.ParsedDocument`.

:func:`parse_document` picks the parser from the file extension, or from the first bytes
when the extension is missing or does not match the content.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from connectors.base import SourceDocument
from ingest.pipeline.elements import ParsedDocument
from ingest.pipeline.parsing.email import parse_email
from ingest.pipeline.parsing.lawxml import is_law_xml, parse_law_xml
from ingest.pipeline.parsing.office import parse_office
from ingest.pipeline.parsing.pdf import parse_pdf
from search.core.errors import DocumentTooLarge, EmptyDocument, UnsupportedFormat

__all__ = ["SUPPORTED_EXTENSIONS", "detect_format", "parse_document"]

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".eml": "eml",
    ".msg": "msg",
}
"""File extension → format name."""

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIL_HEADERS = (
    b"from:",
    b"received:",
    b"return-path:",
    b"message-id:",
    b"mime-version:",
    b"subject:",
    b"date:",
    b"to:",
    b"delivered-to:",
)


def _sniff(content: bytes) -> str | None:
    """The format the first bytes show, or ``None`` if they show nothing conclusive."""
    head = content[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in content[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except zipfile.BadZipFile:
            return None
        return "zip"
    if head.startswith(_OLE2):
        return "ole2"  # an Outlook message, or an old Word/Excel file
    if is_law_xml(head):
        return "lawxml"  # a law of the federal portal (gesetze-im-internet.de)
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:512]:
        return "html"
    first_line = lowered.split(b"\n", 1)[0]
    if first_line.startswith(_MAIL_HEADERS):
        return "eml"
    return None


def detect_format(filename: str, content: bytes) -> str:
    """Decide how to parse a file.

    The extension decides, unless the bytes clearly say otherwise (a PDF named ``.doc``,
    a DOCX without extension).

    :param filename: the file name.
    :param content: the file's bytes.
    :returns: one of the values of :data:`SUPPORTED_EXTENSIONS`, or ``lawxml`` for a law
        in the XML of the federal law portal.
    :raises UnsupportedFormat: when the format is not supported.
    """
    by_name = SUPPORTED_EXTENSIONS.get(PurePath(filename).suffix.lower())
    sniffed = _sniff(content)
    if sniffed == "ole2":
        sniffed = "msg" if by_name in (None, "msg") else None
    if sniffed in ("pdf", "docx", "odt", "msg") and sniffed != by_name:
        return sniffed
    if by_name is not None:
        return by_name
    if sniffed in ("html", "eml", "lawxml"):
        return sniffed
    if sniffed is None and b"\x00" not in content[:4096]:
        try:
            content[:4096].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "txt"
    suffix = PurePath(filename).suffix or "without extension"
    msg = f"File format {suffix} is not supported ({filename})"
    raise UnsupportedFormat(msg)


def parse_document(
    document: SourceDocument,
    *,
    max_bytes: int,
    ocr_languages: str = "deu",
    ocr_workers: int = 2,
    ocr_dpi: int = 300,
) -> ParsedDocument:
    """Parse one document into elements.

    :param document: the document's bytes and file name.
    :param max_bytes: larger files are refused before anything is parsed.
    :param ocr_languages: tesseract languages for scanned PDF pages.
    :param ocr_workers: tesseract processes run in parallel.
    :param ocr_dpi: resolution scanned pages are rendered at.
    :returns: the parsed document (before the structure step: ``section_path`` is empty).
    :raises DocumentTooLarge: when the file has more than ``max_bytes`` bytes.
    :raises EmptyDocument: when the file is empty or contains no text.
    :raises UnsupportedFormat: when the format is not supported.
    :raises CorruptDocument: when the file cannot be read.
    :raises EncryptedDocument: when a PDF needs a password.
    """
    size = len(document.content)
    if size > max_bytes:
        msg = f"File has {size / 2**20:.1f} MB, more than the limit of {max_bytes / 2**20:.1f} MB"
        raise DocumentTooLarge(msg)
    if not document.content.strip():
        msg = "The file is empty"
        raise EmptyDocument(msg)
    kind = detect_format(document.filename, document.content)

    def parse_attachment(name: str, content: bytes) -> ParsedDocument:
        attachment = SourceDocument(uri=f"{document.uri}#{name}", filename=name, content=content)
        return parse_document(
            attachment,
            max_bytes=max_bytes,
            ocr_languages=ocr_languages,
            ocr_workers=ocr_workers,
            ocr_dpi=ocr_dpi,
        )

    if kind == "pdf":
        return parse_pdf(
            document.content,
            ocr_languages=ocr_languages,
            ocr_workers=ocr_workers,
            ocr_dpi=ocr_dpi,
        )
    if kind in ("eml", "msg"):
        return parse_email(document.content, kind, parse_attachment)
    if kind == "lawxml":
        return parse_law_xml(document.content)
    return parse_office(document.content, kind)
