"""Haystack component around :func:`ingest.parsing.parse_document`."""

from __future__ import annotations

from haystack import component

from connectors.base import SourceDocument
from ingest.elements import ParsedDocument
from ingest.parsing import parse_document
from search.errors import ConfigurationError


@component
class DocumentParser:
    """Parses a :class:`~connectors.base.SourceDocument` into elements.

    PDFs: text pages with unstructured, scanned pages with tesseract; DOCX, ODT, HTML,
    text, Markdown with unstructured; e-mails (EML, MSG) with their attachments. Works
    offline.

    :param max_bytes: larger files are refused with
        :class:`~search.errors.DocumentTooLarge` before parsing.
    :param ocr_languages: tesseract language(s) for scanned pages, e.g. ``deu``.
    :param ocr_workers: tesseract processes run in parallel (one per core is right).
    :param ocr_dpi: resolution scanned pages are rendered at.
    :raises ConfigurationError: when a value is out of range.
    """

    def __init__(
        self,
        max_bytes: int,
        ocr_languages: str = "deu",
        ocr_workers: int = 2,
        ocr_dpi: int = 300,
    ) -> None:
        if max_bytes <= 0:
            msg = f"max_bytes must be positive, got {max_bytes}"
            raise ConfigurationError(msg)
        if ocr_workers < 1:
            msg = f"ocr_workers must be at least 1, got {ocr_workers}"
            raise ConfigurationError(msg)
        if not 72 <= ocr_dpi <= 1200:
            msg = f"ocr_dpi must be between 72 and 1200, got {ocr_dpi}"
            raise ConfigurationError(msg)
        if not ocr_languages.strip() or any(ch.isspace() for ch in ocr_languages.strip()):
            msg = f"ocr_languages must look like 'deu' or 'deu+eng', got {ocr_languages!r}"
            raise ConfigurationError(msg)
        self.max_bytes = max_bytes
        self.ocr_languages = ocr_languages.strip()
        self.ocr_workers = ocr_workers
        self.ocr_dpi = ocr_dpi

    @component.output_types(parsed=ParsedDocument)
    def run(self, document: SourceDocument) -> dict[str, ParsedDocument]:
        """Parse one document.

        :param document: bytes, file name and source metadata.
        :returns: ``{"parsed": ParsedDocument}`` (section paths are set by the structure step).
        :raises DocumentError: a subclass saying why this document cannot be parsed
            (``UnsupportedFormat``, ``CorruptDocument``, ``EncryptedDocument``,
            ``EmptyDocument``, ``DocumentTooLarge``).
        """
        parsed = parse_document(
            document,
            max_bytes=self.max_bytes,
            ocr_languages=self.ocr_languages,
            ocr_workers=self.ocr_workers,
            ocr_dpi=self.ocr_dpi,
        )
        return {"parsed": parsed}
