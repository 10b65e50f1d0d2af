"""A council office's case: one inquiry, its questions, the passages found and pinned for
each, the drafted answers and the review's state.

A case is stored whole, as one JSON document (:mod:`search.cases.store`); its rules of
change are in :mod:`search.cases.workflow`, its research in :mod:`search.cases.research`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import TypeAdapter

Status = Literal["draft", "review", "released"]
STATUS_LABELS: Final[dict[str, str]] = {
    "draft": "Entwurf",
    "review": "in Prüfung",
    "released": "freigegeben",
}
PassageKind = Literal["reply", "decision", "rule", "other"]
KIND_LABELS: Final[dict[str, str]] = {
    "reply": "Frühere Antwort",
    "decision": "Beschluss",
    "rule": "Geltende Regel",
    "other": "Weiteres",
}
AI_DRAFT_MARK: Final = "KI-Entwurf"
"""How a draft no person has accepted yet is marked."""
NOT_RELEASED_MARK: Final = "KI-Entwurf – nicht freigegeben"
"""The remark of an exported reply until the case is released."""


def now() -> str:
    """:returns: the time now, UTC, ISO 8601 (seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class OfferedPassage:
    """A passage research offered for a question (and, once pinned, a copy of it as it
    was then: the draft cites what the person saw).

    :param chunk_id: the chunk's id.
    :param doc_id: its document.
    :param title: the document's title.
    :param citation: document, section and page (as search results show it).
    :param page_start: first page, where the format has pages.
    :param page_end: last page.
    :param section: the section path (``§ 3 Steuersatz``, ``TOP 7``, ``Zu Frage 2``).
    :param kind: ``reply`` (an earlier answer to an inquiry), ``decision``, ``rule``
        or ``other`` (see :mod:`search.cases.research`).
    :param date: the document's date, ISO.
    :param reference: its Drucksache number or other reference.
    :param text: the passage's text.
    :param score: the research's score (higher is better).
    :param content_hash: SHA-256 of the document's file as indexed.
    :param uri: where the original lives.
    :param validity: notes on the validity of a rule on the search's Rechtsstand.
    :param superseded: what says the passage is an earlier wording, if it is.
    """

    chunk_id: str
    doc_id: str
    title: str
    citation: str
    page_start: int | None
    page_end: int | None
    section: str
    kind: PassageKind
    date: str | None
    reference: str | None
    text: str
    score: float = 0.0
    content_hash: str | None = None
    uri: str = ""
    validity: list[str] = field(default_factory=list)
    superseded: str | None = None

    def audit_ref(self) -> dict[str, Any]:
        """:returns: what the audit log records of it."""
        return {"chunk_id": self.chunk_id, "doc_id": self.doc_id, "content_hash": self.content_hash}


@dataclass(slots=True)
class Draft:
    """The answer to one question: drafted from its pinned passages, then a person's.

    ``[n]`` in ``text`` cites ``sources[n - 1]``. ``ai`` stays true (the draft is marked
    *KI-Entwurf*) until a person has edited and accepted it.

    :param text: the answer with its citations.
    :param kind: ``generated`` (by the LLM), ``extractive`` (sentences of the passages)
        or ``manual`` (written by a person without a draft).
    :param sources: the passages ``[n]`` cites, numbered from 1.
    :param flags: the checks' flags of the AI draft (``low_support``, ``wrong_figure`` …).
    :param sentences: the AI draft's checked sentences (text, citations, support, flags).
    :param model: the model of a generated draft.
    :param prompt_version: its prompt's version.
    :param ai: whether it is still an AI draft no person has accepted.
    """

    text: str
    kind: str
    sources: list[OfferedPassage]
    flags: list[str] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    model: str | None = None
    prompt_version: str | None = None
    ai: bool = True
    created_by: str = ""
    created_at: str = ""
    edited_by: str | None = None
    edited_at: str | None = None
    accepted_by: str | None = None
    accepted_at: str | None = None


@dataclass(slots=True)
class CaseQuestion:
    """One question of the inquiry, with its own research.

    :param id: stable within the case (survives reordering).
    :param label: its label as the inquiry wrote it (``1.``, ``b)``), may be empty.
    :param text: the question (editable).
    :param offered: what the last research offered, best first.
    :param pinned: the passages a person chose, in their order (copies).
    :param draft: the answer, once drafted or written.
    """

    id: int
    label: str
    text: str
    offered: list[OfferedPassage] = field(default_factory=list)
    researched_at: str | None = None
    pinned: list[OfferedPassage] = field(default_factory=list)
    draft: Draft | None = None


@dataclass(slots=True)
class Comment:
    """A remark on the case or on one question (``question_id``)."""

    id: int
    user: str
    time: str
    text: str
    question_id: int | None = None


@dataclass(slots=True)
class Step:
    """One step of the case's history (the audit log holds the same, with details)."""

    action: str
    user: str
    time: str
    note: str = ""


@dataclass(slots=True)
class Case:
    """An inquiry being answered.

    :param id: the case's id.
    :param title: the inquiry's title (editable).
    :param preamble: what the inquiry says before its questions (what "dort" refers to).
    :param justification: its *Begründung*, if it has one.
    :param inquiry_text: the inquiry as received.
    :param origin: where it came from: ``{"kind": "text"}``, ``{"kind": "upload",
        "filename": …}`` or ``{"kind": "document", "doc_id": …}``.
    :param reference: the inquiry's Drucksache number, when known.
    :param created_by: who made the case.
    :param groups: the creator's access groups: who may see the case (with admins).
    :param status: ``draft`` (*Entwurf*), ``review`` (*in Prüfung*) or ``released``
        (*freigegeben*).
    :param department: the office it is assigned to.
    :param deadline: the day the answer is due, ISO.
    :param version: grows with every saved change (a stale write is refused).
    """

    id: str
    title: str
    preamble: str
    justification: str
    inquiry_text: str
    origin: dict[str, str]
    created_by: str
    groups: list[str]
    created_at: str
    reference: str | None = None
    status: Status = "draft"
    department: str | None = None
    deadline: str | None = None
    questions: list[CaseQuestion] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    history: list[Step] = field(default_factory=list)
    submitted_by: str | None = None
    submitted_at: str | None = None
    released_by: str | None = None
    released_at: str | None = None
    next_id: int = 1
    version: int = 0

    def question(self, question_id: int) -> CaseQuestion | None:
        """:returns: the question with this id, if the case has it."""
        return next((q for q in self.questions if q.id == question_id), None)

    def take_id(self) -> int:
        """:returns: a new id for a question or comment of this case."""
        self.next_id += 1
        return self.next_id - 1

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict (all of it: filter passages before showing it)."""
        data: dict[str, Any] = CASE_ADAPTER.dump_python(self, mode="json")
        return data


CASE_ADAPTER: Final = TypeAdapter(Case)
"""Reads and writes a case as JSON."""
