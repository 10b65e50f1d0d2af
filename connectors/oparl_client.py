"""HTTP for OParl servers as they are, not as the specification describes them.

Real council information systems answer slowly, with 5xx now and then, with control
characters in their JSON, with 404 instead of an empty list, with a bare array instead of a
list page, or with one object where an array belongs. :class:`OParlClient` retries with
exponential backoff, decodes JSON tolerantly and iterates lists whatever shape they have;
what it cannot read it raises as :class:`OParlError` (an ``OSError``), one object at a time.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

logger = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Answers worth asking again: the server is busy or broken for a moment."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_BACKOFF = 30.0


class OParlError(OSError):
    """An OParl object or list could not be read (after retries)."""

    def __init__(self, message: str, url: str, reason: str) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason
        """``http``, ``timeout``, ``connection``, ``not-found`` or ``invalid-json``."""


class OParlNotFound(OParlError, FileNotFoundError):
    """The server answered 404 (or 410): the object is gone."""


@dataclass(frozen=True, slots=True)
class Download:
    """A file download, possibly answered with ``304 Not Modified``.

    :param content: the bytes, ``None`` when the server said "not modified".
    :param etag: the ``ETag`` header, if any.
    :param last_modified: the ``Last-Modified`` header, if any.
    """

    content: bytes | None
    etag: str | None
    last_modified: str | None


def decode_json(data: bytes) -> Any:
    """Decode JSON as OParl servers write it.

    Control characters inside strings are accepted; stray ones between tokens are removed;
    a byte order mark and invalid UTF-8 do not stop the decoding.

    :param data: the response body.
    :returns: the decoded value.
    :raises ValueError: when it is not JSON even then.
    """
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        return json.loads(_CONTROL.sub("", text), strict=False)


def clean_text(value: str) -> str:
    """:returns: ``value`` without control characters (newlines and tabs stay)."""
    return _CONTROL.sub("", value)


class OParlClient:
    """GET requests with retries, tolerant JSON and list iteration.

    :param timeout: seconds for connecting and for each read.
    :param retries: further attempts after a timeout, a connection error or a 5xx.
    :param backoff: seconds before the first retry; doubled for each further one.
    :param transport: an httpx transport (tests), default the network.
    :param user_agent: the ``User-Agent`` header.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "Auskunft-OParl/0.1",
    ) -> None:
        if timeout <= 0 or retries < 0 or backoff < 0:
            msg = "timeout must be positive, retries and backoff not negative"
            raise ValueError(msg)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._transport = transport
        self._user_agent = user_agent
        self._client: httpx.Client | None = None
        self.requests = 0
        """Requests sent, retries included."""
        self.server_time: datetime | None = None
        """The ``Date`` of the first answer: the server's clock, for the next cursor."""

    @property
    def client(self) -> httpx.Client:
        """:returns: the HTTP client, created on first use."""
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                transport=self._transport,
                headers={"User-Agent": self._user_agent, "Accept": "application/json"},
            )
        return self._client

    def close(self) -> None:
        """Close the connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- requests ----------------------------------------------------------------------

    def _send(
        self, url: str, params: dict[str, str] | None, headers: dict[str, str] | None
    ) -> httpx.Response:
        """GET with retries; returns any answer that is not worth retrying."""
        attempt = 0
        while True:
            self.requests += 1
            try:
                response = self.client.get(url, params=params, headers=headers)
            except httpx.TimeoutException as exc:
                failure = OParlError(f"{url}: no answer within {self.timeout} s", url, "timeout")
                cause: Exception = exc
            except httpx.TransportError as exc:
                failure = OParlError(f"{url}: {exc}", url, "connection")
                cause = exc
            else:
                self._remember_time(response)
                if response.status_code not in RETRY_STATUS:
                    return response
                failure = OParlError(f"{url}: HTTP {response.status_code}", url, "http")
                cause = httpx.HTTPStatusError(
                    failure.strerror or "", request=response.request, response=response
                )
            if attempt >= self.retries:
                raise failure from cause
            delay = min(self.backoff * 2**attempt, _MAX_BACKOFF)
            logger.info("%s; retrying in %.1f s", failure, delay)
            time.sleep(delay)
            attempt += 1

    def _remember_time(self, response: httpx.Response) -> None:
        if self.server_time is not None:
            return
        header = response.headers.get("Date")
        try:
            self.server_time = parsedate_to_datetime(header) if header else None
        except (TypeError, ValueError):
            self.server_time = None
        if self.server_time is None:
            self.server_time = datetime.now(UTC)

    def get_json(self, url: str, params: dict[str, str] | None = None) -> Any:
        """:returns: the decoded JSON at ``url``.

        :raises OParlNotFound: on 404 or 410.
        :raises OParlError: when it cannot be read or is not JSON.
        """
        response = self._send(url, params, None)
        _raise_for_status(response, url)
        try:
            return decode_json(response.content)
        except ValueError as exc:
            msg = f"{url}: not JSON ({exc})"
            raise OParlError(msg, url, "invalid-json") from exc

    def get_object(self, url: str) -> dict[str, Any]:
        """:returns: the OParl object at ``url``.

        :raises OParlError: when it cannot be read or is not an object.
        """
        data = self.get_json(url)
        if isinstance(data, list) and len(data) == 1:
            data = data[0]  # an object wrapped in an array
        if not isinstance(data, dict):
            msg = f"{url}: expected an object, got {type(data).__name__}"
            raise OParlError(msg, url, "invalid-json")
        return data

    def iter_list(
        self,
        url: str,
        params: dict[str, str] | None = None,
        *,
        page_limit: int | None = None,
    ) -> Iterator[Any]:
        """Iterate an external list, following ``links.next`` to its end.

        The items are yielded as the server sent them (usually objects, but whatever a
        broken server sent: the caller decides what to skip). A 404 is an empty list; a
        bare array is a one-page list; a single object is a list of one.

        :param url: the list's URL.
        :param params: query parameters of the first page (``modified_since``); later
            pages carry them in their ``next`` link.
        :param page_limit: stop after this many pages.
        :raises OParlError: when a page cannot be read after retries.
        """
        seen: set[str] = set()
        next_url: str | None = url
        pages = 0
        while next_url and next_url not in seen:
            seen.add(next_url)
            try:
                data = self.get_json(next_url, params if pages == 0 else None)
            except OParlNotFound:
                if pages == 0:
                    return  # some servers answer an empty list with 404
                raise
            pages += 1
            if isinstance(data, list):
                yield from data
                return
            if not isinstance(data, dict):
                msg = f"{next_url}: expected a list page, got {type(data).__name__}"
                raise OParlError(msg, next_url, "invalid-json")
            if "data" not in data and "id" in data:
                yield data  # a single object instead of a list
                return
            items = data.get("data") or []
            yield from items if isinstance(items, list) else [items]
            links = data.get("links")
            next_url = links.get("next") if isinstance(links, dict) else None
            if page_limit is not None and pages >= page_limit:
                return

    def download(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Download:
        """Download a file, conditionally when ``etag`` or ``last_modified`` is given.

        :returns: the bytes, or ``content=None`` when the server answered 304.
        :raises OParlError: when it cannot be downloaded.
        """
        headers: dict[str, str] = {"Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._send(url, None, headers)
        tags = (response.headers.get("ETag"), response.headers.get("Last-Modified"))
        if response.status_code == 304:
            return Download(None, tags[0] or etag, tags[1] or last_modified)
        _raise_for_status(response, url)
        return Download(response.content, *tags)


def _raise_for_status(response: httpx.Response, url: str) -> None:
    """:raises OParlNotFound: on 404 or 410.
    :raises OParlError: on any other error status."""
    if response.status_code in (404, 410):
        msg = f"{url}: HTTP {response.status_code}"
        raise OParlNotFound(msg, url, "not-found")
    if response.status_code >= 400:
        msg = f"{url}: HTTP {response.status_code}"
        raise OParlError(msg, url, "http")
