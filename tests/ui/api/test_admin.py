"""Over HTTP: sources and their jobs, ingest, failures and retry, status and audit."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ui.api.conftest import Service
from tests.ui.api.support import ADMIN, STAFF, problem, wait_job


def _found(api: httpx.Client, query: str, name: str) -> bool:
    body = api.post("/search", json={"query": query, "mode": "keyword"}, headers=STAFF).json()
    return any(hit["uri"].endswith(name) for hit in body["results"])


def test_a_source_from_test_to_removal(api: httpx.Client, service: Service) -> None:
    folder = service.base / "neu"
    folder.mkdir()
    (folder / "rundschreiben.txt").write_text(
        "Rundschreiben Glättedienst: Der Winterdienst räumt Radwege ab 6 Uhr.", encoding="utf-8"
    )
    (folder / "kaputt.pdf").write_bytes(b"%PDF-1.7 nicht wirklich")
    entry = {"name": "neu", "location": str(folder)}
    kinds = api.get("/sources/kinds", headers=ADMIN).json()
    assert {"folder", "oparl", "website", "lawxml"} <= set(kinds)
    missing = {"name": "weg", "location": str(service.base / "gibt-es-nicht")}
    problem(api.post("/sources/test", json=missing, headers=ADMIN), 400)
    problem(api.post("/sources", json=missing, headers=ADMIN), 400)
    assert "2" in api.post("/sources/test", json=entry, headers=ADMIN).json()["result"]
    assert api.post("/sources", json=entry, headers=ADMIN).status_code == 201
    assert api.get("/sources/neu", headers=ADMIN).json()["location"] == str(folder)
    assert "neu" in {source["name"] for source in api.get("/sources", headers=ADMIN).json()}
    assert "2" in api.post("/sources/neu/test", headers=ADMIN).json()["result"]
    patched = api.patch("/sources/neu", json={"interval_minutes": 60}, headers=ADMIN).json()
    assert patched["interval_minutes"] == 60
    started = api.post("/sources/neu/sync", headers=ADMIN)
    assert started.status_code == 202
    job = wait_job(api, started.headers["location"].removeprefix("/api/v1"), ADMIN)
    assert job["state"] == "done" and job["report"]["indexed"] == 1
    assert job["report"]["failed"] == 1
    assert any(j["id"] == job["id"] for j in api.get("/jobs", headers=ADMIN).json())
    assert _found(api, "Glättedienst Radwege", "rundschreiben.txt")
    failures = api.get("/failures", headers=ADMIN).json()
    broken = next(f for f in failures if f["uri"].endswith("kaputt.pdf"))
    assert broken["reason"] == "corrupt"
    retried = api.post(f"/failures/{broken['doc_id']}/retry", headers=ADMIN)
    assert retried.status_code == 202
    assert wait_job(api, retried.json()["id"], ADMIN)["report"]["failed"] == 1
    status = api.get("/status", params={"disk": "true"}, headers=ADMIN).json()
    assert status["sources"]["neu"]["indexed"] == 1 and status["disk_bytes"] > 0
    removed = api.delete("/sources/neu", headers=ADMIN)
    assert removed.status_code == 202
    assert wait_job(api, removed.json()["id"], ADMIN)["report"]["deleted"] == 2
    assert not _found(api, "Glättedienst Radwege", "rundschreiben.txt")
    problem(api.get("/sources/neu", headers=ADMIN), 404)


def test_ingest_a_folder_and_read_the_audit_log(api: httpx.Client, service: Service) -> None:
    folder = service.base / "eingang"
    folder.mkdir()
    (folder / "vermerk.txt").write_text(
        "Vermerk Streusalz: Das Lager am Bauhof reicht für drei Wochen.", encoding="utf-8"
    )
    problem(api.post("/ingest", json={"path": str(folder / "nichts")}, headers=ADMIN), 404)
    started = api.post("/ingest", json={"path": str(folder), "source": "eingang"}, headers=ADMIN)
    assert started.status_code == 202
    assert wait_job(api, started.json()["id"], ADMIN)["report"]["indexed"] == 1
    assert _found(api, "Streusalz Bauhof", "vermerk.txt")
    records = api.get("/audit/records", params={"user": "m.schubert"}, headers=ADMIN).json()
    assert any(record["query"] == "Streusalz Bauhof" for record in records)
    csv = api.get("/audit", params={"format": "csv", "user": "m.schubert"}, headers=ADMIN)
    assert csv.headers["content-type"].startswith("text/csv") and "Streusalz Bauhof" in csv.text


def test_a_queue_worker_writes_through_the_service(api: httpx.Client, service: Service) -> None:
    """A worker on another machine prepares a document (fetch, parse, chunk, embed) and
    the service, owner of the embedded index, writes it; a sync that finds it gone has
    the service remove it. Only admins (a worker's admin key) may."""
    from connectors.base import SourceRef
    from connectors.filesystem import FilesystemConnector
    from ingest.catalog import Catalog
    from ingest.sync.runner import IngestReport, IngestRunner
    from search.backends import open_embedder

    folder = service.base / "arbeitsplatz"
    folder.mkdir()
    path = folder / "streusalz.txt"
    path.write_text("Dienstanweisung Streusalz: auf Gehwegen nur Splitt streuen.", "utf-8")
    catalog = Catalog.open(service.settings)
    try:
        # prepare() reads the catalog and embeds; it touches no store, which the service holds
        no_store: Any = None
        embedder = open_embedder(service.settings)
        runner = IngestRunner(service.settings, catalog, no_store, no_store, embedder)
        report = IngestReport(source="arbeitsplatz")
        prepared = runner.prepare(
            FilesystemConnector(folder, name="arbeitsplatz"),
            SourceRef(uri=path.as_uri()),
            report=report,
        )
    finally:
        catalog.close()
    assert prepared is not None
    body = {"documents": [prepared.to_wire()]}
    problem(api.post("/index/documents", json=body, headers=STAFF), 403)
    broken = {"documents": [{"entry": {"doc_id": "x"}, "chunks": []}]}
    assert (
        "Not a prepared document"
        in problem(api.post("/index/documents", json=broken, headers=ADMIN), 400)["detail"]
    )
    written = api.post("/index/documents", json=body, headers=ADMIN).json()
    assert written["indexed"] == 1 and written["chunks"] >= 1
    assert _found(api, "Streusalz Splitt Gehwegen", "streusalz.txt")
    doc_id = prepared.entry.doc_id
    assert api.get(f"/documents/{doc_id}", headers=ADMIN).json()["title"]
    removals = {"doc_ids": [doc_id]}
    problem(api.post("/index/removals", json=removals, headers=STAFF), 403)
    assert api.post("/index/removals", json=removals, headers=ADMIN).json() == {"removed": 1}
    assert not _found(api, "Streusalz Splitt Gehwegen", "streusalz.txt")
    problem(api.get(f"/documents/{doc_id}", headers=ADMIN), 404)
