"""The kinds of source an admin can configure, by name.

A new kind is a module here that defines a :class:`~ingest.kinds.base.SourceKind` and one
line in :data:`KINDS`; the registry, the CLI, the config file and the admin interface pick
it up from there.
"""

from __future__ import annotations

from ingest.kinds.base import ConnectorFactory, SourceKind
from ingest.kinds.folder import FOLDER
from ingest.kinds.lawxml import LAWXML
from ingest.kinds.oparl import OPARL
from ingest.kinds.website import WEBSITE

KINDS: dict[str, SourceKind] = {kind.name: kind for kind in (FOLDER, LAWXML, OPARL, WEBSITE)}

__all__ = ["KINDS", "ConnectorFactory", "SourceKind"]
