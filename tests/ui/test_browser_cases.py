"""A whole case in a real browser (servers, browser and helpers of
:mod:`tests.ui.test_browser`): an inquiry PDF with three questions uploaded on
*Vorgänge*, each question researched, a passage pinned and an extractive *KI-Entwurf*
made, one answer edited, all accepted, the case sent to review, the release refused to
its author (the service's German reason on the page) and done by a second person, the
reply downloaded as DOCX and ODT and read again.

Screenshots go to ``artifacts/screenshots/case*.png``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.ui.api.test_cases import INQUIRY, _docx_text, _odt_text, inquiry_pdf
from tests.ui.test_browser import STAFF, _download, _page, _shot, expect
from tests.ui.test_browser import browser as browser  # a fixture
from tests.ui.test_browser import server as server  # a fixture
from tests.ui.test_browser import service as service  # a fixture
from tests.ui.test_browser import workspace as workspace  # a fixture
from tests.ui.test_browser_a11y import _assert_accessible, _settle

# a second person of the same office: sees the author's cases, may release them
REVIEWER = {"X-Forwarded-User": "s.yilmaz", "X-Forwarded-Groups": "amt22"}
OTHER_OFFICE = {"X-Forwarded-User": "k.lorenz", "X-Forwarded-Groups": "amt50"}
TITLE = "Anfrage der Fraktion Freie Bürger Lindenbrück zur Hundesteuer"
QUESTIONS = [line.split(" ", 1)[1] for line in INQUIRY if re.match(r"^\d\. ", line)]
EDITED = " Die Verwaltung hat dies geprüft."


def _question(page: Any, number: int) -> Any:
    return page.locator(f".st-key-question-{number}")


def _create_case(page: Any, server: str) -> str:
    """Upload the inquiry on *Vorgänge*; :returns: the new case's URL."""
    page.goto(f"{server}/cases")
    expect(page.get_by_role("heading", name="Vorgänge", exact=True)).to_be_visible()
    page.get_by_text("Neuer Vorgang").click()
    uploader = page.locator(".st-key-new-case-file input[type='file']")
    uploader.set_input_files(
        files=[
            {
                "name": "Anfrage_Hundesteuer.pdf",
                "mimeType": "application/pdf",
                "buffer": inquiry_pdf(INQUIRY),
            }
        ]
    )
    expect(page.get_by_role("button", name="Anfrage_Hundesteuer.pdf entfernen")).to_be_visible()
    department = page.get_by_role("textbox", name="Zuständig", exact=True)
    department.fill("Amt 22")
    department.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Vorgang anlegen").click()
    page.wait_for_url(re.compile(r"/case\?case="))
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    return str(page.url)


def _research_pin_and_draft(page: Any, number: int) -> None:
    question = _question(page, number)
    question.get_by_role("button", name="Recherchieren").click()
    first = page.locator(f".st-key-question-{number}-offered-1")
    expect(first).to_be_visible()
    expect(first).to_contain_text(re.compile(r"Frühere Antwort|Beschluss|Geltende Regel|Weiteres"))
    expect(first).to_contain_text("Fundstelle:")
    if number == 1:
        _shot(page, "case-research")
    # the clerk pins a passage on the inquiry's subject (the sample city's other inquiry,
    # on energy, is offered too: it is an earlier reply)
    chosen = page.locator(f"[class*='st-key-question-{number}-offered-']", has_text="Hund").first
    chosen.get_by_role("button", name="Anheften").click()
    expect(page.locator(f".st-key-question-{number}-pinned")).to_contain_text(
        "Angeheftete Quellen (1)"
    )
    expect(chosen.get_by_role("button", name="Lösen")).to_be_visible()
    question.get_by_role("button", name="Entwurf erstellen").click()
    answer = page.locator(f".st-key-question-{number}-answer")
    expect(answer).to_contain_text("[1]")
    expect(question).to_contain_text("KI-Entwurf")
    expect(question).to_contain_text(re.compile(r"\[1\] .+"))  # the sources by number


def _accept(page: Any, number: int, *, edit: str = "") -> str:
    """Accept question ``number``'s answer (``edit`` appended first); :returns: its text."""
    question = _question(page, number)
    field = question.get_by_role("textbox", name=f"Antwort auf Frage {number}. (bearbeiten)")
    text = str(field.input_value())
    if edit:
        text += edit
        field.fill(text)
        field.press("Control+Enter")  # applies the text area
        _settle(page)
    question.get_by_role("button", name="Übernehmen").click()
    expect(question).to_contain_text("Übernommen von m.schubert")
    expect(question).not_to_contain_text("KI-Entwurf")
    return text


def _uncited(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text).strip()


def _download_file(page: Any, label: str) -> bytes:
    download = _download(page, page.get_by_role("button", name=label))
    assert download.suggested_filename.endswith(f".{label.lower()}")
    return Path(download.path()).read_bytes()


def test_a_whole_case_from_inquiry_pdf_to_released_reply(browser: Any, server: str) -> None:
    author = _page(browser, STAFF)
    url = _create_case(author, server)
    for number, text in enumerate(QUESTIONS, start=1):
        field = _question(author, number).get_by_role("textbox", name=f"Text der Frage {number}.")
        expect(field).to_have_value(text)
    expect(_question(author, 4)).to_have_count(0)
    expect(author.get_by_text("Status: Entwurf")).to_be_visible()
    # a question added and removed again
    extra = author.get_by_role("textbox", name="Weitere Frage", exact=True)
    extra.fill("Wer ist zuständig?")
    extra.press("Enter")
    _settle(author)
    author.get_by_role("button", name="Frage hinzufügen").click()
    expect(_question(author, 4)).to_contain_text("Frage 4.")
    _question(author, 4).get_by_role("button", name="Frage entfernen").click()
    expect(_question(author, 4)).to_have_count(0)

    # the list: by deadline (31.03.2026, named in the inquiry: overdue), opened from there
    author.get_by_role("link", name="Alle Vorgänge").click()
    row = author.locator("[class*='st-key-case-row-']", has_text=TITLE).first
    expect(row).to_contain_text("31.03.2026")
    expect(row).to_contain_text("überfällig")
    expect(row).to_contain_text("Entwurf")
    expect(row).to_contain_text("Amt 22")
    expect(row).to_contain_text("0/3")
    _shot(author, "cases")
    _assert_accessible(author, "cases")
    row.get_by_role("link", name=TITLE).click()
    author.wait_for_url(url)

    for number in (1, 2, 3):
        _research_pin_and_draft(author, number)
    _question(author, 1).scroll_into_view_if_needed()
    _settle(author)
    _shot(author, "case-drafts", full_page=True)
    _assert_accessible(author, "case")

    answers = [_accept(author, 1, edit=EDITED), _accept(author, 2), _accept(author, 3)]

    # review: the author may not release (four eyes), the service's reason on the page
    author.get_by_role("button", name="Zur Prüfung geben").click()
    expect(author.get_by_text("Status: in Prüfung")).to_be_visible()
    author.get_by_role("button", name="Freigeben").click()
    refusal = author.get_by_test_id("stAlert").filter(has_text="Vier-Augen-Prinzip")
    expect(refusal).to_be_visible()
    refusal.scroll_into_view_if_needed()
    _settle(author)
    _shot(author, "case-release-refused")
    expect(author.get_by_text("Status: in Prüfung")).to_be_visible()
    author.context.close()

    reviewer = _page(browser, REVIEWER)
    reviewer.goto(url)
    expect(reviewer.get_by_text("Status: in Prüfung")).to_be_visible()
    comment = reviewer.get_by_role("textbox", name="Kommentar", exact=True)
    comment.fill("Zahlen geprüft.")
    comment.press("Enter")
    _settle(reviewer)
    reviewer.get_by_role("button", name="Kommentieren").click()
    expect(reviewer.get_by_text(re.compile(r"^s\.yilmaz, \d\d\.\d\d\.\d{4}"))).to_be_visible()
    expect(reviewer.get_by_text("Zahlen geprüft.")).to_be_visible()
    reviewer.get_by_role("button", name="Freigeben").click()
    expect(reviewer.get_by_text("Status: freigegeben")).to_be_visible()
    expect(reviewer.get_by_text(re.compile(r"^Freigegeben von s\.yilmaz am "))).to_be_visible()
    _shot(reviewer, "case-released")

    letters = {
        "docx": _docx_text(_download_file(reviewer, "DOCX")),
        "odt": _odt_text(_download_file(reviewer, "ODT")),
    }
    for fmt, lines in letters.items():
        text = "\n".join(lines)
        assert lines[0] == TITLE, (fmt, lines[:3])
        assert "KI-Entwurf – nicht freigegeben" not in text, fmt
        assert any(line.startswith("Freigegeben von s.yilmaz am ") for line in lines), fmt
        for question, answer in zip(QUESTIONS, answers, strict=True):
            assert question in lines, (fmt, question)
            # the letter numbers the sources of all answers in one list
            written = lines[lines.index(question) + 1]
            assert _uncited(written) == _uncited(answer), (fmt, written, answer)
        sources = lines[lines.index("Quellen") + 1 :]
        assert sources and all(line.startswith(f"[{n}] ") for n, line in enumerate(sources, 1))
        assert any(re.search(r"(§ \d|TOP \d).*S\. \d", line) for line in sources), sources
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", text.split("Quellen")[0])}
        assert cited and cited <= set(range(1, len(sources) + 1)), fmt
    assert letters["docx"] == letters["odt"]
    assert letters["docx"][letters["docx"].index(QUESTIONS[0]) + 1].endswith(EDITED.strip())

    # English on request
    reviewer.locator("[data-testid='stSidebar']").get_by_text("en", exact=True).click()
    expect(reviewer.get_by_text("Status: released")).to_be_visible()
    expect(reviewer.get_by_role("button", name="Release")).to_be_disabled()
    reviewer.locator("[data-testid='stSidebar']").get_by_text("de", exact=True).click()
    expect(reviewer.get_by_text("Status: freigegeben")).to_be_visible()

    reviewer.goto(f"{server}/cases")
    row = reviewer.locator("[class*='st-key-case-row-']", has_text=TITLE).first
    expect(row).to_contain_text("freigegeben")
    expect(row).not_to_contain_text("überfällig")
    expect(row).to_contain_text("3/3")
    reviewer.context.close()

    # another office does not see the case, neither listed nor by its URL
    other = _page(browser, OTHER_OFFICE)
    other.goto(url)
    expect(other.get_by_text("Diesen Vorgang gibt es nicht")).to_be_visible()
    other.goto(f"{server}/cases")
    expect(other.get_by_text("Noch keine Vorgänge.")).to_be_visible()
    other.context.close()


def test_a_case_from_an_inquiry_found_by_search_and_its_questions_reordered(
    browser: Any, server: str
) -> None:
    """The sample city's inquiry (Drs. 2025/0042) opened as a case from its search hit: its
    five questions and its deadline ("in der Sitzung des Stadtrates am 13. März 2025")
    taken over; a question moved down keeps its text and takes the next place."""
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    page.get_by_role("textbox", name="Suchanfrage", exact=True).fill(
        "Anfrage Energieverbrauch Liegenschaften"
    )
    page.get_by_role("button", name="Suchen").click()
    card = page.locator("[class*='st-key-hit-']", has_text="Energieverbrauch").first
    expect(card).to_be_visible()
    card.get_by_role("button", name="Als Anfrage-Vorgang anlegen").click()
    page.wait_for_url(re.compile(r"/case\?case="))
    expect(page.get_by_text(re.compile(r"2025/0042")).first).to_be_visible()
    texts = [
        _question(page, n).get_by_role("textbox", name=f"Text der Frage {n}.") for n in range(1, 6)
    ]
    expect(texts[0]).to_have_value(re.compile(r"^Wie haben sich der Wärme- und der Strom"))
    expect(texts[2]).to_have_value(re.compile(r"^Wie viele Photovoltaikanlagen"))
    expect(_question(page, 6)).to_have_count(0)
    first, second = texts[0].input_value(), texts[1].input_value()
    expect(_question(page, 1).get_by_role("button", name="Nach oben")).to_be_disabled()
    expect(_question(page, 5).get_by_role("button", name="Nach unten")).to_be_disabled()
    _question(page, 1).get_by_role("button", name="Nach unten").click()
    # the inquiry's own labels go with their questions: "Frage 2." now comes first
    moved = _question(page, 2).get_by_role("textbox", name="Text der Frage 1.")
    expect(moved).to_have_value(first)
    expect(_question(page, 1).get_by_role("textbox", name="Text der Frage 2.")).to_have_value(
        second
    )
    page.get_by_role("link", name="Alle Vorgänge").click()
    row = page.locator("[class*='st-key-case-row-']", has_text="Energieverbrauch").first
    expect(row).to_contain_text("13.03.2025")
    expect(row).to_contain_text("0/5")
    page.context.close()
