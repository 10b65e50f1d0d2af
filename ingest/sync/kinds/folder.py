"""A folder tree on a local or mounted file system."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors.base import Connector
from connectors.filesystem import FilesystemConnector
from ingest.sync.kinds.base import SourceKind
from search.core.errors import ConfigurationError
from search.core.settings import Settings

if TYPE_CHECKING:
    from ingest.sync.sources import SourceConfig


def _check_location(location: str) -> str:
    folder = Path(location.strip()).expanduser()
    if not location.strip() or not folder.is_dir():
        msg = f"Folder {location!r} does not exist or is not a folder"
        raise ConfigurationError(msg)
    return str(folder.resolve())


def _connector(source: SourceConfig, settings: Settings, _state: dict[str, Any]) -> Connector:
    ingest = settings.ingest
    return FilesystemConnector(
        source.location,
        name=source.name,
        include=source.include or ingest.include,
        exclude=[*ingest.exclude, *source.exclude],
    )


FOLDER = SourceKind(
    name="folder",
    location_label="Ordner",
    check_location=_check_location,
    connector=_connector,
    options={},
    countable=True,
)
