"""The line a sync's progress bar shows: files done of files, and pages of a scan."""

from __future__ import annotations

import pytest

from ui.views.admin_status import job_progress


def test_a_file_being_read_by_ocr_counts_by_its_pages() -> None:
    job = {
        "counts": {"indexed": 1, "skipped": 2},
        "total": 8,
        "ocr": {"uri": "file:///akten/Scan.pdf", "pages_done": 2, "pages_total": 6},
    }
    share, text = job_progress(job, "Synchronisiere akten …", "de")
    assert share == pytest.approx((3 + 2 / 6) / 8)
    assert text == (
        "Synchronisiere akten … (3 von 8 Dateien) · Scan.pdf: Texterkennung Seite 2 von 6"
    )
    assert job_progress(job, "Syncing akten …", "en")[1] == (
        "Syncing akten … (3 of 8 files) · Scan.pdf: text recognition page 2 of 6"
    )


def test_without_a_total_or_ocr_the_files_are_counted() -> None:
    assert job_progress({"counts": {"indexed": 4}, "total": None}, "Sync", "de") == (
        0.0,
        "Sync (4)",
    )
    assert job_progress({"counts": {}, "total": 2, "ocr": None}, "Sync", "de") == (
        0.0,
        "Sync (0 von 2 Dateien)",
    )
