"""The document reader in a real browser (headless Chromium, real ``streamlit run`` and
``auskunft serve``, see test_browser): a cited PDF page with the passage highlighted
from the text layer, a scanned page highlighted from tesseract's word boxes, zoom, text
selection, a copied link that opens the same page and highlight, and DOCX and e-mail
documents read whole, scrolled to the cited passage.

Screenshots go to ``artifacts/screenshots/viewer-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_browser import (
    STAFF,
    _copy,
    _page,
    _search,
    _shot,
    _start,
    _top_two_with,
    expect,
)
from tests.ui.test_browser import browser as browser  # a fixture
from tests.ui.test_browser import service as service  # a fixture
from tests.ui.test_browser_a11y import _assert_accessible

FILES = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "satzungen/Gefahrenabwehrverordnung_Plakatieren_Laerm_1998_Scan.pdf",
    "satzungen/Friedhofsgebuehrensatzung_2019.docx",
    "rundschreiben/2025-03-10_Rundschreiben_03-2025_Datenschutz_E-Mail-Versand.eml",
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A data directory with a text PDF, a scanned PDF, a DOCX and an e-mail."""
    from ingest.sync.indexer import Indexer
    from search.core.settings import Settings

    base = tmp_path_factory.mktemp("viewer")
    corpus = _copy(FILES, base / "corpus")
    settings = Settings(data_dir=base / "data")
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(corpus, source="beispiel")
        assert report.indexed == len(FILES), report.failures
    return {"base": base, "data": settings.data_dir}


@pytest.fixture(scope="module")
def server(workspace: dict[str, Path], service: str) -> Iterator[str]:
    """The interface behind a (simulated) trusted reverse proxy."""
    yield from _start(workspace, "header", service)


def _card(page: Any, text: str) -> Any:
    """The result card of the document that contains ``text``."""
    card = page.locator("[class*='st-key-hit-']").filter(has_text=text).first
    expect(card).to_be_visible()
    return card


def _reader(scope: Any) -> Any:
    return scope.locator(".reader")


def _marks(reader: Any) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = reader.locator(".mark").evaluate_all(
        "marks => marks.map(m => ({left: m.style.left, top: m.style.top,"
        " width: m.getBoundingClientRect().width}))"
    )
    return boxes


def _selected_text(reader: Any) -> str:
    text: str = reader.evaluate(
        "root => (root.getRootNode().getSelection?.() ?? document.getSelection()).toString()"
    )
    return text


def test_a_cited_pdf_page_highlights_zooms_selects_and_links(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Steuersatz gefährlicher Hund")
    card = _top_two_with(page, "Satzung über die Erhebung der Hundesteuer")
    card.get_by_role("button", name="S. 2 öffnen").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Seite 2 von 3")
    reader = _reader(dialog)
    expect(reader.get_by_role("img", name=re.compile("Seite 2 von 3"))).to_be_visible()
    expect(reader).to_have_attribute("data-source", "text")
    # § 3 is highlighted, one box per line, and the first line is in view
    marks = reader.locator(".mark")
    expect(marks.first).to_be_in_viewport()
    count = marks.count()
    assert 5 <= count <= 40, count
    assert reader.get_attribute("data-highlights") == str(count)
    heading = reader.locator(".text-layer span", has_text=re.compile("^Steuersatz"))
    first_mark, word = marks.first.bounding_box(), heading.bounding_box()
    assert first_mark["y"] <= word["y"] + 2 and word["y"] + word["height"] <= (
        first_mark["y"] + first_mark["height"] + 2
    )
    page.wait_for_timeout(500)
    _shot(page, "viewer-pdf-highlight")
    # the words can be selected and copied from the image
    heading.dblclick()
    assert _selected_text(reader).strip() == "Steuersatz"
    # zoom: the page, and the highlight with it, grow
    before = _marks(reader)
    image = reader.get_by_role("img", name=re.compile("Seite 2 von 3"))
    width = image.bounding_box()["width"]
    reader.get_by_role("button", name="Vergrößern").click()
    reader.get_by_role("button", name="Vergrößern").click()
    expect(reader.locator(".zoom-level")).to_have_text("150 %")
    assert image.bounding_box()["width"] == pytest.approx(1.5 * width, rel=0.02)
    after = _marks(reader)
    assert [m["left"] for m in after] == [m["left"] for m in before]
    assert after[0]["width"] == pytest.approx(1.5 * before[0]["width"], rel=0.05)
    marks.first.scroll_into_view_if_needed()
    _shot(page, "viewer-pdf-zoom")
    reader.get_by_role("button", name="Verkleinern").click()
    expect(reader.locator(".zoom-level")).to_have_text("125 %")
    # the link to this page and passage, copied
    reader.get_by_role("button", name="Link kopieren").click()
    expect(reader.get_by_role("status")).to_have_text("Link kopiert")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == reader.get_by_role("textbox", name="Link zu dieser Stelle").input_value()
    assert re.fullmatch(
        re.escape(server) + r"/document\?doc=[0-9a-f]{24}&page=2&passage=[0-9a-f]{24}%3A\d{4}",
        link,
    ), link
    # … opens the same page with the same highlight for a colleague
    colleague = _page(browser, STAFF)
    colleague.goto(link)
    shared = _reader(colleague)
    expect(colleague.get_by_text("Seite 2 von 3")).to_be_visible()
    expect(shared.locator(".mark")).to_have_count(count)
    expect(shared.locator(".mark").first).to_be_in_viewport()
    expect(shared.get_by_role("img", name=re.compile("Seite 2 von 3"))).to_be_visible()
    assert [m["top"] for m in _marks(shared)] == [m["top"] for m in before]
    colleague.wait_for_timeout(500)
    _shot(colleague, "viewer-pdf-link-opened")
    colleague.context.close()
    page.context.close()


def test_a_scanned_page_highlights_the_passage_from_ocr_word_boxes(
    browser: Any, server: str
) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Wahlwerbung Plakatständer Wahltag")
    card = _card(page, "Gefahrenabwehrverordnung")
    card.get_by_role("button", name="S. 1 öffnen").first.click()
    reader = _reader(page.get_by_role("dialog"))
    expect(reader).to_have_attribute("data-source", "ocr", timeout=120_000)  # read once
    marks = reader.locator(".mark")
    expect(marks.first).to_be_in_viewport()
    assert 3 <= marks.count() <= 12
    # the highlight lies on the words of § 2 as tesseract boxed them
    word = reader.locator(".text-layer span", has_text=re.compile("^Wählergruppen"))
    box, mark = word.bounding_box(), marks.nth(0).bounding_box()
    assert mark["y"] - 2 <= box["y"] <= mark["y"] + 3 * mark["height"]
    word.dblclick()
    assert _selected_text(reader).strip() == "Wählergruppen"
    page.wait_for_timeout(500)
    _shot(page, "viewer-scan-highlight")
    page.context.close()


def test_docx_and_e_mail_are_read_whole_at_the_cited_passage(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Inkrafttreten Friedhofsgebührensatzung 2007 außer Kraft")
    card = _card(page, "Friedhöfe")
    card.get_by_role("button", name="Dokument öffnen").first.click()
    dialog = page.get_by_role("dialog")
    reader = _reader(dialog)
    expect(reader).to_have_attribute("data-kind", "text")
    text = reader.locator(".reader-text")
    # the whole statute, sections as headings, its fee schedule as a table
    expect(text.get_by_role("heading", name="§ 1 Gebührenpflicht")).to_have_count(1)
    expect(text.get_by_role("heading", name="§ 7 Inkrafttreten")).to_have_count(1)
    expect(text.get_by_role("table").first).to_contain_text("Reihengrab")
    cited = text.locator("section.cited")
    expect(cited).to_have_count(1)
    expect(cited).to_contain_text("§ 7 Inkrafttreten")
    expect(cited).to_be_in_viewport()
    expect(text.get_by_role("heading", name="§ 1 Gebührenpflicht")).not_to_be_in_viewport()
    assert text.evaluate("element => element.scrollTop") > 100
    page.wait_for_timeout(500)
    _shot(page, "viewer-docx-whole")
    _assert_accessible(page, "viewer-docx-whole")
    # a bigger type, and a link to this passage
    reader.get_by_role("button", name="Vergrößern").click()
    expect(reader.locator(".zoom-level")).to_have_text("125 %")
    link = reader.get_by_role("textbox", name="Link zu dieser Stelle").input_value()
    assert re.fullmatch(re.escape(server) + r"/document\?doc=\w+&passage=\w+%3A0010", link), link
    page.keyboard.press("Escape")
    # an e-mail: its attachment's passage, opened by the shared link
    _search(page, "Prüfliste Versand personenbezogener Daten BCC")
    card = _card(page, "Rundschreiben 3/2025")
    card.get_by_role("button", name=re.compile("öffnen")).first.click()
    reader = _reader(page.get_by_role("dialog"))
    cited = reader.locator("section.cited")
    expect(cited).to_be_in_viewport()
    expect(cited).to_contain_text("BCC")
    expect(reader.locator(".reader-text")).to_contain_text("Sehr geehrte Amtsleiterinnen")
    link = reader.get_by_role("textbox", name="Link zu dieser Stelle").input_value()
    page.wait_for_timeout(500)
    _shot(page, "viewer-email-whole")
    page.goto(link)
    expect(_reader(page).locator("section.cited")).to_contain_text("BCC")
    expect(_reader(page).locator("section.cited")).to_be_in_viewport()
    page.context.close()
