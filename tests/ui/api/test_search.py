"""Search over HTTP: every mode returns cited documents; filters restrict, paging pages,
and the GET form answers like the POST form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from search.service import NOTHING_MATCHES
from tests.ui.api.conftest import Service
from tests.ui.api.support import ADMIN, DOG_TAX, PUBLIC_SOURCE, RESTRICTED_SOURCE, STAFF

QUESTION = "Hundesteuer für den ersten Hund"


def _search(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/search", json=body, headers=STAFF)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _names(body: dict[str, Any]) -> list[str]:
    return [Path(hit["uri"]).name for hit in body["results"]]


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_every_mode_finds_the_statute_with_citations(api: httpx.Client, mode: str) -> None:
    body = _search(api, query=QUESTION, mode=mode)
    assert body["mode"] == mode
    assert body["query"] == QUESTION
    assert DOG_TAX in _names(body)[:3], _names(body)
    statute = body["results"][_names(body).index(DOG_TAX)]
    assert statute["doc_id"]
    assert statute["uri"].startswith("file://")
    assert "Hundesteuer" in statute["title"]
    assert statute["doc_type"] == "statute"
    assert statute["source"] == PUBLIC_SOURCE
    assert statute["pages"] and all(isinstance(page, int) for page in statute["pages"])
    assert statute["passages"]
    # the document is cited at its best passage
    assert statute["section"] == statute["passages"][0]["section"]
    assert statute["citation"] == statute["passages"][0]["citation"]
    for passage in statute["passages"]:
        assert passage["chunk_id"].startswith(statute["doc_id"])
        assert passage["text"]
        assert passage["page_start"] in statute["pages"]
        # the citation names the document, the section and the page
        assert "Hundesteuer" in passage["citation"]
        assert f"S. {passage['page_start']}" in passage["citation"]
        if passage["section"]:
            assert passage["section"] in passage["citation"]
    # the rate of the first dog is in one of the passages, cited with § 3 and page 2
    rate = [p for p in statute["passages"] if "ersten Hund 96 Euro" in p["text"]]
    assert rate, [p["citation"] for p in statute["passages"]]
    assert rate[0]["citation"].endswith("§ 3 Steuersatz, S. 2")


def test_type_filter_keeps_only_that_type(api: httpx.Client) -> None:
    unfiltered = _search(api, query="Hundesteuer")
    assert {hit["doc_type"] for hit in unfiltered["results"]} > {"statute"}
    statutes = _search(api, query="Hundesteuer", doc_types=["statute"])
    assert statutes["results"]
    assert {hit["doc_type"] for hit in statutes["results"]} == {"statute"}
    decisions = api.get(
        "/search", params={"q": "Hundesteuer", "type": "decision"}, headers=STAFF
    ).json()
    assert decisions["results"]
    assert {hit["doc_type"] for hit in decisions["results"]} == {"decision"}


def test_source_filter_keeps_only_that_source(api: httpx.Client) -> None:
    kept = _search(api, query="Hundesteuer", sources=[PUBLIC_SOURCE])
    assert kept["results"]
    assert {hit["source"] for hit in kept["results"]} == {PUBLIC_SOURCE}
    # the other source exists but holds nothing this caller may see: it is refused as
    # unknown (test_health_and_me), so that its name tells nothing


def test_date_range_keeps_documents_of_that_time(api: httpx.Client) -> None:
    everything = _search(api, query="Hundesteuer Satzung Änderung", top_k=20)
    dates = {hit["date"] for hit in everything["results"]}
    assert any(d and d < "2024-01-01" for d in dates)
    assert any(d and d >= "2024-01-01" for d in dates)
    recent = api.get(
        "/search",
        params={"q": "Hundesteuer Satzung Änderung", "from": "2024-01-01", "to": "2025-12-31"},
        headers=STAFF,
    ).json()
    assert recent["results"]
    assert all("2024-01-01" <= hit["date"] <= "2025-12-31" for hit in recent["results"])
    old = _search(api, query="Hundesteuer Satzung Änderung", date_to="2017-12-31")
    assert old["results"]
    assert all(hit["date"] <= "2017-12-31" for hit in old["results"])
    assert DOG_TAX in _names(old)


def test_offset_gives_the_next_documents(api: httpx.Client) -> None:
    first = _search(api, query="Stadt Satzung Gebühr", top_k=3)
    second = _search(api, query="Stadt Satzung Gebühr", top_k=3, offset=3)
    whole = _search(api, query="Stadt Satzung Gebühr", top_k=6)
    assert len(first["results"]) == 3 and second["results"]
    assert second["offset"] == 3 and second["top_k"] == 3
    first_ids = [hit["doc_id"] for hit in first["results"]]
    second_ids = [hit["doc_id"] for hit in second["results"]]
    assert not set(first_ids) & set(second_ids)
    assert first_ids + second_ids == [hit["doc_id"] for hit in whole["results"]]


def test_facets_order_and_refinement_cover_the_whole_match_set(api: httpx.Client) -> None:
    query = "Satzung Gebühr Stadt"
    page = _search(api, query=query, mode="keyword", top_k=2)
    assert page["total"] > len(page["results"]) == 2
    assert sum(page["facets"]["doc_type"].values()) == page["total"]
    newest = _search(api, query=query, mode="keyword", top_k=2, order="date_desc")
    every = _search(api, query=query, mode="keyword", top_k=100)
    dates = sorted((hit["date"] for hit in every["results"] if hit["date"]), reverse=True)
    assert [hit["date"] for hit in newest["results"]] == dates[:2]
    assert newest["order"] == "date_desc"
    statutes = _search(api, query=query, mode="keyword", refine={"doc_type": ["statute"]})
    assert statutes["total"] == page["facets"]["doc_type"]["statute"]
    assert {hit["doc_type"] for hit in statutes["results"]} == {"statute"}
    got = api.get(
        "/search",
        params={"q": query, "mode": "keyword", "facet": "doc_type:statute", "order": "date_asc"},
        headers=STAFF,
    )
    assert got.status_code == 200, got.text
    assert got.json()["total"] == statutes["total"]
    statute_dates = sorted(
        hit["date"] for hit in every["results"] if hit["date"] and hit["doc_type"] == "statute"
    )
    assert [hit["date"] for hit in got.json()["results"]][:2] == statute_dates[:2]


@pytest.mark.parametrize(
    ("body", "params"),
    [
        ({"refine": {"colour": ["red"]}}, {"facet": "colour:red"}),
        ({"order": "random"}, {"order": "random"}),
        ({"offset": -1}, {"facet": "doc_type"}),
    ],
)
def test_a_bad_facet_or_order_is_a_clear_422(
    api: httpx.Client, body: dict[str, Any], params: dict[str, str]
) -> None:
    posted = api.post("/search", json={"query": "Hund", **body}, headers=STAFF)
    got = api.get("/search", params={"q": "Hund", **params}, headers=STAFF)
    for response in (posted, got):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_get_and_post_agree(api: httpx.Client, mode: str) -> None:
    posted = _search(api, query=QUESTION, mode=mode, doc_types=["statute", "guidance"], top_k=5)
    got = api.get(
        "/search",
        params={"q": QUESTION, "mode": mode, "type": ["statute", "guidance"], "top_k": 5},
        headers=STAFF,
    ).json()
    assert got["results"]

    def cited(body: dict[str, Any]) -> list[tuple[str, list[str]]]:
        return [
            (hit["doc_id"], [p["citation"] for p in hit["passages"]]) for hit in body["results"]
        ]

    assert cited(got) == cited(posted)


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_a_question_nothing_answers_gets_no_results_and_a_notice(
    api: httpx.Client, mode: str
) -> None:
    body = _search(api, query="Quantenchromodynamik Gluonen", mode=mode)
    assert body["results"] == []
    assert body["notices"] == [NOTHING_MATCHES]


def test_health_and_me(api: httpx.Client, service: Service) -> None:
    health = api.get("/health")  # no caller needed
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["generation"] > 0
    me = api.get("/me", headers=STAFF).json()
    assert {key: me[key] for key in ("name", "groups", "search_groups", "is_admin")} == {
        "name": "m.schubert",
        "groups": ["amt22"],
        "search_groups": ["amt22", "public"],
        "is_admin": False,
    }
    assert me["has_llm"] is False
    assert me["indexed"] >= len(service.doc_ids)  # other modules of this folder add more
    # staff learn only of sources with documents they may see; admins of every source
    assert PUBLIC_SOURCE in me["sources"] and RESTRICTED_SOURCE not in me["sources"]
    admin = api.get("/me", headers=ADMIN).json()
    assert {PUBLIC_SOURCE, RESTRICTED_SOURCE} <= set(admin["sources"])
    # filtering by a source closed to the caller reads like one that does not exist
    closed = {"query": "Beurteilung", "sources": [RESTRICTED_SOURCE]}
    missing = {"query": "Beurteilung", "sources": ["gibt-es-nicht"]}
    refused = [api.post("/search", json=body, headers=STAFF) for body in (closed, missing)]
    assert [r.status_code for r in refused] == [422, 422], refused[0].text
    assert refused[0].json()["detail"].replace(RESTRICTED_SOURCE, "X") == refused[1].json()[
        "detail"
    ].replace("gibt-es-nicht", "X")
    assert service.settings.access.mode == "header"
