"""Search, answers and documents: what staff and machine clients use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from ingest.application import Application, Caller
from search.answers import Answer
from search.core.errors import AuskunftError
from search.results import SearchMode, SearchResponse
from search.retrieval.facets import SortOrder
from ui.api.deps import App, Who
from ui.api.models import MAX_QUERY_CHARS, SearchRequest
from ui.api.problems import Problem, kind_of

router = APIRouter(tags=["Suche"])

_HIDDEN_FIELDS = ("chunk_ids", "error", "error_reason", "meta_hash", "version", "analysis")


def _known_sources(app: Application, request: SearchRequest, who: Caller) -> None:
    """A source the caller may not see is as unknown as one that does not exist."""
    if not request.sources:
        return
    unknown = sorted(set(request.sources) - app.known_sources(who))
    if unknown:
        raise Problem("invalid", f"Unbekannte Quelle {', '.join(unknown)}")


def _search(app: Application, request: SearchRequest, who: Caller) -> dict[str, Any]:
    _known_sources(app, request, who)
    response = app.search(
        request.query,
        caller=who,
        mode=request.mode,
        filters=request.filters(),
        top_k=request.top_k,
        offset=request.offset,
        order=request.order,
        refinement=request.refine,
    )
    return _body(response, request, app.generation)


def _body(response: SearchResponse, request: SearchRequest, generation: int) -> dict[str, Any]:
    return response.to_dict() | {"top_k": request.top_k, "generation": generation}


@router.post("/search", summary="Suchen (hybrid, Stichwort, semantisch)")
def search(request: SearchRequest, app: App, who: Who) -> dict[str, Any]:
    """Documents with their best passages, each cited (document, page, section).

    Filtered by the caller's access groups. ``generation`` grows with every write to the
    index: a client keeping results must fetch again when it changed.
    """
    return _search(app, request, who)


@router.get("/search", summary="Suchen (für einfache Aufrufe)")
def search_get(
    app: App,
    who: Who,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS)],
    mode: SearchMode = "hybrid",
    source: Annotated[list[str] | None, Query()] = None,
    doc_type: Annotated[list[str] | None, Query(alias="type")] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    top_k: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    order: SortOrder = "relevance",
    facet: Annotated[
        list[str] | None, Query(description="A facet value to keep, as facet:value.")
    ] = None,
    as_of: Annotated[
        date | None, Query(description="Rechtsstand: rules in force that day first.")
    ] = None,
    in_force_only: bool = False,
) -> dict[str, Any]:
    """The same search as ``POST /search`` with query parameters."""
    refine: dict[str, list[str]] = {}
    for chosen in facet or []:
        name, separator, value = chosen.partition(":")
        if not separator or not value:
            raise Problem("invalid", f"Facette {chosen!r}: facet:value erwartet")
        refine.setdefault(name, []).append(value)
    try:
        request = SearchRequest(
            query=q,
            mode=mode,
            sources=source,
            doc_types=doc_type,
            date_from=date_from,
            date_to=date_to,
            top_k=top_k,
            offset=offset,
            order=order,
            refine=refine or None,
            as_of=as_of,
            in_force_only=in_force_only,
        )
    except ValueError as exc:  # pydantic's ValidationError: the same problem as the body's
        raise Problem("invalid", str(exc).splitlines()[-1].strip()) from exc
    return _search(app, request, who)


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/answer",
    summary="Antworten: KI-Entwurf oder Auszug, mit Belegen",
    responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}},
)
def answer(request: SearchRequest, app: App, who: Who, stream: bool = True) -> Response:
    """Search, then answer from the passages.

    With ``stream=true`` (default) the answer comes as server-sent events: ``results``
    (the search), ``delta`` (text pieces of an AI draft as it is written), ``answer``
    (the checked answer: sentences with citations and flags, labelled as a draft),
    ``done``; an ``error`` event carries a problem document. With ``stream=false``: one
    JSON ``{"answer", "results"}``. Without an LLM the answer is the extract.
    """
    _known_sources(app, request, who)
    filters = request.filters()
    response, drafted = app.answer_stream(
        request.query, caller=who, mode=request.mode, filters=filters, top_k=request.top_k
    )
    page = _body(response, request, app.generation)
    if not stream:
        final = drafted if isinstance(drafted, Answer) else _finish(drafted)
        app.record_answer(who, response, filters, final)
        return JSONResponse({"answer": final.to_dict(), **page})

    def events() -> Iterator[str]:
        yield _event("results", page)
        try:
            if isinstance(drafted, Answer):
                final = drafted
            else:
                for piece in drafted:
                    yield _event("delta", {"text": piece})
                final = drafted.answer
            app.record_answer(who, response, filters, final)
        except AuskunftError as exc:
            yield _event("error", {"type": kind_of(exc), "detail": str(exc)})
            return
        yield _event("answer", final.to_dict())
        yield _event("done", {})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def _finish(stream: Any) -> Answer:
    for _piece in stream:
        pass
    final: Answer = stream.answer
    return final


def document_body(app: Application, doc_id: str, who: Caller) -> dict[str, Any]:
    """:returns: what a client may know of a document the caller may see."""
    entry = app.document(doc_id, caller=who)
    body = {key: value for key, value in entry.to_dict().items() if key not in _HIDDEN_FIELDS}
    base = f"/api/v1/documents/{doc_id}"
    body["links"] = {
        "self": base,
        "file": f"{base}/file",
        "text": f"{base}/text",
        "relations": f"{base}/relations",
    }
    if entry.page_count:
        body["links"]["page"] = f"{base}/pages/{{page}}"
        body["links"]["words"] = f"{base}/pages/{{page}}/words"
    return body


@router.get("/documents/{doc_id}", summary="Dokument: Metadaten")
def document(doc_id: str, app: App, who: Who) -> dict[str, Any]:
    """Title, type, date, reference, pages and links of a document the caller may see
    (404 otherwise, also when it exists: nothing is revealed)."""
    return document_body(app, doc_id, who)


@router.get(
    "/documents/{doc_id}/pages/{page}",
    summary="Dokument: eine Seite als Bild",
    responses={200: {"content": {"image/png": {}}}},
)
def page_image(
    doc_id: str,
    page: int,
    app: App,
    who: Who,
    width: Annotated[int, Query(ge=100, le=2400)] = 1000,
) -> Response:
    """One page of a PDF as PNG."""
    png = app.page_image(doc_id, page, caller=who, width=width)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private"})


@router.get("/documents/{doc_id}/pages/{page}/words", summary="Dokument: Wörter einer Seite")
def page_words(
    doc_id: str,
    page: int,
    app: App,
    who: Who,
    passage: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """The words of one PDF page with their boxes, and the boxes of a cited passage.

    Boxes are ``[x0, y0, x1, y1]`` as fractions of the page's width and height from the
    top left, so they fit the page image at any size. ``source`` says where the words come
    from: ``text`` (the PDF's text layer) or ``ocr`` (a scanned page, read by tesseract
    once and kept). ``passage`` names a chunk of the document (a search result's
    ``chunk_id``); ``highlights`` are its boxes on this page, one per line, empty when it
    is not on this page. 404 for a document the caller may not see.
    """
    words, highlights = app.page_words(doc_id, page, caller=who, passage=passage)
    return {
        "doc_id": doc_id,
        "page": page,
        "source": words.source,
        "aspect": round(words.aspect, 5),
        "words": [{"text": word.text, "box": list(word.box)} for word in words.words],
        "passage": passage,
        "highlights": [list(box) for box in highlights],
    }


@router.get("/documents/{doc_id}/relations", summary="Dokument: Fassungen und Verweise")
def document_relations(
    doc_id: str,
    app: App,
    who: Who,
    as_of: Annotated[date | None, Query(description="Rechtsstand (default: today).")] = None,
) -> dict[str, Any]:
    """What a document the caller may see amends and what amends it, from when to when it
    is in force (with document, page and sentence saying so), the versions of its statute
    (``history``) and what it cites; ``notes`` say what matters on ``as_of``. 404 otherwise.
    """
    return app.relations(doc_id, caller=who, as_of=as_of.isoformat() if as_of else None)


@router.get("/documents/{doc_id}/text", summary="Dokument: ganzer Text")
def document_text(doc_id: str, app: App, who: Who) -> dict[str, Any]:
    """The text of a document the caller may see, as indexed: its passages in reading
    order (``chunk_id``, ``section``, ``section_path``, ``page_start``, ``page_end``,
    ``text``), to read a document of any format whole. 404 otherwise."""
    entry, parts = app.document_text(doc_id, caller=who)
    return {"doc_id": doc_id, "title": entry.title or entry.filename, "parts": parts}


@router.get("/documents/{doc_id}/file", summary="Dokument: Originaldatei")
def original_file(doc_id: str, app: App, who: Who) -> FileResponse:
    """The original file, as indexed."""
    original = app.original(doc_id, caller=who)
    return FileResponse(
        original.path,
        media_type=original.media_type,
        filename=original.filename,
        headers={"Cache-Control": "private"},
    )


@router.get("/me", summary="Wer bin ich")
def me(who: Who, app: App) -> dict[str, Any]:
    """The caller as the service identified them, with the groups their searches use,
    whether answers are drafted by an LLM, the sources and how many documents are indexed
    (what a search page shows before the first search)."""
    return {
        "name": who.name,
        "groups": list(who.groups),
        "search_groups": who.search_groups(app.settings),
        "is_admin": who.is_admin,
        "has_llm": app.has_llm,
        "sources": sorted(app.known_sources(who)),
        "indexed": app.indexed_count(),
        "generation": app.generation,
    }
