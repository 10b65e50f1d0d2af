"""Interface texts: both languages complete, times in the city's zone, reasons in words."""

from __future__ import annotations

import re

from search.errors import DocumentError
from ui.i18n import REASONS, TEXTS, local_time, reason_text


def test_both_languages_have_every_text() -> None:
    assert set(TEXTS["de"]) == set(TEXTS["en"])
    assert set(REASONS["de"]) == set(REASONS["en"])


def test_every_failure_reason_of_a_document_is_said_in_german() -> None:
    reasons = {cls.reason for cls in DocumentError.__subclasses__()} | {DocumentError.reason}
    assert reasons <= set(REASONS["de"])
    assert reason_text("de", "encrypted") == "Mit Passwort geschützt"
    assert reason_text("de", None) == "Unerwarteter Fehler beim Einlesen"
    assert reason_text("de", "http-404") == "http-404"  # a connector's own code, as it is


def test_times_are_shown_in_berlin_as_dd_mm_yyyy() -> None:
    assert local_time("2026-12-06T20:42:37+00:00") == "06.12.2026, 21:42"  # CET
    assert local_time("2026-07-01T10:00:00") == "01.07.2026, 12:00"  # CEST, naive = UTC
    assert local_time("2026-03-29T00:59:59Z", seconds=True) == "29.03.2026, 01:59:59"
    assert local_time("2026-03-29T01:00:00Z", seconds=True) == "29.03.2026, 03:00:00"
    assert local_time(None) == "–"
    assert local_time("gestern") == "gestern"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d", local_time("2025-01-02T03:04:05"))
