"""AI drafts in the answer panel of a real browser, with an LLM that writes what real
models write: the replay server of ``tests/llm_replay.py`` behind ``auskunft serve``.

A draft with a wrong amount (150 Euro where the cited statute says 96 Euro) must not reach
a clerk unmarked: the sentence is marked ⚠, the amount in bold, the German reason beside
it. A correct draft shows its sources as buttons that open the cited documents.
The browser, the interface's start and the helpers are those of :mod:`tests.ui.test_browser`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.llm_replay import ReplayServer
from tests.search.answers.test_answers_replay import LLM, QUESTIONS, index
from tests.ui.test_browser import (
    STAFF,
    _environment,
    _page,
    _search,
    _shot,
    _start,
    browser,
    expect,
)

__all__ = ["browser"]  # a fixture, used by name


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three dog-tax papers, indexed."""
    base = tmp_path_factory.mktemp("browser-answers")
    return {"base": base, "data": index(base)}


@pytest.fixture(scope="module")
def service(workspace: dict[str, Path], llm: ReplayServer) -> Iterator[str]:
    """``auskunft serve`` drafting with the replay server."""
    from tests.service_server import service_process

    env = _environment(workspace, "header") | {
        "AUSKUNFT_LLM__URL": llm.url,
        **{f"AUSKUNFT_LLM__{key.upper()}": str(value) for key, value in LLM.items()},
    }
    with service_process(workspace["data"], env) as url:
        yield url


@pytest.fixture(scope="module")
def server(workspace: dict[str, Path], service: str) -> Iterator[str]:
    yield from _start(workspace, "header", service)


def _panel(browser: Any, server: str, case: str) -> tuple[Any, Any]:
    page = _page(browser, STAFF)
    page.goto(server)
    _search(page, QUESTIONS[case])
    panel = page.locator(".st-key-answer-panel")
    expect(panel.get_by_role("heading", name="Antwortentwurf")).to_be_visible()
    expect(panel).to_contain_text("KI-Entwurf zur Beratung")
    return page, panel


def test_wrong_figure_is_marked_with_its_reason(browser: Any, server: str) -> None:
    page, panel = _panel(browser, server, "wrong_figure")
    # the current wording (the amendment's text) comes first, so § 3 of 2017 is not [1]
    expect(panel).to_contain_text(re.compile(r"⚠\s*Die Hundesteuer beträgt .* 150 Euro \[\d\]"))
    # the amount no source states, in bold; the citation stays a citation
    expect(panel.locator("strong", has_text=re.compile(r"^150$"))).to_have_count(1)
    expect(panel).to_contain_text(
        "Bitte prüfen: Betrag oder Zahl steht so nicht in der Quelle – nicht in der Quelle: „150“"
    )
    source = panel.get_by_role("button", name=re.compile(r"^\[\d\] .*§ 3 Steuersatz"))
    expect(source).to_be_visible()
    page.wait_for_timeout(1000)  # let the icon fonts settle for the picture
    _shot(page, "answer-wrong-figure")
    source.click()  # the clerk checks the amount at its source
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile(r"Seite 2 von \d+"))
    expect(dialog).to_contain_text("96 Euro")
    page.context.close()


def test_correct_draft_is_unmarked(browser: Any, server: str) -> None:
    page, panel = _panel(browser, server, "correct")
    expect(panel).to_contain_text("120 Euro")
    expect(panel).to_contain_text("96 Euro")
    expect(panel).not_to_contain_text("⚠")
    expect(panel).not_to_contain_text("Bitte prüfen")
    expect(panel.get_by_role("button", name=re.compile(r"Merkblatt"))).to_be_visible()
    expect(panel.get_by_role("button", name=re.compile(r"§ 3 Steuersatz"))).to_be_visible()
    page.wait_for_timeout(1000)
    _shot(page, "answer-correct")
    page.context.close()


def test_flagged_draft_is_accessible(browser: Any, server: str) -> None:
    """The mark is not colour alone (⚠, bold, the reason in words) and passes axe."""
    a11y = pytest.importorskip(
        "tests.ui.test_browser_a11y", reason="axe-playwright-python is not installed"
    )
    page, panel = _panel(browser, server, "wrong_figure")
    expect(panel).to_contain_text("Bitte prüfen")
    a11y._assert_accessible(page, "answer-wrong-figure")
    page.context.close()
