"""What a search returns: documents with their best passages and a citation each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SearchMode = Literal["hybrid", "keyword", "semantic"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "keyword", "semantic")


@dataclass(slots=True)
class Passage:
    """One matching chunk of a document.

    :param chunk_id: the chunk's stable id.
    :param text: the chunk text.
    :param highlight: a snippet of the original text with matches in ``<mark>…</mark>``;
        for semantic-only hits, the first sentences of the chunk (no marks).
    :param page_start: first page of the chunk, ``None`` for formats without pages.
    :param page_end: last page of the chunk.
    :param section: section path (``§ 3 Steuersatz › Abs. 2``), may be empty.
    :param score: fused score of the chunk.
    :param citation: e.g. ``Hundesteuersatzung, § 3 Steuersatz, S. 2``.
    :param superseded: when an amendment in force on the search's *Rechtsstand* changed
        the provision this passage belongs to, what says so ("§ 3 Abs. 1 geändert durch …
        (in Kraft seit 01.01.2025)"); the passage is the earlier wording.
    """

    chunk_id: str
    text: str
    highlight: str
    page_start: int | None
    page_end: int | None
    section: str
    score: float
    citation: str
    superseded: str | None = None
    current: str | None = None
    """When the passage is the text of an amendment in force on the *Rechtsstand*, what
    says so ("Geltende Fassung seit 01.01.2025, ändert …"): the current wording."""


@dataclass(slots=True)
class DocumentHit:
    """One document in a result list, with its best passages, best first."""

    doc_id: str
    uri: str
    title: str
    doc_type: str
    source: str
    date: str | None
    reference: str | None
    score: float
    passages: list[Passage]
    pages: list[int] = field(default_factory=list)
    section: str = ""
    citation: str = ""
    content_hash: str | None = None
    """SHA-256 of the original file, as indexed (the audit log records it)."""
    committee: list[str] = field(default_factory=list)
    """Council bodies that dealt with the document (from an OParl source)."""
    department: str | None = None
    """The originating office, when the source names it."""
    council: dict[str, Any] | None = None
    """Council context of a Drucksache (paper type, consultations with meeting, TOP, result)."""
    in_force_from: dict[str, Any] | None = None
    """For a rule: the first day in force, with document, page and sentence saying so."""
    in_force_until: dict[str, Any] | None = None
    """For a rule superseded or repealed: its last day in force, with the evidence."""
    amends: list[dict[str, Any]] = field(default_factory=list)
    """Documents holding a statute this one amends (``doc_id``, ``title``, ``date``)."""
    amended_by: list[dict[str, Any]] = field(default_factory=list)
    """Documents amending it, with the day each enters into force."""
    references: list[dict[str, Any]] = field(default_factory=list)
    """What it cites, resolved to an indexed document where there is one."""
    validity: list[str] = field(default_factory=list)
    """What a reader must know of its validity on the search's *Rechtsstand* date
    ("Geändert durch … (in Kraft seit …)", "Außer Kraft seit …")."""

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict (the ``auskunft search --json`` shape)."""
        return asdict(self)


@dataclass(slots=True)
class SearchResponse:
    """A whole result list and how it was produced."""

    query: str
    mode: SearchMode
    results: list[DocumentHit]
    total_chunks_considered: int = 0
    notices: list[str] = field(default_factory=list)
    suggestion: str | None = None
    """The query with words the index does not know replaced by close ones it does
    (*Meinten Sie …*), if any."""
    total: int = 0
    """Documents in the whole (refined) match set, of which ``results`` is one page; at
    most ``search.max_matches`` keyword matches are counted."""
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per facet (source, doc_type, year, committee, department), the documents of the
    match set with each value (see :mod:`search.retrieval.facets`)."""
    offset: int = 0
    """Documents of the match set before this page."""
    order: str = "relevance"
    """``relevance``, ``date_desc`` or ``date_asc``."""
    capped: bool = False
    """More documents match than the set holds (``search.max_matches``): ``total`` and
    the facets count the best of them."""
    as_of: str | None = None
    """The *Rechtsstand*: the day whose rules in force ranked first (ISO)."""

    def to_dict(self) -> dict[str, Any]:
        """:returns: ``{"query", "mode", "results": [...], "notices", "suggestion",
        "total", "facets", "offset", "order", "capped", "as_of"}``."""
        return {
            "query": self.query,
            "mode": self.mode,
            "results": [hit.to_dict() for hit in self.results],
            "notices": list(self.notices),
            "suggestion": self.suggestion,
            "total": self.total,
            "facets": {facet: dict(counts) for facet, counts in self.facets.items()},
            "offset": self.offset,
            "order": self.order,
            "capped": self.capped,
            "as_of": self.as_of,
        }
