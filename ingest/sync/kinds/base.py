"""What a kind of source is: how its location is checked and how its connector is made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from connectors.base import Connector
from search.core.errors import ConfigurationError
from search.core.settings import Settings
from search.core.source_options import OptionSyntaxError, parse_options

__all__ = ["OptionSyntaxError", "SourceKind", "http_location", "numeric_options", "parse_options"]

if TYPE_CHECKING:
    from ingest.sync.sources import SourceConfig

ConnectorFactory = Callable[["SourceConfig", Settings, dict[str, Any]], Connector]
"""Builds the connector of a source from its config, the settings and the state its last
successful sync left (``{}`` the first time)."""


@dataclass(frozen=True, slots=True)
class SourceKind:
    """One kind of source (folder, OParl, website, law XML).

    :param name: the kind as stored in the registry and the config file (``oparl``).
    :param location_label: what the location is (``Ordner``, ``System-URL``).
    :param check_location: cleans a location (``~`` expanded, URL normalised) or raises
        :class:`search.core.errors.ConfigurationError` with a readable message; no network.
    :param connector: the factory of the source's connector.
    :param options: option names the kind understands, with a one-line description each.
    :param countable: listing the source is cheap (local files), so a progress bar can be
        given its total before a sync; for servers the listing costs as much as the sync.
    """

    name: str
    location_label: str
    check_location: Callable[[str], str]
    connector: ConnectorFactory
    options: dict[str, str]
    countable: bool = False


def numeric_options(
    options: dict[str, Any], ints: tuple[str, ...], floats: tuple[str, ...], kind: str
) -> dict[str, Any]:
    """:returns: the options named in ``ints`` and ``floats`` that are set, as numbers.

    :param options: a source's options (strings from a form, numbers from TOML).
    :param ints: names of integer options.
    :param floats: names of decimal options.
    :param kind: the kind's name, for the message.
    :raises ConfigurationError: when one is not a number.
    """
    numbers: dict[str, Any] = {}
    for names, cast in ((ints, int), (floats, float)):
        for key in names:
            value = options.get(key)
            if value in (None, ""):
                continue
            try:
                numbers[key] = cast(value)
            except (TypeError, ValueError) as exc:
                msg = f"{kind} option {key} must be a number, not {value!r}"
                raise ConfigurationError(msg) from exc
    return numbers


def http_location(what: str) -> Callable[[str], str]:
    """:returns: a ``check_location`` for kinds whose location is an http(s) URL.

    :param what: what the location is called in the message (``OParl System URL``).
    """

    def check(location: str) -> str:
        url = location.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = f"{what} {location!r} must be an http(s) URL with a host"
            raise ConfigurationError(msg)
        return url

    return check
