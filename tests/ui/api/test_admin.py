"""Over HTTP: sources and their jobs, ingest, failures and retry, status and audit."""

from __future__ import annotations

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
