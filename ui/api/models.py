"""Request bodies of the API (validated by FastAPI; a bad one is a 422 problem)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, Field, create_model, field_validator, model_validator

from search.core.fields import DOC_TYPES
from search.core.settings import EDITABLE_SOURCE_FIELDS, SourceEntry
from search.filters import SearchFilters
from search.results import SearchMode
from search.retrieval.facets import FACETS, SortOrder, check_refinement

MAX_QUERY_CHARS = 2000
"""Longest query accepted (a question, not a document); ``service.max_query_chars``."""


class SearchRequest(BaseModel):
    """A search (``POST /api/v1/search``) or the question of an answer."""

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="As typed.")
    mode: SearchMode = "hybrid"
    sources: list[str] | None = Field(default=None, description="Source names to keep.")
    doc_types: list[str] | None = Field(default=None, description=f"Of {', '.join(DOC_TYPES)}.")
    date_from: date | None = None
    date_to: date | None = None
    doc_ids: list[str] | None = Field(
        default=None, max_length=100, description="Only these documents ('more from this')."
    )
    top_k: int = Field(default=10, ge=1, le=100, description="Documents per page.")
    offset: int = Field(
        default=0, ge=0, le=10_000, description="Documents of the match set to skip (paging)."
    )
    order: SortOrder = Field(
        default="relevance", description="Of the whole match set: relevance, date_desc, date_asc."
    )
    refine: dict[str, list[str]] | None = Field(
        default=None,
        description=f"Facet values the documents must have; facets: {', '.join(FACETS)}.",
    )
    as_of: date | None = Field(
        default=None,
        description="Rechtsstand: rules in force on this day rank first (default: today).",
    )
    in_force_only: bool = Field(default=False, description="Leave out rules not in force on as_of.")

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            msg = "Die Suchanfrage ist leer"
            raise ValueError(msg)
        return value.strip()

    @field_validator("doc_types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        unknown = sorted(set(value or ()) - set(DOC_TYPES))
        if unknown:
            msg = f"Unbekannte Dokumentart {', '.join(unknown)}; bekannt: {', '.join(DOC_TYPES)}"
            raise ValueError(msg)
        return value

    @field_validator("refine")
    @classmethod
    def _known_facets(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        try:
            return check_refinement(value) or None
        except ValueError as exc:
            msg = f"Unbekannte Facette: {exc}"
            raise ValueError(msg) from exc

    @model_validator(mode="after")
    def _range(self) -> SearchRequest:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            msg = "date_from liegt nach date_to"
            raise ValueError(msg)
        return self

    def filters(self) -> SearchFilters:
        """:returns: the filters (access groups are added by the application)."""
        return SearchFilters(
            sources=self.sources or None,
            doc_types=self.doc_types or None,
            date_from=self.date_from,
            date_to=self.date_to,
            doc_ids=self.doc_ids or None,
            as_of=self.as_of,
            in_force_only=self.in_force_only,
        )


class _PatchBase(BaseModel):
    def changes(self) -> dict[str, Any]:
        """:returns: the fields the client sent."""
        return self.model_dump(exclude_unset=True)


_PATCH_FIELDS: dict[str, Any] = {
    name: (Optional[SourceEntry.model_fields[name].annotation], None)  # noqa: UP045
    for name in EDITABLE_SOURCE_FIELDS
}
if TYPE_CHECKING:
    SourcePatch = _PatchBase
else:  # the editable fields of the one source model, all optional
    SourcePatch = create_model(
        "SourcePatch",
        __base__=_PatchBase,
        __doc__="Changes to a source (``PATCH /api/v1/sources/{name}``); unset fields stay.",
        **_PATCH_FIELDS,
    )


class KeyRequest(BaseModel):
    """A new API key (``POST /api/v1/keys``)."""

    name: str = Field(min_length=1, max_length=80)
    groups: list[str] = Field(min_length=1)
    admin: bool = False


class IngestRequest(BaseModel):
    """Ingest a folder or file on the service's machine (``POST /api/v1/ingest``)."""

    path: str = Field(min_length=1, description="A folder or file the service can read.")
    source: str | None = Field(default=None, description="Source name (default: folder name).")
    include: list[str] | None = None
    exclude: list[str] | None = None
    access_groups: list[str] | None = None
    doc_type: str | None = None
    retry_failed: bool = False

    @field_validator("doc_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in DOC_TYPES:
            msg = f"Unbekannte Dokumentart {value}; bekannt: {', '.join(DOC_TYPES)}"
            raise ValueError(msg)
        return value


class PreparedDocuments(BaseModel):
    """Documents a queue worker prepared, to be written by the service
    (``POST /api/v1/index/documents``); see ``ingest.sync.runner.PreparedDocument.to_wire``."""

    documents: list[dict[str, Any]] = Field(min_length=1, max_length=100)


class DocumentRemovals(BaseModel):
    """Documents a queue worker's sync found gone (``POST /api/v1/index/removals``)."""

    doc_ids: list[str] = Field(min_length=1, max_length=10_000)


MAX_INQUIRY_CHARS = 200_000
"""Longest inquiry text accepted (a long inquiry has a few pages)."""


class CaseRequest(BaseModel):
    """A new case (``POST /api/v1/cases``): an inquiry's text, or an indexed document
    (an OParl paper of type *Anfrage*) by id."""

    text: str | None = Field(
        default=None, max_length=MAX_INQUIRY_CHARS, description="The inquiry as plain text."
    )
    doc_id: str | None = Field(
        default=None, max_length=200, description="An indexed document holding the inquiry."
    )
    title: str | None = Field(default=None, max_length=500, description="Default: its own.")
    department: str | None = Field(default=None, max_length=200)
    deadline: date | None = Field(default=None, description="Default: the one it names.")

    @model_validator(mode="after")
    def _one_origin(self) -> CaseRequest:
        if self.doc_id is None and (self.text is None or not self.text.strip()):
            msg = "Die Anfrage ist leer: Text oder doc_id angeben"
            raise ValueError(msg)
        if self.doc_id is not None and self.text is not None:
            msg = "Entweder Text oder doc_id angeben, nicht beides"
            raise ValueError(msg)
        return self


class CasePatch(_PatchBase):
    """Assignment, deadline or title of a case (``PATCH /api/v1/cases/{id}``); fields
    not sent stay, ``null`` clears department or deadline."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    department: str | None = Field(default=None, max_length=200)
    deadline: date | None = None


class QuestionText(BaseModel):
    """A question's text (added or edited)."""

    text: str = Field(min_length=1, max_length=4000)
    position: int | None = Field(
        default=None, ge=0, description="Where to add it (0-based; default: last)."
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            msg = "Die Frage ist leer"
            raise ValueError(msg)
        return value


class QuestionOrder(BaseModel):
    """The questions' new order: every question id of the case once."""

    order: list[int] = Field(min_length=1, max_length=200)


class Pins(BaseModel):
    """The passages pinned for a question (chunk ids, in order; empty unpins all)."""

    chunk_ids: list[str] = Field(max_length=20)


class DraftEdit(BaseModel):
    """A person's text of an answer; ``accept`` takes the KI-Entwurf mark off."""

    text: str = Field(max_length=20_000)
    accept: bool = False


class CommentRequest(BaseModel):
    """A comment on the case or one of its questions."""

    text: str = Field(min_length=1, max_length=4000)
    question_id: int | None = None


class ReturnRequest(BaseModel):
    """Why the case goes back to its authors (optional)."""

    note: str = Field(default="", max_length=4000)


class ResearchRequest(BaseModel):
    """Research options: the Rechtsstand (default today)."""

    as_of: date | None = None
