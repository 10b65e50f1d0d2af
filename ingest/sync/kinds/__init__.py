"""The kinds of source an admin can configure, by name.

A new kind is a module here that defines a :class:`~ingest.sync.kinds.base.SourceKind` and one
line in :data:`KINDS`; the registry, the CLI, the config file and the admin interface pick
it up from there.
"""

from __future__ import annotations

from ingest.sync.kinds.base import ConnectorFactory, SourceKind
from ingest.sync.kinds.folder import FOLDER
from ingest.sync.kinds.lawxml import LAWXML
from ingest.sync.kinds.oparl import OPARL
from ingest.sync.kinds.website import WEBSITE

KINDS: dict[str, SourceKind] = {kind.name: kind for kind in (FOLDER, LAWXML, OPARL, WEBSITE)}

__all__ = ["KINDS", "ConnectorFactory", "SourceKind"]
