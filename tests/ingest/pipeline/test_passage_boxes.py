"""Where a cited passage is on a page: the real sample PDFs (a text PDF and a scan) are
parsed and chunked as ingestion does, and every chunk is found on its pages, from the
text layer or from tesseract's word boxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from haystack import Document

from connectors.base import SourceDocument
from ingest.pipeline.chunker import StructuredChunker
from ingest.pipeline.page_words import PageWord, PageWords, read_page_words
from ingest.pipeline.parsing import parse_document
from ingest.pipeline.passage_boxes import line_boxes, normal_words, passage_boxes, passage_words
from ingest.pipeline.structure import StructureAnnotator
from search.core.settings import IngestSettings

CORPUS = Path(__file__).resolve().parents[3] / "samples" / "corpus" / "satzungen"
TEXT_PDF = CORPUS / "Hundesteuersatzung_2017.pdf"
SCAN_PDF = CORPUS / "Gefahrenabwehrverordnung_Plakatieren_Laerm_1998_Scan.pdf"


def _chunks(path: Path) -> list[Document]:
    source = SourceDocument(uri=path.as_uri(), filename=path.name, content=path.read_bytes())
    parsed = StructureAnnotator().run(parsed=parse_document(source, max_bytes=2**26))["parsed"]
    chunks: list[Document] = StructuredChunker(IngestSettings()).run(
        parsed=parsed, meta={"doc_id": "d"}
    )["chunks"]
    return chunks


def _pages(chunk: Document) -> range:
    return range(chunk.meta["page_start"], chunk.meta["page_end"] + 1)


def _found(page: PageWords, chunk: Document) -> str:
    return " ".join(page.words[index].text for index in passage_words(page.words, chunk.content))


def _inside(box: tuple[float, ...]) -> bool:
    x0, y0, x1, y1 = box
    return 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


@pytest.fixture(scope="module")
def scan_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[int, PageWords]:
    cache = tmp_path_factory.mktemp("page-words")
    return {page: read_page_words(SCAN_PDF, page, cache=cache / f"{page}.json") for page in (1, 2)}


def test_every_chunk_of_a_text_pdf_is_found_on_its_pages() -> None:
    pages = {page: read_page_words(TEXT_PDF, page) for page in (1, 2, 3)}
    assert {page.source for page in pages.values()} == {"text"}
    chunks = _chunks(TEXT_PDF)
    assert len(chunks) >= 10
    for chunk in chunks:
        for number in _pages(chunk):
            found = _found(pages[number], chunk)
            assert found, (chunk.id, number)
            # a § heading begins with its sign, which no word alignment can see
            if chunk.content.startswith("§"):
                assert found.startswith(" ".join(chunk.content.split()[:3])), found
            assert found.split()[-1] in chunk.content
    rates = next(chunk for chunk in chunks if chunk.content.startswith("§ 3 Steuersatz"))
    assert list(_pages(rates)) == [2]
    # nor on a page it is not on, though its phrases recur there ("(1) Die Steuer wird")
    assert passage_boxes(pages[1].words, rates.content) == []
    assert passage_boxes(pages[3].words, rates.content) == []
    boxes = passage_boxes(pages[2].words, rates.content)
    assert all(_inside(box) for box in boxes)
    assert 5 <= len(boxes) <= 40  # one box per line
    heading = next(word for word in pages[2].words if word.text == "Steuersatz")
    assert heading.box[1] >= boxes[0][1] and heading.box[3] <= boxes[0][3]  # first line


def test_every_chunk_of_a_scan_is_found_in_the_ocr_word_boxes(
    scan_pages: dict[int, PageWords],
) -> None:
    assert {page.source for page in scan_pages.values()} == {"ocr"}
    chunks = _chunks(SCAN_PDF)
    assert len(chunks) >= 8
    for chunk in chunks:
        for number in _pages(chunk):
            words = passage_words(scan_pages[number].words, chunk.content)
            found = _found(scan_pages[number], chunk)
            # nearly every word of the chunk: the scan's running head is not in it
            assert len(words) >= 0.9 * len(chunk.content.split()), (chunk.id, found)
            assert found.split()[-1] == chunk.content.split()[-1], found
            assert all(_inside(box) for box in passage_boxes(scan_pages[number].words, found))


def test_ocr_word_boxes_are_read_once_and_kept(
    scan_pages: dict[int, PageWords], tmp_path: Path
) -> None:
    cache = tmp_path / "1.json"
    first = read_page_words(SCAN_PDF, 1, cache=cache)
    assert cache.is_file()
    assert first.words == scan_pages[1].words
    # the cached page is read without opening the PDF (here: without any PDF at all)
    again = read_page_words(tmp_path / "gone.pdf", 1, cache=cache)
    assert again == first
    assert 1.3 < again.aspect < 1.5  # A4 portrait


def test_hyphenation_at_line_ends_is_undone_on_both_sides() -> None:
    normal, origins = normal_words(["Die", "Hunde-", "steuer", "und", "Katzen-", "Und", "§", "3"])
    assert normal == ["die", "hundesteuer", "und", "katzen", "und", "3"]
    assert origins == [[0], [1, 2], [3], [4], [5], [7]]


def _line(words: str, y: float) -> list[PageWord]:
    return [
        PageWord(text, (0.1 + 0.1 * index, y, 0.18 + 0.1 * index, y + 0.02))
        for index, text in enumerate(words.split())
    ]


def test_misread_words_do_not_break_the_passage() -> None:
    page = [
        *_line("Kopfzeile der Stadt Lindenbrück Seite 2", 0.05),
        *_line("§ 4 Nachtruhe und Mittagsruhe", 0.2),
        *_line("(1) In der Zeit von 22.00 Uhr bis", 0.23),
        *_line("6.00 Uhr (Nachtruhe) ist jeder vermeid-", 0.26),
        *_line("bare Lärm zu unterlassen. § 5 Geräte", 0.29),
    ]
    passage = (
        "§ 4 Nachtruhe und Mittagsruhe\n(1) In der Zeit von 22,00 Ubr bis 6.00 Uhr "
        "(Nachtruhe) ist jeder vermeidbare Lärm zu unterlassen."
    )
    found = [page[index].text for index in passage_words(page, passage)]
    assert found[0] == "§" and found[-1] == "unterlassen."
    assert "Kopfzeile" not in found and "Geräte" not in found
    assert len(line_boxes([page[index] for index in passage_words(page, passage)])) == 4
    assert passage_words(page, "Hundesteuer für den ersten Hund") == []


def test_text_layer_boxes_follow_a_turned_or_cropped_page(tmp_path: Path) -> None:
    """The text layer is in the unturned page's space; the boxes are on the page as shown
    (turned by ``/Rotate``, cut to the crop box): under each box there is the word's ink."""
    import pypdfium2
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for angle in (0, 90, 180, 270):
        writer.add_page(PdfReader(TEXT_PDF).pages[1]).rotate(angle)
    cropped = writer.add_page(PdfReader(TEXT_PDF).pages[1])
    cropped.cropbox.lower_left = (50, 100)
    cropped.cropbox.upper_right = (545, 800)
    path = tmp_path / "turned.pdf"
    writer.write(path)
    pdf = pypdfium2.PdfDocument(path)
    boxes = []
    for number in range(1, 6):
        box = next(w.box for w in read_page_words(path, number).words if w.text == "Steuersatz")
        image = pdf[number - 1].render(scale=1).to_pil().convert("L")
        width, height = image.size
        x0, y0, x1, y1 = box
        ink = image.crop((int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height)))
        dark = sum(value < 128 for value in ink.getdata()) / (ink.width * ink.height)
        assert dark > 0.15, (number, box)
        boxes.append(box)
    pdf.close()
    assert boxes[1][2] - boxes[1][0] < boxes[1][3] - boxes[1][1]  # runs down the page at 90°
    assert boxes[2][1] > 0.85  # the heading at the bottom when upside down
