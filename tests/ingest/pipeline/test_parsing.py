"""The parser on real small files built here (PDF, scan, DOCX, ODT, HTML, e-mail) and on
the Linsengericht corpus."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from connectors.base import SourceDocument
from ingest.pipeline.document_parser import DocumentParser
from ingest.pipeline.elements import Element, ParsedDocument
from ingest.pipeline.parsing import detect_format, parse_document
from ingest.pipeline.parsing.common import document_title
from ingest.pipeline.parsing.ocr import ocr_elements, repair_paragraph_signs
from ingest.pipeline.structure import StructureAnnotator
from search.core.errors import (
    ConfigurationError,
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedFormat,
)
from search.core.settings import IngestSettings

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CORPUS = Path("/work/shared/data/corpora/linsengericht")
MB = 2**20


def parse(filename: str, content: bytes, max_bytes: int = 50 * MB) -> ParsedDocument:
    document = SourceDocument(uri=f"file:///{filename}", filename=filename, content=content)
    return parse_document(document, max_bytes=max_bytes)


def structured(filename: str, content: bytes) -> ParsedDocument:
    return StructureAnnotator().run(parsed=parse(filename, content))["parsed"]


# -- builders of real files ---------------------------------------------------------------


def text_pdf(*, outline: bool = True, title: str = "Microsoft Word - hundesteuer.doc") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pages = [
        [
            "Satzung über die Erhebung einer Hundesteuer vom 21. März 2017",
            "",
            "Teil 1 Allgemeines",
            "",
            "§ 1 Steuergegenstand",
            "Gegenstand der Steuer ist das Halten von Hunden im Gemeindegebiet.",
        ],
        [
            "§ 2 Steuersatz",
            "(1) Die Steuer beträgt für den ersten Hund 60,00 Euro jährlich.",
            "(2) Für gefährliche Hunde gilt gemäß § 1 Abs. 2 ein Satz von 300 Euro.",
            "",
            "Teil 2 Schlussvorschriften",
            "",
            "§ 3 Inkrafttreten",
            "Diese Satzung tritt am Tage nach ihrer Bekanntmachung in Kraft.",
        ],
    ]
    for number, lines in enumerate(pages, start=1):
        y = 780
        for line in lines:
            if outline and (line.startswith(("§", "Teil"))):
                key = line.replace(" ", "_")
                pdf.bookmarkPage(key)
                pdf.addOutlineEntry(line, key, level=0 if line.startswith("Teil") else 1)
            pdf.setFont("DejaVu", 11)
            pdf.drawString(60, y, line)
            y -= 24
        pdf.drawString(290, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scan_pdf(lines: list[str]) -> bytes:
    """An image-only A4 page at 300 dpi, as a scanner would produce."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 46)
    y = 300
    for line in lines:
        if line:
            draw.text((250, y), line, font=font, fill=0)
        y += 80
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=300)
    return buffer.getvalue()


SCAN_LINES = [
    "Satzung über die Erhebung einer Hundesteuer",
    "",
    "§ 3 Steuersatz",
    "",
    "(1) Die Steuer beträgt jährlich für den ersten Hund 60,00 EUR.",
    "(2) Hunde, für die eine Steuerermäßigung nach § 7 gewährt",
    "wird, gelten als erste Hunde. Die Meldung erfolgt nach",
    "§ 10 Abs. 3 dieser Satzung. Gehalten werden 8 Hunde.",
    "",
    "§ 4 Steuerbefreiung",
    "",
    "Steuerbefreiung wird für Blindenführhunde gewährt.",
]


def scanned_pages(copies: int) -> bytes:
    """:returns: a PDF of ``copies`` scanned pages of :data:`SCAN_LINES`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    page = PdfReader(io.BytesIO(scan_pdf(SCAN_LINES))).pages[0]
    for _ in range(copies):
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def merged_pdf(*parts: bytes) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password="geheim", owner_password="geheimer", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_file(*, page_break: bool) -> bytes:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.core_properties.title = "Dienstanweisung Aktenführung"
    document.add_heading("Abschnitt I Allgemeines", level=1)
    document.add_heading("§ 1 Geltungsbereich", level=2)
    document.add_paragraph("Diese Dienstanweisung gilt für alle Ämter der Stadtverwaltung.")
    paragraph = document.add_paragraph("Akten werden elektronisch geführt.")
    if page_break:
        paragraph.add_run().add_break(WD_BREAK.PAGE)
    heading = document.add_heading("§ 2 Aufbewahrung", level=2)
    if page_break:
        # what Word writes where it laid out a new page; unstructured counts only these
        from docx.oxml import OxmlElement

        heading.runs[0]._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    document.add_paragraph("Die Aufbewahrungsfristen ergeben sich aus der Tabelle.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Art", "Frist"), ("Bauakten", "30 Jahre")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_file() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Richtlinie Vereinsförderung"))
    document.text.addElement(H(outlinelevel=2, text="1. Zuschüsse"))
    document.text.addElement(P(text="Vereine erhalten jährlich einen Zuschuss von 500 Euro."))
    document.text.addElement(H(outlinelevel=2, text="2. Antrag"))
    document.text.addElement(P(text="Der Antrag ist bis zum 31. März zu stellen."))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


HTML = """<!DOCTYPE html><html><head><title>Niederschrift Bauausschuss</title></head><body>
<h1>Niederschrift der Sitzung des Bauausschusses</h1>
<h2>TOP 1 Bebauungsplan Am Mühlbach</h2>
<p>Der Ausschuss empfiehlt die Zustimmung zum Bebauungsplan.</p>
<h2>TOP 2 Verschiedenes</h2>
<p>Keine Wortmeldungen.</p>
<table><tr><th>Ja</th><th>Nein</th></tr><tr><td>7</td><td>2</td></tr></table>
</body></html>"""


def eml_file(attachments: list[tuple[str, str, bytes]]) -> bytes:
    message = EmailMessage()
    message["Subject"] = "Hundesteuer: Anfrage zur Ermäßigung"
    message["From"] = "Anna Schmidt <anna.schmidt@example.org>"
    message["To"] = "steueramt@linsengericht.example"
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0100"
    message.set_content(
        "Sehr geehrte Damen und Herren,\n\nich bitte um Ermäßigung der Hundesteuer."
    )
    for name, subtype, data in attachments:
        message.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    return message.as_bytes()


@pytest.fixture(scope="session")
def scan_bytes() -> bytes:
    return scan_pdf(SCAN_LINES)


# -- PDF ------------------------------------------------------------------------------------


def test_text_pdf_keeps_pages_outline_and_rejects_generated_title() -> None:
    parsed = parse("hundesteuer.pdf", text_pdf())
    assert parsed.page_count == 2
    assert parsed.ocr_pages == []
    pages = {e.text.split("\n")[0]: e.page for e in parsed.elements}
    assert pages["§ 1 Steuergegenstand"] == 1
    assert pages["§ 2 Steuersatz"] == 2
    assert not any(e.text == "- 1 -" for e in parsed.elements)  # page numbers dropped
    assert [(o.title, o.level, o.page) for o in parsed.outline] == [
        ("Teil 1 Allgemeines", 1, 1),
        ("§ 1 Steuergegenstand", 2, 1),
        ("§ 2 Steuersatz", 2, 2),
        ("Teil 2 Schlussvorschriften", 1, 2),
        ("§ 3 Inkrafttreten", 2, 2),
    ]
    # "Microsoft Word - …" is not a title; the first line of page 1 is
    assert parsed.title == "Satzung über die Erhebung einer Hundesteuer vom 21. März 2017"


def test_pdf_metadata_title_is_used_when_it_is_real() -> None:
    parsed = parse("x.pdf", text_pdf(title="Hundesteuersatzung der Gemeinde"))
    assert parsed.title == "Hundesteuersatzung der Gemeinde"


def test_scanned_pdf_is_ocrd_and_paragraph_signs_repaired(scan_bytes: bytes) -> None:
    parsed = StructureAnnotator().run(parsed=parse("scan.pdf", scan_bytes))["parsed"]
    assert parsed.ocr_pages == [1]
    assert all(e.ocr and e.page == 1 for e in parsed.elements)
    headings = [e.text for e in parsed.elements if e.kind == "heading"]
    assert headings == ["§ 3 Steuersatz", "§ 4 Steuerbefreiung"]
    text = "\n".join(e.text for e in parsed.elements)
    assert "60,00 EUR" in text and "Steuerermäßigung" in text
    assert "nach § 7" in text and "§ 10 Abs. 3" in text
    assert "8 Hunde" in text  # a real number stays a number
    body = next(e for e in parsed.elements if "60,00" in e.text)
    assert body.section_path == ("§ 3 Steuersatz",)


def test_mixed_pdf_ocrs_only_the_scanned_page(scan_bytes: bytes) -> None:
    parsed = parse("gemischt.pdf", merged_pdf(text_pdf(outline=False), scan_bytes))
    assert parsed.page_count == 3
    assert parsed.ocr_pages == [3]
    by_page = {p: [e for e in parsed.elements if e.page == p] for p in (1, 2, 3)}
    assert all(not e.ocr for e in by_page[1] + by_page[2])
    assert by_page[3] and all(e.ocr for e in by_page[3])
    assert any("Steuersatz" in e.text for e in by_page[3])
    assert [e.page for e in parsed.elements] == sorted(e.page or 0 for e in parsed.elements)


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(EncryptedDocument, match="encrypted and needs a password"):
        parse("geheim.pdf", encrypted_pdf())


def test_truncated_pdf_is_corrupt() -> None:
    content = text_pdf()
    with pytest.raises(CorruptDocument, match="damaged or incomplete"):
        parse("kaputt.pdf", content[: len(content) // 3])


def test_garbage_named_pdf_is_corrupt() -> None:
    with pytest.raises(CorruptDocument):
        parse("kaputt.pdf", b"%PDF-1.7\n" + b"\x00\x01garbage" * 50)


def test_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(EmptyDocument, match="empty"):
        parse("leer.pdf", b"")
    with pytest.raises(DocumentTooLarge, match="more than the limit"):
        parse("gross.pdf", text_pdf(), max_bytes=1000)


def test_blank_scan_is_empty() -> None:
    with pytest.raises(EmptyDocument, match="not even after OCR"):
        parse("leer.pdf", scan_pdf([]))


# -- office formats -------------------------------------------------------------------------


def test_docx_headings_table_and_no_pages_without_breaks() -> None:
    parsed = structured("anweisung.docx", docx_file(page_break=False))
    assert parsed.title == "Dienstanweisung Aktenführung"
    assert parsed.page_count is None
    assert all(e.page is None for e in parsed.elements)
    body = next(e for e in parsed.elements if e.text.startswith("Diese Dienstanweisung"))
    assert body.section_path == ("Abschnitt I Allgemeines", "§ 1 Geltungsbereich")
    table = next(e for e in parsed.elements if e.kind == "table")
    assert table.text == "Art | Frist\nBauakten | 30 Jahre"
    assert table.section_path == ("Abschnitt I Allgemeines", "§ 2 Aufbewahrung")


def test_docx_pages_from_page_breaks() -> None:
    parsed = parse("anweisung.docx", docx_file(page_break=True))
    pages = {e.text: e.page for e in parsed.elements}
    assert pages["Diese Dienstanweisung gilt für alle Ämter der Stadtverwaltung."] == 1
    assert pages["§ 2 Aufbewahrung"] == 2
    assert parsed.page_count == 2


def test_odt_heading_levels() -> None:
    parsed = structured("richtlinie.odt", odt_file())
    levels = [(e.text, e.heading_level) for e in parsed.elements if e.kind == "heading"]
    assert levels == [("Richtlinie Vereinsförderung", 1), ("1. Zuschüsse", 2), ("2. Antrag", 2)]
    body = next(e for e in parsed.elements if "31. März" in e.text)
    assert body.section_path == ("Richtlinie Vereinsförderung", "2. Antrag")
    assert parsed.title == "Richtlinie Vereinsförderung"


def test_html_title_headings_and_table() -> None:
    parsed = structured("niederschrift.html", HTML.encode())
    assert parsed.title == "Niederschrift Bauausschuss"
    body = next(e for e in parsed.elements if "Zustimmung" in e.text)
    assert body.section_path == (
        "Niederschrift der Sitzung des Bauausschusses",
        "TOP 1 Bebauungsplan Am Mühlbach",
    )
    table = next(e for e in parsed.elements if e.kind == "table")
    assert table.text == "Ja | Nein\n7 | 2"


def test_text_and_markdown() -> None:
    parsed = structured("notiz.txt", "§ 1 Zweck\n\nDie Notiz regelt den Zweck.\n".encode())
    assert [e.section_path for e in parsed.elements][-1] == ("§ 1 Zweck",)
    md = structured("liesmich.md", b"# Leitfaden\n\n## Teil 1\n\nErster Teil des Leitfadens.\n")
    assert md.elements[-1].section_path == ("Leitfaden", "Teil 1")


# -- e-mail -----------------------------------------------------------------------------------


def test_eml_with_attachments_and_a_broken_one() -> None:
    content = eml_file(
        [
            ("satzung.pdf", "pdf", text_pdf()),
            ("anweisung.docx", "octet-stream", docx_file(page_break=False)),
            ("kaputt.pdf", "pdf", b"%PDF-1.4 truncated"),
        ]
    )
    parsed = parse("anfrage.eml", content)
    assert parsed.title == "Hundesteuer: Anfrage zur Ermäßigung"
    assert parsed.metadata["date"] == "2025-03-04"
    assert "anna.schmidt@example.org" in parsed.metadata["from"]
    assert parsed.metadata["to"] == "steueramt@linsengericht.example"
    assert parsed.elements[0].attachment is None
    assert "Ermäßigung der Hundesteuer" in " ".join(
        e.text for e in parsed.elements if e.attachment is None
    )
    pdf_part = [e for e in parsed.elements if e.attachment == "satzung.pdf"]
    assert any(e.text.startswith("§ 2 Steuersatz") and e.page == 2 for e in pdf_part)
    assert any(
        "Aufbewahrung" in e.text for e in parsed.elements if e.attachment == "anweisung.docx"
    )
    assert len(parsed.warnings) == 1 and "kaputt.pdf" in parsed.warnings[0]


# -- dispatch and component -------------------------------------------------------------------


def test_format_detection_by_extension_and_bytes() -> None:
    assert detect_format("scan", text_pdf()) == "pdf"
    assert detect_format("bericht.doc", text_pdf()) == "pdf"
    assert detect_format("ohne_endung", docx_file(page_break=False)) == "docx"
    assert detect_format("ohne_endung", odt_file()) == "odt"
    assert detect_format("seite", HTML.encode()) == "html"
    assert detect_format("NOTIZ.TXT", b"Hallo") == "txt"
    with pytest.raises(UnsupportedFormat, match=r"\.xlsx"):
        detect_format("tabelle.xlsx", b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(UnsupportedFormat):
        detect_format("bild.png", b"\x89PNG\r\n\x1a\n\x00\x00")


def test_document_parser_component_validates_and_runs() -> None:
    ingest = IngestSettings()
    # the settings' ranges, also for a copy that skipped their validation: 1,200 dpi is
    # beyond the settings' cap of 600
    for wrong in ({"ocr_dpi": 1200}, {"ocr_workers": 0}, {"max_file_mb": 0}):
        with pytest.raises(ConfigurationError):
            DocumentParser(ingest.model_copy(update=wrong))
    with pytest.raises(ConfigurationError, match="ocr_languages"):
        DocumentParser(ingest.model_copy(update={"ocr_languages": "deu eng"}))
    parser = DocumentParser(ingest)
    document = SourceDocument(uri="file:///n.html", filename="n.html", content=HTML.encode())
    parsed = parser.run(document=document)["parsed"]
    assert isinstance(parsed, ParsedDocument)
    assert parsed.title == "Niederschrift Bauausschuss"


@pytest.mark.parametrize(
    ("ocr", "repaired"),
    [
        ("In den Fällen des $ 2 Abs. 2 Satz 2", "In den Fällen des § 2 Abs. 2 Satz 2"),
        ("Meldung nach\n8 10 Abs. 3 dieser Satzung", "Meldung nach\n§ 10 Abs. 3 dieser Satzung"),
        ("83\nEntstehung und Ende der Steuerpflicht", "§ 3\nEntstehung und Ende der Steuerpflicht"),
        ("8 3 Steuersatz", "§ 3 Steuersatz"),
        ("nach 8 7 gewährt", "nach § 7 gewährt"),
        ("Aufgrund der 88 5 und 51 der HGO", "Aufgrund der §§ 5 und 51 der HGO"),
        ("im Außenbereich (S 35 BauGB)", "im Außenbereich (§ 35 BauGB)"),
        ("8 Hunde wurden gemeldet", "8 Hunde wurden gemeldet"),
        ("(GVBl. 1992 I, S 534)", "(GVBl. 1992 I, S 534)"),
        ("für 8 10 Jahre alte Hunde", "für 8 10 Jahre alte Hunde"),
    ],
)
def test_paragraph_sign_repair(ocr: str, repaired: str) -> None:
    assert repair_paragraph_signs(ocr) == repaired


# -- the real corpus --------------------------------------------------------------------------

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "manifest.json").is_file(), reason=f"Linsengericht corpus not found at {CORPUS}"
)


def corpus_file(name: str, *, text_layer: bool) -> bytes:
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    entry = next(e for e in manifest if (e.get("original_pdf") or "").endswith(name))
    assert bool(entry["original_has_text_layer"]) == text_layer, entry
    return (CORPUS / name).read_bytes()


@needs_corpus
def test_corpus_text_pdf_has_legal_sections_with_pages() -> None:
    name = "strassenreinigungssatzung-inkl-1aenderung.pdf"
    parsed = structured(name, corpus_file(name, text_layer=True))
    assert parsed.page_count == 6 and parsed.ocr_pages == []
    assert parsed.title is not None and "Straßenreinigung" in parsed.title
    headings = {e.text: (e.page, e.section_path) for e in parsed.elements if e.kind == "heading"}
    assert headings["§ 10 Schneeräumung"] == (3, ("Teil 3 Winterdienst", "§ 10 Schneeräumung"))
    # "§ 3" at the foot of page 1, its title at the top of page 2
    assert headings["§ 3 Verpflichtete"][0] == 1
    assert sum(1 for h in headings if h.startswith("§")) == 14
    # references in the text are not headings
    assert not any("HStrG" in h for h in headings)


@needs_corpus
def test_corpus_mixed_pdf_ocrs_the_scanned_pages() -> None:
    # the manifest says "text layer", but pages 1-4 are scans and 5-7 are text
    name = "stellplatzsatzung-rechtskraeftig-16.08.2024.pdf"
    parsed = structured(name, corpus_file(name, text_layer=True))
    assert parsed.ocr_pages == [1, 2, 3, 4]
    assert {e.page for e in parsed.elements} == set(range(1, 8))
    headings = [e.text for e in parsed.elements if e.kind == "heading"]
    assert "§ 1 Geltungsbereich" in headings
    assert any(h.startswith("Anlage zur Stellplatzsatzung") for h in headings)


@needs_corpus
def test_corpus_short_scan_is_ocrd() -> None:
    name = "hauptsatzung-2-aenderung.pdf"
    parsed = structured(name, corpus_file(name, text_layer=False))
    assert parsed.ocr_pages == [1, 2]
    headings = [e.text for e in parsed.elements if e.kind == "heading"]
    assert "Artikel 2 Inkrafttreten" in headings
    assert "Hauptsatzung" in (parsed.title or "")
    text = " ".join(e.text for e in parsed.elements)
    assert "01.03.2025" in text


@needs_corpus
@pytest.mark.slow
def test_corpus_dog_tax_scan_yields_repaired_paragraph_headings() -> None:
    name = "hundesteuersatzung-2017-03-21-original.pdf"
    parsed = structured(name, corpus_file(name, text_layer=False))
    assert parsed.ocr_pages == list(range(1, 9))
    headings = {e.text: e.page for e in parsed.elements if e.kind == "heading"}
    assert headings["§ 5 Steuersatz"] == 2
    assert headings["§ 3 Entstehung und Ende der Steuerpflicht"] == 2
    assert sum(1 for h in headings if h.startswith("§")) >= 14
    rate = next(e for e in parsed.elements if "für den ersten Hund" in e.text)
    assert rate.section_path == ("§ 5 Steuersatz",) and rate.page == 2


def test_ocr_specks_before_a_line_are_dropped() -> None:
    text = (
        "§ 4 Zahlungsweise\n\\ (1) Das Beförderungsentgelt ist nach Beendigung der Fahrt zu "
        "entrichten.\n_ Ordnungswidrigkeiten\n$ 3 Abs. 2 gilt."
    )
    (element,) = ocr_elements(text, 3)
    assert element.text.split("\n") == [
        "§ 4 Zahlungsweise",
        "(1) Das Beförderungsentgelt ist nach Beendigung der Fahrt zu entrichten.",
        "Ordnungswidrigkeiten",
        "§ 3 Abs. 2 gilt.",
    ]


# -- the title at the top of the first page -------------------------------------------------


def _blocks(*texts: str, ocr: bool = True) -> list[Element]:
    return [Element(text, page=1, ocr=ocr) for text in texts]


@pytest.mark.parametrize(
    ("blocks", "title"),
    [
        # the heading set in spaced letters, read by tesseract as "Ve rordnrüng"
        (
            _blocks(
                "Ve rordnrüng",
                "über die Beförderungsentgelte und Beförderungsbedingungen für den\n"
                "Verkehr mit Taxen in der Gemeinde Linsengericht (Main-Kinzig-Kreis)",
                "Aufgrund des § 51, Abs. 1 des Personenbeförderungsgesetzes (PBefG) …",
            ),
            "Verordnung über die Beförderungsentgelte und Beförderungsbedingungen für den "
            "Verkehr mit Taxen in der Gemeinde Linsengericht (Main-Kinzig-Kreis)",
        ),
        # the running header with the logo beside it, then the title itself
        (
            _blocks(
                "Hebasatzsatzung der Gemeinde Linsengericht vom 12.12.2024 gericht\nBe EU Zr",
                "Hebesatzsatzung\nder Gemeinde Linsengericht vom 12.12.2024",
                "In der Fassung vom 12.12.2024",
            ),
            "Hebesatzsatzung der Gemeinde Linsengericht vom 12.12.2024",
        ),
        (
            _blocks(
                "Entschädigungssatzung der Gemeinde Linsengericht vom 07.12.2021 4 L insengericht"
            ),
            "Entschädigungssatzung der Gemeinde Linsengericht vom 07.12.2021",
        ),
        # a title set over two blocks, the first ending in "auf"
        (
            _blocks(
                "GEMEINDE",
                "DER GEMEINDEVORSTAND\n- Finanzverwaltung -",
                "Satzung über die Erhebung einer Steuer auf",
                "Spielgeräte und auf das Spielen um Geld oder Sachwerte",
                "Aufgrund der §§ 5 und 51 der Hess. Gemeindeordnung …",
            ),
            "Satzung über die Erhebung einer Steuer auf Spielgeräte und auf das Spielen um Geld "
            "oder Sachwerte",
        ),
        # a notice above the title, the title over three blocks, its short name, a version
        (
            _blocks(
                "Öffentliche Bekanntmachung",
                "Satzung",
                "über das Erheben von Verwaltungskosten",
                "der Gemeinde Linsengericht",
                "(Verwaltungskostensatzung) Version 1.0",
                ocr=False,
            ),
            "Satzung über das Erheben von Verwaltungskosten der Gemeinde Linsengericht "
            "(Verwaltungskostensatzung)",
        ),
        # neither a paragraph of the statute nor a numbered section is its title
        (
            _blocks(
                "1. Verpflichteter im Sinne dieser Satzung ist der jeweilige "
                "Grundstückseigentümer. Mehrere Eigentümer gelten als Gesamtverpflichtete.",
                "1. Raumtemperaturen",
            ),
            None,
        ),
    ],
)
def test_document_title_from_the_blocks_of_the_first_page(
    blocks: list[Element], title: str | None
) -> None:
    assert document_title(blocks) == title


@needs_corpus
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("taxiverordnung.pdf", "Verordnung über die Beförderungsentgelte", "(Main- Kinzig-Kreis)"),
        ("entschaedigungssatzung.pdf", "Entschädigungssatzung der Gemeinde", "vom 07.12.2021"),
        ("spielgeraete-satzung-2017-03-21-original.pdf", "Satzung über die", "oder Sachwerte"),
    ],
)
def test_corpus_scan_titles_are_whole_and_clean(name: str, start: str, end: str) -> None:
    parsed = parse(name, corpus_file(name, text_layer=False))
    assert parsed.title is not None
    assert parsed.title.startswith(start), parsed.title
    assert parsed.title.endswith(end), parsed.title
