"""The OCR of a scanned PDF tells a listener each page it has read."""

from __future__ import annotations

from ingest.pipeline.parsing.ocr import reporting_pages
from ingest.pipeline.parsing.pdf import parse_pdf
from tests.ingest.pipeline.test_parsing import scanned_pages


def test_each_page_is_told_once_in_order() -> None:
    told: list[tuple[int, int]] = []
    with reporting_pages(lambda done, total: told.append((done, total))):
        parsed = parse_pdf(scanned_pages(3), ocr_workers=2)
    assert parsed.ocr_pages == [1, 2, 3]
    assert told == [(1, 3), (2, 3), (3, 3)]


def test_nobody_listening_and_a_failing_listener_change_nothing() -> None:
    assert parse_pdf(scanned_pages(1)).ocr_pages == [1]

    def broken(_done: int, _total: int) -> None:
        raise RuntimeError("the progress bar is gone")

    with reporting_pages(broken):
        assert parse_pdf(scanned_pages(1)).ocr_pages == [1]
