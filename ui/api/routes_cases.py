"""The council office's cases: an inquiry, its questions' research, drafted answers,
review with four eyes, and the reply as DOCX or ODT.

A case is visible to its creator, to callers sharing an access group with the creator and
to admins; any other caller gets 404, as for a case that does not exist. Passages of
documents the caller may not see are left out of every answer here (``hidden``,
``notice``).
Content changes only in *Entwurf* (409 otherwise); the release is refused (403) to whoever
created or submitted the case or edited one of its answers. Every step is a ``case``
record of the audit log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from fastapi.responses import JSONResponse

from search.cases.export import MEDIA_TYPES, ExportFormat
from ui.api.deps import Cases, Who
from ui.api.models import (
    CasePatch,
    CaseRequest,
    CommentRequest,
    DraftEdit,
    Pins,
    QuestionOrder,
    QuestionText,
    ResearchRequest,
    ReturnRequest,
)
from ui.api.problems import Problem

router = APIRouter(prefix="/cases", tags=["Vorgänge"])
_UPLOAD_READ_LIMIT = 64 * 2**20
"""Bytes read of an upload at most (the service refuses more than its limit anyway)."""


def _created(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        body,
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/cases/{body['id']}"},
    )


@router.post("", summary="Vorgang aus einer Anfrage anlegen (Text oder Dokument)", status_code=201)
def create_case(request: CaseRequest, desk: Cases, who: Who) -> JSONResponse:
    """A case from an inquiry's text, or from an indexed document (an OParl paper of type
    *Anfrage*) by ``doc_id``: its questions split out, the deadline it names taken over."""
    options: dict[str, Any] = {
        "title": request.title,
        "department": request.department,
        "deadline": request.deadline,
    }
    if request.doc_id is not None:
        case = desk.create_from_document(request.doc_id, who, **options)
    else:
        case = desk.create_from_text(request.text or "", who, **options)
    return _created(desk.view(case, who))


@router.post(
    "/upload",
    summary="Vorgang aus einer Anfrage-Datei anlegen (PDF, DOCX, ODT, Text)",
    status_code=201,
)
async def upload_case(
    desk: Cases,
    who: Who,
    file: Annotated[UploadFile, File(description="The inquiry: PDF (scans too), DOCX, ODT, text.")],
    title: Annotated[str | None, Form(max_length=500)] = None,
    department: Annotated[str | None, Form(max_length=200)] = None,
    deadline: Annotated[date | None, Form(description="Default: the one it names.")] = None,
) -> JSONResponse:
    """A case from an uploaded inquiry, read like any document (scanned pages by OCR).
    413 when too large, 415 for a format that is not read, 422 when it holds no text or
    cannot be read."""
    import anyio.to_thread

    content = await file.read(_UPLOAD_READ_LIMIT + 1)
    name = file.filename or "anfrage"

    def create() -> dict[str, Any]:
        case = desk.create_from_upload(
            name, content, who, title=title, department=department, deadline=deadline
        )
        return desk.view(case, who)

    return _created(await anyio.to_thread.run_sync(create))


@router.get("", summary="Vorgänge nach Frist")
def list_cases(desk: Cases, who: Who) -> list[dict[str, Any]]:
    """The cases the caller may see, by deadline (none last), with ``overdue`` for a
    deadline passed before the release, status and how many questions are answered."""
    return desk.list(who)


@router.get("/{case_id}", summary="Ein Vorgang")
def get_case(case_id: str, desk: Cases, who: Who) -> dict[str, Any]:
    """The case with its questions, research, pinned passages, answers (``mark``:
    *KI-Entwurf* until a person accepted it), comments and history; ``may_release`` says
    whether the caller may release it."""
    return desk.view(desk.get(case_id, who), who)


@router.patch("/{case_id}", summary="Vorgang zuweisen, Frist oder Titel ändern")
def update_case(case_id: str, patch: CasePatch, desk: Cases, who: Who) -> dict[str, Any]:
    """Assign a department, set the deadline, change the title (only the fields sent)."""
    changes = patch.changes()
    if not changes:
        raise Problem("invalid", "Keine Änderung angegeben")
    return desk.view(desk.update(case_id, who, changes), who)


@router.post("/{case_id}/questions", summary="Frage hinzufügen", status_code=201)
def add_question(case_id: str, body: QuestionText, desk: Cases, who: Who) -> dict[str, Any]:
    """Add a question (at ``position``, default last)."""
    return desk.view(desk.add_question(case_id, who, body.text, body.position), who)


@router.put("/{case_id}/questions", summary="Fragen neu ordnen")
def reorder_questions(case_id: str, body: QuestionOrder, desk: Cases, who: Who) -> dict[str, Any]:
    """Put the questions in the order given (every question id once)."""
    return desk.view(desk.reorder(case_id, who, body.order), who)


@router.patch("/{case_id}/questions/{question_id}", summary="Frage ändern")
def edit_question(
    case_id: str, question_id: int, body: QuestionText, desk: Cases, who: Who
) -> dict[str, Any]:
    """Change a question's text."""
    return desk.view(desk.edit_question(case_id, question_id, who, body.text), who)


@router.delete("/{case_id}/questions/{question_id}", summary="Frage entfernen")
def remove_question(case_id: str, question_id: int, desk: Cases, who: Who) -> dict[str, Any]:
    """Remove a question with its research, pins and answer."""
    return desk.view(desk.remove_question(case_id, question_id, who), who)


@router.post("/{case_id}/questions/{question_id}/research", summary="Frage recherchieren")
def research_question(
    case_id: str, question_id: int, desk: Cases, who: Who, body: ResearchRequest | None = None
) -> dict[str, Any]:
    """Hybrid search with the question (and the inquiry's title as context): the 10 best
    passages, earlier replies first, then decisions and rules in force (``kind``)."""
    as_of = body.as_of if body else None
    return desk.view(desk.research(case_id, question_id, who, as_of=as_of), who)


@router.put("/{case_id}/questions/{question_id}/pins", summary="Quellen anheften")
def pin_passages(
    case_id: str, question_id: int, body: Pins, desk: Cases, who: Who
) -> dict[str, Any]:
    """The passages (chunk ids, in order) the answer is to be drafted from: offered by the
    research or found by any search of the caller."""
    return desk.view(desk.pin(case_id, question_id, who, body.chunk_ids), who)


@router.post("/{case_id}/questions/{question_id}/draft", summary="Antwort entwerfen (KI-Entwurf)")
def draft_answer(case_id: str, question_id: int, desk: Cases, who: Who) -> dict[str, Any]:
    """Draft the answer from the pinned passages only: with an LLM the checked answer of
    the answers feature, else their best sentences, cited. Marked *KI-Entwurf*."""
    return desk.view(desk.draft(case_id, question_id, who), who)


@router.put("/{case_id}/questions/{question_id}/draft", summary="Antwort bearbeiten, übernehmen")
def edit_answer(
    case_id: str, question_id: int, body: DraftEdit, desk: Cases, who: Who
) -> dict[str, Any]:
    """A person's text of the answer; ``accept=true`` takes the *KI-Entwurf* mark off."""
    case = desk.edit_draft(case_id, question_id, who, body.text, accept=body.accept)
    return desk.view(case, who)


@router.post("/{case_id}/comments", summary="Kommentieren", status_code=201)
def comment(case_id: str, body: CommentRequest, desk: Cases, who: Who) -> dict[str, Any]:
    """A comment on the case or one question (in any state)."""
    return desk.view(desk.comment(case_id, who, body.text, body.question_id), who)


@router.post("/{case_id}/submit", summary="Zur Prüfung geben")
def submit(case_id: str, desk: Cases, who: Who) -> dict[str, Any]:
    """*Entwurf* → *in Prüfung*; every question needs an accepted answer (409 otherwise)."""
    return desk.view(desk.submit(case_id, who), who)


@router.post("/{case_id}/return", summary="Zurückgeben")
def give_back(
    case_id: str, desk: Cases, who: Who, body: ReturnRequest | None = None
) -> dict[str, Any]:
    """*in Prüfung* → *Entwurf*, with an optional note."""
    return desk.view(desk.give_back(case_id, who, body.note if body else ""), who)


@router.post("/{case_id}/release", summary="Freigeben (Vier-Augen-Prinzip)")
def release(case_id: str, desk: Cases, who: Who) -> dict[str, Any]:
    """*in Prüfung* → *freigegeben*. Refused (403) to whoever created or submitted the
    case or edited one of its answers: a second person releases."""
    return desk.view(desk.release(case_id, who), who)


@router.get(
    "/{case_id}/export",
    summary="Antwortschreiben als DOCX oder ODT",
    responses={200: {"content": {MEDIA_TYPES["docx"]: {}, MEDIA_TYPES["odt"]: {}}}},
)
def export_case(case_id: str, desk: Cases, who: Who, format: ExportFormat = "docx") -> Response:
    """The reply letter: title, each question with its answer, the sources as a numbered
    list (``[n]`` in the text), *KI-Entwurf – nicht freigegeben* until released, then who
    released it when. Sources the caller may not see are left out and counted."""
    _case, content = desk.export(case_id, who, format)
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="antwort-{case_id}.{format}"',
            "Cache-Control": "private",
        },
    )
