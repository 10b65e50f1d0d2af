"""What a result card makes of a hit's validity notes (the page itself: test_browser_validity)."""

from __future__ import annotations

from ui.relations_view import day, escaped, linked_for, short_title

STATUTE = {
    "doc_id": "s",
    "title": "Satzung über die Erhebung der Hundesteuer (Hundesteuersatzung) vom 21. März 2017",
}
AMENDMENT = {
    "doc_id": "d",
    "title": "Drucksache 2024/0153 – 1. Satzung zur Änderung der Hundesteuersatzung",
}


def test_a_note_names_the_document_to_open() -> None:
    changed = f"Geändert durch {AMENDMENT['title']} vom 08.10.2024 (in Kraft seit 01.01.2025)"
    assert linked_for(changed, [], [AMENDMENT]) == AMENDMENT
    assert linked_for(f"Ändert {STATUTE['title']} vom 21.03.2017", [STATUTE], []) == STATUTE
    assert linked_for("Tritt erst am 01.01.2025 in Kraft", [STATUTE], [AMENDMENT]) is None


def test_titles_and_days_as_staff_read_them() -> None:
    assert short_title(AMENDMENT["title"]) == "Drucksache 2024/0153"
    assert len(short_title(STATUTE["title"])) <= 70
    assert day("2025-01-01") == "01.01.2025"
    assert day("bald") == "bald"
    assert escaped("1. Satzung [x](y)") == "1. Satzung \\[x\\]\\(y\\)"
