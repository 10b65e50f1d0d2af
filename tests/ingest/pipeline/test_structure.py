"""The structure step: headings from the outline, heading styles and German legal text."""

from __future__ import annotations

import pytest

from ingest.pipeline.elements import Element, OutlineEntry, ParsedDocument
from ingest.pipeline.structure import StructureAnnotator, match_heading


def annotate(*elements: Element, outline: list[OutlineEntry] | None = None) -> list[Element]:
    parsed = ParsedDocument(elements=list(elements), outline=outline or [])
    return StructureAnnotator().run(parsed=parsed)["parsed"].elements


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("§ 3 Steuersatz", "§ 3 Steuersatz"),
        ("§3a Ausnahmen", "§ 3a Ausnahmen"),
        ("§ 12", "§ 12"),
        ("Art. 5 Inkrafttreten", "Art. 5 Inkrafttreten"),
        ("Artikel 2", "Artikel 2"),
        ("Abschnitt II", "Abschnitt II"),
        ("1. Abschnitt Allgemeine Vorschriften", "1. Abschnitt Allgemeine Vorschriften"),
        ("Teil 2 ALLGEMEINE STRASSENREINIGUNG", "Teil 2 ALLGEMEINE STRASSENREINIGUNG"),
        ("Kapitel 3 Finanzen", "Kapitel 3 Finanzen"),
        ("TOP 7", "TOP 7"),
        ("TOP Ö 3: Bebauungsplan Nr. 12", "TOP Ö 3: Bebauungsplan Nr. 12"),
        # a title may start with an ordinal
        (
            "TOP 7 1. Satzung zur Änderung der Hundesteuersatzung",
            "TOP 7 1. Satzung zur Änderung der Hundesteuersatzung",
        ),
        ("Anlage 1: 1. Satzung (Entwurf)", "Anlage 1: 1. Satzung (Entwurf)"),
        ("Tagesordnungspunkt 7 Haushalt 2025", "Tagesordnungspunkt 7 Haushalt 2025"),
        ("Anlage 1", "Anlage 1"),
        ("Anlage zur Stellplatzsatzung", "Anlage zur Stellplatzsatzung"),
        ("§ 1 ZWECK", "§ 1 ZWECK"),
        # references and sentences are not headings
        ("gemäß § 3 Abs. 2", None),
        ("§ 3 Abs. 2 gilt entsprechend.", None),
        ("§ 34 BauGB", None),
        ("§ 10 der Satzung bleibt unberührt", None),
        ("§§ 6 – 9", None),
        ("Anlage 2 enthält die Gebühren.", None),
        ("Teilnehmer der Sitzung", None),
        ("Die Steuer beträgt nach § 3 jährlich 60 Euro.", None),
    ],
)
def test_match_heading(line: str, expected: str | None) -> None:
    found = match_heading(line)
    assert (found[1] if found else None) == expected


def test_legal_headings_nest_teil_abschnitt_paragraph() -> None:
    elements = annotate(
        Element("Satzung über die Erhebung einer Hundesteuer", page=1),
        Element("Teil 1 Allgemeines", page=1),
        Element("Abschnitt II", page=1),
        Element("§ 3 Steuersatz", page=1),
        Element("(1) Die Steuer beträgt gemäß § 2 Abs. 1 jährlich 60 Euro.", page=1),
        Element("§ 4 Steuerbefreiung", page=2),
        Element("Befreit sind Blindenführhunde.", page=2),
        Element("Teil 2 Schluss", page=3),
        Element("§ 9 Inkrafttreten", page=3),
        Element("Die Satzung tritt in Kraft.", page=3),
        Element("Anlage 1", page=4),
        Element("Gebührenverzeichnis", page=4),
        Element("Erster Hund: 60 Euro", page=4),
    )
    paths = {e.text: e.section_path for e in elements}
    assert paths["Satzung über die Erhebung einer Hundesteuer"] == ()
    assert paths["(1) Die Steuer beträgt gemäß § 2 Abs. 1 jährlich 60 Euro."] == (
        "Teil 1 Allgemeines",
        "Abschnitt II",
        "§ 3 Steuersatz",
    )
    assert paths["Befreit sind Blindenführhunde."] == (
        "Teil 1 Allgemeines",
        "Abschnitt II",
        "§ 4 Steuerbefreiung",
    )
    assert paths["Die Satzung tritt in Kraft."] == ("Teil 2 Schluss", "§ 9 Inkrafttreten")
    # a bare label takes the next short line as its title
    assert paths["Erster Hund: 60 Euro"] == ("Anlage 1 Gebührenverzeichnis",)
    levels = {e.text: e.heading_level for e in elements if e.kind == "heading"}
    assert levels == {
        "Teil 1 Allgemeines": 1,
        "Abschnitt II": 2,
        "§ 3 Steuersatz": 3,
        "§ 4 Steuerbefreiung": 3,
        "Teil 2 Schluss": 1,
        "§ 9 Inkrafttreten": 2,
        "Anlage 1 Gebührenverzeichnis": 1,
    }


def test_ocr_block_lines_are_split_into_heading_and_text() -> None:
    block = "§ 5\nSteuersatz\nDie Steuer beträgt jährlich\nfür den ersten Hund 60,00 EUR"
    elements = annotate(Element(block, page=2, ocr=True))
    assert [(e.kind, e.text) for e in elements] == [
        ("heading", "§ 5 Steuersatz"),
        ("text", "Die Steuer beträgt jährlich\nfür den ersten Hund 60,00 EUR"),
    ]
    assert all(e.ocr and e.page == 2 for e in elements)
    assert elements[1].section_path == ("§ 5 Steuersatz",)


def test_heading_run_into_its_first_paragraph_is_split() -> None:
    text = "§ 2 Steuersatz (1) Die Steuer beträgt " + "für jeden weiteren Hund 120 Euro " * 6
    elements = annotate(Element(text, page=1))
    assert elements[0].text == "§ 2 Steuersatz" and elements[0].kind == "heading"
    assert elements[1].text.startswith("(1) Die Steuer")
    assert elements[1].section_path == ("§ 2 Steuersatz",)


def test_bare_paragraph_label_takes_its_title_across_a_page_end() -> None:
    elements = annotate(
        Element("§ 3", page=1),
        Element("*1 § 2 geändert durch 1. Änderungssatzung", page=1),
        Element("Verpflichtete", page=2),
        Element("(1) Verpflichtet sind die Eigentümer.", page=2),
    )
    assert elements[0].text == "§ 3 Verpflichtete" and elements[0].page == 1
    assert [e.text for e in elements].count("Verpflichtete") == 0
    assert elements[-1].section_path == ("§ 3 Verpflichtete",)


def test_styled_headings_use_their_levels_and_legal_ones_nest_below() -> None:
    elements = annotate(
        Element("Geschäftsordnung", kind="heading", heading_level=1),
        Element("Sitzungen", kind="heading", heading_level=2),
        Element("§ 4 Einberufung"),
        Element("Die Sitzungen werden schriftlich einberufen."),
        Element("Ausschüsse", kind="heading", heading_level=2),
        Element("Ausschüsse tagen öffentlich."),
    )
    paths = {e.text: e.section_path for e in elements}
    assert paths["Die Sitzungen werden schriftlich einberufen."] == (
        "Geschäftsordnung",
        "Sitzungen",
        "§ 4 Einberufung",
    )
    assert paths["Ausschüsse tagen öffentlich."] == ("Geschäftsordnung", "Ausschüsse")


def test_outline_marks_headings_by_page_and_title() -> None:
    outline = [
        OutlineEntry("Erster Teil: Grundsätze", 1, 1),
        OutlineEntry("Zuständigkeit", 2, 2),
        OutlineEntry("Schlussbestimmungen", 1, 3),
    ]
    elements = annotate(
        Element("Erster Teil: Grundsätze", page=1),
        Element("Die Gemeinde regelt ihre Angelegenheiten.", page=1),
        # the same words on an earlier page are not the heading
        Element("Zuständigkeit", page=1),
        Element("Zuständigkeit", page=2),
        Element("Zuständig ist der Gemeindevorstand.", page=2),
        # heading not found as an element: inserted before the page's first element
        Element("Diese Ordnung tritt in Kraft.", page=3),
        outline=outline,
    )
    assert [(e.text, e.page, e.heading_level) for e in elements if e.kind == "heading"] == [
        ("Erster Teil: Grundsätze", 1, 1),
        ("Zuständigkeit", 2, 2),
        ("Schlussbestimmungen", 3, 1),
    ]
    paths = {e.text: e.section_path for e in elements if e.kind == "text"}
    assert paths["Zuständig ist der Gemeindevorstand."] == (
        "Erster Teil: Grundsätze",
        "Zuständigkeit",
    )
    assert paths["Diese Ordnung tritt in Kraft."] == ("Schlussbestimmungen",)


def test_each_attachment_has_its_own_structure() -> None:
    elements = annotate(
        Element("§ 1 Zweck"),
        Element("Text der Mail."),
        Element("Der Anhang beginnt ohne Überschrift.", attachment="a.pdf", page=1),
        Element("TOP 2 Haushalt", attachment="a.pdf", page=1),
        Element("Der Haushalt wird beschlossen.", attachment="a.pdf", page=1),
    )
    assert elements[1].section_path == ("§ 1 Zweck",)
    assert elements[2].section_path == ()
    assert elements[4].section_path == ("TOP 2 Haushalt",)


def test_numbered_sections_of_guidance_become_headings() -> None:
    body = "Die Reisekostenabrechnung ist innerhalb von sechs Monaten einzureichen."
    elements = [
        Element("Dienstanweisung Dienstreisen", page=1),
        Element("1. Geltungsbereich", page=1, kind="list_item"),
        Element("Diese Dienstanweisung gilt für alle Beschäftigten der Stadtverwaltung.", page=1),
        Element("2. Genehmigung", page=1, kind="list_item"),
        Element(
            "Dienstreisen sind vor Antritt schriftlich zu beantragen und zu genehmigen.", page=1
        ),
        Element("3. Abrechnung", page=2, kind="list_item"),
        Element(body, page=2),
    ]
    result = annotate(*elements)
    assert [e.text for e in result if e.kind == "heading"] == [
        "1. Geltungsbereich",
        "2. Genehmigung",
        "3. Abrechnung",
    ]
    assert next(e for e in result if e.text == body).section_path == ("3. Abrechnung",)


def test_an_enumerated_list_is_not_a_structure() -> None:
    elements = [
        Element("Folgende Unterlagen sind beizufügen:"),
        Element("1. Antrag", kind="list_item"),
        Element("2. Lageplan", kind="list_item"),
        Element("3. Vollmacht", kind="list_item"),
        Element(
            "Die Unterlagen sind vollständig beim Bauamt einzureichen, sonst ruht das Verfahren."
        ),
    ]
    result = annotate(*elements)
    assert all(e.kind != "heading" for e in result)
    assert all(e.section_path == () for e in result)


def test_answers_to_an_inquiry_become_sections_per_question() -> None:
    # a Stellungnahme as text extraction delivers it: one block, the answers run together
    text = (
        "STELLUNGNAHME zur Anfrage der Fraktion vom 03.02.2025 Radwege in der Altstadt "
        "1. [Frage 1] Seit 2020 wurden 4,2 km Radwege saniert. "
        "Zu Frage 2: Die Kosten betrugen 1,3 Mio. Euro. "
        "3. [Frage 3] 4. [Frage 4] Beide Vorhaben sind für 2026 geplant."
    )
    result = annotate(Element(text, page=1), Element("Mit freundlichen Grüßen", page=2))
    assert [(e.kind, e.text) for e in result] == [
        ("text", "STELLUNGNAHME zur Anfrage der Fraktion vom 03.02.2025 Radwege in der Altstadt"),
        ("heading", "Frage 1"),
        ("text", "Seit 2020 wurden 4,2 km Radwege saniert."),
        ("heading", "Frage 2"),
        ("text", "Die Kosten betrugen 1,3 Mio. Euro."),
        ("heading", "Frage 3"),
        ("heading", "Frage 4"),
        ("text", "Beide Vorhaben sind für 2026 geplant."),
        ("text", "Mit freundlichen Grüßen"),
    ]
    assert [e.section_path for e in result if e.kind == "text"] == [
        (),
        ("Frage 1",),
        ("Frage 2",),
        ("Frage 4",),
        ("Frage 4",),
    ]
    assert {e.page for e in result[:-1]} == {1}


@pytest.mark.parametrize(
    "text",
    [
        "Zu Frage 2: Auf die Antwort der Verwaltung vom Mai wird verwiesen.",  # not from 1
        "Frage 1: Wer ist zuständig? Antwort: das Ordnungsamt.",  # one question only
        "Zu Frage 2: siehe oben. Zu Frage 1: Die Stadt prüft das.",  # not in order
        "Die Frage 1 der Anfrage und die Frage 2 betreffen den Haushalt.",  # in a sentence
    ],
)
def test_question_words_in_other_text_make_no_sections(text: str) -> None:
    result = annotate(Element(text))
    assert [(e.kind, e.text) for e in result] == [("text", text)]


def test_styled_question_headings_stay_as_they_are() -> None:
    elements = [
        Element("Antwort der Verwaltung", kind="heading", heading_level=2),
        Element("Zu Frage 1: Entwicklung des Verbrauchs", kind="heading", heading_level=3),
        Element("Der Wärmeverbrauch ist um 18,3 % gesunken."),
        Element("Zu Frage 2: Photovoltaik", kind="heading", heading_level=3),
        Element("Die Stadt betreibt 14 Anlagen."),
    ]
    result = annotate(*elements)
    assert [e.text for e in result] == [e.text for e in elements]
    assert result[-1].section_path == ("Antwort der Verwaltung", "Zu Frage 2: Photovoltaik")
