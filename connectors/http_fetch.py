"""Polite HTTP for crawling: one user agent, a pause between requests per host, timeouts,
retries on server errors, conditional GETs, redirects checked hop by hop, robots.txt
(its rules, ``Crawl-delay`` and ``Sitemap:`` lines)."""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

DEFAULT_USER_AGENT = (
    "Auskunft/0.1 (Suchdienst einer Stadtverwaltung; beachtet robots.txt) python-httpx"
)
"""Names the service, so a site's admin can tell what is crawling and address it in
robots.txt (``User-agent: Auskunft``)."""

_RETRIED = {429, 500, 502, 503, 504}
_REDIRECTS = {301, 302, 303, 307, 308}
_MAX_REDIRECTS = 5
_MAX_RETRY_AFTER = 60.0
_CHUNK = 64 * 1024


@dataclass(slots=True)
class FetchResult:
    """What a GET returned.

    :param url: the URL finally answered (after allowed redirects).
    :param status: HTTP status (304 for "not modified", a 3xx whose target was not
        allowed, 4xx/5xx after retries).
    :param headers: response headers.
    :param content: the body; empty for 304, for a refused content type and for a body
        over the size limit.
    :param refused: why the body was not read (``"content type text/css"``,
        ``"larger than 50 MB"``), else ``None``.
    """

    url: str
    status: int
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    content: bytes = b""
    refused: str | None = None

    @property
    def content_type(self) -> str:
        """:returns: the media type without parameters, lower case (``text/html``)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """:returns: the charset named in ``Content-Type``, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class HttpFetcher:
    """GETs with a pause between requests to the same host and retries on server errors.

    :param user_agent: sent with every request.
    :param delay_seconds: least time between the starts of two requests to one host.
    :param timeout: seconds to connect and between bytes read.
    :param retries: further attempts after a 429/5xx answer or a network error.
    :param retry_backoff: seconds before the first retry, doubled each time (a
        ``Retry-After`` of the server wins, up to a minute).
    :param max_bytes: bodies larger than this are not read.
    :param transport: an httpx transport (for tests; default: the network).
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        delay_seconds: float = 1.0,
        timeout: float = 20.0,
        retries: int = 2,
        retry_backoff: float = 1.0,
        max_bytes: int = 50 * 2**20,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if delay_seconds < 0 or timeout <= 0 or retries < 0 or retry_backoff < 0:
            msg = "delay_seconds, retries and retry_backoff must be >= 0, timeout > 0"
            raise ValueError(msg)
        self.user_agent = user_agent
        self.delay_seconds = delay_seconds
        self.timeout = timeout
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.max_bytes = max_bytes
        self._transport = transport
        self._client: httpx.Client | None = None
        self._last_request: dict[str, float] = {}
        self.requests = 0
        """Requests sent so far (every attempt and redirect hop)."""

    @property
    def client(self) -> httpx.Client:
        """:returns: the HTTP client, created on first use."""
        if self._client is None:
            self._client = httpx.Client(
                headers={"User-Agent": self.user_agent},
                timeout=self.timeout,
                follow_redirects=False,
                transport=self._transport,
            )
        return self._client

    def close(self) -> None:
        """Close the connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _wait_for(self, url: str) -> None:
        """Sleep until ``delay_seconds`` have passed since the last answer from the host."""
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            pause = last + self.delay_seconds - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def _retry_pause(self, response: httpx.Response | None, attempt: int) -> float:
        pause = self.retry_backoff * 2**attempt
        after = response.headers.get("retry-after", "") if response is not None else ""
        if after.strip().isdigit():
            pause = max(pause, min(float(after), _MAX_RETRY_AFTER))
        return pause

    def _once(
        self, url: str, headers: dict[str, str], accept: Callable[[str], bool] | None
    ) -> FetchResult:
        """One request (with retries), the body read unless refused."""
        attempt = 0
        while True:
            self._wait_for(url)
            self.requests += 1
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _RETRIED and attempt < self.retries:
                        pause = self._retry_pause(response, attempt)
                    else:
                        return self._read(url, response, accept)
            except httpx.HTTPError as exc:
                if attempt >= self.retries:
                    msg = f"{url}: {type(exc).__name__}: {exc}"
                    raise OSError(msg) from exc
                pause = self._retry_pause(None, attempt)
            finally:  # the pause runs from the end of an answer: a slow host gets more rest
                self._last_request[urlsplit(url).netloc.lower()] = time.monotonic()
            attempt += 1
            time.sleep(pause)

    def _read(
        self, url: str, response: httpx.Response, accept: Callable[[str], bool] | None
    ) -> FetchResult:
        result = FetchResult(url=url, status=response.status_code, headers=response.headers)
        if response.status_code != 200:
            return result
        if accept is not None and not accept(result.content_type):
            result.refused = f"content type {result.content_type or 'unknown'}"
            return result
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            result.refused = f"larger than {self.max_bytes / 2**20:.0f} MB"
            return result
        body = bytearray()
        for chunk in response.iter_bytes(_CHUNK):
            body.extend(chunk)
            if len(body) > self.max_bytes:
                result.refused = f"larger than {self.max_bytes / 2**20:.0f} MB"
                return result
        result.content = bytes(body)
        return result

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allowed: Callable[[str], bool] | None = None,
        accept: Callable[[str], bool] | None = None,
    ) -> FetchResult:
        """GET ``url``, conditionally when a validator is given.

        :param url: absolute http(s) URL.
        :param etag: sent as ``If-None-Match``.
        :param last_modified: sent as ``If-Modified-Since``.
        :param allowed: whether a redirect target may be followed; a redirect elsewhere is
            returned as it is (status 3xx). Default: any target on the same host.
        :param accept: whether to read a body of this content type.
        :returns: the answer; 304 when the validators still match.
        :raises OSError: when the server cannot be reached after the retries.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).netloc.lower()
        may_follow = allowed or (lambda target: urlsplit(target).netloc.lower() == host)
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            result = self._once(current, headers, accept)
            location = result.headers.get("location")
            if result.status not in _REDIRECTS or not location:
                return result
            target = urljoin(current, location).split("#", 1)[0]
            if not may_follow(target):
                return result
            current = target
        return result


def http_date_to_iso(value: str | None) -> str | None:
    """:returns: the ISO date of an HTTP date (``Last-Modified``), or ``None``."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


class RobotsPolicy:
    """robots.txt of the hosts a crawl visits (RFC 9309), read once per host.

    A missing robots.txt (4xx) allows everything; one the server cannot deliver (5xx,
    network error) forbids crawling the host, as the RFC asks.

    :param fetcher: the fetcher (its user agent is matched against the rules).
    """

    def __init__(self, fetcher: HttpFetcher) -> None:
        self.fetcher = fetcher
        self._parsers: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._missing: set[str] = set()

    def _parser(self, url: str) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        parser = self._parsers.get(origin)
        if parser is not None:
            return parser
        robots_url = f"{origin}/robots.txt"
        result = self.fetcher.get(robots_url, accept=lambda _type: True)
        parser = urllib.robotparser.RobotFileParser(robots_url)
        if result.status == 200:
            parser.parse(result.content.decode("utf-8", "replace").splitlines())
        elif 400 <= result.status < 500:
            parser.parse([])  # no rules: everything allowed
            self._missing.add(origin)
        else:
            msg = f"{robots_url} cannot be read (HTTP {result.status}); not crawling {origin}"
            raise OSError(msg)
        self._parsers[origin] = parser
        return parser

    def allowed(self, url: str) -> bool:
        """:returns: whether the rules allow our user agent to fetch ``url``.

        :raises OSError: when robots.txt cannot be read.
        """
        return self._parser(url).can_fetch(self.fetcher.user_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        """:returns: the ``Crawl-delay`` for our user agent on ``url``'s host, if any."""
        delay = self._parser(url).crawl_delay(self.fetcher.user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self, url: str) -> list[str]:
        """:returns: the URLs of the ``Sitemap:`` lines in robots.txt of ``url``'s host, as
        written there (they apply to every user agent).

        :raises OSError: when robots.txt cannot be read.
        """
        return list(self._parser(url).site_maps() or [])

    def describe(self, url: str) -> str:
        """:returns: a short description of the host's robots.txt (for a connection test)."""
        self._parser(url)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}".lower() in self._missing:
            return "no robots.txt"
        delay = self.crawl_delay(url)
        return "robots.txt read" + (f", Crawl-delay {delay:g} s" if delay else "")
