"""Administration: status, failures, sources and their syncs, jobs, audit log, API keys,
and the writes of queue workers.

Every route here needs an admin (``access.admin_group`` or a key made with admin rights).
Writes (sync, retry, removal) are jobs of the service's writer: the route answers 202
with the job at once; ``GET /jobs/{id}`` shows its progress.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from ingest.application import Job
from ingest.sync.sources import SourceConfig
from search.api_keys import ApiKeyStore
from search.audit import AuditLog
from search.core.settings import SourceEntry
from ui.api.deps import Admin, App
from ui.api.models import (
    DocumentRemovals,
    IngestRequest,
    KeyRequest,
    PreparedDocuments,
    SourcePatch,
)

router = APIRouter(tags=["Verwaltung"])


def _accepted(job: Job) -> JSONResponse:
    return JSONResponse(
        job.to_dict(),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": f"/api/v1/jobs/{job.id}"},
    )


@router.get("/status", summary="Indexstatus")
def index_status(app: App, _admin: Admin, disk: bool = False) -> dict[str, Any]:
    """Documents by status, chunks, sources, embedding model, failures, running jobs
    (``disk=true`` adds the bytes of the data directory)."""
    return app.status(with_disk=disk)


@router.get("/failures", summary="Fehlgeschlagene Dokumente")
def failures(app: App, _admin: Admin) -> list[dict[str, Any]]:
    """Every document that could not be ingested, with its reason."""
    return app.failures()


@router.post("/failures/{doc_id}/retry", summary="Fehlgeschlagenes Dokument erneut versuchen")
def retry(doc_id: str, app: App, who: Admin) -> JSONResponse:
    """Ingest a failed document again (a job of the writer)."""
    return _accepted(app.retry(doc_id, caller=who))


@router.post("/ingest", summary="Ordner oder Datei einlesen", status_code=202)
def ingest(request: IngestRequest, app: App, who: Admin) -> JSONResponse:
    """Ingest a folder or file the service can read (``auskunft ingest`` while the
    service runs): new and changed files are indexed, deleted ones removed (a job)."""
    job = app.ingest_path(
        Path(request.path),
        caller=who,
        source=request.source,
        include=request.include,
        exclude=request.exclude,
        access_groups=request.access_groups,
        doc_type=request.doc_type,
        retry_failed=request.retry_failed,
    )
    return _accepted(job)


@router.post("/index/documents", summary="Vorbereitete Dokumente schreiben")
def write_documents(request: PreparedDocuments, app: App, who: Admin) -> dict[str, Any]:
    """Write documents a queue worker fetched, parsed, chunked and embedded on its own
    machine; the service, owner of the embedded index, writes them (answers when written)."""
    return app.write_prepared(request.documents, caller=who)


@router.post("/index/removals", summary="Dokumente aus dem Index entfernen")
def remove_documents(request: DocumentRemovals, app: App, who: Admin) -> dict[str, Any]:
    """Remove documents a queue worker's sync found gone at their source."""
    return app.remove_documents(request.doc_ids, caller=who)


def _config(entry: SourceEntry) -> SourceConfig:
    return SourceConfig.of(entry)


@router.get("/sources", summary="Quellen")
def sources(app: App, _admin: Admin) -> list[dict[str, Any]]:
    """Every source with its settings and last sync."""
    return [source.to_dict() for source in app.sources()]


@router.post("/sources", summary="Quelle hinzufügen", status_code=status.HTTP_201_CREATED)
def add_source(entry: SourceEntry, app: App, _admin: Admin, sync: bool = False) -> JSONResponse:
    """Register a source after testing its connection; ``sync=true`` starts its first sync."""
    source = app.add_source(_config(entry))
    body = source.to_dict()
    if sync:
        body["job"] = app.sync(source.name, caller=_admin).to_dict()
    return JSONResponse(
        body,
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/sources/{source.name}"},
    )


@router.post("/sources/test", summary="Verbindung einer neuen Quelle testen")
def test_new_source(entry: SourceEntry, app: App, _admin: Admin) -> dict[str, str]:
    """Test a source that is not registered yet."""
    return {"result": app.check_source(_config(entry))}


@router.get("/sources/kinds", summary="Arten von Quellen")
def source_kinds(_admin: Admin) -> dict[str, dict[str, Any]]:
    """The kinds of source (folder, OParl, website, law XML): what the location is and
    which options each understands (for forms)."""
    from ingest.sync.kinds import KINDS

    return {
        name: {"location_label": kind.location_label, "options": dict(kind.options)}
        for name, kind in KINDS.items()
    }


@router.get("/sources/{name}", summary="Eine Quelle")
def source(name: str, app: App, _admin: Admin) -> dict[str, Any]:
    """One source with its settings and last sync."""
    return app.source(name).to_dict()


@router.patch("/sources/{name}", summary="Quelle ändern")
def update_source(name: str, patch: SourcePatch, app: App, _admin: Admin) -> dict[str, Any]:
    """Change a source (a new location, groups or type rebuilds its documents at the next
    sync)."""
    return app.update_source(name, **patch.changes()).to_dict()


@router.delete("/sources/{name}", summary="Quelle entfernen", status_code=202)
def remove_source(name: str, app: App, who: Admin) -> JSONResponse:
    """Remove a source and its documents from both indexes and the catalog (a job)."""
    return _accepted(app.remove_source(name, caller=who))


@router.post("/sources/{name}/test", summary="Verbindung einer Quelle testen")
def test_source(name: str, app: App, _admin: Admin) -> dict[str, str]:
    """Test a registered source's connection."""
    return {"result": app.check_source(app.source(name))}


@router.post("/sources/{name}/sync", summary="Quelle jetzt synchronisieren", status_code=202)
def sync_source(name: str, app: App, who: Admin, retry_failed: bool = False) -> JSONResponse:
    """Sync a source now (a job; one already waiting is returned instead)."""
    return _accepted(app.sync(name, caller=who, retry_failed=retry_failed))


@router.get("/jobs", summary="Schreibaufträge")
def jobs(app: App, _admin: Admin) -> list[dict[str, Any]]:
    """Syncs, retries and removals of this service, newest first."""
    return [job.to_dict() for job in app.jobs()]


@router.get("/jobs/{job_id}", summary="Ein Schreibauftrag")
def job(job_id: int, app: App, _admin: Admin) -> dict[str, Any]:
    """One job with its progress (``counts``, ``total``) and, when done, its report."""
    return app.job(job_id).to_dict()


@router.get(
    "/audit",
    summary="Protokoll exportieren",
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
def audit_export(
    app: App,
    _admin: Admin,
    format: Literal["jsonl", "csv"] = "jsonl",
    since: datetime | None = None,
    user: str | None = None,
) -> Response:
    """Every search and answer (oldest first) as JSON lines or CSV."""
    out = io.StringIO()
    AuditLog.from_settings(app.settings).export(out, format, since=since, user=user)
    media = "application/x-ndjson" if format == "jsonl" else "text/csv"
    return Response(
        out.getvalue(),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="auskunft-protokoll.{format}"'},
    )


@router.get("/audit/records", summary="Protokoll ansehen")
def audit_records(
    app: App,
    _admin: Admin,
    since: datetime | None = None,
    user: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The newest records, newest first."""
    log = AuditLog.from_settings(app.settings)
    return [record.to_dict() for record in log.records(since=since, user=user, limit=limit)]


def _keys(app: App) -> ApiKeyStore:
    return ApiKeyStore(app.settings.api_keys_path)


@router.get("/keys", summary="API-Schlüssel")
def keys(app: App, _admin: Admin) -> list[dict[str, Any]]:
    """Every API key (never its secret), revoked ones too."""
    return [key.to_dict() for key in _keys(app).list()]


@router.post("/keys", summary="API-Schlüssel anlegen", status_code=status.HTTP_201_CREATED)
def create_key(request: KeyRequest, app: App, _admin: Admin) -> dict[str, Any]:
    """Make a key for a machine client; the secret is in this answer only."""
    key, secret = _keys(app).create(request.name, request.groups, admin=request.admin)
    return {**key.to_dict(), "secret": secret}


@router.delete("/keys/{key_id}", summary="API-Schlüssel widerrufen")
def revoke_key(key_id: int, app: App, _admin: Admin) -> dict[str, Any]:
    """Refuse a key from now on."""
    return _keys(app).revoke(key_id).to_dict()
