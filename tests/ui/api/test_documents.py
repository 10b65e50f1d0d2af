"""Over HTTP: a document's page words with the cited passage's boxes, and its whole text
(what the interface's reader shows). Access is checked in test_access."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ui.api.conftest import Service
from tests.ui.api.support import DOG_TAX, STAFF, problem


def _rates_passage(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    """:returns: the statute's doc id and its passage on the rates (§ 3, page 2)."""
    body = {"query": "Steuersatz gefährlicher Hund", "mode": "keyword", "top_k": 5}
    found = api.post("/search", json=body, headers=STAFF).raise_for_status().json()
    hit = next(hit for hit in found["results"] if hit["uri"].endswith(DOG_TAX))
    passage = next(p for p in hit["passages"] if p["section"].startswith("§ 3"))
    return hit["doc_id"], passage


def _inside(box: list[float]) -> bool:
    x0, y0, x1, y1 = box
    return 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


def test_page_words_mark_the_cited_passage_on_its_page(api: httpx.Client) -> None:
    doc_id, passage = _rates_passage(api)
    assert passage["page_start"] == 2
    url = f"/documents/{doc_id}/pages/2/words"
    page = api.get(url, params={"passage": passage["chunk_id"]}, headers=STAFF)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["source"] == "text"
    assert 1.3 < body["aspect"] < 1.5  # A4 portrait
    texts = [word["text"] for word in body["words"]]
    assert "Steuersatz" in texts and "720" in texts
    assert all(_inside(word["box"]) for word in body["words"])
    highlights = body["highlights"]
    assert 5 <= len(highlights) <= 40  # one box per line of § 3
    assert all(_inside(box) for box in highlights)
    heading = body["words"][texts.index("Steuersatz")]["box"]
    assert highlights[0][1] <= heading[1] and heading[3] <= highlights[0][3]
    # the words of the page without a passage; the passage on a page it is not on
    plain = api.get(url, headers=STAFF).json()
    assert plain["highlights"] == [] and plain["words"] == body["words"]
    other = api.get(
        f"/documents/{doc_id}/pages/1/words", params={"passage": passage["chunk_id"]}, headers=STAFF
    ).json()
    assert other["highlights"] == []
    unknown = api.get(url, params={"passage": f"{doc_id}:9999"}, headers=STAFF).json()
    assert unknown["highlights"] == []
    problem(api.get(f"/documents/{doc_id}/pages/99/words", headers=STAFF), 404)
    links = api.get(f"/documents/{doc_id}", headers=STAFF).json()["links"]
    assert links["words"] == f"/api/v1/documents/{doc_id}/pages/{{page}}/words"
    assert links["text"] == f"/api/v1/documents/{doc_id}/text"


def test_document_text_is_the_whole_document_in_order(api: httpx.Client, service: Service) -> None:
    doc_id, passage = _rates_passage(api)
    text = api.get(f"/documents/{doc_id}/text", headers=STAFF)
    assert text.status_code == 200, text.text
    body = text.json()
    assert body["doc_id"] == doc_id and "Hundesteuer" in body["title"]
    parts = body["parts"]
    ids = [part["chunk_id"] for part in parts]
    assert ids == sorted(ids) and passage["chunk_id"] in ids
    cited = parts[ids.index(passage["chunk_id"])]
    assert cited["section_path"][-1].startswith("§ 3") and cited["page_start"] == 2
    assert cited["text"].startswith("§ 3 Steuersatz")
    assert [part["page_start"] for part in parts] == sorted(part["page_start"] for part in parts)
    assert service.doc_ids[DOG_TAX] == doc_id


AMENDMENT = "Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf"


def test_relations_give_the_statute_its_amendment_with_dates_and_evidence(
    api: httpx.Client, service: Service
) -> None:
    statute, amendment = service.doc_ids[DOG_TAX], service.doc_ids[AMENDMENT]
    body = api.get(f"/documents/{statute}/relations", headers=STAFF).raise_for_status().json()
    assert body["in_force_from"]["date"] == "2018-01-01"
    assert body["in_force_from"]["page"] == 3
    assert "tritt am 1. Januar 2018 in Kraft" in body["in_force_from"]["sentence"]
    assert [link["doc_id"] for link in body["amended_by"]] == [amendment]
    assert body["amended_by"][0]["in_force_from"] == "2025-01-01"
    assert "§ 3 Abs. 1" in body["amended_by"][0]["changes"]
    assert [link["doc_id"] for link in body["history"]] == [statute, amendment]
    assert any("Geändert durch" in note for note in body["notes"])
    before = api.get(
        f"/documents/{amendment}/relations", params={"as_of": "2024-06-01"}, headers=STAFF
    ).json()
    assert before["as_of"] == "2024-06-01"
    assert "Tritt erst am 01.01.2025 in Kraft" in before["notes"]
    assert [link["doc_id"] for link in before["amends"]] == [statute]
    problem(
        api.get(f"/documents/{statute}/relations", params={"as_of": "gestern"}, headers=STAFF), 422
    )
    links = api.get(f"/documents/{statute}", headers=STAFF).json()
    assert "analysis" not in links
    assert links["links"]["relations"] == f"/api/v1/documents/{statute}/relations"


def test_search_with_a_rechtsstand_ranks_the_rule_then_in_force_first(api: httpx.Client) -> None:
    query = {"q": "Hundesteuer erster Hund", "mode": "keyword"}
    today = api.get("/search", params=query, headers=STAFF).raise_for_status().json()
    names = [hit["uri"].rsplit("/", 1)[-1] for hit in today["results"]]
    assert names.index(AMENDMENT) < names.index(DOG_TAX)
    then = api.get("/search", params=query | {"as_of": "2024-06-01"}, headers=STAFF).json()
    assert then["as_of"] == "2024-06-01"
    names = [hit["uri"].rsplit("/", 1)[-1] for hit in then["results"]]
    assert names.index(DOG_TAX) < names.index(AMENDMENT)
    only = api.post(
        "/search",
        json={"query": "Hundesteuer erster Hund", "as_of": "2024-06-01", "in_force_only": True},
        headers=STAFF,
    ).json()
    assert AMENDMENT not in [hit["uri"].rsplit("/", 1)[-1] for hit in only["results"]]
    problem(api.get("/search", params=query | {"as_of": "01.06.2024"}, headers=STAFF), 422)
