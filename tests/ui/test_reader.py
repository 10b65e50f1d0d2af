"""A document read whole: the HTML the reader shows (escaped, sections as headings,
tables as tables, the cited passage marked), and the link to a place in a document."""

from __future__ import annotations

from ui.reader import document_link, text_html

PARTS = [
    {
        "chunk_id": "d:0000",
        "section_path": ["Friedhofsgebührensatzung", "§ 1 Gebührenpflicht"],
        "heading_lines": 2,
        "page_start": None,
        "text": "Friedhofsgebührensatzung\n§ 1 Gebührenpflicht\n"
        "Für die Benutzung <b>der</b> Friedhöfe",
    },
    {
        "chunk_id": "d:0001",
        "section_path": ["Friedhofsgebührensatzung", "I. Grabnutzungsrechte"],
        "heading_lines": 2,
        "page_start": None,
        "text": "§ 5 Gebührenverzeichnis\nI. Grabnutzungsrechte\nNr. | Grabart | Gebühr\n"
        "1.1 | Reihengrab | 1.150,00 Euro\nDie Gebühr ist vorab zu entrichten.",
    },
    {
        "chunk_id": "d:0002",
        "section_path": ["Anlage: Prüfliste.pdf"],
        "heading_lines": 0,
        "page_start": 1,
        "text": "Vor dem Schreiben\n<script>alert(1)</script>",
    },
]


def test_the_whole_document_is_escaped_with_headings_tables_and_the_cited_passage() -> None:
    body = text_html(PARTS, "d:0001", lambda page: f"Seite {page}")
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;der&lt;/b&gt;" in body
    assert "<h3>Friedhofsgebührensatzung</h3>" in body  # once, where the document names it
    assert body.count("Friedhofsgebührensatzung") == 1
    assert "<h4>§ 1 Gebührenpflicht</h4>" in body
    assert "<h5>§ 5 Gebührenverzeichnis</h5><h4>I. Grabnutzungsrechte</h4>" in body
    assert "<th>Grabart</th>" in body and "<td>1.150,00 Euro</td>" in body
    assert '<section data-chunk="d:0001" class="cited">' in body
    assert body.count('class="cited"') == 1
    # an e-mail's attachment does not name itself: its section is the heading
    assert '<p class="page-start">Seite 1</p>' in body
    assert "<h3>Anlage: Prüfliste.pdf</h3><p>Vor dem Schreiben</p>" in body


def test_a_link_names_document_page_and_passage() -> None:
    assert document_link("abc", 2, "abc:0003") == "/document?doc=abc&page=2&passage=abc%3A0003"
    assert document_link("abc", passage="abc:0003") == "/document?doc=abc&passage=abc%3A0003"
    assert document_link("abc") == "/document?doc=abc"
