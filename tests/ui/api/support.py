"""What the API tests share: the sample files, the callers, and small readers of the
service's answers (problem documents, server-sent events, jobs, MCP calls)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "samples" / "corpus"
PUBLIC_FILES = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "satzungen/Abfallgebuehrensatzung_2020.pdf",
    "beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf",
    "beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf",
    "dienstanweisungen/DA_Dienstreisen_2012.pdf",
    "sonstiges/Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf",
]
RESTRICTED_FILE = "dienstanweisungen/personalamt/DA_Beurteilungen_2023_VERTRAULICH.pdf"
RESTRICTED_SOURCE_TEXT = ROOT / "samples" / "src" / "da_beurteilungen_vertraulich.md"
PUBLIC_SOURCE = "beispiel"
RESTRICTED_SOURCE = "personalamt"
DOG_TAX = "Hundesteuersatzung_2017.pdf"
CONFIDENTIAL = Path(RESTRICTED_FILE).name

# the reverse proxy's headers (access.mode = "header"): who is calling, in which groups
ADMIN = {"X-Forwarded-User": "it.betrieb", "X-Forwarded-Groups": "admin,amt10"}
STAFF = {"X-Forwarded-User": "m.schubert", "X-Forwarded-Groups": "amt22"}
PERSONNEL = {"X-Forwarded-User": "p.klein", "X-Forwarded-Groups": "personalamt,amt11"}
MCP_ACCEPT = {"Accept": "application/json, text/event-stream"}
PROBLEM_TYPE = "urn:auskunft:problem:"


def bearer(secret: str) -> dict[str, str]:
    """:returns: the header presenting an API key."""
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class Recorder:
    """Every (method, path, status) the tests' clients received, to compare with the
    OpenAPI paths."""

    calls: set[tuple[str, str, int]] = field(default_factory=set)

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        self.calls.add((request.method, request.url.path, response.status_code))

    def answered(self, method: str, template: str) -> set[int]:
        """:returns: the statuses a path template (``/api/v1/jobs/{job_id}``) answered."""
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        return {
            status for verb, path, status in self.calls if verb == method and pattern.match(path)
        }


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Check a problem document (RFC 9457) and return it.

    :param response: the answer.
    :param status: the status it must have.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM_TYPE)
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    return body


def wait_job(client: httpx.Client, job: str | int, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a job until it has ended.

    :param job: its id or its ``Location``.
    :returns: the finished job.
    """
    url = job if isinstance(job, str) else f"/jobs/{job}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(url, headers=headers).raise_for_status().json()
        if body["finished"]:
            return body
        time.sleep(0.1)
    msg = f"job {job} did not end in 300 s"
    raise AssertionError(msg)


def events(text: str) -> list[tuple[str, Any]]:
    """:returns: the server-sent events of a stream as (name, data)."""
    parsed = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        name = "message"
        data = []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").strip())
        parsed.append((name, json.loads("\n".join(data))))
    return parsed


def mcp(
    client: httpx.Client, url: str, method: str, params: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    """One JSON-RPC call to the stateless MCP endpoint (``url`` is the service's root)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return client.post(f"{url}/mcp", json=body, headers={**MCP_ACCEPT, **headers})


def tool_result(response: httpx.Response) -> tuple[bool, Any]:
    """:returns: whether a ``tools/call`` failed, and its structured (or text) content."""
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    if result.get("isError"):
        return True, result["content"][0]["text"]
    structured = result.get("structuredContent")
    if structured is not None:
        return False, structured.get("result", structured)
    return False, json.loads(result["content"][0]["text"])
