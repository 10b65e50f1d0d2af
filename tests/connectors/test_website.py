"""The website connector against a real HTTP server on 127.0.0.1 serving Stadt Lindenbrück."""

from __future__ import annotations

import tracemalloc
from itertools import pairwise

import pytest

from connectors.html_content import read_page
from connectors.website import WebsiteConnector
from ingest.sync.indexer import Indexer
from ingest.sync.runner import IngestReport
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.core.errors import ConfigurationError, SourceUnavailable
from search.core.settings import Settings
from search.service import SearchService
from tests.connectors.website_server import FIXTURES, WebsiteServer

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
SITEMAP_DOCS = {
    "/stadt/buergerservice/bauantrag.html",
    "/stadt/buergerservice/hundesteuer.html",
    "/stadt/aktuelles/strassenfest.html",
} | FILES
"""What the sitemap of the fixtures lists (pages), and its pages link to (files)."""
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


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


def _listing(connector: WebsiteConnector, base: str) -> dict[str, str | None]:
    """Path (with query) → version of every document the connector lists (each once)."""
    refs = list(connector.list())
    listing = {ref.uri.removeprefix(base): ref.version for ref in refs}
    assert len(listing) == len(refs), [ref.uri for ref in refs]
    return listing


def _urlset(*entries: tuple[str, str | None]) -> str:
    """A sitemap of ``(loc, lastmod)`` entries; ``loc`` may use ``{{BASE}}``/``{{OTHER}}``."""
    urls = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>\n"
        for loc, lastmod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>'


def _sitemap_index(*paths: str) -> str:
    maps = "".join(f"<sitemap><loc>{{{{BASE}}}}{path}</loc></sitemap>\n" for path in paths)
    return f'<?xml version="1.0"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n{maps}</sitemapindex>'


def _page(title: str, canonical: str | None = None, links: str = "") -> str:
    head = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>{title}</title>'
        f"{head}</head><body><main><h1>{title}</h1><p>{title}: Auskunft gibt das Bürgerbüro "
        f"im Rathaus montags bis freitags von 8 bis 12 Uhr.</p>{links}</main></body></html>"
    )


def test_gzipped_sitemap_in_an_index_and_as_location(site: WebsiteServer) -> None:
    pages = (FIXTURES / "stadt" / "sitemap-seiten.xml").read_text("utf-8")
    site.set_page("/stadt/sitemap-seiten.xml.gz", pages)  # served as application/gzip
    site.set_page("/stadt/sitemap.xml", _sitemap_index("/stadt/sitemap-seiten.xml.gz"))
    location = f"{site.base}/stadt/sitemap.xml"
    connector = WebsiteConnector(location, name="w", delay_seconds=0)
    first = _listing(connector, site.base)
    assert set(first) == SITEMAP_DOCS
    assert (connector.skipped, connector.scope) == ([], f"{site.base}/stadt/")
    assert "/stadt/sitemap-seiten.xml" not in site.paths()  # the packed one was read
    # a second crawl: the lastmods in the packed sitemap spare the pages any request
    site.requests.clear()
    again = WebsiteConnector(location, name="w", delay_seconds=0, state=connector.state())
    assert _listing(again, site.base) == first
    assert (again.skipped, again.scope) == ([], f"{site.base}/stadt/")
    assert "/stadt/buergerservice/bauantrag.html" not in site.paths()

    # the packed sitemap as the location, served as application/x-gzip
    packed = site.pages["/stadt/sitemap-seiten.xml.gz"][1]
    site.pages["/stadt/sitemap-seiten.xml.gz"] = ("application/x-gzip", packed)
    location = f"{site.base}/stadt/sitemap-seiten.xml.gz"
    connector = WebsiteConnector(location, name="w", delay_seconds=0)
    assert "sitemap with 5 URLs" in connector.check()
    assert set(_listing(connector, site.base)) == SITEMAP_DOCS
    assert (connector.skipped, connector.scope) == ([], f"{site.base}/stadt/")


def test_corrupt_or_oversized_gzipped_sitemap_withdraws_the_claim(site: WebsiteServer) -> None:
    pages = (FIXTURES / "stadt" / "sitemap-seiten.xml").read_text("utf-8")
    site.set_page("/stadt/sitemap-seiten.xml.gz", pages)
    packed = site.pages["/stadt/sitemap-seiten.xml.gz"][1]
    site.pages["/stadt/sitemap-kaputt.xml.gz"] = ("application/gzip", packed[: len(packed) // 2])
    bomb = _urlset().replace("</urlset>", " " * 64 * 2**20 + "</urlset>")  # 64 MB from 64 kB
    site.set_page("/stadt/sitemap-bombe.xml.gz", bomb)
    maps = ("sitemap-kaputt.xml.gz", "sitemap-seiten.xml.gz", "sitemap-bombe.xml.gz")
    site.set_page("/stadt/sitemap.xml", _sitemap_index(*(f"/stadt/{name}" for name in maps)))
    location = f"{site.base}/stadt/sitemap.xml"
    connector = WebsiteConnector(location, name="w", delay_seconds=0, max_bytes=2**20)
    tracemalloc.start()
    try:
        assert set(_listing(connector, site.base)) == SITEMAP_DOCS  # the readable one counts
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # the bomb was not unpacked beyond the limit
    skipped = [(s["uri"].removeprefix(site.base), s["reason"]) for s in connector.skipped]
    assert skipped == [
        ("/stadt/sitemap-kaputt.xml.gz", "sitemap"),
        ("/stadt/sitemap-bombe.xml.gz", "sitemap"),
    ]
    assert connector.skipped[0]["error"].startswith("corrupt gzip file")
    assert connector.skipped[1]["error"] == "larger than 1 MB unpacked"
    assert connector.scope is None  # pages listed only there must not be deleted

    # a corrupt packed sitemap as the location: nothing listed, nothing claimed
    broken = WebsiteConnector(f"{site.base}/stadt/sitemap-kaputt.xml.gz", name="w", delay_seconds=0)
    assert list(broken.list()) == []
    assert [s["reason"] for s in broken.skipped] == ["sitemap"]
    assert broken.scope is None


def test_crawl_starts_from_the_sitemaps_robots_txt_names(site: WebsiteServer) -> None:
    # robots.txt names the sitemap index of the fixtures and, here, three more
    robots = (FIXTURES / "robots.txt").read_text("utf-8") + (
        "Sitemap: {{BASE}}/sitemap-extra.xml.gz\n"
        "Sitemap: {{BASE}}/sitemap-alt.xml\n"  # a stale line: 404
        "Sitemap: {{OTHER}}/sitemap-fremd.xml\n"  # another host: never asked
    )
    site.set_page("/robots.txt", robots)
    site.set_page("/stadt/buergerservice/sperrmuell.html", _page("Sperrmüll anmelden"))
    site.set_page("/sitemap-extra.xml.gz", _urlset(
        ("{{BASE}}/stadt/buergerservice/sperrmuell.html", "2025-03-01"),  # no link leads there
        ("{{BASE}}/presse/archiv.html", None),  # outside the allowed prefixes
        ("{{OTHER}}/stadt/buergerservice/wohngeld.html", None),  # another host
    ))  # fmt: skip
    location = f"{site.base}/stadt/index.html"
    connector = WebsiteConnector(location, name="w", delay_seconds=0, retries=0)
    first = _listing(connector, site.base)
    assert set(first) == PAGES | FILES | {"/stadt/buergerservice/sperrmuell.html"}
    assert not site.paths() & (NEVER | {"/presse/archiv.html", "/sitemap-fremd.xml"})
    assert {r.host for r in site.requests} == {f"127.0.0.1:{site.port}"}
    # the sitemap that is gone is reported; the listing is complete all the same
    assert connector.skipped == [
        {"uri": f"{site.base}/sitemap-alt.xml", "reason": "sitemap", "error": "HTTP 404"}
    ]
    assert connector.scope == f"{site.base}/stadt/"

    # second crawl: the page only the sitemap lists is asked again, conditionally (its
    # lastmod is not trusted in a crawl), and stays as it was
    site.requests.clear()
    again = WebsiteConnector(
        location, name="w", delay_seconds=0, retries=0, state=connector.state()
    )
    assert _listing(again, site.base) == first
    asked = [r.status for r in site.requests if r.path == "/stadt/buergerservice/sperrmuell.html"]
    assert asked == [304]
    assert again.scope == f"{site.base}/stadt/"

    # the sitemap fails: the crawl goes on and says so, and claims no complete listing, so
    # the page it alone lists is not deleted
    site.status["/sitemap-extra.xml.gz"] = [503]
    third = WebsiteConnector(location, name="w", delay_seconds=0, retries=0, state=again.state())
    assert set(_listing(third, site.base)) == PAGES | FILES
    assert [(s["uri"].removeprefix(site.base), s["error"]) for s in third.skipped] == [
        ("/sitemap-extra.xml.gz", "HTTP 503"),
        ("/sitemap-alt.xml", "HTTP 404"),
    ]
    assert third.scope is None


def test_canonical_url_makes_one_document(site: WebsiteServer) -> None:
    folder = "/stadt/themen/"
    wohngeld = ['<a href="wohngeld.html?sessionid=1">W</a>', '<a href="wohngeld.html">W</a>']
    others = (
        '<a href="abfall.html">Abfall</a> <a href="abfall.html?druck=1">Drucken</a> '
        '<a href="parken.html?sessionid=2">Parken</a> <a href="fundbuero.html?sessionid=3">Fund</a>'
    )
    site.set_page(f"{folder}index.html", _page("Themen", links="".join(wohngeld) + others))
    site.set_page(f"{folder}wohngeld.html", _page("Wohngeld", "wohngeld.html"))
    site.set_page(f"{folder}abfall.html", _page("Abfall", "{{BASE}}/stadt/themen/abfall.html"))
    # canonical URLs on another host, or outside the allowed prefixes, are ignored
    site.set_page(f"{folder}parken.html", _page("Parken", "{{OTHER}}/stadt/themen/parken.html"))
    site.set_page(f"{folder}fundbuero.html", _page("Fundbüro", "{{BASE}}/stadt/fundbuero.html"))
    location = f"{site.base}{folder}index.html"
    connector = WebsiteConnector(location, name="w", delay_seconds=0)
    refs = list(connector.list())
    first = {ref.uri.removeprefix(site.base): ref.version for ref in refs}
    assert set(first) == {
        f"{folder}index.html",
        f"{folder}wohngeld.html",  # reached as ?sessionid=1 first: listed as its canonical URL
        f"{folder}abfall.html",  # reached as itself first: ?druck=1 is the same page
        f"{folder}parken.html?sessionid=2",
        f"{folder}fundbuero.html?sessionid=3",
    }
    assert site.full_gets(f"{folder}wohngeld.html") == 1  # not asked again without the id
    assert (connector.skipped, connector.scope) == ([], f"{site.base}{folder}")
    ref = next(ref for ref in refs if ref.uri.endswith("wohngeld.html"))
    document = connector.fetch(ref)
    assert (document.uri, document.filename) == (ref.uri, "wohngeld.html")
    assert document.metadata["title"] == "Wohngeld"

    # a second crawl: every page answers 304, the same documents, the same state
    state = connector.state()
    pages = {path for path in site.paths() if path.startswith(folder)}
    before = {path: site.full_gets(path) for path in pages}
    again = WebsiteConnector(location, name="w", delay_seconds=0, state=state)
    assert _listing(again, site.base) == first
    assert again.state() == state
    assert {path: site.full_gets(path) for path in pages} == before

    # the links now reach the page without the session id first: still the one document
    site.set_page(f"{folder}index.html", _page("Themen", links="".join(wohngeld[::-1]) + others))
    third = WebsiteConnector(location, name="w", delay_seconds=0, state=again.state())
    listed = _listing(third, site.base)
    del listed[f"{folder}index.html"], first[f"{folder}index.html"]  # changed, of course
    assert listed == first


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
    fetched = [r for r in site.requests if r.path != "/robots.txt" and "sitemap" not in r.path]
    assert len(fetched) == 2


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
        with pytest.raises(SourceUnavailable, match="does not allow"):
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
