"""The Streamlit interface in a real browser: headless Chromium driven by Playwright against
``streamlit run`` on 127.0.0.1, over a small data directory ingested from the sample corpus.

The server runs in ``header`` access mode (as behind a reverse proxy): each test's browser
context sends ``X-Forwarded-User``/``X-Forwarded-Groups``, so staff and admins are real
users of the real login path. One more server in ``dev`` mode checks its banner.

Screenshots go to ``artifacts/screenshots/``. Skipped when Chromium (``/usr/bin/chromium``,
Debian package ``chromium``) or the ``playwright`` package is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ui.cli_serve import streamlit_command

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "samples" / "corpus"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PUBLIC_FILES = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "satzungen/Abfallgebuehrensatzung_2020.pdf",
    "beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf",
    "beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf",
    "dienstanweisungen/DA_Dienstreisen_2012.pdf",
    "sonstiges/Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf",
    "beschluesse/Drucksache_2025-0042_Anfrage_GLL_Energieverbrauch.odt",  # a case from it
]
RESTRICTED_FILE = "dienstanweisungen/personalamt/DA_Beurteilungen_2023_VERTRAULICH.pdf"
NEW_FILES = [
    "rundschreiben/Rundschreiben_12-2022_Energiesparen.txt",
    "rundschreiben/Rundschreiben_01-2026_Vorlaeufige_Haushaltsfuehrung.md",
]
STAFF = {"X-Forwarded-User": "m.schubert", "X-Forwarded-Groups": "amt22"}
ADMIN = {"X-Forwarded-User": "it.betrieb", "X-Forwarded-Groups": "admin,amt10"}
TIMEOUT_MS = 60_000

if not CHROMIUM.is_file():
    pytest.skip(
        "Chromium is not installed at /usr/bin/chromium (Debian package 'chromium'; "
        "`make install` as root installs it)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the 'playwright' package is not installed (dev extras)"
)
expect = sync_api.expect
expect.set_options(timeout=TIMEOUT_MS)


def _copy(files: list[str], target: Path) -> Path:
    target.mkdir(parents=True)
    for name in files:
        shutil.copy2(CORPUS / name, target / Path(name).name)
    return target


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A data directory with seven public papers and one for the Personalamt, and a folder
    of two circulars that is not ingested yet (the admin adds it in a test)."""
    from ingest.sync.indexer import Indexer
    from search.core.settings import Settings

    base = tmp_path_factory.mktemp("browser")
    public = _copy(PUBLIC_FILES, base / "corpus")
    restricted = _copy([RESTRICTED_FILE], base / "personalamt")
    new = _copy(NEW_FILES, base / "neu")
    settings = Settings(data_dir=base / "data")
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(public, source="beispiel")
        assert report.indexed == len(PUBLIC_FILES), report.failures
        indexer.ingest_path(restricted, source="personalamt", access_groups=["personalamt"])
    return {"base": base, "data": settings.data_dir, "new": new}


def _free_port() -> int:
    from tests.service_server import free_port

    return free_port()


SERVICE_KEY = "browser-test-interface-key"


def _environment(workspace: dict[str, Path], mode: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUSKUNFT_")}
    return env | {
        "AUSKUNFT_DATA_DIR": str(workspace["data"]),
        "AUSKUNFT_ACCESS__MODE": mode,
        "AUSKUNFT_SERVICE_KEY": SERVICE_KEY,
        "HF_HUB_OFFLINE": "1",
        "DO_NOT_TRACK": "1",
        "HAYSTACK_TELEMETRY_ENABLED": "False",
    }


@pytest.fixture(scope="module")
def service(workspace: dict[str, Path]) -> Iterator[str]:
    """The service that owns the index; every interface of this module is its client."""
    from tests.service_server import service_process

    with service_process(workspace["data"], _environment(workspace, "header")) as url:
        yield url


def _start(workspace: dict[str, Path], mode: str, service: str) -> Iterator[str]:
    port = _free_port()
    env = _environment(workspace, mode) | {"AUSKUNFT_SERVICE__URL": service}
    log = (workspace["base"] / f"streamlit-{mode}.log").open("w")
    server = subprocess.Popen(
        streamlit_command("127.0.0.1", port),  # as `auskunft ui` and `make run` start it
        cwd=workspace["base"],  # no auskunft.toml of the developer's is read
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (workspace["base"] / f"streamlit-{mode}.log").read_text()
                    pytest.fail(f"streamlit did not start:\n{output[-3000:]}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def server(workspace: dict[str, Path], service: str) -> Iterator[str]:
    """The interface behind a (simulated) trusted reverse proxy."""
    yield from _start(workspace, "header", service)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright gives each launch a fresh temporary profile (--user-data-dir) of its own
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _page(browser: Any, headers: dict[str, str] | None) -> Any:
    context = browser.new_context(
        extra_http_headers=headers or {}, viewport={"width": 1400, "height": 1000}, locale="de-DE"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _shot(page: Any, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def _run_over(page: Any) -> None:
    """Wait until the page's run has finished (no element drawn by an earlier run left)."""
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def _download(page: Any, button: Any) -> Any:
    """Click a download button; :returns: the download.

    A deferred download (the file is made when clicked) names the button's current run:
    a click that lands while the page is still being rerun asks for the file of the run
    before, which Streamlit has already dropped, and no download starts. Wait for the run
    to finish, and click once more if the first click came too early."""
    _run_over(page)
    try:
        with page.expect_download(timeout=TIMEOUT_MS // 2) as download:
            button.click()
    except sync_api.TimeoutError:
        _run_over(page)
        with page.expect_download(timeout=TIMEOUT_MS // 2) as download:
            button.click()
    return download.value


def _field(scope: Any, label: str) -> Any:
    return scope.get_by_role("textbox", name=label, exact=True)


def _search(page: Any, query: str) -> None:
    page.get_by_role("textbox", name="Suchanfrage", exact=True).fill(query)
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator(".st-key-hit-1")).to_be_visible()


def _top_two_with(page: Any, title: str) -> Any:
    """The card among the first two results whose title starts with ``title`` (exactly one
    must).

    The sample corpus has two documents that answer dog-tax questions equally well: the
    statute and the council paper that amends its rates (and quotes the statute's title);
    which of them comes first is the ranking's business, that the statute is among the
    first two is the test's.
    """
    heading = page.locator("strong", has_text=re.compile(rf"^\d+\. {re.escape(title)}"))
    top = page.locator(".st-key-hit-1, .st-key-hit-2").filter(has=heading)
    expect(top).to_have_count(1)
    return top


def _cards(page: Any) -> Any:
    return page.locator("[class*='st-key-hit-']")


def test_search_returns_cited_results(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(server)
    expect(page.get_by_text("Angemeldet: m.schubert")).to_be_visible()
    # no developer tools for staff: neither Streamlit's "Deploy" button nor its menu
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(page.get_by_test_id("stMainMenu")).to_have_count(0)
    _search(page, "Wie hoch ist die Hundesteuer für den ersten Hund?")
    first = _top_two_with(page, "Satzung über die Erhebung der Hundesteuer")
    expect(first).to_contain_text("Hundesteuersatzung")
    expect(first).to_contain_text("Fundstelle:")
    expect(first).to_contain_text(re.compile(r"§ \d+ .*S\. \d"))
    expect(first.locator("mark").first).to_be_visible()  # highlighted passage
    expect(first.get_by_role("button", name=re.compile("öffnen")).first).to_be_visible()
    page.wait_for_timeout(1500)  # let the last widgets and icon fonts settle for the picture
    # the search is in the URL: a reload shows it again
    assert "q=Wie+hoch" in page.url or "q=Wie%20hoch" in page.url, page.url
    _shot(page, "search")
    # the result list to file with a case: CSV with citations
    download = _download(page, page.get_by_role("button", name="CSV-Liste"))
    assert download.suggested_filename.endswith(".csv")
    exported = Path(download.path()).read_text("utf-8-sig").splitlines()
    assert exported[0].startswith("Nr.;Titel;Dokumentart;Datum")
    assert any("Hundesteuersatzung" in line and ";§ " in line for line in exported[1:])
    download = _download(page, page.get_by_role("button", name="PDF-Liste"))
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    # letter form of the citation, ready to copy
    first.get_by_role("button", name="Zitieren").first.click()
    letter = re.compile(r"§ \d+ der Hundesteuersatzung vom 21\.03\.2017")
    expect(page.get_by_text(letter)).to_be_visible()
    page.reload()
    expect(page.locator(".st-key-hit-1")).to_contain_text("Hundesteuersatzung")
    # the Personalamt's confidential instruction is not for Amt 22
    _field(page, "Suchanfrage").fill("Beurteilung Quote Note 1")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url(re.compile(r"q=Beurteilung"))
    _run_over(page)
    expect(page.get_by_text(re.compile(r"^\d+ Dokumente$|^Keine Treffer"))).to_be_visible()
    expect(page.get_by_text("VERTRAULICH")).to_have_count(0)
    page.context.close()


def test_a_misspelt_query_offers_the_index_s_own_words(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    page.get_by_role("textbox", name="Suchanfrage", exact=True).fill("Dienstreisse Erstatung")
    page.get_by_role("button", name="Suchen").click()
    suggestion = page.get_by_role("button", name="Meinten Sie: Dienstreise Erstattung")
    expect(suggestion).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Keine Treffer"))).to_be_visible()
    _shot(page, "did-you-mean")
    suggestion.click()
    expect(page.locator(".st-key-hit-1")).to_contain_text("Dienstreise")
    expect(page.get_by_role("textbox", name="Suchanfrage", exact=True)).to_have_value(
        "Dienstreise Erstattung"
    )
    page.context.close()


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_a_question_nothing_answers_says_so(browser: Any, server: str, mode: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode={mode}")
    page.get_by_role("textbox", name="Suchanfrage", exact=True).fill("Quantenchromodynamik Gluonen")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_text(re.compile(r"^Keine Treffer"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Kein Dokument passt"))).to_be_visible()
    expect(page.locator(".st-key-hit-1")).to_have_count(0)
    page.context.close()


def test_extract_with_clickable_citations_above_results(browser: Any, server: str) -> None:
    """No LLM is configured: the answer panel shows the extract, each sentence cited."""
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Hundesteuer für den ersten Hund")
    panel = page.locator(".st-key-answer-panel")
    expect(panel).to_contain_text("Auszug aus den Treffern")
    expect(panel).to_contain_text("Keine KI eingerichtet")
    expect(panel).to_contain_text(re.compile(r"Hund.*\[1\]"))
    source = panel.get_by_role("button", name=re.compile(r"^\[1\] .*Hundesteuer"))
    expect(source).to_be_visible()
    page.wait_for_timeout(1000)
    _shot(page, "answer-extract")
    source.click()  # the citation opens the document at its page
    expect(page.get_by_role("dialog")).to_contain_text(re.compile(r"Seite \d+ von \d+"))
    page.context.close()


def test_admin_audit_lists_searches_and_exports(browser: Any, server: str) -> None:
    staff = _page(browser, STAFF)
    staff.goto(f"{server}/?mode=keyword")
    _search(staff, "Reisekosten Dienstreise Erstattung")
    staff.context.close()
    page = _page(browser, ADMIN)
    page.goto(f"{server}/admin_audit")
    expect(page.get_by_role("heading", name="Protokoll", exact=True)).to_be_visible()
    row = page.locator("tr", has_text="Reisekosten Dienstreise Erstattung").first
    expect(row).to_contain_text("m.schubert")
    expect(page.locator("tr", has_text="Reisekosten Dienstreise Erstattung")).to_have_count(2)
    _shot(page, "admin-audit")
    download = _download(page, page.get_by_role("button", name="Export CSV"))
    assert download.suggested_filename.endswith(".csv")
    exported = Path(download.path()).read_text(encoding="utf-8")
    assert "Reisekosten Dienstreise Erstattung" in exported
    assert "m.schubert" in exported
    download = _download(page, page.get_by_role("button", name="Export JSONL"))
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert any('"user": "m.schubert"' in line and '"kind": "answer"' in line for line in lines)
    page.context.close()


def _result_count(page: Any) -> int:
    caption = page.get_by_text(re.compile(r"^\d+ Dokumente$"))
    expect(caption).to_be_visible()
    return int(caption.inner_text().split()[0])


def test_filter_narrows_results(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Hundesteuer Euro")
    before = _result_count(page)
    assert before >= 3
    expect(_cards(page)).to_have_count(min(before, 10))
    page.locator(".st-key-doc_types").click()
    page.get_by_role("option", name="Satzung/Verordnung").click()
    page.keyboard.press("Escape")
    expect(page.get_by_text(f"{before} Dokumente", exact=True)).to_have_count(0)
    after = _result_count(page)
    assert 1 <= after < before
    expect(_cards(page)).to_have_count(min(after, 10))
    for index in range(min(after, 10)):
        expect(_cards(page).nth(index)).to_contain_text("Satzung/Verordnung")
    assert "type=statute" in page.url
    _shot(page, "filter")
    page.context.close()


def _card_dates(page: Any) -> list[str]:
    """:returns: the cards' dates as ISO days, in the order shown (undated cards none)."""
    dates = []
    for text in _cards(page).all_inner_texts():
        found = re.search(r"\b(\d{2})\.(\d{2})\.(\d{4})\b", text.split("Fundstelle")[0])
        if found:
            dates.append(f"{found[3]}-{found[2]}-{found[1]}")
    return dates


def test_whole_result_set_sorted_refined_and_paged(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword&sort=date_desc")
    slider = page.get_by_role("slider", name="Anzahl Dokumente")
    slider.focus()
    for _ in range(7):  # 10 → 3 documents per page
        page.keyboard.press("ArrowLeft")
    expect(slider).to_have_value("3")
    _search(page, "Stadt")
    total = _result_count(page)
    assert total > 3  # more matches than one page
    expect(_cards(page)).to_have_count(3)
    expect(page.get_by_text(f"Treffer 1–3 von {total}")).to_be_visible()
    first_page = _card_dates(page)
    assert first_page == sorted(first_page, reverse=True)
    # the facets count every match, not the ten on screen
    types = page.locator(".st-key-facets").get_by_role("button", name=re.compile(r"\(\d+\)$"))
    expect(types.first).to_be_visible()
    counts = [int(re.findall(r"\((\d+)\)$", label)[0]) for label in types.all_inner_texts()]
    assert max(counts) > 3, counts
    # the chips wrap inside the result column at the widths staff use
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(500)
        column = page.locator(".st-key-facets").bounding_box()
        assert column is not None
        for chip in page.locator(".st-key-facets").get_by_role("button").all():
            box = chip.bounding_box()
            assert box is not None
            assert column["x"] <= box["x"]
            assert box["x"] + box["width"] <= column["x"] + column["width"] + 1, (width, box)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_timeout(800)
    _shot(page, "whole-result-set", full_page=True)
    page.get_by_role("button", name="Weitere Treffer").click()
    expect(page.get_by_text(re.compile(rf"^Treffer 4–\d+ von {total}"))).to_be_visible()
    expect(page.locator(".st-key-hit-4")).to_be_visible()
    later = _card_dates(page)
    assert later == sorted(later, reverse=True)
    assert not later or not first_page or later[0] <= first_page[-1]  # newest on page one
    # a chip refines the whole set: its count is the new total
    chip = page.locator(".st-key-facets").get_by_role(
        "button", name=re.compile(r"^Satzung\/Verordnung \(\d+\)$")
    )
    statutes = int(re.findall(r"\((\d+)\)", chip.inner_text())[0])
    chip.click()
    expect(page.get_by_text(f"{statutes} Dokumente", exact=True)).to_be_visible()
    for index in range(min(statutes, 3)):
        expect(_cards(page).nth(index)).to_contain_text("Satzung/Verordnung")
    # "more from this document" opens inside its own card
    second = page.locator(".st-key-hit-2")
    _run_over(page)  # the chip's run
    second.get_by_role("button", name="Mehr aus diesem Dokument").click()
    expect(second.locator(".st-key-more-panel")).to_be_visible()
    page.context.close()


def test_cited_document_opens_at_its_page(browser: Any, server: str) -> None:
    page = _page(browser, STAFF)
    page.goto(f"{server}/?mode=keyword")
    _search(page, "Steuersatz gefährlicher Hund")
    first = _top_two_with(page, "Satzung über die Erhebung der Hundesteuer")
    expect(first).to_contain_text("§ 3 Steuersatz, S. 2")
    first.get_by_role("button", name="S. 2 öffnen").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Seite 2 von 3")
    image = dialog.get_by_role("img", name=re.compile("Seite 2 von 3"))
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 500
    expect(dialog.get_by_role("button", name="Original herunterladen")).to_be_visible()
    _shot(page, "document-page")
    # the original file is served as it is
    download = _download(page, dialog.get_by_role("button", name="Original herunterladen"))
    assert download.suggested_filename == "Hundesteuersatzung_2017.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    page.context.close()


def test_admin_adds_folder_source_and_syncs(
    browser: Any, server: str, workspace: dict[str, Path]
) -> None:
    # beside two circulars, a damaged PDF: its failure is told in German
    (workspace["new"] / "beschaedigt.pdf").write_bytes(b"%PDF-1.7 abgebrochen")
    page = _page(browser, ADMIN)
    page.goto(f"{server}/admin_sources")
    expect(page.get_by_role("heading", name="Quellen", exact=True)).to_be_visible()
    form = page.locator(".st-key-add-source, [data-testid='stForm']").first
    _field(form, "Name").fill("rundschreiben-neu")
    _field(form, "Ordner (Pfad auf dem Server)").fill(str(workspace["new"]))
    _field(form, "Zugriffsgruppen (durch Komma getrennt)").fill("public")
    form.get_by_role("button", name="Verbindung testen").click()
    expect(form.get_by_text("Verbindung in Ordnung: 3 Dokumente")).to_be_visible()
    form.get_by_role("button", name="Quelle anlegen").click()
    expect(page.get_by_text("Quelle „rundschreiben-neu“ angelegt")).to_be_visible()
    card = page.locator(".st-key-source-rundschreiben-neu")
    expect(card).to_contain_text("Noch nie synchronisiert")
    card.get_by_role("button", name="Jetzt synchronisieren").click()
    expect(page.get_by_text("3 Dateien geprüft: 2 indexiert")).to_be_visible()
    # the card shows the sync at once, in the city's time
    last_sync = re.compile(r"Letzte Synchronisierung \d\d\.\d\d\.\d{4}, \d\d:\d\d: 2 indexiert")
    expect(card).to_contain_text(last_sync)
    expect(card).not_to_contain_text("Noch nie synchronisiert")
    expect(card).to_contain_text("2 indexiert, 1 fehlerhaft")
    expect(card).to_contain_text("einschließen: **/*")  # as typed, not as Markdown
    _shot(page, "admin-sources")
    page.goto(f"{server}/admin_status")
    expect(page.get_by_text("rundschreiben-neu").first).to_be_visible()
    failure = page.locator("[class*='st-key-failure-']").filter(has_text="beschaedigt.pdf")
    expect(failure).to_contain_text("Datei beschädigt oder unvollständig")
    expect(failure).to_contain_text("Technische Meldung: PDF cannot be read")
    expect(page.get_by_text("Speicherplatz")).to_be_visible()
    _shot(page, "admin-status")
    # staff find the new documents
    staff = _page(browser, STAFF)
    staff.goto(server)
    _search(staff, "private Heizlüfter")
    expect(staff.locator(".st-key-hit-1")).to_contain_text("Energiesparen")
    staff.context.close()
    page.context.close()


@pytest.mark.parametrize("path", ["admin_sources", "admin_status", "admin_audit"])
def test_non_admin_cannot_reach_admin_pages(browser: Any, server: str, path: str) -> None:
    page = _page(browser, STAFF)
    page.goto(server)
    expect(page.get_by_role("textbox", name="Suchanfrage", exact=True)).to_be_visible()
    # the admin pages are not offered
    expect(page.get_by_role("link", name="Quellen")).to_have_count(0)
    expect(page.get_by_role("link", name="Indexstatus")).to_have_count(0)
    page.goto(f"{server}/{path}")  # the URL typed in directly
    expect(page.get_by_text("Kein Zugriff")).to_be_visible()
    expect(page.get_by_text("Neue Quelle hinzufügen")).to_have_count(0)
    expect(page.get_by_text("Fehlerhafte Dokumente")).to_have_count(0)
    expect(page.get_by_text("Export CSV")).to_have_count(0)
    _shot(page, f"refused-{path}")
    page.context.close()


def test_no_user_from_the_proxy_is_refused(browser: Any, server: str) -> None:
    page = _page(browser, None)
    page.goto(f"{server}/admin_sources")
    expect(page.get_by_text("Keine Anmeldung")).to_be_visible()
    expect(page.get_by_role("textbox", name="Suchanfrage", exact=True)).to_have_count(0)
    page.context.close()


def test_dev_mode_says_so_on_every_page(
    browser: Any, workspace: dict[str, Path], service: str
) -> None:
    for url in _start(workspace, "dev", service):
        page = _page(browser, None)
        for path in ("", "admin_status"):
            page.goto(f"{url}/{path}")
            expect(page.get_by_text("Entwicklungsmodus – keine Anmeldung")).to_be_visible()
        # the developer becomes staff in the sidebar: the admin page refuses
        page.get_by_text("Benutzer (Entwicklungsmodus)").click()
        _field(page, "Gruppen (durch Komma getrennt)").fill("amt22")
        _field(page, "Gruppen (durch Komma getrennt)").press("Enter")
        expect(page.get_by_text("Kein Zugriff")).to_be_visible()
        page.context.close()


SCANNED = {
    "Friedhofsgebuehren_Scan.pdf": [
        "Satzung über die Gebühren der Friedhöfe",
        "",
        "§ 4 Grabnutzungsgebühr",
        "",
        "(1) Für ein Urnenreihengrab beträgt die Gebühr 850 Euro.",
        "(2) Die Ruhezeit der Urnengräber beträgt zwanzig Jahre.",
    ],
    "Marktordnung_Scan.pdf": [
        "Marktordnung der Stadt Lindenbrück",
        "",
        "§ 2 Markttage",
        "",
        "(1) Der Wochenmarkt findet dienstags und freitags statt.",
        "(2) Standplätze vergibt das Ordnungsamt auf Antrag.",
    ],
}


def _scanned_folder(base: Path, copies: int = 3) -> Path:
    """Image-only PDFs (several pages each: long enough to OCR for a while)."""
    import io

    from pypdf import PdfReader, PdfWriter

    from tests.ingest.pipeline.test_parsing import scan_pdf

    folder = base / "scans"
    folder.mkdir()
    for name, lines in SCANNED.items():
        writer = PdfWriter()
        page = PdfReader(io.BytesIO(scan_pdf(lines))).pages[0]
        for _ in range(copies):
            writer.add_page(page)
        with (folder / name).open("wb") as out:
            writer.write(out)
    return folder


def _jobs(service: str) -> list[dict[str, Any]]:
    import httpx

    headers = {
        "Authorization": f"Bearer {SERVICE_KEY}",
        "X-Auskunft-User": "it.betrieb",
        "X-Auskunft-Groups": "admin",
    }
    jobs: list[dict[str, Any]] = httpx.get(f"{service}/api/v1/jobs", headers=headers).json()
    return jobs


# Moved out of the default run on 7 Dec 2026: in the full default suite (two clean-clone
# runs) the source form's "Quelle anlegen" showed no confirmation within 60 s, while this
# module alone passes (16/16). Not yet understood; `make test-all` still runs it.
@pytest.mark.slow
def test_search_is_not_blocked_by_an_admins_sync_of_scans(
    browser: Any, server: str, service: str, workspace: dict[str, Path]
) -> None:
    scans = _scanned_folder(workspace["base"])
    admin = _page(browser, ADMIN)
    admin.goto(f"{server}/admin_sources")
    expect(admin.get_by_role("heading", name="Quellen", exact=True)).to_be_visible()
    _run_over(admin)
    # the form is folded when sources exist, open when there are none (this test alone):
    # a click on an open one would fold it
    adding = admin.locator("details", has_text="Neue Quelle hinzufügen")
    if adding.get_attribute("open") is None:
        adding.get_by_text("Neue Quelle hinzufügen").click()
    form = admin.locator(".st-key-add-source, [data-testid='stForm']").first
    expect(_field(form, "Name")).to_be_editable()
    _field(form, "Name").fill("scans")
    _field(form, "Ordner (Pfad auf dem Server)").fill(str(scans))
    form.get_by_role("button", name="Quelle anlegen").click()
    expect(admin.get_by_text("Quelle „scans“ angelegt")).to_be_visible()
    staff = _page(browser, STAFF)
    staff.goto(f"{server}/?mode=semantic")
    expect(staff.get_by_role("textbox", name="Suchanfrage", exact=True)).to_be_visible()
    # the admin starts the sync; their page follows it
    admin.locator(".st-key-source-scans").get_by_role(
        "button", name="Jetzt synchronisieren"
    ).click()
    deadline = time.monotonic() + 60
    while not any(j["kind"] == "sync" and j["state"] == "running" for j in _jobs(service)):
        assert time.monotonic() < deadline, "the sync did not start"
        time.sleep(0.2)
    started = time.monotonic()
    query = "Gebühr für ein Urnenreihengrab auf dem Friedhof"
    _search(staff, query)
    expect(staff.locator(".st-key-hit-1")).to_be_visible(timeout=3_000)
    took = time.monotonic() - started
    running = [j for j in _jobs(service) if j["kind"] == "sync" and j["target"] == "scans"]
    assert running and not running[0]["finished"], "the sync ended before the search: no proof"
    assert took < 3, f"the search took {took:.1f} s while the sync ran"
    expect(staff.get_by_text("Semantic search is unavailable")).to_have_count(0)
    _shot(staff, "search-during-sync")
    # the sync ends; the same tab, repeating the same search, finds the scanned statute
    expect(admin.get_by_text("Dateien geprüft")).to_be_visible(timeout=300_000)
    _search(staff, query)
    expect(staff.locator(".st-key-hit-1")).to_contain_text("Gebühren der Friedhöfe")
    staff.context.close()
    admin.context.close()
