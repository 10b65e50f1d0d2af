"""Over HTTP: access groups (0 of N probes leak the confidential document), API keys,
problem details on bad input, streamed answers and the MCP tools."""

from __future__ import annotations

import itertools

import httpx
import pytest

from tests.ui.api.conftest import Service
from tests.ui.api.support import (
    ADMIN,
    CONFIDENTIAL,
    PERSONNEL,
    STAFF,
    bearer,
    events,
    mcp,
    problem,
    tool_result,
)

# the confidential instruction's own words
WORDS = [
    "Beurteilung",
    "dienstliche Beurteilung",
    "Beurteilungsgespräch",
    "Leistungsbewertung",
    "vertraulich",
    "Personalamt",
    "Regelbeurteilung",
    "Beurteilungszeitraum",
    "Beurteiler",
    "Personalakte",
]
MODES = ["hybrid", "keyword", "semantic"]


def _uris(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [hit["uri"] for hit in response.json()["results"]]


def test_zero_of_n_probes_reach_the_confidential_document(
    api: httpx.Client, service: Service
) -> None:
    probes = 0
    for word, mode in itertools.product(WORDS, MODES):
        body = {"query": word, "mode": mode, "top_k": 20, "access_groups": ["personalamt"]}
        posted = api.post("/search", json=body, headers=STAFF)
        got = api.get(
            "/search", params={"q": word, "mode": mode, "group": "personalamt"}, headers=STAFF
        )
        for response in (posted, got):
            probes += 1
            assert not any(uri.endswith(CONFIDENTIAL) for uri in _uris(response))
    assert probes >= 20
    doc_id = service.doc_ids[CONFIDENTIAL]
    for path in (
        f"/documents/{doc_id}",
        f"/documents/{doc_id}/pages/1",
        f"/documents/{doc_id}/pages/1/words",
        f"/documents/{doc_id}/text",
        f"/documents/{doc_id}/relations",
        f"/documents/{doc_id}/file",
    ):
        forbidden = problem(api.get(path, headers=STAFF), 404)
        unknown = problem(api.get(path.replace(doc_id, "0" * 24), headers=STAFF), 404)
        assert forbidden["type"] == unknown["type"]
        assert api.get(path, headers=PERSONNEL).status_code == 200
    found = api.post("/search", json={"query": "Beurteilung", "top_k": 20}, headers=PERSONNEL)
    assert any(uri.endswith(CONFIDENTIAL) for uri in _uris(found))


def test_api_keys_are_shown_once_scoped_and_revocable(api: httpx.Client, service: Service) -> None:
    assert (
        api.post("/keys", json={"name": "x", "groups": ["public"]}, headers=STAFF).status_code
        == 403
    )
    made = api.post("/keys", json={"name": "assistent", "groups": ["personalamt"]}, headers=ADMIN)
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    listed = api.get("/keys", headers=ADMIN).json()
    assert secret not in str(listed)
    assert secret.encode() not in service.settings.api_keys_path.read_bytes()
    key = bearer(secret)
    found = api.post("/search", json={"query": "Beurteilung", "top_k": 20}, headers=key)
    assert any(uri.endswith(CONFIDENTIAL) for uri in _uris(found))
    problem(api.get("/status", headers=key), 403)
    answer = mcp(
        api,
        service.url,
        "tools/call",
        {"name": "fetch_document", "arguments": {"doc_id": service.doc_ids[CONFIDENTIAL]}},
        key,
    )
    failed, content = tool_result(answer)
    assert not failed and content["parts"]
    revoked = api.delete(f"/keys/{made.json()['id']}", headers=ADMIN)
    assert revoked.json()["active"] is False
    problem(api.get("/search", params={"q": "Hund"}, headers=key), 401)
    problem(api.get("/search", params={"q": "Hund"}, headers=bearer("ak_garbage")), 401)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"query": ""}, 422),
        ({"query": "   "}, 422),
        ({"query": "Hund " * 2000}, 422),
        ({"query": "Hund", "date_from": "2024-13-01"}, 422),
        ({"query": "Hund", "date_from": "2024-05-01", "date_to": "2024-01-01"}, 422),
        ({"query": "Hund", "sources": ["gibt-es-nicht"]}, 422),
        ({"query": "Hund", "doc_types": ["roman"]}, 422),
        ({"query": "Hund", "mode": "magisch"}, 422),
    ],
    ids=[
        "empty",
        "blank",
        "10000-chars",
        "bad-date",
        "from-after-to",
        "unknown-source",
        "unknown-type",
        "unknown-mode",
    ],
)
def test_bad_input_is_a_problem_in_german(api: httpx.Client, body: dict, status: int) -> None:
    found = problem(api.post("/search", json=body, headers=STAFF), status)
    assert found["title"] == "Ungültige Angaben"


def test_other_problems(api: httpx.Client) -> None:
    bad_json = api.post(
        "/search", content=b"{nicht json", headers={**STAFF, "Content-Type": "application/json"}
    )
    problem(bad_json, 422)
    problem(api.put("/search", headers=STAFF), 405)
    problem(api.get("/search", params={"q": "Hund"}), 401)  # no user from the proxy
    problem(api.get("/status", headers=STAFF), 403)
    problem(api.get("/jobs/999999", headers=ADMIN), 404)
    english = api.post("/search", json={"query": ""}, headers={**STAFF, "Accept-Language": "en"})
    assert problem(english, 422)["title"] == "Invalid input"


def test_answers_stream_as_server_sent_events(api: httpx.Client) -> None:
    body = {"query": "Wie hoch ist die Hundesteuer für den ersten Hund?", "top_k": 3}
    streamed = api.post("/answer", json=body, headers=STAFF)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    names = [name for name, _ in events(streamed.text)]
    assert names[0] == "results" and names[-2:] == ["answer", "done"]
    answer = dict(events(streamed.text))["answer"]
    assert answer["kind"] == "extractive"
    assert answer["sentences"] and all(s["citations"] for s in answer["sentences"])
    whole = api.post("/answer", params={"stream": "false"}, json=body, headers=STAFF).json()
    assert whole["answer"]["kind"] == "extractive" and whole["results"]
    audit = api.get("/audit", params={"format": "jsonl"}, headers=ADMIN).text
    assert '"user": "m.schubert"' in audit and '"kind": "answer"' in audit


def test_mcp_tools(api: httpx.Client, service: Service) -> None:
    made = api.post("/keys", json={"name": "mcp", "groups": ["public"]}, headers=ADMIN).json()
    key = bearer(made["secret"])
    listed = mcp(api, service.url, "tools/list", {}, key).json()["result"]["tools"]
    assert {tool["name"] for tool in listed} == {"search", "fetch_document"}
    failed, hits = tool_result(
        mcp(
            api,
            service.url,
            "tools/call",
            {"name": "search", "arguments": {"query": "Hundesteuer erster Hund", "top_k": 3}},
            key,
        )
    )
    assert not failed and hits["results"][0]["citation"]
    failed, _ = tool_result(
        mcp(
            api,
            service.url,
            "tools/call",
            {"name": "fetch_document", "arguments": {"doc_id": service.doc_ids[CONFIDENTIAL]}},
            key,
        )
    )
    assert failed  # the key has no personalamt group: not found
    refused = mcp(
        api, service.url, "tools/call", {"name": "search", "arguments": {"query": "Hund"}}, {}
    )
    assert refused.status_code == 401 or tool_result(refused)[0]
