"""Title, type, date and reference inferred from a parsed document."""

from __future__ import annotations

import pytest

from ingest.pipeline.doc_metadata import find_date, infer_metadata, prettify_filename
from ingest.pipeline.elements import Element, ParsedDocument
from search.core.fields import DOC_TYPES


def doc(*texts: str, title: str | None = None, **metadata: str) -> ParsedDocument:
    return ParsedDocument(
        elements=[Element(text, page=1) for text in texts], title=title, metadata=metadata
    )


def test_statute_with_date_in_title_line() -> None:
    parsed = doc(
        "Satzung über die Erhebung einer Hundesteuer vom 21. März 2017",
        "Aufgrund der §§ 5 und 51 HGO in der Fassung vom 07.03.2005 hat die Gemeindevertretung",
        title="Satzung über die Erhebung einer Hundesteuer vom 21. März 2017",
    )
    meta = infer_metadata(parsed, "hundesteuer.pdf")
    assert meta == {
        "title": "Satzung über die Erhebung einer Hundesteuer vom 21. März 2017",
        "doc_type": "statute",
        "date": "2017-03-21",
    }


def test_decision_with_reference_and_numeric_date() -> None:
    parsed = doc(
        "Gemeinde Linsengericht",
        "Beschlussvorlage Drs. 2024/0153",
        "Sitzung der Gemeindevertretung am 12.02.2024",
        title="Neubau der Kindertagesstätte",
    )
    meta = infer_metadata(parsed, "vorlage.pdf")
    assert meta["doc_type"] == "decision"  # from the first page: not in the title
    assert meta["reference"] == "Drs. 2024/0153"
    assert meta["date"] == "2024-02-12"


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Drucksache Nr. 17/123", "Drucksache Nr. 17/123"),
        ("Vorlage 2023/0412 vom Mai", "Vorlage 2023/0412"),
        ("Beschlussvorlage – Drucksache 2023/0087", "Drucksache 2023/0087"),
        ("Drs. 2024/0153", "Drs. 2024/0153"),
    ],
)
def test_references(text: str, reference: str) -> None:
    meta = infer_metadata(doc("Beschluss", text, title="Beschluss"), "b.pdf")
    assert meta["reference"] == reference


@pytest.mark.parametrize(
    ("title", "filename", "doc_type"),
    [
        ("Gebührenordnung für das Bürgerhaus", "x.pdf", "statute"),
        ("Gefahrenabwehrverordnung", "x.pdf", "statute"),
        ("Niederschrift über die Sitzung des Bauausschusses", "x.pdf", "decision"),
        ("Antrag der Fraktion", "x.pdf", "decision"),
        ("Dienstanweisung Aktenführung", "x.docx", "guidance"),
        ("Merkblatt Hundehaltung", "x.pdf", "guidance"),
        ("Irgendein Text", "richtlinien-vereinsfoerderung.pdf", "guidance"),
        ("Irgendein Text", "x.pdf", "other"),
    ],
)
def test_doc_types(title: str, filename: str, doc_type: str) -> None:
    meta = infer_metadata(doc("Inhalt", title=title), filename)
    assert meta["doc_type"] == doc_type and doc_type in DOC_TYPES


def test_email_is_correspondence_with_its_date() -> None:
    parsed = doc("Bitte um Rückruf.", title="Satzung: Rückfrage", subject="Satzung: Rückfrage",
                 date="2025-03-04")  # fmt: skip
    meta = infer_metadata(parsed, "anfrage.eml")
    assert meta["doc_type"] == "correspondence"
    assert meta["date"] == "2025-03-04"


def test_title_falls_back_to_prettified_filename() -> None:
    meta = infer_metadata(doc("123"), "hundesteuersatzung-2017-03-21_original.pdf")
    assert meta["title"] == "Hundesteuersatzung 2017 03 21 original"
    assert prettify_filename("a__b.txt") == "A b"


def test_find_date_prefers_vom_and_skips_invalid_dates() -> None:
    assert find_date("Stand 01.01.2020, Satzung vom 3. Mai 2019") == "2019-05-03"
    assert find_date("am 31.02.2020 und am 1.3.2020") == "2020-03-01"
    assert find_date("keine Angabe") is None


def test_a_statute_is_dated_by_its_title_not_its_session() -> None:
    parsed = doc(
        "Hauptsatzung der Stadt Lindenbrück vom 24. Juni 2021",
        "hat der Stadtrat in seiner Sitzung am 17. Juni 2021 folgende Satzung beschlossen:",
        title="Hauptsatzung der Stadt Lindenbrück vom 24. Juni 2021",
    )
    assert infer_metadata(parsed, "hauptsatzung.pdf")["date"] == "2021-06-24"


def test_legal_basis_dates_are_not_the_statutes_date() -> None:
    parsed = doc(
        "Satzung über die Straßenreinigung (Straßenreinigungssatzung – StrRS)",
        "Aufgrund des § 5 der Hessischen Gemeindeordnung in der Fassung vom 01.04.1993 "
        "(GVBl. 1992 I, S 534), zuletzt geändert durch Gesetz vom 17.12.1998 (GVBl. I, S. 562) "
        "hat die Gemeindevertretung der Gemeinde Linsengericht in ihrer Sitzung am "
        "30. August 1999 folgende Satzung beschlossen:",
        title="Satzung über die Straßenreinigung (Straßenreinigungssatzung – StrRS)",
    )
    assert infer_metadata(parsed, "strassenreinigungssatzung.pdf")["date"] == "1999-08-30"


def test_council_paper_is_dated_by_its_header_not_by_the_statute_it_amends() -> None:
    title = (
        "Drucksache 2025/0118 – 2. Satzung zur Änderung der Abfallgebührensatzung "
        "vom 10. Dezember 2020"
    )
    parsed = doc("Beschlussvorlage", "Drucksache 2025/0118", "Datum", "16.09.2025", title=title)
    meta = infer_metadata(parsed, "Drucksache_2025-0118.pdf")
    assert meta["date"] == "2025-09-16"
    assert meta["reference"] == "Drucksache 2025/0118"


def test_minutes_take_no_reference_from_the_papers_they_list() -> None:
    parsed = doc(
        "Niederschrift über die 31. Sitzung des Stadtrates",
        "Sitzungstag",
        "Donnerstag, 14. November 2024",
        "TOP 7: Änderung der Hundesteuersatzung, Drucksache 2024/0153",
        title="Niederschrift über die 31. Sitzung des Stadtrates",
    )
    meta = infer_metadata(parsed, "niederschrift.pdf")
    assert "reference" not in meta
    assert meta["date"] == "2024-11-14"


def test_a_paper_mentioned_in_a_sentence_is_not_the_documents_reference() -> None:
    parsed = doc(
        "Dienstanweisung über die elektronische Aktenführung",
        "(1) Sie setzt den Beschluss des Stadtrates über die Einführung der E-Akte "
        "(Drucksache 2019/0211) um.",
        "siehe Vorlage 2023/0412 vom Mai",
        title="Dienstanweisung über die elektronische Aktenführung",
    )
    assert "reference" not in infer_metadata(parsed, "da.docx")


def test_a_table_on_the_first_page_does_not_type_the_document() -> None:
    parsed = ParsedDocument(
        elements=[
            Element("Zuständigkeiten der Stadtverwaltung", kind="heading"),
            Element("Funktion | Name\nDezernat II: Ordnung, Soziales | M. Kessler", kind="table"),
        ],
        title="Zuständigkeiten der Stadtverwaltung",
    )
    assert infer_metadata(parsed, "zustaendigkeiten.md")["doc_type"] == "other"


def test_file_name_and_signature_dates() -> None:
    plain = doc("Richtlinie für Ortsteilbeauftragte", "Die Ortsteilbeauftragten werden gewählt.")
    assert infer_metadata(plain, "20251124-rl-ortsteilbeauftragte.pdf")["date"] == "2025-11-24"
    assert infer_metadata(plain, "satzung-rechtskraeftig-16.08.2024.pdf")["date"] == "2024-08-16"
    signed = ParsedDocument(
        elements=[
            Element("Satzung über das Erheben von Verwaltungskosten", page=1),
            Element(
                "§ 8 der Hauptsatzung vom 23.10.2018 … am 03.09.2025 veröffentlicht. "
                "Linsengericht, 09.09.2025 Der Gemeindevorstand",
                page=6,
            ),
        ]
    )
    assert infer_metadata(signed, "verwaltungskostensatzung.pdf")["date"] == "2025-09-09"


def test_an_amending_statute_is_dated_by_its_decision_not_the_statute_it_amends() -> None:
    title = "1. Satzung zur Änderung der Abfallsatzung der Gemeinde Linsengericht vom 12.12.2024"
    parsed = doc(
        title,
        "Aufgrund der §§ 5, 19 und 51 der Hessischen Gemeindeordnung (HGO) in der Fassung vom "
        "07.03.2005 hat die Gemeindevertretung der Gemeinde Linsengericht in ihrer Sitzung am "
        "09.12.2025 folgende 1. Satzung zur Änderung beschlossen:",
        title=title,
    )
    assert infer_metadata(parsed, "abfallsatzung-aenderung1.pdf")["date"] == "2025-12-09"
    # a title page: its version line dates it, not the legal basis after it
    cover = doc(
        "Erste Satzung zur Änderung der Entwässerungssatzung vom 21.03.2017",
        "In der Fassung vom 13.12.2023",
        title="Erste Satzung zur Änderung der Entwässerungssatzung vom 21.03.2017",
    )
    assert infer_metadata(cover, "entwaesserung-2017-1-aenderung.pdf")["date"] == "2023-12-13"


def test_a_decision_of_the_council_in_the_preamble_dates_a_statute() -> None:
    parsed = doc(
        "Archivordnung der Gemeinde Linsengericht",
        "Aufgrund der §§ 5 und 51 HGO in der Fassung der Bekanntmachung vom 07.03.2005 hat "
        "die Gemeindevertretung der Gemeinde Linsengericht am 12.12.2017 folgende Satzung "
        "beschlossen:",
        title="Archivordnung der Gemeinde Linsengericht",
    )
    # the decision, not the date the file name gives (when it came into force)
    assert infer_metadata(parsed, "archivordnung-2018-01-01.pdf")["date"] == "2017-12-12"
