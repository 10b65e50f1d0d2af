"""The *Rechtsstand* in a real browser (servers, browser and helpers of
:mod:`tests.ui.test_browser`): a result card says what amends its statute and opens the
amendment, a date in *Rechtsstand am* ranks what was in force on that day first, and the
reader shows a document's *Fassungen und Verweise*.

Screenshots go to ``artifacts/screenshots/rechtsstand*.png``.
"""

from __future__ import annotations

import re
from typing import Any

from tests.ui.test_browser import STAFF, _cards, _page, _search, _shot, expect
from tests.ui.test_browser import browser as browser  # a fixture
from tests.ui.test_browser import server as server  # a fixture
from tests.ui.test_browser import service as service  # a fixture
from tests.ui.test_browser import workspace as workspace  # a fixture
from tests.ui.test_browser_a11y import _assert_accessible

QUESTION = "Wie hoch ist die Hundesteuer für den ersten Hund?"
STATUTE = "Satzung über die Erhebung der Hundesteuer"
AMENDMENT = "Drucksache 2024/0153"


def _card_with(page: Any, title: str) -> Any:
    heading = page.locator("strong", has_text=re.compile(rf"^\d+\. {re.escape(title)}"))
    card = _cards(page).filter(has=heading)
    expect(card).to_have_count(1)
    return card


def _position(page: Any, title: str) -> int:
    """:returns: the number of the card whose title starts with ``title``."""
    text = _card_with(page, title).locator("strong").first.inner_text()
    return int(text.split(".", 1)[0])


def test_rechtsstand_ranks_the_rule_then_in_force_and_says_what_amends_it(
    browser: Any, server: str
) -> None:
    page = _page(browser, STAFF)
    page.goto(server)
    _search(page, QUESTION)
    statute = _card_with(page, STATUTE)
    expect(statute).to_contain_text(re.compile(rf"Geändert durch {re.escape(AMENDMENT)}"))
    expect(statute).to_contain_text("in Kraft seit 01.01.2025")
    # the amendment opens in the reader, with its versions and references
    statute.get_by_role("button", name=f"{AMENDMENT} öffnen").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Fassungen und Verweise")
    expect(dialog).to_contain_text(re.compile(r"In Kraft seit 01\.01\.2025 \(S\. \d\)"))
    expect(dialog.get_by_role("link", name=re.compile(re.escape(STATUTE))).first).to_be_visible()
    expect(dialog).to_contain_text("Fassungen")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    as_of = page.get_by_role("textbox", name="Rechtsstand am", exact=True)
    expect(as_of).to_have_attribute("placeholder", "TT.MM.JJJJ")
    as_of.fill("1.6.2024")
    as_of.press("Enter")
    expect(page).to_have_url(re.compile(r"asof=2024-06-01"))
    expect(as_of).to_have_value("01.06.2024")
    expect(page.get_by_text("Rechtsstand: 01.06.2024").first).to_be_visible()
    amendment = _card_with(page, AMENDMENT)
    expect(amendment).to_contain_text("Tritt erst am 01.01.2025 in Kraft")
    expect(_card_with(page, STATUTE)).to_contain_text("tritt am 01.01.2025 in Kraft")
    assert _position(page, STATUTE) < _position(page, AMENDMENT)
    expect(page.get_by_role("checkbox", name="Nur geltendes Recht")).to_be_visible()
    page.get_by_text("Rechtsstand: 01.06.2024").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # icon fonts, for the picture
    _shot(page, "rechtsstand")
    _assert_accessible(page, "rechtsstand")
    page.context.close()


def test_an_earlier_wording_is_marked(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Steuersatz gefährlicher Hund")
    statute = _card_with(page, STATUTE)
    # today the amendment is in force: the statute's § 3 is its earlier wording
    expect(statute.get_by_text(re.compile(r"^Frühere Fassung: § 3 Abs\. 1")).first).to_be_visible()
    page.context.close()


def test_the_document_page_shows_versions_in_force_and_amendments(
    browser: Any, server: str, service: str
) -> None:
    page = _page(browser, STAFF)
    page.goto(server)
    _search(page, QUESTION)
    link = _card_with(page, STATUTE).get_by_role("button", name=f"{AMENDMENT} öffnen")
    link.click()
    dialog = page.get_by_role("dialog")
    statute_link = dialog.get_by_role("link", name=re.compile(re.escape(STATUTE))).first
    href = statute_link.get_attribute("href")
    assert href and "doc=" in href, href
    page.goto(f"{server}/document?{href.split('?', 1)[1]}")
    expect(page.get_by_text("Fassungen und Verweise").first).to_be_visible()
    expect(page.get_by_text("In Kraft seit 01.01.2018").first).to_be_visible()
    expect(page.get_by_text("Geändert durch", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=AMENDMENT).first).to_be_visible()
    _shot(page, "rechtsstand-document")
    page.context.close()
