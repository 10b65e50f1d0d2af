#!/usr/bin/env python3
"""Re-read the generated sample corpus and verify the facts the README promises.

    python samples/check_corpus.py [samples/corpus]

Checks: every text PDF has a text layer with umlauts and "§" and the listed strings on
the listed pages; the scan has no text layer (and, if tesseract is installed, its first
page is legible with ``-l deu``); DOCX files use Heading styles; ODT files use
``text:h`` with outline levels; the HTML pages have h1/h2 and a table; the e-mail parses
with a PDF attachment whose text layer is readable.
"""

from __future__ import annotations

import email
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email import policy
from pathlib import Path

HERE = Path(__file__).resolve().parent

# file -> list of (page number, text that must be on that page)
PDF_FACTS: dict[str, list[tuple[int, str]]] = {
    "satzungen/Hundesteuersatzung_2017.pdf": [
        (1, "§ 1 Steuergegenstand"),
        (2, "§ 3 Steuersatz"),
        (2, "a) für den ersten Hund 96 Euro"),
        (2, "gefährlichen Hundes jährlich 720 Euro"),
        (2, "§ 6 Steuerbefreiungen"),
        (3, "§ 9 Anzeigepflichten"),
        (3, "innerhalb von zwei Wochen"),
        (3, "gez. Thomas Reinhardt"),
    ],
    "satzungen/Abfallgebuehrensatzung_2020.pdf": [(1, "§ 5 Gebührensätze"), (2, "35,00 Euro")],
    "satzungen/Hauptsatzung_2021.pdf": [
        (1, "Abschnitt I – Allgemeine Bestimmungen"),
        (2, "bis zu einem Wert von 100.000 Euro"),
    ],
    "beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf": [
        (1, "Drucksache 2024/0153"),
        (1, "120 Euro"),
    ],
    "beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf": [
        (1, "TOP 1: Eröffnung"),
        (3, "24 Ja-Stimmen, 9 Nein-Stimmen, 2 Enthaltungen"),
    ],
    "beschluesse/Drucksache_2025-0118_Abfallgebuehren_2026.pdf": [(1, "214,80 Euro")],
    "dienstanweisungen/DA_Dienstreisen_2012.pdf": [(2, "Ausschlussfrist von sechs Monaten")],
    "dienstanweisungen/personalamt/DA_Beurteilungen_2023_VERTRAULICH.pdf": [
        (1, "VERTRAULICH"),
        (1, "höchstens 10 %"),
    ],
    "sonstiges/Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf": [(1, "§ 12e")],
}
PDF_PAGES = {
    "satzungen/Hundesteuersatzung_2017.pdf": 3,
    "beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf": 4,
    "satzungen/Gefahrenabwehrverordnung_Plakatieren_Laerm_1998_Scan.pdf": 2,
}
OUTLINED = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "satzungen/Hauptsatzung_2021.pdf",
    "satzungen/Abfallgebuehrensatzung_2020.pdf",
    "beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf",
]
SCAN = "satzungen/Gefahrenabwehrverordnung_Plakatieren_Laerm_1998_Scan.pdf"
EML = "rundschreiben/2025-03-10_Rundschreiben_03-2025_Datenschutz_E-Mail-Versand.eml"


def norm(text: str) -> str:
    return " ".join(text.split())


def check(root: Path) -> int:
    import docx
    import pypdf
    from odf import opendocument
    from odf import text as odftext

    problems: list[str] = []

    def need(cond: bool, message: str) -> None:
        if not cond:
            problems.append(message)

    files = sorted(p for p in root.rglob("*") if p.is_file())
    need(len(files) >= 22, f"only {len(files)} documents")
    for pdf in (p for p in files if p.suffix == ".pdf"):
        rel = pdf.relative_to(root).as_posix()
        reader = pypdf.PdfReader(pdf)
        pages = [norm(page.extract_text() or "") for page in reader.pages]
        if rel in PDF_PAGES:
            need(len(pages) == PDF_PAGES[rel], f"{rel}: {len(pages)} pages")
        if rel == SCAN:
            need(not "".join(pages).strip(), f"{rel}: has a text layer")
            continue
        whole = " ".join(pages)
        need(any(c in whole for c in "äöüÄÖÜß"), f"{rel}: no umlauts in text layer")
        need(f"Seite 1 von {len(pages)}" in pages[0], f"{rel}: no page number footer")
        for page, fact in PDF_FACTS.get(rel, []):
            need(fact in pages[page - 1], f"{rel}: {fact!r} not on page {page}")
        if rel in OUTLINED:
            need(bool(reader.outline), f"{rel}: no outline")
    for path in (p for p in files if p.suffix == ".docx"):
        d = docx.Document(str(path))
        styles = {p.style.name for p in d.paragraphs}
        need("Heading 1" in styles, f"{path.name}: no Heading 1")
        need(bool(d.core_properties.title), f"{path.name}: no title")
    for path in (p for p in files if p.suffix == ".odt"):
        doc = opendocument.load(str(path))
        heads = doc.text.getElementsByType(odftext.H)
        need(bool(heads), f"{path.name}: no text:h")
        need(all(h.getAttribute("outlinelevel") for h in heads), f"{path.name}: h without level")
        with zipfile.ZipFile(path) as z:
            need(z.infolist()[0].filename == "mimetype", f"{path.name}: mimetype not first")
    for path in (p for p in files if p.suffix == ".html"):
        page = path.read_text(encoding="utf-8")
        for tag in ("<h1>", "<h2>", "<table>", "<nav", "<footer"):
            need(tag in page, f"{path.name}: no {tag}")
    msg = email.message_from_bytes((root / EML).read_bytes(), policy=policy.default)
    need("Änderung der Dienstanweisung Datenschutz" in msg["Subject"], "eml: subject")
    need(
        "=?utf-8?" in (root / EML).read_text("ascii").split("\n\n", 1)[0].lower(),
        "eml: subject not RFC 2047",
    )
    attachments = list(msg.iter_attachments())
    need(len(attachments) == 1, "eml: attachments")
    if attachments:
        att = attachments[0]
        need(
            att.get_filename() == "Prüfliste_E-Mail-Versand_personenbezogener_Daten.pdf",
            "eml: filename",
        )
        text = norm(pypdf.PdfReader(io.BytesIO(att.get_content())).pages[0].extract_text())
        need("Vertraulich senden" in text, "eml: attachment text")
    body = msg.get_body(("plain",))
    need(body is not None and "1. April 2025" in body.get_content(), "eml: body")
    if shutil.which("tesseract") and shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "300",
                    "-gray",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    str(root / SCAN),
                    f"{tmp}/p",
                ],
                check=True,
            )
            image = next(Path(tmp).glob("p*"))
            ocr = subprocess.run(
                ["tesseract", str(image), "-", "-l", "deu"], capture_output=True, text=True
            ).stdout
            for word in ("Plakatierungsverbot", "Nachtruhe", "Lindenbrück"):
                need(word in ocr, f"scan: OCR misses {word!r}")
    for problem in problems:
        print("FAIL", problem)
    print(f"checked {len(files)} files: {'OK' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "corpus"))
