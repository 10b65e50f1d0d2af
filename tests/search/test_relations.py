"""The Rechtsstand: ordering a match set by what was in force on a day, and what a hit
says of its validity (:mod:`search.relations`)."""

from __future__ import annotations

from search.relations import Dated, DocumentRelations, Linked, arrange, notes

STATUTE = DocumentRelations(
    doc_id="satzung",
    in_force_from=Dated("2018-01-01", "satzung", 3, "Diese Satzung tritt … in Kraft."),
    amended_by=(
        Linked("aenderung", "1. Satzung zur Änderung der Hundesteuersatzung", "2024-11-14",
               "2025-01-01", ("§ 3 Abs. 1",), ("public",)),
    ),
)  # fmt: skip
AMENDMENT = DocumentRelations(
    doc_id="aenderung",
    in_force_from=Dated("2025-01-01", "aenderung", 3, "Diese Satzung tritt … in Kraft."),
    amends=(Linked("satzung", "Hundesteuersatzung vom 21. März 2017", "2017-03-21"),),
)  # fmt: skip
OLD = DocumentRelations(
    doc_id="alt",
    in_force_from=Dated("2002-01-01", "alt"),
    in_force_until=Dated("2017-12-31", "satzung", 3, "Gleichzeitig tritt … außer Kraft."),
)
LINKS = {links.doc_id: links for links in (STATUTE, AMENDMENT, OLD)}


def test_an_amendment_in_force_comes_right_before_its_statute() -> None:
    ranked = ["merkblatt", "satzung", "alt", "aenderung", "protokoll"]
    assert arrange(ranked, LINKS, "2026-12-07") == [
        "merkblatt", "aenderung", "satzung", "protokoll", "alt",
    ]  # fmt: skip


def test_before_the_amendment_the_statute_leads_and_the_amendment_waits() -> None:
    ranked = ["aenderung", "satzung", "merkblatt"]
    assert arrange(ranked, LINKS, "2024-06-01") == ["satzung", "merkblatt", "aenderung"]
    assert arrange(ranked, LINKS, "2024-06-01", in_force_only=True) == ["satzung", "merkblatt"]


def test_the_repealed_statute_leads_on_a_day_it_was_in_force() -> None:
    ranked = ["satzung", "alt"]
    assert arrange(ranked, LINKS, "2010-05-05") == ["alt", "satzung"]


def test_a_document_dated_after_the_day_waits_too() -> None:
    dates = {"merkblatt": "2025-01-15", "protokoll": "2024-11-14"}
    ranked = ["merkblatt", "protokoll", "satzung"]
    assert arrange(ranked, LINKS, "2024-06-01", dates=dates) == [
        "satzung", "merkblatt", "protokoll",
    ]  # fmt: skip


def test_notes_say_what_amends_and_from_when() -> None:
    assert notes(STATUTE, "2026-12-07") == [
        "Geändert durch 1. Satzung zur Änderung der Hundesteuersatzung vom 14.11.2024 "
        "(in Kraft seit 01.01.2025)"
    ]
    assert notes(STATUTE, "2024-06-01")[0].endswith("(tritt am 01.01.2025 in Kraft)")
    assert notes(AMENDMENT, "2024-06-01") == [
        "Ändert Hundesteuersatzung vom 21. März 2017",
        "Tritt erst am 01.01.2025 in Kraft",
    ]
    assert notes(OLD, "2020-01-01") == ["Außer Kraft seit 01.01.2018"]
    assert notes(OLD, "2010-01-01") == []


def test_links_a_caller_may_not_see_are_left_out() -> None:
    assert STATUTE.visible_to(["public"]).amended_by == STATUTE.amended_by
    assert STATUTE.visible_to(["personalamt"]).amended_by == ()
    assert "groups" not in STATUTE.to_dict()["amended_by"][0]
