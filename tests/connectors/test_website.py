"""The website connector against a real HTTP server on 127.0.0.1 serving Stadt Lindenbrück."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from connectors.html_content import read_page
from connectors.website import WebsiteConnector
from ingest.indexer import Indexer
from ingest.runner import IngestReport
from ingest.sources import SourceConfig, SourceRegistry
from search.errors import ConfigurationError
from search.service import SearchService
from search.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from website_server import FIXTURES, WebsiteServer

PAGES = {
    "/stadt/index.html",
    "/stadt/buergerservice/bauantrag.html",
    "/stadt/buergerservice/hundesteuer.html",
    "/stadt/aktuelles/strassenfest.html",
    "/stadt/impressum.html",
}
FILES = {"/stadt/dokumente/gebuehrensatzung.pdf", "/stadt/dokumente/antrag-sondernutzung.docx"}
NEVER = {"/stadt/intern/personalrat.html", "/presse/mitteilung.html", "/stadt/kalender.html"}
"""Forbidden by robots.txt, outside the allowed prefix, linked ``rel=nofollow``."""


@pytest.fixture
def site() -> Iterator[WebsiteServer]:
    with WebsiteServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def _sync(settings: Settings, name: str) -> IngestReport:
    with Indexer(settings) as indexer:
        return SourceRegistry(indexer.catalog).sync(name, indexer)


def _add(settings: Settings, name: str, location: str, **options: object) -> None:
    with Indexer(settings) as indexer:
        SourceRegistry(indexer.catalog).add(
            SourceConfig(name=name, kind="website", location=location, options=dict(options))
        )


def _indexed(settings: Settings, name: str) -> dict[str, str]:
    """URI path → title of the source's indexed documents."""
    with Indexer(settings) as indexer:
        entries = indexer.catalog.entries(source=name)
    return {
        e.uri.split(":", 2)[2].split("/", 1)[1]: e.title for e in entries if e.status == "indexed"
    }


def _search(settings: Settings, query: str) -> list[tuple[str, str, str]]:
    """(path, title, first passage's section) of each hit, keyword search."""
    with SearchService(settings) as service:
        hits = service.search(query, mode="keyword").results
    return [("/" + h.uri.split("/", 3)[3], h.title, h.passages[0].section) for h in hits]


def test_main_content_without_boilerplate() -> None:
    html = (FIXTURES / "stadt" / "index.html").read_bytes()
    page = read_page(html, "http://127.0.0.1/stadt/index.html")
    text = page.html.decode()
    assert page.title == "Stadt Lindenbrück – Rathaus und Bürgerservice"
    assert "Willkommen im Rathaus Lindenbrück" in text and "donnerstags" in text
    boilerplate_texts = (
        "Cookie", "Hauptmenü", "Pressestelle", "Impressum", "Notdienste", "Marktplatz 1",
        "Suchbegriff", "Zum Inhalt springen", "<script",
    )  # fmt: skip
    for boilerplate in boilerplate_texts:
        assert boilerplate not in text, boilerplate
    # links are found everywhere (navigation too), resolved, without fragment or nofollow
    assert "http://127.0.0.1/stadt/buergerservice/hundesteuer.html" in page.links
    assert "http://127.0.0.1/stadt/impressum.html" in page.links
    assert "http://127.0.0.1/stadt/kalender.html" not in page.links
    assert not any(link.startswith(("mailto:", "tel:")) for link in page.links)


def test_crawl_then_incremental_sync(site: WebsiteServer, settings: Settings) -> None:
    _add(settings, "stadt", f"{site.base}/stadt/index.html", delay_seconds=0)
    report = _sync(settings, "stadt")
    assert (report.indexed, report.failed) == (len(PAGES | FILES), 0)
    indexed = _indexed(settings, "stadt")
    assert set(indexed) == {p.lstrip("/") for p in PAGES | FILES}
    assert indexed["stadt/buergerservice/bauantrag.html"] == "Bauantrag stellen"
    # robots.txt, the prefix and the host are respected: never even requested
    assert not site.paths() & NEVER
    assert {r.host for r in site.requests} == {f"127.0.0.1:{site.port}"}
    assert sum(1 for r in site.requests if r.path == "/robots.txt") == 1
    assert all(r.user_agent.startswith("Auskunft/") for r in site.requests)

    # headings of the page are sections; the linked PDF and DOCX are documents of their own
    assert _search(settings, "Lageplan Maßstab")[0] == (
        "/stadt/buergerservice/bauantrag.html",
        "Bauantrag stellen",
        "Unterlagen",
    )
    assert _search(settings, "Abnahme Rohbau Promille")[0][0] == (
        "/stadt/dokumente/gebuehrensatzung.pdf"
    )
    assert _search(settings, "Sondernutzungserlaubnis Außengastronomie")[0][0] == (
        "/stadt/dokumente/antrag-sondernutzung.docx"
    )
    # navigation, footer and cookie banner were not indexed with every page
    assert _search(settings, "Cookies") == []
    assert {hit[0] for hit in _search(settings, "Impressum")} == {"/stadt/impressum.html"}

    # second sync: one page changed, one removed, the rest answers 304
    site.set_rate(120)
    del site.pages["/stadt/aktuelles/strassenfest.html"]
    before = {path: site.full_gets(path) for path in PAGES | FILES}
    report = _sync(settings, "stadt")
    assert (report.indexed, report.deleted, report.failed) == (1, 1, 0)
    assert report.unchanged == len(PAGES | FILES) - 2
    for path in (PAGES | FILES) - {"/stadt/buergerservice/hundesteuer.html"}:
        assert site.full_gets(path) == before[path], path  # 304, not fetched again
    assert site.full_gets("/stadt/buergerservice/hundesteuer.html") == 2
    assert "stadt/aktuelles/strassenfest.html" not in _indexed(settings, "stadt")
    assert _search(settings, "Lindenstraße Umleitung Buslinie") == []
    hits = _search(settings, "ersten Hund 120 Euro")
    assert hits[0][0] == "/stadt/buergerservice/hundesteuer.html"
    with SearchService(settings) as service:
        passage = service.search("ersten Hund", mode="keyword").results[0].passages[0]
    assert "120 Euro" in passage.text and "96 Euro" not in passage.text

    # a page no longer linked from anywhere is deleted as well
    index = (FIXTURES / "stadt" / "index.html").read_text("utf-8")
    site.set_page("/stadt/index.html", index.replace('href="/stadt/impressum.html"', 'href="#"'))
    for path in ("bauantrag", "hundesteuer"):
        page = f"/stadt/buergerservice/{path}.html"
        site.pages[page] = (site.pages[page][0], site.pages[page][1].replace(b"impressum", b"x"))
    report = _sync(settings, "stadt")
    assert report.deleted == 1
    assert "stadt/impressum.html" not in _indexed(settings, "stadt")


def test_sitemap_index_and_lastmod(site: WebsiteServer, settings: Settings) -> None:
    _add(settings, "sitemap", f"{site.base}/stadt/sitemap.xml", delay_seconds=0)
    report = _sync(settings, "sitemap")
    expected = {
        "stadt/buergerservice/bauantrag.html",
        "stadt/buergerservice/hundesteuer.html",
        "stadt/aktuelles/strassenfest.html",
        "stadt/dokumente/gebuehrensatzung.pdf",  # linked from a listed page
        "stadt/dokumente/antrag-sondernutzung.docx",
    }
    assert (report.indexed, report.failed) == (len(expected), 0)
    assert set(_indexed(settings, "sitemap")) == expected
    # the sitemap is the listing: pages it does not name are not crawled
    assert "/stadt/index.html" not in site.paths()
    assert "/stadt/impressum.html" not in site.paths()
    assert not site.paths() & NEVER
    # an unchanged lastmod means no request for the page at all; a new one a conditional GET
    site.load(hundesteuer_lastmod="2025-07-01")
    site.requests.clear()
    report = _sync(settings, "sitemap")
    assert (report.indexed, report.unchanged, report.deleted) == (0, len(expected), 0)
    assert "/stadt/buergerservice/bauantrag.html" not in site.paths()
    hundesteuer = [r for r in site.requests if r.path == "/stadt/buergerservice/hundesteuer.html"]
    assert [r.status for r in hundesteuer] == [304]


def test_requests_are_spaced_by_the_delay(site: WebsiteServer) -> None:
    connector = WebsiteConnector(f"{site.base}/stadt/index.html", name="w", delay_seconds=0.2)
    refs = list(connector.list())
    assert len(refs) == len(PAGES | FILES)
    times = [r.at for r in site.requests]
    assert len(times) >= 8
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert min(gaps) >= 0.18, gaps  # measured at the server: behaviour, not a benchmark


def test_server_errors_are_retried_and_failures_keep_the_page(site: WebsiteServer) -> None:
    location = f"{site.base}/stadt/index.html"
    site.status["/stadt/impressum.html"] = [503]
    connector = WebsiteConnector(location, name="w", delay_seconds=0, retry_backoff=0.01)
    uris = {ref.uri.removeprefix(site.base) for ref in connector.list()}
    assert uris == PAGES | FILES  # the 503 was retried
    assert connector.scope == f"{site.base}/stadt/"  # a complete listing
    state = connector.state()
    # the site fails for a while: the page is kept with its version, and reported
    site.status["/stadt/impressum.html"] = [503, 503, 503]
    again = WebsiteConnector(location, name="w", delay_seconds=0, retry_backoff=0.01, state=state)
    refs = {ref.uri.removeprefix(site.base): ref for ref in again.list()}
    assert set(refs) == PAGES | FILES
    assert (
        refs["/stadt/impressum.html"].version
        == state["urls"][f"{site.base}/stadt/impressum.html"]["version"]
    )
    assert [s["reason"] for s in again.skipped] == ["server error"]
    # the page limit stops the crawl and says so
    site.requests.clear()
    limited = WebsiteConnector(location, name="w", delay_seconds=0, max_pages=2)
    assert 1 <= len(list(limited.list())) <= 2
    assert limited.skipped[0]["reason"] == "limit"
    assert limited.scope is None  # a truncated listing deletes nothing
    assert len([r for r in site.requests if r.path != "/robots.txt"]) == 2


def test_check_and_configuration(site: WebsiteServer, settings: Settings) -> None:
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        found = registry.check(
            SourceConfig(name="w", kind="website", location=f"{site.base}/stadt/"), settings
        )
        assert "robots.txt read" in found and "start page „Stadt Lindenbrück" in found
        found = registry.check(
            SourceConfig(name="w", kind="website", location=f"{site.base}/stadt/sitemap.xml"),
            settings,
        )
        assert "sitemap with 5 URLs" in found
        with pytest.raises(ConfigurationError, match="does not allow"):
            registry.check(
                SourceConfig(name="w", kind="website", location=f"{site.base}/stadt/intern/"),
                settings,
            )
        with pytest.raises(ConfigurationError, match="http"):
            registry.add(SourceConfig(name="w", kind="website", location="ftp://example.org/"))
        with pytest.raises(ConfigurationError, match="not on"):
            registry.check(
                SourceConfig(
                    name="w",
                    kind="website",
                    location=f"{site.base}/stadt/",
                    options={"allowed_prefixes": "https://elsewhere.example/"},
                ),
                settings,
            )
        with pytest.raises(ConfigurationError, match="Unknown option"):
            registry.add(
                SourceConfig(name="w", kind="website", location=site.base, options={"depth": 1})
            )
    # a site that is down fails the sync and deletes nothing
    site.status["/robots.txt"] = [503] * 9
    connector = WebsiteConnector(f"{site.base}/stadt/", name="w", delay_seconds=0, retry_backoff=0)
    with pytest.raises(OSError, match=r"robots\.txt"):
        list(connector.list())
