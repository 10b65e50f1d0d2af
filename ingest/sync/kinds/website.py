"""A website: pages under allowed prefixes and the PDF/DOCX files they link to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.base import Connector
from connectors.website import WebsiteConnector
from ingest.sync.kinds.base import SourceKind, http_location, numeric_options
from search.core.errors import ConfigurationError
from search.core.settings import Settings

if TYPE_CHECKING:
    from ingest.sync.sources import SourceConfig

_INT_OPTIONS = ("max_pages", "max_depth", "retries")
_FLOAT_OPTIONS = ("delay_seconds", "timeout")


def _prefixes(value: Any) -> list[str]:
    """A list, or one string of prefixes separated by spaces, commas or new lines."""
    items = value if isinstance(value, list | tuple) else str(value or "").replace(",", " ").split()
    return [str(item).strip() for item in items if str(item).strip()]


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "nein", "off", "")
    return bool(value)


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """:returns: the connector's keyword arguments from a source's options.

    :raises ConfigurationError: when a number is not one.
    """
    kwargs = numeric_options(options, _INT_OPTIONS, _FLOAT_OPTIONS, "Website")
    if options.get("allowed_prefixes"):
        kwargs["allowed_prefixes"] = _prefixes(options["allowed_prefixes"])
    if options.get("user_agent"):
        kwargs["user_agent"] = str(options["user_agent"])
    if options.get("respect_robots") is not None:
        kwargs["respect_robots"] = _flag(options["respect_robots"])
    return kwargs


def _connector(source: SourceConfig, settings: Settings, state: dict[str, Any]) -> Connector:
    try:
        return WebsiteConnector(
            source.location,
            name=source.name,
            state=state,
            max_bytes=int(settings.ingest.max_file_mb * 2**20),
            **_options(source.options),
        )
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc


WEBSITE = SourceKind(
    name="website",
    location_label="Startseite oder Sitemap-URL",
    check_location=http_location("Website location"),
    connector=_connector,
    options={
        "allowed_prefixes": "URL prefixes to fetch, space-separated (default: the folder of "
        "the location); never another host",
        "max_pages": "stop after this many URLs (default 1000)",
        "max_depth": "follow links at most this many steps from the start page (default 10)",
        "delay_seconds": "least seconds between two requests (default 1; a longer "
        "Crawl-delay in robots.txt wins)",
        "user_agent": "User-Agent header (default names Auskunft)",
        "respect_robots": "obey robots.txt (default true)",
        "timeout": "seconds per request (default 20)",
        "retries": "retries after a timeout or 5xx, with exponential backoff (default 2)",
    },
)
