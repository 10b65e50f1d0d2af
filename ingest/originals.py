"""Original documents as a reader sees them: the file, and a PDF page as an image.

The interface opens a cited document here, by its id: the catalog says where the file
is and who may see it, so a user never reaches a file of a group they are not in.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ingest.catalog import Catalog
from search.core.errors import ConfigurationError, CorruptDocument
from search.core.settings import Settings


@dataclass(frozen=True, slots=True)
class Original:
    """The original file of an indexed document.

    :param doc_id: the document.
    :param title: its title (or file name).
    :param path: the file on disk.
    :param media_type: e.g. ``application/pdf``.
    :param page_count: pages of a PDF, ``None`` for other formats.
    """

    doc_id: str
    title: str
    path: Path
    media_type: str
    page_count: int | None

    @property
    def is_pdf(self) -> bool:
        """:returns: whether pages can be shown."""
        return self.media_type == "application/pdf"

    @property
    def filename(self) -> str:
        """:returns: the file's name."""
        return self.path.name


def open_original(settings: Settings, doc_id: str, user_groups: Sequence[str]) -> Original:
    """Find the original file of a document the user may see.

    :param settings: the settings (catalog path).
    :param doc_id: the document.
    :param user_groups: the user's access groups; the document must share one.
    :returns: the original.
    :raises ConfigurationError: when the document is unknown, not visible to the user, or
        its file is no longer there (one message for all three: nothing is revealed).
    """
    catalog = Catalog.open(settings)
    try:
        entry = catalog.get(doc_id)
    finally:
        catalog.close()
    path = _local_path(entry.uri) if entry else None
    if entry is None or path is None or not set(entry.access_groups) & set(user_groups):
        msg = f"Document {doc_id} is not available"
        raise ConfigurationError(msg)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    page_count = entry.page_count if media_type == "application/pdf" else None
    if media_type == "application/pdf" and page_count is None:
        page_count = _pdf_page_count(path)
    return Original(
        doc_id=doc_id,
        title=entry.title or entry.filename,
        path=path,
        media_type=media_type,
        page_count=page_count,
    )


def _local_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    return path if path.is_file() else None


@contextmanager
def open_pdf(path: Path) -> Iterator[Any]:
    """Open a PDF with pypdfium2 and close it afterwards.

    :raises CorruptDocument: when it cannot be opened.
    """
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as exc:
        msg = f"{path.name} cannot be opened as PDF: {exc}"
        raise CorruptDocument(msg) from exc
    try:
        yield pdf
    finally:
        pdf.close()


def _pdf_page_count(path: Path) -> int:
    with open_pdf(path) as pdf:
        return len(pdf)


def render_pdf_page(path: Path, page: int, *, width: int = 1000) -> bytes:
    """Render one page of a PDF as PNG.

    :param path: the PDF.
    :param page: the page, 1-based; clamped to the document's pages.
    :param width: width of the image in pixels.
    :returns: the PNG bytes.
    :raises CorruptDocument: when the PDF cannot be read.
    """
    with open_pdf(path) as pdf:
        index = min(max(page, 1), len(pdf)) - 1
        pdf_page = pdf[index]
        scale = width / pdf_page.get_width()
        image = pdf_page.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
