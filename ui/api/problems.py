"""Errors as RFC 9457 problem details, with a German ``detail`` a person can read.

Every error of the API is ``application/problem+json``::

    {"type": "https://auskunft.example/probleme/not-found", "title": "Nicht gefunden",
     "status": 404, "detail": "Das Dokument ist nicht vorhanden oder für Sie nicht
     freigegeben.", "instance": "/api/v1/documents/abc"}

``type`` is a stable identifier per kind of problem (not a page to fetch); ``detail`` is
German (English when the client asks with ``Accept-Language: en``); ``error`` carries the
library's own message where it helps an admin and reveals nothing.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from search.core.errors import (
    AuskunftError,
    BackendError,
    BackendUnavailable,
    ConfigurationError,
    Conflict,
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    IndexLocked,
    NotFound,
    QueryError,
    Refused,
    SourceInvalid,
    SourceUnavailable,
    UnsupportedFormat,
)

MEDIA_TYPE: Final = "application/problem+json"
TYPE_BASE: Final = "urn:auskunft:problem:"

# (status, type, title de, title en, detail de, detail en); detail may use {error}
_KINDS: Final[dict[str, tuple[int, str, str, str, str]]] = {
    "not-found": (
        404,
        "Nicht gefunden",
        "Not found",
        "Das Angefragte ist nicht vorhanden oder für Sie nicht freigegeben.",
        "It does not exist or you may not see it.",
    ),
    "bad-query": (
        400,
        "Ungültige Anfrage",
        "Invalid request",
        "Die Anfrage kann nicht verstanden werden: {error}",
        "The request cannot be understood: {error}",
    ),
    "invalid": (
        422,
        "Ungültige Angaben",
        "Invalid input",
        "Die Angaben sind ungültig: {error}",
        "The input is invalid: {error}",
    ),
    "configuration": (
        400,
        "Ungültige Einstellung",
        "Invalid setting",
        "Die Einstellung ist ungültig: {error}",
        "The setting is invalid: {error}",
    ),
    "source-unavailable": (
        502,
        "Quelle nicht erreichbar",
        "Source unavailable",
        "Die Quelle ist nicht erreichbar; nichts wurde gelöscht: {error}",
        "The source cannot be reached; nothing was deleted: {error}",
    ),
    "source-invalid": (
        422,
        "Quelle passt nicht",
        "Source invalid",
        "Die Quelle antwortet, aber nicht wie erwartet: {error}",
        "The source answers, but not as expected: {error}",
    ),
    "corrupt": (
        422,
        "Datei nicht lesbar",
        "File unreadable",
        "Die Datei kann nicht gelesen werden.",
        "The file cannot be read.",
    ),
    "unauthenticated": (
        401,
        "Anmeldung nötig",
        "Authentication required",
        "Bitte melden Sie sich an oder senden Sie einen gültigen API-Schlüssel.",
        "Log in or send a valid API key.",
    ),
    "forbidden": (
        403,
        "Keine Berechtigung",
        "Forbidden",
        "Dafür brauchen Sie Administrationsrechte.",
        "This needs administration rights.",
    ),
    "busy": (
        503,
        "Vorübergehend nicht verfügbar",
        "Temporarily unavailable",
        "Ein Dienst ist gerade nicht erreichbar; bitte versuchen Sie es gleich noch einmal.",
        "A backend cannot be reached right now; please try again shortly.",
    ),
    "backend": (
        500,
        "Interner Fehler",
        "Internal error",
        "Bei der Verarbeitung ist ein Fehler aufgetreten; er wurde protokolliert.",
        "Something failed while processing the request; it was logged.",
    ),
    "refused": (
        403,
        "Nicht erlaubt",
        "Not allowed",
        "{error}",
        "{error}",
    ),
    "conflict": (
        409,
        "Im jetzigen Stand nicht möglich",
        "Not possible now",
        "{error}",
        "{error}",
    ),
    "too-large": (
        413,
        "Datei zu groß",
        "File too large",
        "Die Datei ist größer als erlaubt.",
        "The file is larger than allowed.",
    ),
    "unsupported": (
        415,
        "Format nicht unterstützt",
        "Unsupported format",
        "Dieses Dateiformat wird nicht gelesen (PDF, DOCX, ODT, Text).",
        "This file format is not read (PDF, DOCX, ODT, text).",
    ),
    "empty": (
        422,
        "Kein Text",
        "No text",
        "Die Datei enthält keinen lesbaren Text.",
        "The file holds no readable text.",
    ),
    "method": (
        405,
        "Methode nicht erlaubt",
        "Method not allowed",
        "Diese Methode ist hier nicht erlaubt.",
        "This method is not allowed here.",
    ),
}


class Problem(Exception):
    """An error the API answers with a problem document.

    :param kind: a key of the known kinds (``not-found``, ``forbidden``, …).
    :param error: the underlying message, for the ``{error}`` of the detail.
    :param extra: more members of the problem document.
    """

    def __init__(self, kind: str, error: str = "", **extra: Any) -> None:
        super().__init__(error or kind)
        self.kind = kind
        self.error = error
        self.extra = extra


def _english(request: Request) -> bool:
    return request.headers.get("accept-language", "").lower().startswith("en")


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    """:returns: the problem document for a request."""
    status, title_de, title_en, detail_de, detail_en = _KINDS[problem.kind]
    english = _english(request)
    template = detail_en if english else detail_de
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.kind,
        "title": title_en if english else title_de,
        "status": status,
        "detail": template.format(error=problem.error),
        "instance": request.url.path,
        **problem.extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def kind_of(exc: AuskunftError) -> str:
    """:returns: the problem kind of a library error."""
    if isinstance(exc, NotFound):
        return "not-found"
    if isinstance(exc, QueryError):
        return "bad-query"
    if isinstance(exc, CorruptDocument | EncryptedDocument):
        return "corrupt"
    if isinstance(exc, Conflict):
        return "conflict"
    if isinstance(exc, Refused):
        return "refused"
    if isinstance(exc, DocumentTooLarge):
        return "too-large"
    if isinstance(exc, UnsupportedFormat):
        return "unsupported"
    if isinstance(exc, EmptyDocument):
        return "empty"
    if isinstance(exc, ConfigurationError):
        return "configuration"
    if isinstance(exc, SourceUnavailable):
        return "source-unavailable"
    if isinstance(exc, SourceInvalid):
        return "source-invalid"
    if isinstance(exc, BackendUnavailable | IndexLocked):
        return "busy"
    if isinstance(exc, BackendError):
        return "backend"
    return "backend"


# why a case's step was refused (Refused.reason / Conflict.reason), said in German
_REASONS: Final[dict[str, tuple[str, str]]] = {
    "four_eyes_creator": (
        "Freigabe abgelehnt (Vier-Augen-Prinzip): Sie haben diesen Vorgang angelegt. "
        "Die Antwort muss eine zweite Person freigeben.",
        "Release refused (four-eyes rule): you created this case; a second person must release it.",
    ),
    "four_eyes_submitter": (
        "Freigabe abgelehnt (Vier-Augen-Prinzip): Sie haben diesen Vorgang zur Prüfung "
        "gegeben. Die Antwort muss eine zweite Person freigeben.",
        "Release refused (four-eyes rule): you submitted this case for review.",
    ),
    "four_eyes_editor": (
        "Freigabe abgelehnt (Vier-Augen-Prinzip): Sie haben die Antwort auf Frage "
        "{number} bearbeitet. Die Antwort muss eine zweite Person freigeben.",
        "Release refused (four-eyes rule): you edited the answer to question {number}.",
    ),
    "hidden_sources": (
        "Diese Antwort stützt sich auf Quellen, die Sie nicht sehen dürfen; bitte lassen "
        "Sie sie von jemandem bearbeiten, der alle Quellen sieht.",
        "This answer cites sources you may not see.",
    ),
    "not_editable_review": (
        "Der Vorgang ist in Prüfung und kann nicht geändert werden; zum Ändern bitte zurückgeben.",
        "The case is under review and cannot be changed; return it first.",
    ),
    "not_editable_released": (
        "Der Vorgang ist freigegeben und kann nicht mehr geändert werden.",
        "The case is released and cannot be changed any more.",
    ),
    "submit_review": (
        "Der Vorgang ist bereits in Prüfung.",
        "The case is already under review.",
    ),
    "submit_released": (
        "Der Vorgang ist bereits freigegeben.",
        "The case is already released.",
    ),
    "no_questions": (
        "Der Vorgang hat keine Fragen; bitte zuerst Fragen anlegen.",
        "The case has no questions.",
    ),
    "answer_not_accepted": (
        "Frage {number} hat noch keine von einer Person geprüfte und übernommene Antwort "
        "(KI-Entwurf).",
        "Question {number} has no answer a person has accepted yet (AI draft).",
    ),
    "return_draft": (
        "Nur ein Vorgang in Prüfung kann zurückgegeben werden; dieser ist ein Entwurf.",
        "Only a case under review can be returned; this one is a draft.",
    ),
    "return_released": (
        "Der Vorgang ist freigegeben und kann nicht zurückgegeben werden.",
        "The case is released and cannot be returned.",
    ),
    "release_draft": (
        "Nur ein Vorgang in Prüfung kann freigegeben werden; dieser ist noch ein Entwurf.",
        "Only a case under review can be released; this one is a draft.",
    ),
    "release_released": (
        "Der Vorgang ist bereits freigegeben.",
        "The case is already released.",
    ),
    "nothing_pinned": (
        "Für diese Frage ist keine Quelle angeheftet; der Entwurf entsteht nur aus "
        "angehefteten Quellen.",
        "No passage is pinned for this question; drafts are made from pinned passages only.",
    ),
    "stale": (
        "Der Vorgang wurde inzwischen geändert; bitte neu laden und erneut versuchen.",
        "The case was changed meanwhile; reload and try again.",
    ),
}


def reason_text(exc: Refused, english: bool = False) -> str:
    """:returns: what a refusal says to a person (German, or English)."""
    texts = _REASONS.get(exc.reason)
    if texts is None:
        return str(exc)
    template = texts[1] if english else texts[0]
    try:
        return template.format(**exc.details)
    except (KeyError, IndexError):
        return template


# pydantic's error types, said in German (the English message stays beside it)
_GERMAN: Final[dict[str, str]] = {
    "missing": "Angabe fehlt",
    "string_too_short": "zu kurz (mindestens {min_length} Zeichen)",
    "string_too_long": "zu lang (höchstens {max_length} Zeichen)",
    "too_short": "zu wenige Einträge (mindestens {min_length})",
    "too_long": "zu viele Einträge (höchstens {max_length})",
    "date_parsing": "kein gültiges Datum (JJJJ-MM-TT)",
    "date_from_datetime_parsing": "kein gültiges Datum (JJJJ-MM-TT)",
    "datetime_parsing": "kein gültiger Zeitpunkt (JJJJ-MM-TTThh:mm:ss)",
    "datetime_from_date_parsing": "kein gültiger Zeitpunkt (JJJJ-MM-TTThh:mm:ss)",
    "int_parsing": "keine ganze Zahl",
    "int_type": "keine ganze Zahl",
    "bool_parsing": "weder true noch false",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "literal_error": "muss einer dieser Werte sein: {expected}",
    "list_type": "muss eine Liste sein",
    "string_type": "muss ein Text sein",
    "json_invalid": "kein gültiges JSON",
    "model_attributes_type": "muss ein JSON-Objekt sein",
    "dict_type": "muss ein JSON-Objekt sein",
}


def _german(error: Any) -> str:
    template = _GERMAN.get(str(error.get("type")))
    if template is None:  # our own validators speak German already
        return str(error.get("msg", "")).removeprefix("Value error, ")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split(" (")[0]


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(part) for part in error["loc"][1:]),
            "message": _german(error),
            "error": error["msg"],
        }
        for error in exc.errors()
    ]


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem document."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(AuskunftError)
    async def _library(request: Request, exc: AuskunftError) -> JSONResponse:
        kind = kind_of(exc)
        if isinstance(exc, Refused):
            text = reason_text(exc, _english(request))
            return problem_response(request, Problem(kind, text, reason=exc.reason))
        # a backend failure's text may name paths or hosts: admins find it in the log
        shown = "" if kind in ("backend", "not-found") else str(exc)
        return problem_response(request, Problem(kind, shown))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        summary = "; ".join(f"{e['field'] or 'Anfrage'}: {e['message']}" for e in errors)
        return problem_response(request, Problem("invalid", summary, errors=errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not-found", 405: "method", 401: "unauthenticated", 403: "forbidden"}.get(
            exc.status_code, "bad-query"
        )
        return problem_response(request, Problem(kind, str(exc.detail)))
