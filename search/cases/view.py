"""A case as one viewer may see it (the API's shape): passages of documents the viewer
may not see left out and counted, answers without the sentences citing only those,
German labels of status, kind and the KI-Entwurf mark; and the case list's rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from search.cases import workflow
from search.cases.case import AI_DRAFT_MARK, KIND_LABELS, STATUS_LABELS, Case, OfferedPassage
from search.cases.letter import BERLIN, hidden_note, visible_text


def today() -> date:
    """:returns: today in Europe/Berlin (deadlines are days there)."""
    return datetime.now(BERLIN).date()


def overdue(case: Case, day: date) -> bool:
    """:returns: whether the case's deadline passed before ``day`` without a release."""
    return bool(case.deadline and case.deadline < day.isoformat() and case.status != "released")


def passage_body(item: OfferedPassage) -> dict[str, Any]:
    """:returns: a passage as the API shows it (with its kind's German label)."""
    return {
        "chunk_id": item.chunk_id,
        "doc_id": item.doc_id,
        "title": item.title,
        "citation": item.citation,
        "page_start": item.page_start,
        "page_end": item.page_end,
        "section": item.section,
        "kind": item.kind,
        "kind_label": KIND_LABELS[item.kind],
        "date": item.date,
        "reference": item.reference,
        "text": item.text,
        "score": item.score,
        "validity": item.validity,
        "superseded": item.superseded,
    }


def case_row(case: Case, day: date) -> dict[str, Any]:
    """:returns: the case's row of the case list."""
    return {
        "id": case.id,
        "title": case.title,
        "reference": case.reference,
        "status": case.status,
        "status_label": STATUS_LABELS[case.status],
        "department": case.department,
        "deadline": case.deadline,
        "overdue": overdue(case, day),
        "questions": len(case.questions),
        "answered": sum(1 for q in case.questions if q.draft and not q.draft.ai),
        "created_by": case.created_by,
        "created_at": case.created_at,
    }


def by_deadline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:returns: case rows by deadline, those without one last, then by creation."""
    return sorted(
        rows, key=lambda row: (row["deadline"] is None, row["deadline"] or "", row["created_at"])
    )


def case_view(case: Case, viewer: str, visible: Callable[[str], bool], day: date) -> dict[str, Any]:
    """The case as a viewer may see it.

    Pinned passages and answers' sources of documents the viewer may not see are left
    out, counted in ``hidden`` and said in ``notice`` (*1 Quelle nicht sichtbar*); an
    answer loses the sentences citing only such sources (its ``sources`` keep their
    numbers, the hidden ones as ``{"number", "hidden": true}``). Offered passages another
    caller's research found are left out too, counted per question in
    ``offered_hidden``. ``may_release`` says whether the viewer may release the case now.

    :param case: the case.
    :param viewer: the viewer's name (for the four-eyes rule).
    :param visible: whether the viewer may see a document (by id).
    :param day: today, for ``overdue``.
    :returns: a JSON-ready dict.
    """
    body = case.to_dict()
    hidden_chunks: set[str] = set()

    def keep(items: list[OfferedPassage], hidden: set[str]) -> list[dict[str, Any]]:
        shown = []
        for item in items:
            if visible(item.doc_id):
                shown.append(passage_body(item))
            else:
                hidden.add(item.chunk_id)
        return shown

    for question, shown in zip(case.questions, body["questions"], strict=True):
        offered_hidden: set[str] = set()
        shown["offered"] = keep(question.offered, offered_hidden)
        shown["offered_hidden"] = len(offered_hidden)
        shown["pinned"] = keep(question.pinned, hidden_chunks)
        draft = question.draft
        if draft is None:
            continue
        hidden = {n for n, item in enumerate(draft.sources, 1) if not visible(item.doc_id)}
        hidden_chunks.update(draft.sources[n - 1].chunk_id for n in hidden)
        shown_draft = shown["draft"]
        if hidden:
            same = {n: n for n in range(1, len(draft.sources) + 1) if n not in hidden}
            shown_draft["text"] = visible_text(draft.text, same, hidden)
            shown_draft["sentences"] = []
        shown_draft["sources"] = [
            {"number": n, "hidden": True} if n in hidden else {"number": n, **passage_body(item)}
            for n, item in enumerate(draft.sources, 1)
        ]
        shown_draft["mark"] = AI_DRAFT_MARK if draft.ai else ""
    body.update(
        status_label=STATUS_LABELS[case.status],
        hidden=len(hidden_chunks),
        notice=hidden_note(len(hidden_chunks)),
        overdue=overdue(case, day),
        may_release=case.status == "review" and workflow.four_eyes_refusal(case, viewer) is None,
    )
    body.pop("groups", None)
    return body
