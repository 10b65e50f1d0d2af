"""OCR of scanned pages: one tesseract run per page, and the repair of "§"."""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ingest.pipeline.elements import Element
from ingest.pipeline.parsing.common import clean_text, is_page_number
from search.core.errors import ConfigurationError

logger = logging.getLogger(__name__)

OCR_TIMEOUT_SECONDS = 300

PageProgress = Callable[[int, int], None]
"""Told ``(pages done, pages to read)`` after each scanned page of a document."""

_page_progress: ContextVar[PageProgress | None] = ContextVar("ocr_page_progress", default=None)


@contextmanager
def reporting_pages(progress: PageProgress | None) -> Iterator[None]:
    """Have the OCR of the documents parsed within tell ``progress`` about each page.

    A context variable rather than a parameter of every parser: OCR runs deep inside
    parsing (a scanned PDF, or one attached to an e-mail), and only the caller of the
    whole parse wants to know.

    :param progress: called with ``(pages done, pages to read)``; ``None`` tells no one.
    """
    token = _page_progress.set(progress)
    try:
        yield
    finally:
        _page_progress.reset(token)


def report_page(done: int, total: int) -> None:
    """Tell the listener of :func:`reporting_pages`, if any, that a page was read.

    A listener's error does not stop the OCR.

    :param done: pages read so far (failed ones included).
    :param total: pages to read in this document.
    """
    progress = _page_progress.get()
    if progress is None:
        return
    try:
        progress(done, total)
    except Exception:  # progress is for people watching; it must not fail a document
        logger.exception("An OCR progress listener failed")


# Law abbreviations seen after a § reference: BauGB, HGO, KAG, HStrG, BGB, StVO, VwVfG …
# (a word with at least two capitals, or one of the usual all-lowercase-after-capital ones).
_LAW = r"(?:[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*\b|Abs\b|Abs\.|Satz\b|Nr\.|Ziff)"
_REFERENCE_WORDS = (
    r"(?:nach|gemäß|gem\.|des|dem|den|der|im|in|vgl\.|siehe|laut|und|oder|bis|sowie|i\.\s?V\.\s?m\.|"
    r"i\.\s?S\.\s?d\.|Maßgabe|§|§§)"
)
_SYMBOL_BEFORE_NUMBER = re.compile(r"(?<![\w$&])[$&] ?(?=\d{1,3}[a-z]?\b(?![.,]\d))")
_EIGHT_BEFORE_LAW = re.compile(rf"(?<![\w.,])[8S] (\d{{1,3}}[a-z]?) (?={_LAW})")
_EIGHT_AFTER_WORD = re.compile(
    rf"((?:^|(?<=[\s(])){_REFERENCE_WORDS} )(88|8) (?=\d{{1,3}}[a-z]?\b(?![.,]\d))", re.MULTILINE
)
_HEADING_LINE = re.compile(r"^[8S$&§] ?(\d{1,3}[a-z]?)(?: (?=[A-ZÄÖÜ])(.{2,100}))?$")
_GLUED_NUMBER_LINE = re.compile(r"^[8$&](\d{1,3}[a-z]?)$")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(?=[a-zäöüß])")
# specks and margin marks read as a symbol before a line ("\ (1) Das Beförderungsentgelt …");
# "$" and "&" are left alone, they are usually a "§" (see repair_paragraph_signs)
_LINE_NOISE = re.compile(r"^[\\|_~=>.'‚,»«]{1,2}\s+(?=[\w(§„])", re.MULTILINE)


def _looks_like_heading_title(line: str) -> bool:
    return (
        0 < len(line) <= 100
        and line[0].isupper()
        and not line.rstrip().endswith((".", ",", ";"))
        and not re.match(r"^(Abs|Satz|Nr)\b", line)
    )


def repair_paragraph_signs(text: str) -> str:
    """Put back the "§" that tesseract's German model reads as 8, $, & or S.

    Only where the context is unambiguous: before a number followed by ``Abs.``, ``Satz``
    or a law abbreviation (``8 34 BauGB``), after a reference word (``nach 8 7``), and
    on a heading line (``8 3 Steuersatz``, or ``83`` alone above a title line).
    Plain numbers such as ``8 Hunde`` or ``S. 534`` are left alone.

    :param text: OCR text, lines separated by ``\\n``.
    :returns: the repaired text.
    """
    text = _SYMBOL_BEFORE_NUMBER.sub("§ ", text)
    text = _EIGHT_BEFORE_LAW.sub(r"§ \1 ", text)
    text = _EIGHT_AFTER_WORD.sub(
        lambda m: f"{m.group(1)}{'§§' if m.group(2) == '88' else '§'} ", text
    )
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        glued = _GLUED_NUMBER_LINE.match(stripped)
        if glued and _looks_like_heading_title(following):
            lines[index] = f"§ {glued.group(1)}"
            continue
        match = _HEADING_LINE.match(stripped)
        if not match or stripped.startswith("§"):
            continue
        title = match.group(2)
        if title is None and _looks_like_heading_title(following):
            lines[index] = f"§ {match.group(1)}"
        elif title is not None and _looks_like_heading_title(title) and len(title.split()) <= 8:
            lines[index] = f"§ {match.group(1)} {title}"
    return "\n".join(lines)


def _tesseract(png: bytes, languages: str, *config: str) -> str:
    """Run tesseract once on an image and return what it printed.

    :raises ConfigurationError: when tesseract is not installed.
    :raises RuntimeError: when tesseract fails on this image.
    """
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        result = subprocess.run(
            ["tesseract", "-", "stdout", "-l", languages, *config],
            input=png,
            capture_output=True,
            env=env,
            timeout=OCR_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        msg = "tesseract is not installed; it is needed to read scanned pages"
        raise ConfigurationError(msg) from exc
    except subprocess.TimeoutExpired as exc:
        msg = f"tesseract took longer than {OCR_TIMEOUT_SECONDS} s"
        raise RuntimeError(msg) from exc
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        msg = f"tesseract failed: {' '.join(detail) or result.returncode}"
        raise RuntimeError(msg)
    return result.stdout.decode("utf-8", "replace")


def ocr_image(png: bytes, languages: str) -> str:
    """Run tesseract once on an image.

    :param png: the page image (PNG bytes).
    :param languages: tesseract language(s), e.g. ``deu``.
    :returns: the recognised text.
    :raises ConfigurationError: when tesseract is not installed.
    :raises RuntimeError: when tesseract fails on this image.
    """
    return _tesseract(png, languages)


def ocr_words(png: bytes, languages: str) -> list[tuple[str, int, int, int, int]]:
    """Run tesseract once on an image and keep its word boxes.

    :param png: the page image (PNG bytes).
    :param languages: tesseract language(s), e.g. ``deu``.
    :returns: the recognised words in reading order, each with its box in pixels
        (``left``, ``top``, ``width``, ``height``).
    :raises ConfigurationError: when tesseract is not installed.
    :raises RuntimeError: when tesseract fails on this image.
    """
    rows = csv.DictReader(
        io.StringIO(_tesseract(png, languages, "tsv")), delimiter="\t", quoting=csv.QUOTE_NONE
    )
    return [
        (row["text"], int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]))
        for row in rows
        if row["level"] == "5" and (row["text"] or "").strip()
    ]


def ocr_elements(text: str, page: int) -> list[Element]:
    """Split OCR text into blocks at blank lines, repair § and hyphenation, drop the
    specks read as a symbol at the start of a line.

    :param text: tesseract output of one page.
    :param page: the 1-based page number.
    :returns: one text element per block, lines kept (the structure step reads them).
    """
    text = _HYPHEN_BREAK.sub(r"\1", text.replace("\f", "\n"))
    elements = []
    for block in re.split(r"\n\s*\n", text):
        cleaned = clean_text(block)
        if not any(ch.isalnum() for ch in cleaned) or is_page_number(cleaned):
            continue
        text = _LINE_NOISE.sub("", repair_paragraph_signs(cleaned))
        elements.append(Element(text=text, page=page, ocr=True))
    return elements
