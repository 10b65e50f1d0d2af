"""A council information system that speaks OParl 1.0/1.1 (Ratsinformationssystem)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from connectors.base import Connector
from connectors.oparl import DEFAULT_RESTRICTED_GROUP, OParlConnector
from ingest.sync.kinds.base import SourceKind, http_location, numeric_options
from search.core.errors import ConfigurationError
from search.core.settings import Settings

if TYPE_CHECKING:
    from ingest.sync.sources import SourceConfig

_INT_OPTIONS = ("max_papers", "page_limit", "retries")
_FLOAT_OPTIONS = ("timeout", "backoff")


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """:returns: the connector's keyword arguments from a source's options.

    :raises ConfigurationError: when a number is not one.
    """
    kwargs = numeric_options(options, _INT_OPTIONS, _FLOAT_OPTIONS, "OParl")
    for key in ("body", "vendor"):
        if options.get(key) not in (None, ""):
            kwargs[key] = str(options[key])
    kwargs["restricted_group"] = str(options.get("restricted_group") or DEFAULT_RESTRICTED_GROUP)
    return kwargs


def _connector(source: SourceConfig, settings: Settings, state: dict[str, Any]) -> Connector:
    cache_dir = None
    if source.options.get("cache_files", True):
        key = hashlib.sha256(source.name.encode()).hexdigest()[:16]
        cache_dir = settings.data_dir / "cache" / "oparl" / key
    try:
        return OParlConnector(
            source.location,
            name=source.name,
            state=state,
            cache_dir=cache_dir,
            **_options(source.options),
        )
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc


OPARL = SourceKind(
    name="oparl",
    location_label="System-URL",
    check_location=http_location("OParl System URL"),
    connector=_connector,
    options={
        "body": "which body (Körperschaft): id, short name, name or position; default the first",
        "restricted_group": "access group of papers consulted non-publicly "
        f"(default {DEFAULT_RESTRICTED_GROUP})",
        "max_papers": "stop after this many papers (tests, trials; no deletions then)",
        "page_limit": "follow at most this many pages of the paper list (likewise)",
        "timeout": "seconds per request (default 30)",
        "retries": "retries after a timeout or 5xx, with exponential backoff (default 3)",
        "backoff": "seconds before the first retry, doubled each time (default 1)",
        "vendor": "a server fix-up by name (connectors.oparl_objects.VENDOR_FIXUPS)",
        "cache_files": "keep downloaded files for conditional requests (default true)",
    },
)
