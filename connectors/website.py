"""Pages and linked documents of a website, crawled politely and incrementally.

The location is a start page (crawled breadth-first along its links) or a sitemap
(``<urlset>`` or ``<sitemapindex>``, plain or gzipped like ``sitemap.xml.gz``; its pages'
linked PDFs and DOCX files are taken too). A crawl also starts from the pages listed by
the sitemaps on the host that robots.txt names (``Sitemap:``), so pages no link leads to
are found as well (their ``lastmod`` is not trusted there: every page gets its
conditional GET). Only pages and
files under the allowed prefixes are fetched (default: the folder of the location;
sitemaps may be anywhere on the host), the host is never left, robots.txt is obeyed, and
requests to the host are spaced by ``delay_seconds`` (or the site's ``Crawl-delay``, if
longer). A sitemap is read up to ``max_bytes``, unpacked (by default 50 MB, the limit of
the sitemap protocol), so a gzip bomb is never unpacked further.

A page becomes its main content as HTML (:mod:`connectors.html_content`) with title and
date; PDF, DOCX and ODT files under the allowed prefixes become documents of their own.
A page naming another URL under the allowed prefixes as canonical (``<link
rel="canonical">``) is listed under that URL, once however it was reached: ``/a?sid=1``
and ``/a`` are one document. A canonical URL on another host or outside the prefixes is
ignored.

Incremental: the state keeps, per URL fetched, the ETag, Last-Modified, the sitemap's
``lastmod``, a hash of the document, the links of the page and its canonical URL. A
second crawl sends conditional GETs; a 304 (or an unchanged ``lastmod``) yields the URL
(its canonical URL, if it has one) with its previous version, so it is not fetched again,
and the crawl continues along the remembered links. The listing is complete
(:attr:`WebsiteConnector.scope`): pages that answer 404/410, are no longer linked or
listed, or are now forbidden by robots.txt are deleted, unless the crawl stopped at
``max_pages`` or a sitemap could not be read (an error, not XML, a corrupt gzip): then
:attr:`WebsiteConnector.scope` withdraws the claim and nothing is deleted, since pages
only that sitemap lists would be deleted now and added again by the next sync. A
sitemap named in robots.txt that is gone (404/410) lists nothing and withdraws nothing: a
stale ``Sitemap:`` line would otherwise stop all deletions for good. A page that fails
for a while (5xx, timeout) is kept as it was. Sitemaps and pages that could not be read
are reported in :attr:`WebsiteConnector.skipped`.
"""

from __future__ import annotations

import builtins
import dataclasses
import gzip
import hashlib
import io
import posixpath
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from connectors.base import Connector, Listing, SourceDocument, SourceRef
from connectors.html_content import normalise_url, read_page
from connectors.http_fetch import (
    DEFAULT_USER_AGENT,
    FetchResult,
    HttpFetcher,
    RobotsPolicy,
    http_date_to_iso,
)

STATE_VERSION = 1
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FILE_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
_FILE_SUFFIXES = (".pdf", ".docx", ".odt")
_SKIPPED_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".bmp", ".tif", ".tiff",
    ".css", ".js", ".json", ".ics", ".vcf", ".zip", ".gz", ".tar", ".7z", ".rar",
    ".mp3", ".mp4", ".m4a", ".avi", ".mov", ".wav", ".webm", ".ogg",
    ".xls", ".xlsx", ".ppt", ".pptx", ".doc", ".exe", ".dmg", ".woff", ".woff2", ".ttf",
)  # fmt: skip
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_MAX_SITEMAPS = 50
_GZIP_TYPES = {"application/gzip", "application/x-gzip"}


@dataclass(slots=True)
class _Visit:
    """What visiting one URL gave: a reference to yield (or none) and links to follow."""

    ref: SourceRef | None
    links: list[str]


def _accepted(content_type: str) -> bool:
    return content_type in _HTML_TYPES or content_type in _FILE_TYPES or not content_type


def _filename(url: str, suffix: str) -> str:
    """``…/bauantrag`` → ``bauantrag.html``; ``…/`` → ``index.html``; a file keeps its name."""
    name = posixpath.basename(unquote(urlsplit(url).path)) or "index"
    if name.lower().endswith(suffix):
        return name
    stem = name.rsplit(".", 1)[0] if suffix == ".html" and "." in name else name
    return f"{stem}{suffix}"


def _hash(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _is_gzip(result: FetchResult) -> bool:
    """Whether the body is a gzip file (``sitemap.xml.gz``); ``Content-Encoding: gzip`` is
    already undone by the HTTP client."""
    return result.content_type in _GZIP_TYPES or result.content.startswith(b"\x1f\x8b")


def _sitemap_xml(result: FetchResult, limit: int) -> bytes:
    """:returns: the XML of a sitemap, unpacked if it is gzipped.

    :raises ValueError: for a corrupt gzip file or one unpacking to more than ``limit``
        bytes (a gzip bomb: it is never unpacked further than that).
    """
    if not _is_gzip(result):
        return result.content
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(result.content)) as packed:
            xml = packed.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        msg = f"corrupt gzip file ({exc})"
        raise ValueError(msg) from exc
    if len(xml) > limit:
        msg = f"larger than {limit / 2**20:.0f} MB unpacked"
        raise ValueError(msg)
    return xml


class WebsiteConnector(Connector):
    """Lists and fetches the pages and documents of a website.

    :param location: start page or sitemap URL (http or https).
    :param name: the source name.
    :param allowed_prefixes: URL prefixes that may be fetched (default: the location's
        folder, e.g. ``https://www.stadt.de/buergerservice/``); all on the location's host.
    :param max_pages: stop after visiting this many URLs.
    :param max_depth: follow links at most this many steps from the start page.
    :param delay_seconds: least time between two requests to the host.
    :param user_agent: sent with every request (robots.txt rules are matched against it).
    :param respect_robots: obey robots.txt (switch off only for a site of your own).
    :param state: what the last successful sync left (:meth:`state`).
    :param timeout: seconds per request.
    :param retries: retries after a 429/5xx answer or a network error.
    :param retry_backoff: seconds before the first retry, doubled each time.
    :param max_bytes: files larger than this are skipped, sitemaps larger than this
        (unpacked) are not read.
    :raises ValueError: for a location that is not an http(s) URL, or a prefix on another
        host.
    """

    def __init__(
        self,
        location: str,
        *,
        name: str,
        allowed_prefixes: Sequence[str] = (),
        max_pages: int = 1000,
        max_depth: int = 10,
        delay_seconds: float = 1.0,
        user_agent: str = DEFAULT_USER_AGENT,
        respect_robots: bool = True,
        state: dict[str, Any] | None = None,
        timeout: float = 20.0,
        retries: int = 2,
        retry_backoff: float = 1.0,
        max_bytes: int = 50 * 2**20,
    ) -> None:
        parts = urlsplit(location.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = f"Website location {location!r} must be an http(s) URL"
            raise ValueError(msg)
        if max_pages < 1 or max_depth < 0:
            msg = "max_pages must be at least 1 and max_depth at least 0"
            raise ValueError(msg)
        self.name = name
        self.location = normalise_url(location)
        self.host = urlsplit(self.location).netloc
        folder = self.location.rsplit("/", 1)[0] + "/"
        self.prefixes = [normalise_url(prefix) for prefix in allowed_prefixes] or [folder]
        for prefix in self.prefixes:
            if urlsplit(prefix).netloc != self.host or urlsplit(prefix).scheme != parts.scheme:
                msg = f"Allowed prefix {prefix} is not on {parts.scheme}://{self.host}"
                raise ValueError(msg)
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.respect_robots = respect_robots
        self.fetcher = HttpFetcher(
            user_agent=user_agent,
            delay_seconds=delay_seconds,
            timeout=timeout,
            retries=retries,
            retry_backoff=retry_backoff,
            max_bytes=max_bytes,
        )
        self.robots = RobotsPolicy(self.fetcher)
        previous = state or {}
        self._previous: dict[str, dict[str, Any]] = (
            dict(previous.get("urls", {})) if previous.get("version") == STATE_VERSION else {}
        )
        self._next: dict[str, dict[str, Any]] | None = None
        self._current: SourceDocument | None = None
        self._listed: set[str] = set()
        self._complete = True
        self.skipped: list[dict[str, str]] = []

    # -- the seam ----------------------------------------------------------------------

    @property
    def scope(self) -> str | None:
        """:returns: the longest prefix common to the allowed prefixes: the crawl lists
        everything of the source under it; ``None`` after a listing that stopped at
        ``max_pages`` or missed a sitemap (then nothing is deleted for being unlisted)."""
        if not self._complete:
            return None
        common = self.prefixes[0]
        for prefix in self.prefixes[1:]:
            while not prefix.startswith(common):
                common = common[:-1]
        return common[: common.rfind("/") + 1]

    def listing(self) -> Listing:
        """:returns: the scope (``None`` after an incomplete crawl) and skipped pages."""
        return Listing(scope=self.scope, skipped=tuple(self.skipped))

    def state(self) -> dict[str, Any]:
        """:returns: validators, versions and links per URL for the next sync."""
        urls = self._next if self._next is not None else self._previous
        return {"version": STATE_VERSION, "urls": urls}

    def list(self) -> Iterator[SourceRef]:
        """:returns: every page and document of the site under the allowed prefixes.

        :raises OSError: when robots.txt, the start page or the sitemap location cannot
            be fetched (then nothing is deleted).
        """
        self._next = {}
        self._listed = set()
        self._complete = True
        self.skipped = []
        if self.respect_robots:
            if not self.robots.allowed(self.location):
                msg = f"robots.txt of {self.host} does not allow fetching {self.location}"
                raise OSError(msg)
            delay = self.robots.crawl_delay(self.location)
            if delay is not None and delay > self.fetcher.delay_seconds:
                self.fetcher.delay_seconds = delay
        previous = self._previous.get(self.location) or {}
        start = self.fetcher.get(
            self.location,
            etag=previous.get("etag"),
            last_modified=previous.get("last_modified"),
            allowed=self.allowed,
            accept=lambda _type: True,
        )
        if start.status == 304 and previous:
            yield from self._crawl(start, previous)
            return
        if start.status != 200 or start.refused:
            msg = f"{self.location} answered HTTP {start.status} {start.refused or ''}".strip()
            raise OSError(msg)
        if self._is_sitemap(start):
            yield from self._from_sitemap(start)
        else:
            yield from self._crawl(start, previous)

    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the page's main content as HTML, or the file, with metadata.

        :raises FileNotFoundError: when the site answers 404 or 410 for it.
        :raises OSError: when it cannot be fetched.
        """
        current = self._current
        if current is not None and current.uri == ref.uri:
            self._current = None
            return current
        # not fetched while listing (unchanged at the site, but the index needs it)
        result = self.fetcher.get(ref.uri, allowed=self.allowed, accept=_accepted)
        if result.status in (404, 410):
            msg = f"{ref.uri} answered HTTP {result.status}: the page is gone"
            raise FileNotFoundError(msg)
        if result.status != 200 or result.refused:
            msg = f"{ref.uri} answered HTTP {result.status} {result.refused or ''}".strip()
            raise OSError(msg)
        document, _links, _canonical = self._document(ref.uri, result)
        if document is None:
            msg = f"{ref.uri} has no content to index"
            raise OSError(msg)
        return document

    def check(self) -> str:
        """Read robots.txt and the location, without crawling.

        :returns: e.g. ``robots.txt read; start page „Stadt Lindenbrück“ with 12 links
            under https://…/``.
        :raises OSError: when the site cannot be reached or forbids the location.
        :raises ValueError: when the location is neither a web page nor a sitemap.
        """
        parts: list[str] = []
        if self.respect_robots:
            parts.append(self.robots.describe(self.location))
            if not self.robots.allowed(self.location):
                msg = f"robots.txt of {self.host} does not allow fetching {self.location}"
                raise OSError(msg)
        result = self.fetcher.get(self.location, allowed=self.allowed, accept=lambda _type: True)
        if result.status != 200:
            msg = f"{self.location} answered HTTP {result.status}"
            raise OSError(msg)
        prefixes = ", ".join(self.prefixes)
        if self._is_sitemap(result):
            count = len(self._sitemap_entries([result]))
            parts.append(f"sitemap with {count} URLs under {prefixes}")
        elif result.content_type in _HTML_TYPES:
            page = read_page(result.content, result.url, charset=result.charset)
            links = [link for link in page.links if self.allowed(link)]
            parts.append(f"start page „{page.title}“ with {len(links)} links under {prefixes}")
        else:
            msg = f"{self.location} is neither a web page nor a sitemap ({result.content_type})"
            raise ValueError(msg)
        return "; ".join(parts)

    # -- rules -------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """:returns: whether ``url`` is under an allowed prefix (so on the host)."""
        url = normalise_url(url)
        return any(url.startswith(prefix) for prefix in self.prefixes)

    def _wanted(self, url: str) -> bool:
        path = urlsplit(url).path.lower()
        if path.endswith(_SKIPPED_SUFFIXES) or not self.allowed(url):
            return False
        return not self.respect_robots or self.robots.allowed(url)

    # -- listing -----------------------------------------------------------------------

    def _crawl(self, start: FetchResult, previous: dict[str, Any]) -> Iterator[SourceRef]:
        # seeds only: a crawl asks every page (conditional GET, cheap) rather than trust a
        # sitemap's lastmod, which a CMS does not always move when a page changes or goes
        seeds = self._robots_sitemap_entries()
        first = self._from_result(self.location, start, previous)
        if first.ref is not None:
            yield first.ref
        queued = {self.location, normalise_url(start.url)}
        # the sitemaps' pages are seeds like the start page; its links come one step later
        queue: deque[tuple[str, int]] = deque((url, 0) for url in seeds if url not in queued)
        queued.update(seeds)
        queue.extend((link, 1) for link in first.links if link not in queued)
        queued.update(first.links)
        visits = 1
        while queue:
            url, depth = queue.popleft()
            if url in self._listed or not self._wanted(url):
                continue
            if visits >= self.max_pages:
                self._limit_reached()
                return
            visits += 1
            visit = self._visit(url)
            if visit.ref is not None:
                yield visit.ref
            if depth < self.max_depth:
                for link in visit.links:
                    if link not in queued:
                        queued.add(link)
                        queue.append((link, depth + 1))

    def _robots_sitemap_entries(self) -> dict[str, str | None]:
        """URL → ``lastmod`` of the sitemaps robots.txt names on the host (none when
        robots.txt is not read, with ``respect_robots`` off)."""
        if not self.respect_robots:
            return {}
        named = (
            normalise_url(urljoin(self.location, u)) for u in self.robots.sitemaps(self.location)
        )
        on_host = [url for url in dict.fromkeys(named) if urlsplit(url).netloc == self.host]
        sitemaps: builtins.list[FetchResult] = []
        for url in on_host[:_MAX_SITEMAPS]:
            result = self._get_sitemap(url, gone_is_empty=True)
            if result is not None:
                sitemaps.append(result)
        return self._sitemap_entries(sitemaps)

    def _from_sitemap(self, sitemap: FetchResult) -> Iterator[SourceRef]:
        files: dict[str, None] = {}
        visits = 0
        for url, lastmod in self._sitemap_entries([sitemap]).items():
            if not self._wanted(url):
                continue
            if visits >= self.max_pages:
                self._limit_reached()
                return
            visits += 1
            visit = self._visit(url, lastmod)
            if visit.ref is not None:
                yield visit.ref
            files.update((link, None) for link in visit.links if _is_file(link))
        for url in files:
            if url in self._listed or not self._wanted(url):
                continue
            if visits >= self.max_pages:
                self._limit_reached()
                return
            visits += 1
            visit = self._visit(url)
            if visit.ref is not None:
                yield visit.ref

    def _limit_reached(self) -> None:
        self._complete = False
        self.skipped.append(
            {
                "uri": self.location,
                "reason": "limit",
                "error": f"Crawl stopped after max_pages={self.max_pages} URLs",
            }
        )

    @staticmethod
    def _is_sitemap(result: FetchResult) -> bool:
        if _is_gzip(result):  # only a sitemap is taken packed (if unreadable, it is reported)
            return True
        head = result.content[:512].lstrip()
        return (
            result.content_type in ("application/xml", "text/xml")
            or head.startswith(b"<?xml")
            or head.startswith((b"<urlset", b"<sitemapindex"))
        ) and (b"<urlset" in result.content[:2048] or b"<sitemapindex" in result.content[:2048])

    def _sitemap_failed(self, url: str, error: str, *, complete: bool = False) -> None:
        """Report a sitemap that cannot be read; unless ``complete``, the listing is not."""
        self._complete = self._complete and complete
        self.skipped.append({"uri": url, "reason": "sitemap", "error": error})

    def _get_sitemap(self, url: str, *, gone_is_empty: bool = False) -> FetchResult | None:
        """:returns: the answer of the sitemap at ``url``, or ``None`` when it cannot be
        fetched (reported; a sitemap that is gone keeps the listing complete with
        ``gone_is_empty``)."""
        try:
            result = self.fetcher.get(url, accept=lambda _type: True)
        except OSError as exc:
            self._sitemap_failed(url, str(exc))
            return None
        if result.status != 200 or result.refused:
            gone = gone_is_empty and result.status in (404, 410)
            self._sitemap_failed(url, result.refused or f"HTTP {result.status}", complete=gone)
            return None
        return result

    def _sitemap_entries(self, sitemaps: Iterable[FetchResult]) -> dict[str, str | None]:
        """URL → ``lastmod`` of sitemaps, following sitemap indexes (on the host only)."""
        entries: dict[str, str | None] = {}
        pending: deque[FetchResult] = deque(sitemaps)
        fetched = {normalise_url(sitemap.url) for sitemap in pending}
        while pending:
            current = pending.popleft()
            try:
                root = etree.fromstring(
                    _sitemap_xml(current, self.fetcher.max_bytes),
                    etree.XMLParser(resolve_entities=False, no_network=True),
                )
            except (ValueError, etree.XMLSyntaxError) as exc:
                self._sitemap_failed(current.url, str(exc))
                continue
            for item in root:
                loc = (item.findtext(f"{_SITEMAP_NS}loc") or item.findtext("loc") or "").strip()
                if not loc:
                    continue
                lastmod = item.findtext(f"{_SITEMAP_NS}lastmod") or item.findtext("lastmod")
                url = normalise_url(loc)
                if root.tag.endswith("sitemapindex"):
                    on_host = urlsplit(url).netloc == self.host
                    if on_host and url not in fetched and len(fetched) < _MAX_SITEMAPS:
                        fetched.add(url)
                        result = self._get_sitemap(url)
                        if result is not None:
                            pending.append(result)
                else:
                    entries[url] = lastmod.strip() if lastmod else None
        return entries

    # -- one URL -----------------------------------------------------------------------

    def _keep(self, url: str, previous: dict[str, Any], **changes: Any) -> _Visit:
        """The URL is as it was: yield its previous version (under its canonical URL),
        follow its previous links."""
        assert self._next is not None
        self._next[url] = {**previous, **changes}
        uri = self._canonical(url, previous.get("canonical"))
        # a page not to index (noindex), or one already listed: its links only
        if previous.get("version") is None or uri in self._listed:
            return _Visit(None, list(previous.get("links", [])))
        self._listed.add(uri)
        return _Visit(SourceRef(uri=uri, version=previous["version"]), list(previous["links"]))

    def _canonical(self, url: str, canonical: str | None) -> str:
        """:returns: the URL the page at ``url`` is listed under: its canonical URL if
        that is under the allowed prefixes (and robots.txt allows it), else ``url``."""
        return canonical if canonical and self._wanted(canonical) else url

    def _visit(self, url: str, lastmod: str | None = None) -> _Visit:
        if url in self._listed:
            return _Visit(None, [])
        previous = self._previous.get(url)
        if previous is not None and lastmod and previous.get("lastmod") == lastmod:
            return self._keep(url, previous)
        try:
            result = self.fetcher.get(
                url,
                etag=previous.get("etag") if previous else None,
                last_modified=previous.get("last_modified") if previous else None,
                allowed=self.allowed,
                accept=_accepted,
            )
        except OSError as exc:
            return self._failed(url, previous, "unreachable", str(exc))
        return self._from_result(url, result, previous or {}, lastmod)

    def _failed(self, url: str, previous: dict[str, Any] | None, reason: str, error: str) -> _Visit:
        self.skipped.append({"uri": url, "reason": reason, "error": error})
        if previous is not None:  # keep what was indexed until the site answers again
            return self._keep(url, previous)
        return _Visit(None, [])

    def _from_result(
        self,
        url: str,
        result: FetchResult,
        previous: dict[str, Any],
        lastmod: str | None = None,
    ) -> _Visit:
        if result.status == 304 and previous:
            return self._keep(url, previous, lastmod=lastmod)
        if result.status in (404, 410) or 300 <= result.status < 400:
            return _Visit(None, [])  # gone, or moved off the allowed prefixes
        if result.status >= 500 or result.status == 429:
            return self._failed(url, previous or None, "server error", f"HTTP {result.status}")
        if result.status != 200:
            self.skipped.append({"uri": url, "reason": "refused", "error": f"HTTP {result.status}"})
            return _Visit(None, [])
        if result.refused:
            if result.content_type in _HTML_TYPES or result.content_type in _FILE_TYPES:
                self.skipped.append({"uri": url, "reason": "too large", "error": result.refused})
            return _Visit(None, [])
        final = normalise_url(result.url)
        if final in self._listed or not self.allowed(final):
            return _Visit(None, [])
        try:
            document, links, canonical = self._document(final, result)
        except ValueError as exc:
            self.skipped.append({"uri": final, "reason": "unreadable", "error": str(exc)})
            return _Visit(None, [])
        uri = self._canonical(final, canonical)
        assert self._next is not None
        self._next[final] = {
            "etag": result.headers.get("etag"),
            "last_modified": result.headers.get("last-modified"),
            "lastmod": lastmod,
            "version": _hash(document.content) if document else None,
            "links": links,
            "canonical": uri if uri != final else None,
        }
        # noindex, no text, or the same page as one listed: its links count all the same
        if document is None or uri in self._listed:
            return _Visit(None, links)
        if uri != final:
            document = dataclasses.replace(document, uri=uri, filename=_filename(uri, ".html"))
        self._listed.add(uri)
        self._current = document
        ref = SourceRef(uri=uri, size=len(document.content), version=_hash(document.content))
        return _Visit(ref, links)

    def _document(
        self, url: str, result: FetchResult
    ) -> tuple[SourceDocument | None, builtins.list[str], str | None]:
        """The document of a 200 answer (``None`` for a page not to index), its links and
        the canonical URL it names (``None`` for none, and for a file).

        :raises ValueError: when a page is not readable HTML.
        """
        content_type = result.content_type
        suffix = _FILE_TYPES.get(content_type)
        if suffix is None and content_type not in _HTML_TYPES:
            path = urlsplit(url).path.lower()
            suffix = next((s for s in _FILE_SUFFIXES if path.endswith(s)), None)
            if suffix is None and content_type:
                return None, [], None
        if suffix is not None:
            return (
                SourceDocument(uri=url, filename=_filename(url, suffix), content=result.content),
                [],
                None,
            )
        page = read_page(result.content, url, charset=result.charset)
        links = [link for link in page.links if self.allowed(link)]
        if page.noindex or not page.html:
            return None, links, page.canonical
        metadata: dict[str, Any] = {}
        if page.title:
            metadata["title"] = page.title
        date = page.date or http_date_to_iso(result.headers.get("last-modified"))
        if date:
            metadata["date"] = date
        document = SourceDocument(
            uri=url, filename=_filename(url, ".html"), content=page.html, metadata=metadata
        )
        return document, links, page.canonical


def _is_file(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_FILE_SUFFIXES)
