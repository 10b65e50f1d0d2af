"""Result lists to file: a CSV a German spreadsheet opens, a PDF list with citations."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pypdf

from search.results import DocumentHit, Passage
from ui.export import results_csv, results_pdf


def _hits() -> list[DocumentHit]:
    statute = DocumentHit(
        doc_id="satzung-hundesteuer",
        uri="file:///srv/ortsrecht/Hundesteuersatzung_2017.pdf",
        title="Satzung über die Erhebung der Hundesteuer; Hunde & Halter",
        doc_type="statute",
        source="ortsrecht",
        date="2017-03-21",
        reference=None,
        score=1.0,
        passages=[
            Passage(
                chunk_id="satzung-hundesteuer:0003",
                text="§ 5 Steuersatz\n(1) Die Steuer beträgt jährlich für den ersten Hund 96 Euro;",
                highlight="",
                page_start=2,
                page_end=3,
                section="§ 5 Steuersatz",
                score=1.0,
                citation="Hundesteuersatzung (21.03.2017), § 5 Steuersatz, S. 2–3",
            )
        ],
        pages=[2, 3],
        citation="Hundesteuersatzung (21.03.2017), § 5 Steuersatz, S. 2–3",
    )
    decision = DocumentHit(
        doc_id="drs-2024-0153",
        uri="https://rat.lindenbrueck.de/oparl/paper/153",
        title="Drucksache 2024/0153 – 1. Satzung zur Änderung der Hundesteuersatzung",
        doc_type="decision",
        source="ratsinfo",
        date="2024-10-08",
        reference="Drs. 2024/0153",
        score=0.8,
        passages=[],
        pages=[1],
    )
    return [statute, decision]


def test_csv_opens_in_a_german_spreadsheet() -> None:
    data = results_csv(_hits(), "de")
    assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "Nr.",
        "Titel",
        "Dokumentart",
        "Datum",
        "Aktenzeichen/Drucksache",
        "Fundstelle",
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Titel"] == "Satzung über die Erhebung der Hundesteuer; Hunde & Halter"
    assert first["Dokumentart"] == "Satzung/Verordnung"
    assert first["Datum"] == "21.03.2017"
    assert first["Fundstelle"] == "Hundesteuersatzung (21.03.2017), § 5 Steuersatz, S. 2–3"
    assert first["Seiten"] == "2, 3" and first["Abschnitt"] == "§ 5 Steuersatz"
    assert first["Textauszug"].startswith("§ 5 Steuersatz (1) Die Steuer beträgt")
    second = dict(zip(rows[0], rows[2], strict=True))
    assert (second["Nr."], second["Aktenzeichen/Drucksache"]) == ("2", "Drs. 2024/0153")
    assert second["Ort (URI)"] == "https://rat.lindenbrueck.de/oparl/paper/153"
    assert len(rows) == 3


def test_pdf_lists_every_hit_with_its_citation() -> None:
    when = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
    data = results_pdf(_hits(), "de", query="Hundesteuer erster Hund", user="m.schubert", when=when)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Rechercheliste" in text
    assert "Suche „Hundesteuer erster Hund“ von m.schubert am 06.12.2026, 15:05" in text
    assert "Hunde & Halter" in text  # escaped for the PDF, shown as written
    assert "Fundstelle: Hundesteuersatzung (21.03.2017), § 5 Steuersatz, S. 2–3" in text
    assert "Drs. 2024/0153" in text and "Beschluss/Vorlage" in text
    assert reader.metadata is not None and reader.metadata.title == "Rechercheliste"
