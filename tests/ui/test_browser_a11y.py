"""Accessibility and language of every page in a real browser.

axe-core (bundled by ``axe-playwright-python``, no download at run time) checks each page
against WCAG 2.0/2.1 A and AA, as BITV 2.0 requires of German public bodies: no serious or
critical violation. The interface speaks German throughout, Streamlit's own controls too,
and takes dates as staff type them.

Each check writes axe's full answer to ``artifacts/a11y/<page>.json`` and a screenshot to
``artifacts/screenshots/a11y-<page>.png``; a failing check names the rules and elements.
The servers, browser and helpers are those of :mod:`tests.ui.test_browser`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_browser import (
    ADMIN,
    ROOT,
    SERVICE_KEY,
    STAFF,
    _page,
    _run_over,
    _search,
    _shot,
    _start,
    browser,
    expect,
    server,
    service,
    workspace,
)

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright",
    reason="the 'axe-playwright-python' package is not installed (dev extras)",
)

__all__ = ["browser", "server", "service", "workspace"]  # fixtures, used by name

REPORTS = ROOT / "artifacts" / "a11y"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def _settle(page: Any) -> None:
    """Wait until Streamlit's run has finished and its widgets and fonts are drawn."""
    _run_over(page)
    expect(page.get_by_test_id("stStatusWidget").get_by_text("Running")).to_have_count(0)
    page.wait_for_timeout(800)


def _check(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; :returns: its serious and critical violations
    (all violations are written to ``artifacts/a11y/<name>.json``)."""
    _settle(page)
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    results = axe_playwright.Axe().run(page, options=options)
    violations = results.response["violations"]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    _shot(page, f"a11y-{name}")
    return [v for v in violations if v["impact"] in BLOCKING]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {node['target']}  {node.get('failureSummary', '')[:300]!r}")
    return "\n".join(lines)


def _assert_accessible(page: Any, name: str) -> None:
    blocking = _check(page, name)
    assert not blocking, f"axe on {name}:\n{_describe(blocking)}"
    assert _english_left(page) == [], f"Streamlit's English on {name}"


def _api(service: str, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    headers = {
        "Authorization": f"Bearer {SERVICE_KEY}",
        "X-Auskunft-User": "it.betrieb",
        "X-Auskunft-Groups": "admin",
    }
    answer = httpx.request(method, f"{service}/api/v1{path}", headers=headers, **kwargs)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def test_search_page_empty(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(server)
    expect(page.get_by_role("textbox", name="Suchanfrage", exact=True)).to_be_visible()
    _assert_accessible(page, "search-empty")
    page.context.close()


def test_search_results_with_extract_citation_and_filters(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Hundesteuer für den ersten Hund")
    expect(page.locator(".st-key-answer-panel")).to_contain_text("Auszug aus den Treffern")
    failures = {"search-results": _check(page, "search-results")}
    page.locator(".st-key-hit-1").get_by_role("button", name="Zitieren").first.click()
    expect(page.get_by_text("Für ein Schreiben")).to_be_visible()
    failures["search-cite"] = _check(page, "search-cite")
    page.keyboard.press("Escape")
    page.locator(".st-key-doc_types").click()
    expect(page.get_by_role("option", name="Satzung/Verordnung")).to_be_visible()
    failures["search-filter-open"] = _check(page, "search-filter-open")
    page.get_by_role("option", name="Satzung/Verordnung").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile("type=statute"))
    failures["search-filtered"] = _check(page, "search-filtered")
    page.context.close()
    text = "\n".join(f"{name}:\n{_describe(found)}" for name, found in failures.items() if found)
    assert not text, text


def test_document_dialog(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Steuersatz gefährlicher Hund")
    page.get_by_role("button", name=re.compile(r"S\. \d+ öffnen")).first.click()
    expect(page.get_by_role("dialog")).to_contain_text(re.compile(r"Seite \d+ von \d+"))
    expect(page.get_by_role("dialog").get_by_role("img")).to_be_visible()
    _assert_accessible(page, "document-dialog")
    page.context.close()


def test_document_page(browser: Any, server: str, service: str) -> None:
    found = _api(service, "GET", "/search", params={"q": "Hundesteuer", "mode": "keyword"})
    doc_id = found["results"][0]["doc_id"]
    page = _page(browser, STAFF)
    page.goto(f"{server}/document?doc={doc_id}&page=2")
    expect(page.get_by_role("img", name=re.compile("Seite 2 von"))).to_be_visible()
    _assert_accessible(page, "document-page")
    page.context.close()


def test_admin_sources_page_with_form(
    browser: Any, server: str, service: str, workspace: dict[str, Path]
) -> None:
    folder = workspace["base"] / "a11y"
    folder.mkdir(exist_ok=True)
    (folder / "notiz.txt").write_text("Eine Notiz zur Barrierefreiheit.", encoding="utf-8")
    _api(
        service,
        "POST",
        "/sources",
        json={"name": "a11y", "kind": "folder", "location": str(folder)},
    )
    page = _page(browser, ADMIN)
    page.goto(f"{server}/admin_sources")
    expect(page.locator(".st-key-source-a11y")).to_be_visible()
    page.get_by_text("Neue Quelle hinzufügen").click()
    expect(page.get_by_role("button", name="Quelle anlegen")).to_be_visible()
    _assert_accessible(page, "admin-sources")
    # the connection test says what it found in German
    card = page.locator(".st-key-source-a11y")
    card.get_by_role("button", name="Verbindung testen").click()
    expect(card.get_by_text("Verbindung in Ordnung: 1 Dokument", exact=True)).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    ("path", "heading"), [("admin_status", "Indexstatus"), ("admin_audit", "Protokoll")]
)
def test_admin_pages(browser: Any, server: str, path: str, heading: str) -> None:
    staff = _page(browser, STAFF)
    staff.goto(f"{server}/?mode=keyword")
    _search(staff, "Reisekosten Dienstreise")  # the audit log has a row
    staff.context.close()
    page = _page(browser, ADMIN)
    page.goto(f"{server}/{path}")
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    _assert_accessible(page, path)
    page.context.close()


def test_refusal_page(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/admin_sources")
    expect(page.get_by_text("Kein Zugriff")).to_be_visible()
    _assert_accessible(page, "refused")
    page.context.close()


def test_dev_mode_banner(browser: Any, workspace: dict[str, Path], service: str) -> None:
    for url in _start(workspace, "dev", service):
        page = _page(browser, None)
        page.goto(url)
        expect(page.get_by_text("Entwicklungsmodus – keine Anmeldung")).to_be_visible()
        page.get_by_text("Benutzer (Entwicklungsmodus)").click()
        _assert_accessible(page, "dev-mode")
        page.context.close()


def _english_left(page: Any) -> list[str]:
    """:returns: Streamlit's English texts, labels and tooltips still on the page."""
    from ui.i18n import FRAMEWORK_TEXTS

    english = [text for text in FRAMEWORK_TEXTS if "{" not in text]
    found: list[str] = page.evaluate(
        """(english) => {
            const seen = new Set();
            for (const element of document.body.querySelectorAll("*")) {
                for (const name of ["aria-label", "title", "placeholder"]) {
                    const value = element.getAttribute(name);
                    if (value) seen.add(value.trim());
                }
                for (const child of element.childNodes) {
                    if (child.nodeType === Node.TEXT_NODE) seen.add(child.nodeValue.trim());
                }
            }
            const patterns = /^(Help for|Select all|Select \\d+|Remove )/;
            return english.filter((text) => seen.has(text))
                .concat([...seen].filter((text) => patterns.test(text)));
        }""",
        english,
    )
    return found


def test_streamlit_s_own_controls_speak_german(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    expect(page.locator("html")).to_have_attribute("lang", "de")  # screen readers speak German
    expect(page.get_by_role("link", name="Zum Hauptinhalt springen")).to_have_count(1)
    expect(page.get_by_role("button", name="Hilfe zu Suchanfrage")).to_be_visible()
    page.get_by_role("textbox", name="Suchanfrage", exact=True).fill("Hundesteuer Euro")
    expect(page.get_by_text("Mit Eingabetaste absenden")).to_be_visible()
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator(".st-key-hit-1")).to_be_visible()
    page.locator(".st-key-hit-1").get_by_role("button", name="Zitieren").first.click()
    expect(page.get_by_text("Für ein Schreiben")).to_be_visible()
    page.get_by_test_id("stCode").first.hover()  # its copy button shows on hover
    copy = page.locator("[aria-label='In die Zwischenablage kopieren']")
    expect(copy.first).to_be_attached()
    _shot(page, "german-cite")
    page.keyboard.press("Escape")
    page.locator(".st-key-doc_types").click()
    expect(page.get_by_role("option", name="Satzung/Verordnung")).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Select all|Alle auswählen"))).to_have_count(
        0
    )
    _shot(page, "german-filter")
    page.keyboard.press("Escape")
    _settle(page)
    assert _english_left(page) == []
    page.context.close()


def test_a_typed_date_filters_on_enter(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword&q=Hundesteuer+Euro")
    expect(page.locator(".st-key-hit-1")).to_be_visible()
    before = _count(page)
    date_from = page.get_by_role("textbox", name="Datum von", exact=True)
    expect(date_from).to_have_attribute("placeholder", "TT.MM.JJJJ")
    date_from.fill("1.1.2024")
    date_from.press("Enter")  # no click elsewhere: Enter applies the date
    expect(page).to_have_url(re.compile(r"from=2024-01-01"))
    expect(date_from).to_have_value("01.01.2024")
    after = _count(page)
    assert 1 <= after < before
    _shot(page, "date-filter")
    date_from.fill("31.02.2024")
    date_from.press("Enter")
    expect(page.get_by_text("Kein gültiges Datum")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"from="))
    # a link with the date shows it as staff write it
    page.goto(f"{server}/?mode=keyword&q=Hundesteuer+Euro&to=2020-12-31")
    expect(page.get_by_role("textbox", name="Datum bis", exact=True)).to_have_value("31.12.2020")
    page.context.close()


def _count(page: Any) -> int:
    _settle(page)
    caption = page.get_by_text(re.compile(r"^\d+ Dokumente?$"))
    expect(caption).to_be_visible()
    return int(caption.inner_text().split()[0])


def test_the_audit_takes_a_typed_day_in_berlin(browser: Any, server: str) -> None:
    staff = _page(browser, STAFF)
    staff.goto(f"{server}/?mode=keyword")
    _search(staff, "Abfallgebühren Restmüll")
    staff.context.close()
    page = _page(browser, ADMIN)
    page.goto(f"{server}/admin_audit")
    expect(page.locator("th", has_text=re.compile(r"^Zeit$"))).to_have_count(1)  # not "UTC"
    since = page.get_by_role("textbox", name="Ab Datum", exact=True)
    from datetime import datetime, timedelta

    from ui.i18n import DISPLAY_ZONE

    today = datetime.now(DISPLAY_ZONE).date()
    since.fill(today.strftime("%d.%m.%Y"))
    since.press("Enter")
    expect(page.locator("tr", has_text="Abfallgebühren Restmüll").first).to_be_visible()
    since.fill((today + timedelta(days=1)).strftime("%d.%m.%Y"))
    since.press("Enter")
    expect(page.get_by_text("Keine Einträge.")).to_be_visible()
    _shot(page, "audit-date")
    page.context.close()
