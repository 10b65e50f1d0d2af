"""What a kind of source is: how its location is checked and how its connector is made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.base import Connector
from search.settings import Settings

if TYPE_CHECKING:
    from ingest.sources import SourceConfig

ConnectorFactory = Callable[["SourceConfig", Settings, dict[str, Any]], Connector]
"""Builds the connector of a source from its config, the settings and the state its last
successful sync left (``{}`` the first time)."""


@dataclass(frozen=True, slots=True)
class SourceKind:
    """One kind of source (folder, OParl, website, law XML).

    :param name: the kind as stored in the registry and the config file (``oparl``).
    :param label: what the admin interface calls it (German).
    :param location_label: what the location is (``Ordner``, ``System-URL``).
    :param check_location: cleans a location (``~`` expanded, URL normalised) or raises
        :class:`search.errors.ConfigurationError` with a readable message; no network.
    :param connector: the factory of the source's connector.
    :param options: option names the kind understands, with a one-line description each.
    """

    name: str
    label: str
    location_label: str
    check_location: Callable[[str], str]
    connector: ConnectorFactory
    options: dict[str, str]
