"""A folder of laws in the XML of the federal law portal (``gesetze-im-internet.de``).

Each law is one XML file (the portal's ``xml.zip`` unpacked, or a corpus folder per law
with its ``source.xml``); the parser recognises the format (:mod:`ingest.pipeline.parsing.lawxml`),
so every law becomes one document with § / Absatz sections, its abbreviation as reference
and citations like ``§ 34 Abs. 1 BauGB``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.base import Connector
from connectors.filesystem import FilesystemConnector
from ingest.sync.kinds.base import SourceKind
from ingest.sync.kinds.folder import FOLDER
from search.core.settings import Settings

if TYPE_CHECKING:
    from ingest.sync.sources import SourceConfig

LAW_FILES = ("**/*.xml",)
"""What a law folder holds besides the laws (``meta.json``, ``toc.json``) is left out."""


def _connector(source: SourceConfig, settings: Settings, _state: dict[str, Any]) -> Connector:
    return FilesystemConnector(
        source.location,
        name=source.name,
        include=source.include or LAW_FILES,
        exclude=[*settings.ingest.exclude, *source.exclude],
    )


LAWXML = SourceKind(
    name="lawxml",
    location_label="Ordner",
    check_location=FOLDER.check_location,
    connector=_connector,
    options={},
    countable=True,
)
