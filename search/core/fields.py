"""Metadata keys carried by every chunk, defined once and used everywhere.

A chunk is a Haystack ``Document`` whose ``meta`` holds these keys. Stores index them, the
retriever filters on them and the citation builder reads them.
"""

from collections.abc import Mapping
from typing import Any, Final

DOC_ID: Final = "doc_id"
"""Stable id of the source document (same source and URI give the same id)."""
CHUNK_ID: Final = "chunk_id"
"""Stable id of the chunk: ``<doc_id>:<index>``."""
CHUNK_INDEX: Final = "chunk_index"
SOURCE: Final = "source"
"""Name of the configured source the document came from (e.g. ``sample``)."""
URI: Final = "uri"
"""Where the original lives: ``file:///...`` or ``https://...``."""
TITLE: Final = "title"
DOC_TYPE: Final = "doc_type"
"""One of :data:`DOC_TYPES`."""
DATE: Final = "date"
"""ISO date (``YYYY-MM-DD``) of the document (decision, issue or publication date)."""
PAGE_START: Final = "page_start"
PAGE_END: Final = "page_end"
SECTION: Final = "section"
"""Human-readable section path, outermost first, joined by `` › ``."""
SECTION_PATH: Final = "section_path"
"""The same path as a list of headings."""
REFERENCE: Final = "reference"
"""Drucksache number or other file reference, when the document has one."""
ACCESS_GROUPS: Final = "access_groups"
"""Groups allowed to see the chunk; a user sees it when they share at least one."""
CONTENT_HASH: Final = "content_hash"
"""SHA-256 of the original file's bytes."""
FILENAME: Final = "filename"
ATTACHMENT: Final = "attachment"
"""Name of the e-mail attachment the chunk comes from, if any."""
OCR: Final = "ocr"
"""True when the chunk's text was recognised by OCR."""

COMMITTEE: Final = "committee"
"""Council bodies (Gremien) that dealt with the document, a list of names (facet)."""
DEPARTMENT: Final = "department"
"""The office or department the document comes from (originator), a name (facet)."""
COUNCIL: Final = "council"
"""Council context of a Drucksache, a dict: ``paper_type``, ``originator`` and
``consultations``, each ``{"organization", "meeting", "date", "agenda_item", "result",
"resolution"}``; read by the citation builder ("Drs. …, Gemeinderat 12.03.2024, TOP 7,
beschlossen")."""
REFERENCES: Final = "references"
"""Keys of the references a chunk's text makes (``paper:2024/0153``, ``law:BauGB/§ 34``);
resolved per document by the link pass (:mod:`search.relations`)."""
SOURCE_META_KEYS: Final = (COMMITTEE, DEPARTMENT, COUNCIL)
"""Keys a connector may set in a document's metadata that every chunk carries as they are."""

PUBLIC_GROUP: Final = "public"

DOC_TYPES: Final = (
    "decision",  # Beschluss, Beschlussvorlage, Niederschrift, Drucksache
    "statute",  # Satzung, Verordnung, Gesetz, Gebührenordnung
    "guidance",  # Dienstanweisung, Rundschreiben, Richtlinie, Merkblatt
    "correspondence",  # E-Mail, Schreiben
    "other",
)

FACET_META_KEYS: Final = (
    SOURCE,
    DOC_TYPE,
    DATE,
    COMMITTEE,
    DEPARTMENT,
)
"""The keys of a document's meta that facets and the order by date read."""


def facet_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """:returns: the part of a document's meta facets read (what a whole-document record
    keeps)."""
    return {key: meta[key] for key in FACET_META_KEYS if meta.get(key) not in (None, "", [])}
