"""The words of a PDF page with their boxes: what a reader's view lays over the page image
to highlight a passage and let the text be selected.

A page with a text layer gives its words from pypdfium2's character boxes; a scanned page
(no text layer) is rendered and read by tesseract once, and its word boxes are kept in a
cache file keyed by the document's content hash, so the next view is instant.

Boxes are fractions of the page's width and height (``x0, y0, x1, y1`` from the top left),
so they fit the page image at any size.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ingest.originals import open_pdf
from ingest.pipeline.parsing.ocr import ocr_words
from ingest.pipeline.parsing.pdf import MIN_TEXT_CHARS
from search.core.errors import BackendError

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
"""``x0, y0, x1, y1`` as fractions of the page's width and height, origin top left."""

_CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class PageWord:
    """One word on a page.

    :param text: the word as printed (or as tesseract read it).
    :param box: where it is (see :data:`Box`).
    """

    text: str
    box: Box


@dataclass(frozen=True, slots=True)
class PageWords:
    """The words of one page in reading order.

    :param words: the words.
    :param source: ``text`` (the PDF's text layer) or ``ocr`` (tesseract on the image).
    :param aspect: the page's height divided by its width.
    """

    words: list[PageWord]
    source: Literal["text", "ocr"]
    aspect: float


def _round(box: Box) -> Box:
    x0, y0, x1, y1 = (min(max(round(value, 5), 0.0), 1.0) for value in box)
    return (x0, y0, x1, y1)


def _displayed(box: Box, rotation: int) -> Box:
    """Turn a box on the unrotated page into the box on the page as shown (``/Rotate``
    turns it clockwise; the rendered image is turned, the text layer is not)."""
    x0, y0, x1, y1 = box
    corners = {
        90: ((1 - y0, x0), (1 - y1, x1)),
        180: ((1 - x0, 1 - y0), (1 - x1, 1 - y1)),
        270: ((y0, 1 - x0), (y1, 1 - x1)),
    }.get(rotation % 360, ((x0, y0), (x1, y1)))
    (a, b), (c, d) = corners
    return _round((min(a, c), min(b, d), max(a, c), max(b, d)))


def _text_layer_words(page: Any, textpage: Any) -> list[PageWord]:
    """Words of the text layer: runs of non-space characters, each boxed by the union of
    its characters' font boxes (``loose``: one height for a whole line), as fractions of
    the shown page (its crop box, turned by its rotation)."""
    left, bottom, right, top = page.get_bbox()
    width, height = right - left, top - bottom
    rotation = page.get_rotation()
    words: list[PageWord] = []
    text, boxes = "", list[tuple[float, float, float, float]]()

    def close() -> None:
        if text:
            x0 = (min(b[0] for b in boxes) - left) / width
            x1 = (max(b[2] for b in boxes) - left) / width
            y0 = (top - max(b[3] for b in boxes)) / height
            y1 = (top - min(b[1] for b in boxes)) / height
            box = _displayed((x0, y0, x1, y1), rotation)
            if box[0] < box[2] and box[1] < box[3]:  # not cropped away
                words.append(PageWord(text, box))

    characters = textpage.get_text_range()
    if len(characters) != textpage.count_chars():  # pdfium keeps one index per character
        import pypdfium2.raw as pdfium_c

        characters = "".join(
            chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
            for index in range(textpage.count_chars())
        )
    for index, character in enumerate(characters):
        if character.isspace() or character in "\x00\ufffe\xad":
            close()
            text, boxes = "", []
            continue
        text += character
        boxes.append(textpage.get_charbox(index, loose=True))
    close()
    return words


def _ocr_words(page: Any, languages: str, dpi: int) -> list[PageWord]:
    """Words of the rendered page as tesseract reads them (rendered as ingestion does,
    so the words are those of the indexed text)."""
    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    width, height = image.size
    try:
        found = ocr_words(buffer.getvalue(), languages)
    except RuntimeError as exc:  # tesseract failed or took too long on this page
        msg = f"The page could not be read by OCR: {exc}"
        raise BackendError(msg) from exc
    return [
        PageWord(text, _round((left / width, top / height, (left + w) / width, (top + h) / height)))
        for text, left, top, w, h in found
    ]


def _load(cache: Path) -> PageWords | None:
    try:
        stored = json.loads(cache.read_text("utf-8"))
        if stored.get("format") != _CACHE_FORMAT:
            return None
        words = [PageWord(str(text), _round(tuple(box))) for text, box in stored["words"]]
        return PageWords(words=words, source="ocr", aspect=float(stored["aspect"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(cache: Path, page_words: PageWords) -> None:
    """Write the cache file atomically (two views of a page at once write the same)."""
    body = {
        "format": _CACHE_FORMAT,
        "aspect": page_words.aspect,
        "words": [[word.text, list(word.box)] for word in page_words.words],
    }
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(body, file, ensure_ascii=False)
        Path(temporary).replace(cache)
    except OSError as exc:  # a read-only data directory costs a second OCR, nothing else
        logger.warning("cannot cache the OCR words of %s: %s", cache.name, exc)


def read_page_words(
    path: Path,
    page: int,
    *,
    cache: Path | None = None,
    ocr_languages: str = "deu",
    ocr_dpi: int = 300,
) -> PageWords:
    """The words of one page of a PDF, from its text layer or, for a scan, by OCR.

    :param path: the PDF.
    :param page: the page, 1-based (clamped to the document's pages).
    :param cache: the file the OCR result of this page is kept in (read if present).
    :param ocr_languages: tesseract languages for a scanned page.
    :param ocr_dpi: resolution a scanned page is read at.
    :returns: the page's words.
    :raises CorruptDocument: when the PDF cannot be read.
    :raises ConfigurationError: when a scanned page needs tesseract and it is missing.
    :raises BackendError: when tesseract fails on a scanned page.
    """
    if cache is not None and cache.is_file():
        cached = _load(cache)
        if cached is not None:
            return cached
    with open_pdf(path) as pdf:
        pdf_page = pdf[min(max(page, 1), len(pdf)) - 1]
        width, height = pdf_page.get_width(), pdf_page.get_height()  # as shown
        textpage = pdf_page.get_textpage()
        try:
            words = _text_layer_words(pdf_page, textpage)
        finally:
            textpage.close()
        if sum(ch.isalnum() for word in words for ch in word.text) >= MIN_TEXT_CHARS:
            return PageWords(words=words, source="text", aspect=height / width)
        result = PageWords(
            words=_ocr_words(pdf_page, ocr_languages, ocr_dpi), source="ocr", aspect=height / width
        )
    if cache is not None:
        _store(cache, result)
    return result
