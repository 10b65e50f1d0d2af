"""Haystack component around :func:`ingest.pipeline.parsing.parse_document`."""

from __future__ import annotations

from haystack import component
from pydantic import ValidationError

from connectors.base import SourceDocument
from ingest.pipeline.elements import ParsedDocument
from ingest.pipeline.parsing import parse_document
from search.core.errors import ConfigurationError
from search.core.settings import IngestSettings


@component
class DocumentParser:
    """Parses a :class:`~connectors.base.SourceDocument` into elements.

    PDFs: text pages with unstructured, scanned pages with tesseract; DOCX, ODT, HTML,
    text, Markdown with unstructured; e-mails (EML, MSG) with their attachments. Works
    offline.

    :param config: the ingest settings; this reads ``max_file_mb`` (larger files are
        refused with :class:`~search.core.errors.DocumentTooLarge` before parsing),
        ``ocr_languages`` (tesseract language(s) for scanned pages, e.g. ``deu``),
        ``ocr_workers`` (tesseract processes run in parallel; one per core is right) and
        ``ocr_dpi`` (resolution scanned pages are rendered at). Their ranges are the
        settings' own, checked again here for settings copied without validation.
    :raises ConfigurationError: when a value is out of range.
    """

    def __init__(self, config: IngestSettings) -> None:
        try:  # a model_copy(update=...) skips validation: the ranges are the settings'
            config = IngestSettings.model_validate(config.model_dump())
        except ValidationError as exc:
            msg = f"Invalid ingest settings: {exc}"
            raise ConfigurationError(msg) from exc
        max_bytes = int(config.max_file_mb * 1024 * 1024)
        if max_bytes <= 0:
            msg = f"ingest.max_file_mb must allow at least one byte, got {config.max_file_mb}"
            raise ConfigurationError(msg)
        ocr_languages = config.ocr_languages
        if not ocr_languages.strip() or any(ch.isspace() for ch in ocr_languages.strip()):
            msg = f"ocr_languages must look like 'deu' or 'deu+eng', got {ocr_languages!r}"
            raise ConfigurationError(msg)
        self.max_bytes = max_bytes
        self.ocr_languages = ocr_languages.strip()
        self.ocr_workers = config.ocr_workers
        self.ocr_dpi = config.ocr_dpi

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
