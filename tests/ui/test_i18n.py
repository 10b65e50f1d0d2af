"""Interface texts: both languages complete, times in the city's zone, reasons in words."""

from __future__ import annotations

import re
from datetime import date

import pytest

from search import answers
from search.core.errors import DocumentError
from search.core.fields import DOC_TYPES
from ui.date_field import format_date, parse_date
from ui.i18n import REASONS, TEXTS, bilingual, check_text, flag_text, local_time, reason_text, t
from ui.page_frame import _pattern, _replacement


def test_both_languages_have_every_text() -> None:
    assert set(TEXTS["de"]) == set(TEXTS["en"])
    assert set(REASONS["de"]) == set(REASONS["en"])


def test_every_flag_and_document_type_has_its_text_in_both_languages() -> None:
    # one catalogue for the interface and the command line (ui/cli_answers.py reads it)
    for flag in answers.SENTENCE_FLAGS:
        assert flag_text("de", flag) != flag
        assert flag_text("en", flag) not in (flag, flag_text("de", flag))
    assert flag_text("de", "a_new_flag") == "a_new_flag"  # as it is, until it has a text
    assert set(DOC_TYPES) <= set(TEXTS["de"])  # and so in English (test above)
    assert t("de", "statute") == "Satzung/Verordnung"
    assert bilingual("not_answered") == (
        "Die Treffer beantworten die Frage nicht. / The results do not answer the question."
    )


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


def test_a_connection_test_is_said_in_german() -> None:
    assert check_text("de", "8 documents") == "8 Dokumente"
    assert check_text("de", "1 documents") == "1 Dokument"
    assert check_text("de", "OParl 1.1, body Stadt Karlsruhe") == (
        "OParl 1.1, Körperschaft Stadt Karlsruhe"
    )
    assert (
        check_text(
            "de",
            "robots.txt read, Crawl-delay 2 s; start page „Rathaus“ with 12 links under https://a/",
        )
        == "robots.txt gelesen, Crawl-delay 2 s; Startseite „Rathaus“ mit 12 Links unter https://a/"
    )
    assert check_text("de", "something of a connector's own") == "something of a connector's own"
    assert check_text("en", "8 documents") == "8 documents"


def test_dates_are_typed_as_dd_mm_yyyy() -> None:
    assert parse_date("15.03.2024") == date(2024, 3, 15)
    assert parse_date(" 1.3.2024 ") == date(2024, 3, 1)
    assert parse_date("2024-03-15") == date(2024, 3, 15)  # as in a shared link
    assert parse_date("") is None
    for wrong in ("31.02.2024", "15/03/2024", "gestern"):
        with pytest.raises(ValueError, match="not a date"):
            parse_date(wrong)
    assert format_date(date(2024, 3, 1)) == "01.03.2024"
    assert format_date(None) == ""


def test_streamlit_s_own_texts_become_patterns_for_the_browser() -> None:
    pattern = re.compile(_pattern("Help for {label}"))
    assert pattern.fullmatch("Help for Datum von")
    assert _replacement("Hilfe zu {label}") == "Hilfe zu $1"
