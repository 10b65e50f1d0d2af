"""The Quellen page in a real browser: a sync's progress moves by file and, while a scan
is read, by page; after a sync the card shows its counts and the failures that remain;
the bundled samples are sources. Screenshots go to ``artifacts/screenshots/``.

The servers, browser and helpers are those of :mod:`tests.ui.test_browser`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_browser import (
    ADMIN,
    CORPUS,
    _environment,
    _page,
    _scanned_folder,
    _shot,
    _start,
    browser,
    expect,
    server,
    service,
    workspace,
)
from tests.ui.test_browser_a11y import _api, _assert_accessible

__all__ = ["browser", "server", "service", "workspace"]  # fixtures, used by name


def _sync(page: Any, name: str) -> Any:
    card = page.locator(f".st-key-source-{name}")
    card.get_by_role("button", name="Jetzt synchronisieren").click()
    return card


def test_sync_progress_moves_by_file_and_by_page_during_ocr(
    browser: Any, server: str, service: str, workspace: dict[str, Path]
) -> None:
    scans = _scanned_folder(workspace["base"], copies=4)
    _api(
        service,
        "POST",
        "/sources",
        json={"name": "scans", "kind": "folder", "location": str(scans)},
    )
    page = _page(browser, ADMIN)
    page.goto(f"{server}/admin_sources")
    _sync(page, "scans")
    progress = page.get_by_text(
        re.compile(r"von 2 Dateien\) · \w+_Scan\.pdf: Texterkennung Seite \d von 4")
    )
    expect(progress).to_be_visible(timeout=120_000)
    _shot(page, "sync-ocr-progress")
    first = progress.inner_text()
    # the line moves while the same sync runs: another page, or another file
    expect(page.get_by_text(re.compile(r"Texterkennung Seite"))).not_to_have_text(
        first, timeout=120_000
    )
    expect(page.get_by_text("2 Dateien geprüft: 2 indexiert")).to_be_visible(timeout=300_000)
    card = page.locator(".st-key-source-scans")
    expect(card).to_contain_text("2 indexiert, 0 fehlerhaft")
    expect(card).to_contain_text(
        re.compile(r"Letzte Synchronisierung \d\d\.\d\d\.\d{4}, \d\d:\d\d")
    )
    _shot(page, "sync-ocr-done")
    page.context.close()


def test_a_resync_keeps_showing_the_failures_that_remain(
    browser: Any, server: str, service: str, workspace: dict[str, Path]
) -> None:
    folder = workspace["base"] / "mit-fehler"
    folder.mkdir()
    shutil.copy2(CORPUS / "rundschreiben/Rundschreiben_12-2022_Energiesparen.txt", folder)
    (folder / "beschaedigt.pdf").write_bytes(b"%PDF-1.7 abgebrochen")
    (folder / "leer.txt").write_text("", encoding="utf-8")
    entry = {"name": "mit-fehler", "kind": "folder", "location": str(folder)}
    _api(service, "POST", "/sources", json=entry)
    page = _page(browser, ADMIN)
    page.goto(f"{server}/admin_sources")
    card = _sync(page, "mit-fehler")
    expect(page.get_by_text("3 Dateien geprüft: 1 indexiert")).to_be_visible()
    expect(card).to_contain_text("1 indexiert, 2 fehlerhaft")
    expect(card).to_contain_text("einschließen: **/*")
    failures = card.get_by_text("Fehlerhafte Dokumente dieser Quelle: 2")
    expect(failures).to_be_visible()
    expect(card).to_contain_text("Datei beschädigt oder unvollständig")
    expect(card).to_contain_text("Kein Text enthalten")
    # again: nothing changed, so the sync counts them as unchanged; the card still lists them
    _sync(page, "mit-fehler")
    expect(
        page.get_by_text(re.compile(r"3 Dateien geprüft: 0 indexiert, 3 unverändert"))
    ).to_be_visible()
    expect(card).to_contain_text("1 indexiert, 2 fehlerhaft")
    expect(failures).to_be_visible()
    expect(card.get_by_text("beschaedigt.pdf")).to_be_visible()
    expect(card.get_by_text("leer.txt")).to_be_visible()
    _shot(page, "resync-failures-remain", full_page=True)
    _assert_accessible(page, "admin-sources-failures")
    page.context.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An interface over a data directory the samples were ingested into before they were
    sources, started as ``make run`` starts it (``serve --seed``)."""
    from ingest.sync.indexer import Indexer
    from search.core.settings import Settings
    from tests.service_server import service_process

    base = tmp_path_factory.mktemp("seeded")
    folder = base / "corpus"
    folder.mkdir()
    shutil.copy2(CORPUS / "satzungen/Hundesteuersatzung_2017.pdf", folder)
    settings = Settings(data_dir=base / "data")
    with Indexer(settings) as indexer:
        assert indexer.ingest_path(folder, source="beispiel").indexed == 1
    seed = base / "sources.toml"
    seed.write_text(
        '[[sources]]\nname = "beispiel"\nkind = "folder"\nlocation = "corpus"\n', encoding="utf-8"
    )
    space = {"base": base, "data": settings.data_dir}
    environment = _environment(space, "header")
    with service_process(settings.data_dir, environment, "--seed", str(seed)) as url:
        yield from _start(space, "header", url)


def test_the_samples_are_sources_not_other_documents(browser: Any, seeded: str) -> None:
    page = _page(browser, ADMIN)
    page.goto(f"{seeded}/admin_sources")
    card = page.locator(".st-key-source-beispiel")
    expect(card).to_contain_text("1 indexiert, 0 fehlerhaft")
    expect(card.get_by_role("button", name="Jetzt synchronisieren")).to_be_visible()
    expect(page.get_by_text("Weitere Quellen")).to_have_count(0)
    _shot(page, "samples-are-sources")
    page.context.close()
