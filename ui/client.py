"""The client of ``auskunft serve``: what the interface and the CLI call.

It speaks the REST API (``/api/v1``) and gives back the same typed objects the library
returns (:class:`SearchResponse`, :class:`Answer`), so a page or a command does not care
whether the service runs on this machine or elsewhere. Errors of the service (problem
details) become the library's error tree again: a 404 is :class:`NotFound`, a 400/422
:class:`QueryError` or :class:`ConfigurationError`, an unreachable service
:class:`ServiceUnavailable`.

Who the client acts for is sent with every request: the interface presents its key and
names its logged-in user (the service trusts it for that); the CLI presents an API key,
or in development mode names the user in the headers the service reads then.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
from haystack.utils import Secret
from pydantic import TypeAdapter

from search.answers import Answer
from search.core.errors import (
    AuskunftError,
    BackendError,
    BackendUnavailable,
    ConfigurationError,
    DocumentTooLarge,
    NotFound,
    QueryError,
    SourceInvalid,
    SourceUnavailable,
    UnsupportedFormat,
)
from search.core.settings import Settings
from search.filters import SearchFilters
from search.results import SearchMode, SearchResponse
from search.retrieval.facets import Refinement, SortOrder

API = "/api/v1"
_RESPONSE = TypeAdapter(SearchResponse)
_ANSWER = TypeAdapter(Answer)


def response_from(body: dict[str, Any]) -> SearchResponse:
    """:returns: the typed search response of an API answer."""
    return _RESPONSE.validate_python(body)


class ServiceUnavailable(BackendUnavailable):
    """The service cannot be reached (not running, wrong address, network)."""


class PermissionDenied(AuskunftError):
    """The service refused the caller (no login, unknown key, not an admin, the
    four-eyes rule of a case's release)."""


class StateConflict(AuskunftError):
    """The service refused a step in the object's current state (409: a case under
    review edited, a draft released, a stale version)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Whom requests act for.

    :param key: the interface's key or an API key (``Authorization: Bearer``).
    :param user: the user the interface logged in (sent with the interface's key, or in
        development mode).
    :param groups: their groups.
    """

    key: str | None = None
    user: str | None = None
    groups: tuple[str, ...] = ()

    def headers(self, settings: Settings) -> dict[str, str]:
        """:returns: the headers that say who asks."""
        headers: dict[str, str] = {}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if self.user:
            if self.key:
                headers["X-Auskunft-User"] = self.user
                headers["X-Auskunft-Groups"] = ",".join(self.groups)
            else:  # development mode: the service reads the proxy's headers
                access = settings.access
                headers[access.user_header] = self.user
                headers[access.groups_header] = access.groups_separator.join(self.groups)
        return headers


def client_key(settings: Settings) -> str | None:
    """:returns: the interface's key (from the variable ``service.client_key_env`` names),
    if set."""
    name = settings.service.client_key_env
    if not name:
        return None
    value = Secret.from_env_var(name, strict=False).resolve_value()
    return str(value) if value else None


def running_service_url(settings: Settings) -> str | None:
    """:returns: the URL of the service the clients should call: ``service.url``, else
    one running on this data directory (``service.json`` with a live process), else
    ``None``."""
    if settings.service.url:
        return settings.service.url.rstrip("/")
    try:
        announced = json.loads(settings.service_file_path.read_text())
        pid, url = int(announced["pid"]), str(announced["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # left behind by a killed service
    except PermissionError:
        pass  # alive, another user's
    return url


def _filters_body(filters: SearchFilters | None) -> dict[str, Any]:
    if filters is None:
        return {}
    body: dict[str, Any] = {
        "sources": list(filters.sources) if filters.sources else None,
        "doc_types": list(filters.doc_types) if filters.doc_types else None,
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "doc_ids": list(filters.doc_ids) if filters.doc_ids else None,
        "as_of": filters.as_of.isoformat() if filters.as_of else None,
        "in_force_only": True if filters.in_force_only else None,
    }
    return {key: value for key, value in body.items() if value is not None}


def _error(response: httpx.Response) -> AuskunftError:
    try:
        problem = response.json()
        detail = str(problem.get("detail") or problem.get("title") or response.text)
    except ValueError:
        detail = response.text or response.reason_phrase
    status = response.status_code
    if status == 404:
        return NotFound(detail)
    if status in (401, 403):
        return PermissionDenied(detail)
    if status == 409:
        return StateConflict(detail)
    if status == 413:
        return DocumentTooLarge(detail)
    if status == 415:
        return UnsupportedFormat(detail)
    if status == 400 and "problem:configuration" in response.text:
        return ConfigurationError(detail)
    if status == 502 and "problem:source-unavailable" in response.text:
        return SourceUnavailable(detail)
    if status == 422 and "problem:source-invalid" in response.text:
        return SourceInvalid(detail)
    if status in (400, 422):
        return QueryError(detail)
    if status == 503:
        return BackendUnavailable(detail)
    return BackendError(detail)


class ServiceClient:
    """Calls a running Auskunft service.

    :param settings: the settings (timeouts, header names).
    :param url: the service's base URL (default: :func:`running_service_url`).
    :param identity: whom the requests act for.
    :raises ServiceUnavailable: when no URL is given and no service runs here.
    """

    def __init__(
        self, settings: Settings, url: str | None = None, identity: Identity | None = None
    ) -> None:
        found = url or running_service_url(settings)
        if found is None:
            msg = "No Auskunft service is running (start it with 'auskunft serve')"
            raise ServiceUnavailable(msg)
        self.settings = settings
        self.url = found.rstrip("/")
        self.identity = identity or Identity()
        timeout = settings.service.client_timeout_seconds
        self._http = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout, connect=5.0),
            headers=self.identity.headers(settings),
            trust_env=False,  # only the host the admin configured, never a proxy from env
        )

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, API + path, **kwargs)
        except httpx.TimeoutException as exc:
            msg = f"The Auskunft service at {self.url} did not answer in time"
            raise ServiceUnavailable(msg) from exc
        except httpx.HTTPError as exc:
            msg = f"The Auskunft service at {self.url} cannot be reached: {exc}"
            raise ServiceUnavailable(msg) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    # -- search and answers ------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """:returns: ``{"status": "ok", "generation": n}`` when the service runs."""
        return self._json("GET", "/health")

    def me(self) -> dict[str, Any]:
        """:returns: the caller as the service sees them."""
        return self._json("GET", "/me")

    def search(
        self,
        query: str,
        *,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        top_k: int | None = None,
        offset: int = 0,
        order: SortOrder = "relevance",
        refinement: Refinement | None = None,
    ) -> SearchResponse:
        """:returns: the search response (see ``POST /api/v1/search``)."""
        body = self.search_raw(
            query,
            mode=mode,
            filters=filters,
            top_k=top_k,
            offset=offset,
            order=order,
            refinement=refinement,
        )
        return response_from(body)

    def search_raw(
        self,
        query: str,
        *,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        top_k: int | None = None,
        offset: int = 0,
        order: SortOrder = "relevance",
        refinement: Refinement | None = None,
    ) -> dict[str, Any]:
        """:returns: the search response as the API sends it (with ``generation``)."""
        body = {
            "query": query,
            "mode": mode,
            "offset": offset,
            "order": order,
            **_filters_body(filters),
        }
        if top_k is not None:
            body["top_k"] = top_k
        if refinement:
            body["refine"] = {facet: list(values) for facet, values in refinement.items()}
        return self._json("POST", "/search", json=body)

    def answer_events(
        self,
        question: str,
        *,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        top_k: int | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """Answer as it is written: ``("results", SearchResponse)``, then
        ``("delta", text)`` pieces of an AI draft, then ``("answer", Answer)``.

        :raises AuskunftError: for an ``error`` event or a refused request.
        """
        body = {"query": question, "mode": mode, **_filters_body(filters)}
        if top_k is not None:
            body["top_k"] = top_k
        timeout = httpx.Timeout(self.settings.llm.timeout_seconds + 30, connect=5.0)
        try:
            with self._http.stream("POST", API + "/answer", json=body, timeout=timeout) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _error(response)
                for event, data in _server_sent_events(response.iter_lines()):
                    if event == "results":
                        yield event, _RESPONSE.validate_python(data)
                    elif event == "delta":
                        yield event, str(data.get("text", ""))
                    elif event == "answer":
                        yield event, _ANSWER.validate_python(data)
                    elif event == "error":
                        raise BackendError(str(data.get("detail", "")))
        except httpx.HTTPError as exc:
            msg = f"The Auskunft service at {self.url} cannot be reached: {exc}"
            raise ServiceUnavailable(msg) from exc

    def answer(
        self,
        question: str,
        *,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        top_k: int | None = None,
    ) -> tuple[SearchResponse, Answer]:
        """:returns: the search and the finished answer."""
        response: SearchResponse | None = None
        final: Answer | None = None
        for event, data in self.answer_events(question, mode=mode, filters=filters, top_k=top_k):
            if event == "results":
                response = data
            elif event == "answer":
                final = data
        if response is None or final is None:
            msg = "The service ended the answer early"
            raise BackendError(msg)
        return response, final

    # -- documents ---------------------------------------------------------------------

    def document(self, doc_id: str) -> dict[str, Any]:
        """:returns: a document's metadata (404 → :class:`NotFound`)."""
        return self._json("GET", f"/documents/{doc_id}")

    def relations(self, doc_id: str, *, as_of: date | None = None) -> dict[str, Any]:
        """:returns: a document's *Fassungen und Verweise* on ``as_of`` (default: today):
        ``in_force_from``/``in_force_until`` with their evidence, ``amends``,
        ``amended_by``, ``replaces``, ``replaced_by``, ``history``, ``references``,
        ``cited_by``, ``notes`` and the ``as_of`` applied (404 → :class:`NotFound`)."""
        params = {"as_of": as_of.isoformat()} if as_of else {}
        return self._json("GET", f"/documents/{doc_id}/relations", params=params)

    def page_image(self, doc_id: str, page: int, *, width: int = 1000) -> bytes:
        """:returns: one PDF page as PNG."""
        return self._request(
            "GET", f"/documents/{doc_id}/pages/{page}", params={"width": width}
        ).content

    def page_words(self, doc_id: str, page: int, *, passage: str | None = None) -> dict[str, Any]:
        """:returns: one PDF page's words with their boxes, and the ``highlights`` of a
        passage (a chunk id) on it (see ``GET /documents/{doc_id}/pages/{page}/words``)."""
        params = {"passage": passage} if passage else {}
        return self._json("GET", f"/documents/{doc_id}/pages/{page}/words", params=params)

    def document_text(self, doc_id: str) -> dict[str, Any]:
        """:returns: a document's text as indexed: ``parts`` in reading order, each with
        ``chunk_id``, ``section``, ``section_path``, pages and ``text``."""
        return self._json("GET", f"/documents/{doc_id}/text")

    def original(self, doc_id: str) -> tuple[bytes, str, str]:
        """:returns: the original file's bytes, media type and file name."""
        response = self._request("GET", f"/documents/{doc_id}/file")
        media = response.headers.get("content-type", "application/octet-stream").split(";")[0]
        disposition = response.headers.get("content-disposition", "")
        name = _filename(disposition) or doc_id
        return response.content, media, name

    # -- administration ----------------------------------------------------------------

    def status(self, *, disk: bool = False) -> dict[str, Any]:
        """:returns: the index status (``auskunft status --json``'s shape, plus jobs)."""
        return self._json("GET", "/status", params={"disk": disk})

    def failures(self) -> list[dict[str, Any]]:
        """:returns: the failed documents."""
        return self._json("GET", "/failures")

    def retry(self, doc_id: str) -> dict[str, Any]:
        """:returns: the job that tries a failed document again."""
        return self._json("POST", f"/failures/{doc_id}/retry")

    def sources(self) -> list[dict[str, Any]]:
        """:returns: every source with its last sync."""
        return self._json("GET", "/sources")

    def source_kinds(self) -> dict[str, dict[str, Any]]:
        """:returns: the kinds of source with their location label and options."""
        return self._json("GET", "/sources/kinds")

    def source(self, name: str) -> dict[str, Any]:
        """:returns: one source."""
        return self._json("GET", f"/sources/{name}")

    def add_source(self, entry: dict[str, Any], *, sync: bool = False) -> dict[str, Any]:
        """Register a source (tested first); ``sync`` starts its first sync."""
        return self._json("POST", "/sources", json=entry, params={"sync": sync})

    def update_source(self, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        """:returns: the changed source."""
        return self._json("PATCH", f"/sources/{name}", json=changes)

    def remove_source(self, name: str) -> dict[str, Any]:
        """:returns: the job that removes a source and its documents."""
        return self._json("DELETE", f"/sources/{name}")

    def test_source(self, name: str | None = None, entry: dict[str, Any] | None = None) -> str:
        """:returns: what a connection test of a registered or a new source found."""
        if name is not None:
            result = self._json("POST", f"/sources/{name}/test")
        else:
            result = self._json("POST", "/sources/test", json=entry or {})
        return str(result["result"])

    def sync(self, name: str, *, retry_failed: bool = False) -> dict[str, Any]:
        """:returns: the job that syncs a source."""
        return self._json("POST", f"/sources/{name}/sync", params={"retry_failed": retry_failed})

    def ingest(self, path: str, **options: Any) -> dict[str, Any]:
        """:returns: the job that ingests a folder or file on the service's machine."""
        body = {"path": path, **{k: v for k, v in options.items() if v not in (None, [], ())}}
        return self._json("POST", "/ingest", json=body)

    def wait(self, job: dict[str, Any], *, poll_seconds: float = 0.5) -> dict[str, Any]:
        """:returns: the job once it has ended (polled)."""
        import time

        while not job.get("finished"):
            time.sleep(poll_seconds)
            job = self.job(int(job["id"]))
        return job

    def job(self, job_id: int) -> dict[str, Any]:
        """:returns: a job with its progress."""
        return self._json("GET", f"/jobs/{job_id}")

    def jobs(self) -> list[dict[str, Any]]:
        """:returns: the service's jobs, newest first."""
        return self._json("GET", "/jobs")

    def audit_records(
        self, *, since: datetime | None = None, user: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """:returns: the newest audit records."""
        params: dict[str, Any] = {"limit": limit}
        if since is not None:
            params["since"] = since.isoformat()
        if user:
            params["user"] = user
        return self._json("GET", "/audit/records", params=params)

    def audit_export(
        self, fmt: str = "jsonl", *, since: datetime | None = None, user: str | None = None
    ) -> str:
        """:returns: the audit log as JSON lines or CSV."""
        params: dict[str, Any] = {"format": fmt}
        if since is not None:
            params["since"] = since.isoformat()
        if user:
            params["user"] = user
        return self._request("GET", "/audit", params=params).text

    def create_key(
        self, name: str, groups: Sequence[str], *, admin: bool = False
    ) -> dict[str, Any]:
        """:returns: the new key with its secret (shown once)."""
        body = {"name": name, "groups": list(groups), "admin": admin}
        return self._json("POST", "/keys", json=body)

    # -- cases (the council office's inquiries) ------------------------------------------

    def cases(self) -> list[dict[str, Any]]:
        """:returns: the cases the caller may see, by deadline, ``overdue`` marked."""
        return self._json("GET", "/cases")

    def case(self, case_id: str) -> dict[str, Any]:
        """:returns: one case as the caller may see it (404 → :class:`NotFound`)."""
        return self._json("GET", f"/cases/{case_id}")

    def create_case(
        self,
        *,
        text: str | None = None,
        doc_id: str | None = None,
        title: str | None = None,
        department: str | None = None,
        deadline: date | None = None,
    ) -> dict[str, Any]:
        """:returns: a new case from an inquiry's text or an indexed document's."""
        body = {
            "text": text,
            "doc_id": doc_id,
            "title": title,
            "department": department,
            "deadline": deadline.isoformat() if deadline else None,
        }
        return self._json(
            "POST", "/cases", json={key: value for key, value in body.items() if value is not None}
        )

    def upload_case(
        self,
        filename: str,
        content: bytes,
        *,
        title: str | None = None,
        department: str | None = None,
        deadline: date | None = None,
    ) -> dict[str, Any]:
        """:returns: a new case from an inquiry file (PDF, DOCX, ODT, text).

        :raises DocumentTooLarge: when the file is too large.
        :raises UnsupportedFormat: for a format the service does not read.
        :raises QueryError: when it holds no text or cannot be read.
        """
        fields = {
            "title": title,
            "department": department,
            "deadline": deadline.isoformat() if deadline else None,
        }
        data = {key: value for key, value in fields.items() if value}
        return self._json("POST", "/cases/upload", files={"file": (filename, content)}, data=data)

    def update_case(self, case_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Assign a department, set the deadline (ISO) or title (``None`` clears)."""
        return self._json("PATCH", f"/cases/{case_id}", json=changes)

    def add_question(
        self, case_id: str, text: str, *, position: int | None = None
    ) -> dict[str, Any]:
        """:returns: the case with one more question."""
        body: dict[str, Any] = {"text": text}
        if position is not None:
            body["position"] = position
        return self._json("POST", f"/cases/{case_id}/questions", json=body)

    def edit_question(self, case_id: str, question_id: int, text: str) -> dict[str, Any]:
        """:returns: the case with the question's new text."""
        return self._json("PATCH", f"/cases/{case_id}/questions/{question_id}", json={"text": text})

    def remove_question(self, case_id: str, question_id: int) -> dict[str, Any]:
        """:returns: the case without the question."""
        return self._json("DELETE", f"/cases/{case_id}/questions/{question_id}")

    def reorder_questions(self, case_id: str, order: Sequence[int]) -> dict[str, Any]:
        """:returns: the case with its questions in this order (every id once)."""
        return self._json("PUT", f"/cases/{case_id}/questions", json={"order": list(order)})

    def research_question(
        self, case_id: str, question_id: int, *, as_of: date | None = None
    ) -> dict[str, Any]:
        """:returns: the case with the question's ``offered`` passages."""
        body = {"as_of": as_of.isoformat()} if as_of else {}
        return self._json("POST", f"/cases/{case_id}/questions/{question_id}/research", json=body)

    def pin_passages(
        self, case_id: str, question_id: int, chunk_ids: Sequence[str]
    ) -> dict[str, Any]:
        """:returns: the case with these passages pinned for the question."""
        path = f"/cases/{case_id}/questions/{question_id}/pins"
        return self._json("PUT", path, json={"chunk_ids": list(chunk_ids)})

    def draft_answer(self, case_id: str, question_id: int) -> dict[str, Any]:
        """:returns: the case with a KI-Entwurf of the question's answer."""
        timeout = httpx.Timeout(self.settings.llm.timeout_seconds + 30, connect=5.0)
        path = f"/cases/{case_id}/questions/{question_id}/draft"
        return self._json("POST", path, timeout=timeout)

    def edit_answer(
        self, case_id: str, question_id: int, text: str, *, accept: bool = False
    ) -> dict[str, Any]:
        """:returns: the case with a person's answer (``accept``: no longer a KI-Entwurf)."""
        path = f"/cases/{case_id}/questions/{question_id}/draft"
        return self._json("PUT", path, json={"text": text, "accept": accept})

    def comment_case(
        self, case_id: str, text: str, *, question_id: int | None = None
    ) -> dict[str, Any]:
        """:returns: the case with the comment."""
        body = {"text": text, "question_id": question_id}
        return self._json("POST", f"/cases/{case_id}/comments", json=body)

    def submit_case(self, case_id: str) -> dict[str, Any]:
        """Entwurf → in Prüfung (:class:`StateConflict` when an answer is not accepted)."""
        return self._json("POST", f"/cases/{case_id}/submit")

    def return_case(self, case_id: str, note: str = "") -> dict[str, Any]:
        """in Prüfung → Entwurf."""
        return self._json("POST", f"/cases/{case_id}/return", json={"note": note})

    def release_case(self, case_id: str) -> dict[str, Any]:
        """in Prüfung → freigegeben (:class:`PermissionDenied` for the author: four eyes)."""
        return self._json("POST", f"/cases/{case_id}/release")

    def export_case(self, case_id: str, fmt: str = "docx") -> tuple[bytes, str]:
        """:returns: the reply letter (DOCX or ODT) and its file name."""
        response = self._request("GET", f"/cases/{case_id}/export", params={"format": fmt})
        name = _filename(response.headers.get("content-disposition", "")) or f"{case_id}.{fmt}"
        return response.content, name


def _filename(disposition: str) -> str | None:
    from email.message import Message

    if not disposition:
        return None
    message = Message()
    message["content-disposition"] = disposition
    name = message.get_filename()
    return str(name) if name else None


def _server_sent_events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    event, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield event, json.loads("\n".join(data))
