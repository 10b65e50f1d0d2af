"""PDF: text pages through unstructured, scanned pages through tesseract, page by page.

unstructured's ``auto`` strategy decides per document, so in a PDF that mixes text pages
and scans the scans come back empty. We decide per page instead: a page with a text layer
is partitioned with ``strategy="fast"``, a page without one is rendered and OCR'd once.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from ingest.pipeline.elements import Element, OutlineEntry, ParsedDocument
from ingest.pipeline.parsing.common import clean_text, convert, document_title
from ingest.pipeline.parsing.ocr import ocr_elements, ocr_image, report_page
from ingest.pipeline.parsing.offline import LANGUAGES, ensure_offline
from search.core.errors import CorruptDocument, EmptyDocument, EncryptedDocument

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 30
"""A page with fewer letters and digits in its text layer is treated as a scan."""

_GENERATED_TITLE = re.compile(
    r"^(microsoft (word|excel|powerpoint)|untitled|unbenannt|dokument\d*$|document\d*$|"
    r"entwurf$|satzung$|vorlage$|(öffentliche )?bekanntmachung$)|"
    r"\.(docx?|odt|pdf|xlsx?|rtf|tmp)$|^[\w-]+\.\w{2,4}$",
    re.IGNORECASE,
)


def _open(content: bytes) -> tuple[Any, Any]:
    """Open the PDF with pypdf (outline, metadata) and pypdfium2 (text, rendering)."""
    import pypdf
    import pypdfium2

    try:
        reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
        encrypted = reader.is_encrypted
        decrypted = not encrypted or bool(reader.decrypt(""))
    except pypdf.errors.FileNotDecryptedError as exc:
        msg = "PDF is encrypted and needs a password"
        raise EncryptedDocument(msg) from exc
    except (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        msg = f"PDF cannot be read, the file is damaged or incomplete ({exc})"
        raise CorruptDocument(msg) from exc
    except NotImplementedError as exc:  # an encryption algorithm pypdf cannot handle
        msg = f"PDF is encrypted in a way that cannot be read ({exc})"
        raise EncryptedDocument(msg) from exc
    if not decrypted:
        msg = "PDF is encrypted and needs a password"
        raise EncryptedDocument(msg)
    try:
        document = pypdfium2.PdfDocument(content, password="" if encrypted else None)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            msg = "PDF is encrypted and needs a password"
            raise EncryptedDocument(msg) from exc
        msg = f"PDF cannot be read, the file is damaged or incomplete ({exc})"
        raise CorruptDocument(msg) from exc
    if len(document) == 0:
        document.close()
        msg = "PDF cannot be read: it has no pages (the file is damaged or incomplete)"
        raise CorruptDocument(msg)
    return reader, document


def _page_texts(document: Any) -> list[str]:
    texts = []
    for page in document:
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    return texts


def _has_text(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= MIN_TEXT_CHARS


def _fallback_elements(text: str, page: int) -> list[Element]:
    """Blocks from a page's raw text layer, for when unstructured returns nothing."""
    blocks = re.split(r"\n\s*\n|\r\n\s*\r\n", text)
    return [Element(text=clean_text(b), page=page) for b in blocks if clean_text(b)]


def _text_elements(content: bytes, texts: list[str], pages: set[int]) -> tuple[list[Element], str]:
    """Partition the text pages with unstructured's fast strategy.

    :returns: elements of ``pages`` and a warning ('' if none).
    """
    ensure_offline()
    from unstructured.partition.pdf import partition_pdf

    warning = ""
    try:
        raw = partition_pdf(file=io.BytesIO(content), strategy="fast", languages=LANGUAGES)
        elements = convert(raw, headings=False, pages=True)
    except Exception as exc:  # fall back to the raw text layer
        logger.warning("unstructured could not partition the PDF: %s", exc)
        warning = f"Layout analysis failed ({type(exc).__name__}); used the raw text layer"
        elements = []
    elements = [e for e in elements if e.page in pages]
    covered = {e.page for e in elements}
    for page in sorted(pages - covered):
        elements.extend(_fallback_elements(texts[page - 1], page))
    return elements, warning


def _rendered(document: Any, pages: list[int], dpi: int) -> Iterator[tuple[int, bytes]]:
    for number in pages:
        page = document[number - 1]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        page.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        yield number, buffer.getvalue()


def _ocr_pages(
    document: Any, pages: list[int], *, languages: str, workers: int, dpi: int
) -> tuple[list[Element], list[int], list[str]]:
    """Render pages one after another (pdfium is not thread-safe) and OCR them in parallel."""
    elements: list[Element] = []
    warnings: list[str] = []
    done: list[int] = []
    futures: list[tuple[int, Future[str]]] = []
    told = 0

    def tell(read: int = 0) -> None:  # pages read so far, each count once
        nonlocal told
        count = max(read, sum(1 for _, f in futures if f.done()))
        if count > told:
            told = count
            report_page(count, len(pages))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for number, png in _rendered(document, pages, dpi):
            futures.append((number, pool.submit(ocr_image, png, languages)))
            # keep at most two pages per worker in memory
            pending = [f for _, f in futures if not f.done()]
            if len(pending) > 2 * max(1, workers):
                wait(pending, return_when=FIRST_COMPLETED)
            tell()
        for read, (number, future) in enumerate(futures, start=1):
            try:
                elements.extend(ocr_elements(future.result(), number))
            except RuntimeError as exc:
                warnings.append(f"Page {number} could not be read by OCR: {exc}")
            else:
                done.append(number)
            tell(read)
    return elements, done, warnings


def _outline(reader: Any) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
            except Exception:  # a dangling bookmark has no page
                page = None
            title = clean_text(str(getattr(item, "title", "") or "")).replace("\n", " ")
            if title:
                entries.append(OutlineEntry(title=title, level=level, page=page))

    try:
        walk(reader.outline, 1)
    except Exception as exc:  # a broken outline must not fail the document
        logger.info("PDF outline unreadable: %s", exc)
    return entries


def _metadata(reader: Any) -> dict[str, Any]:
    try:
        info = reader.metadata or {}
    except Exception:  # broken info dictionaries are common
        return {}
    result: dict[str, Any] = {}
    title = clean_text(str(info.get("/Title") or "")).replace("\n", " ")
    if title and not _GENERATED_TITLE.search(title) and len(title) >= 6:
        result["title"] = title
    author = clean_text(str(info.get("/Author") or ""))
    if author:
        result["author"] = author
    return result


def parse_pdf(
    content: bytes, *, ocr_languages: str = "deu", ocr_workers: int = 2, ocr_dpi: int = 300
) -> ParsedDocument:
    """Parse a PDF, OCR'ing the pages that have no text layer.

    :param content: the PDF's bytes.
    :param ocr_languages: tesseract languages for scanned pages.
    :param ocr_workers: tesseract processes run in parallel.
    :param ocr_dpi: resolution scanned pages are rendered at.
    :returns: elements with 1-based pages, the outline and the OCR'd pages.
    :raises EncryptedDocument: when the PDF needs a password.
    :raises CorruptDocument: when it cannot be read.
    :raises EmptyDocument: when no page yields text, even after OCR.
    """
    reader, document = _open(content)
    try:
        try:
            texts = _page_texts(document)
        except Exception as exc:  # a damaged file fails in any way: recorded, batch goes on
            msg = f"PDF cannot be read, the file is damaged or incomplete ({exc})"
            raise CorruptDocument(msg) from exc
        text_pages = {n for n, text in enumerate(texts, start=1) if _has_text(text)}
        scan_pages = [n for n in range(1, len(texts) + 1) if n not in text_pages]
        elements: list[Element] = []
        warnings: list[str] = []
        if text_pages:
            elements, warning = _text_elements(content, texts, text_pages)
            warnings += [warning] if warning else []
        ocr: list[Element] = []
        ocr_done: list[int] = []
        if scan_pages:
            ocr, ocr_done, ocr_warnings = _ocr_pages(
                document, scan_pages, languages=ocr_languages, workers=ocr_workers, dpi=ocr_dpi
            )
            warnings += ocr_warnings
    finally:
        document.close()
    # stable sort: reading order within a page, pages in order
    elements = sorted(elements + ocr, key=lambda e: e.page or 0)
    if not any(e.text.strip() for e in elements):
        msg = "PDF contains no text, not even after OCR of its pages"
        raise EmptyDocument(msg)
    metadata = _metadata(reader)
    title = metadata.pop("title", None)
    on_page = document_title(elements)
    # a title property that is only the start of the page's title ("Gefahrenabwehr-
    # verordnung" above "… über das unbefugte Plakatieren …") gives way to the page's
    if not title or (on_page and " ".join(title.lower().split()) in on_page.lower()):
        title = on_page or title
    return ParsedDocument(
        elements=elements,
        page_count=len(texts),
        title=title,
        metadata=metadata,
        outline=_outline(reader),
        ocr_pages=ocr_done,
        warnings=warnings,
    )
