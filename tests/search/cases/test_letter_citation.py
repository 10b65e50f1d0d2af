"""Citations in the form written in a letter to the council."""

from __future__ import annotations

import pytest

from search.citations import CitationBuilder

HUNDESTEUER = (
    "Satzung über die Erhebung der Hundesteuer in der Stadt Lindenbrück (Hundesteuersatzung) "
    "vom 21. März 2017"
)
MINUTES = (
    "Niederschrift über die 31. öffentliche Sitzung des Stadtrates der Stadt Lindenbrück "
    "am 14. November 2024"
)
PAPER = "Drucksache 2024/0153 – 1. Satzung zur Änderung der Hundesteuersatzung"


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (
            {
                "title": HUNDESTEUER,
                "date": "2017-03-21",
                "section": "§ 3 Steuersatz › Abs. 1",
                "page_start": 2,
                "page_end": 2,
            },
            "§ 3 Abs. 1 der Hundesteuersatzung vom 21.03.2017, S. 2",
        ),
        (
            {
                "title": HUNDESTEUER,
                "date": "2017-03-21",
                "section": "§ 8 Fälligkeit",
                "page_start": 2,
                "page_end": 3,
            },
            "§ 8 der Hundesteuersatzung vom 21.03.2017, S. 2–3",
        ),
        (
            {
                "title": MINUTES,
                "date": "2024-11-14",
                "section": (
                    "TOP 7: 1. Satzung zur Änderung der Hundesteuersatzung (Drucksache 2024/0153)"
                ),
                "page_start": 3,
                "page_end": 3,
            },
            "Drs. 2024/0153, Beschluss vom 14.11.2024 (TOP 7), S. 3",
        ),
        (
            {
                "title": MINUTES,
                "date": "2024-11-14",
                "section": "Tagesordnung › TOP 4: Einwohnerfragestunde",
                "page_start": 2,
            },
            f"{MINUTES} vom 14.11.2024, TOP 4, S. 2",
        ),
        (
            {
                "title": PAPER,
                "reference": "Drucksache 2024/0153",
                "date": "2024-10-08",
                "section": "",
                "page_start": 1,
                "page_end": 1,
            },
            "Drs. 2024/0153 „1. Satzung zur Änderung der Hundesteuersatzung“ vom 08.10.2024, S. 1",
        ),
        (
            {
                "title": PAPER,
                "reference": "Drucksache 2024/0153",
                "date": "2024-10-08",
                "section": "Anlage 1 › Artikel 1",
                "page_start": 3,
            },
            "Artikel 1 der 1. Satzung zur Änderung der Hundesteuersatzung (Drs. 2024/0153) "
            "vom 08.10.2024, S. 3",
        ),
        (
            {"title": "Kommunalabgabengesetz", "section": "§ 2 › Abs. 1 › Satz 2"},
            "§ 2 Abs. 1 Satz 2 des Kommunalabgabengesetzes",
        ),
        (
            {
                "title": "Dienstanweisung Dienstreisen (DA Dienstreisen) vom 1. Juni 2012",
                "date": "2012-06-01",
                "section": "6. Abrechnung",
                "page_start": 2,
            },
            "DA Dienstreisen vom 01.06.2012, 6. Abrechnung, S. 2",
        ),
        (
            {"title": "Rundschreiben 12/2022 Energiesparen", "date": "2022-09-01"},
            "Rundschreiben 12/2022 Energiesparen vom 01.09.2022",
        ),
    ],
)
def test_letter_form(meta: dict[str, object], expected: str) -> None:
    assert CitationBuilder().letter_form(meta) == expected


def test_letter_form_is_german_in_an_english_interface() -> None:
    meta = {"title": HUNDESTEUER, "date": "2017-03-21", "section": "§ 3", "page_start": 2}
    assert (
        CitationBuilder("en").letter_form(meta) == "§ 3 der Hundesteuersatzung vom 21.03.2017, S. 2"
    )
