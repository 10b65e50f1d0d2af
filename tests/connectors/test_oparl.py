"""The OParl connector against a real HTTP server serving the recorded Karlsruhe system."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from connectors.base import PLAIN_TEXT, SourceRef
from connectors.oparl import OParlConnector
from connectors.oparl_client import OParlClient, decode_json
from connectors.oparl_objects import normalize
from search.citations import CitationBuilder, council_context
from tests.connectors.oparl_server import KARLSRUHE, SPEC, TEXTS, OParlServer
from tests.connectors.oparl_server import SCHEMA as SCHEMA_URL

pytestmark = pytest.mark.skipif(
    not KARLSRUHE.is_dir() or not TEXTS.is_file(),
    reason="the Karlsruhe OParl export (../shared/data) is not available",
)


def _connector(server: OParlServer, **kwargs: Any) -> OParlConnector:
    return OParlConnector(server.system_url, name="karlsruhe", backoff=0.01, **kwargs)


def _papers(refs: list[SourceRef]) -> set[str]:
    return {ref.uri for ref in refs if "/papers/" in ref.uri}


# -- the server is OParl ---------------------------------------------------------------


def _validate(obj: Any, kind: str, schemas: dict[str, Any]) -> int:
    """Validate an object and its embedded objects; :returns: objects validated."""
    validator = schemas.setdefault(f"validator:{kind}", jsonschema.Draft7Validator(schemas[kind]))
    validator.validate(obj)
    count = 1
    for key, spec in schemas[kind]["properties"].items():
        embedded = spec.get("schema") or spec.get("items", {}).get("schema")
        if embedded and key in obj:
            for item in obj[key] if isinstance(obj[key], list) else [obj[key]]:
                if isinstance(item, dict):  # embedded, not referenced by URL
                    count += _validate(item, embedded.removesuffix(".json"), schemas)
    return count


def test_served_objects_follow_the_oparl_schemas(server: OParlServer) -> None:
    schemas = {path.stem: json.loads(path.read_text()) for path in (SPEC / "schema").glob("*.json")}
    client = OParlClient(backoff=0.01)
    body_url = client.get_json(server.system_url)["body"]
    checked = _validate(client.get_json(server.system_url), "System", schemas)
    body = client.get_json(body_url)["data"][0]
    checked += _validate(body, "Body", schemas)
    for kind, list_url in (
        ("Paper", body["paper"]),
        ("Meeting", body["meeting"]),
        ("Organization", body["organization"]),
        ("File", body["file"]),
    ):
        for obj in client.iter_list(list_url):
            checked += _validate(obj, kind, schemas)
    assert checked > 100
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        _validate({"id": "x", "type": f"{SCHEMA_URL}Paper", "date": 3}, "Paper", schemas)


def test_lists_follow_pagination_to_the_end(server: OParlServer) -> None:
    client = OParlClient(backoff=0.01)
    papers = list(client.iter_list(f"{server.body_id}/papers"))
    assert [paper["id"] for paper in papers] == list(server.papers)
    assert server.requests["/oparl/bodies/0001/papers"] == 3  # 12 papers, 5 a page


# -- a first sync ----------------------------------------------------------------------


def test_first_listing_yields_papers_and_files_with_council_context(server: OParlServer) -> None:
    connector = _connector(server)
    refs = list(connector.list())
    files = sum(len(paper["auxiliaryFile"]) for paper in server.papers.values())
    assert len(refs) == len(server.papers) + files
    assert _papers(refs) == set(server.papers)
    assert connector.scope == ""  # a complete listing: what is not listed was deleted
    assert connector.skipped == []
    paper = next(iter(server.papers.values()))
    card = connector.fetch(SourceRef(paper["id"]))
    assert card.metadata[PLAIN_TEXT] is True
    assert card.metadata["reference"] == paper["reference"]
    assert card.metadata["doc_type"] == "decision"
    text = card.content.decode()
    assert paper["reference"] in text and paper["name"] in text
    file_ref = next(ref for ref in refs if ref.uri == paper["auxiliaryFile"][0]["accessUrl"])
    document = connector.fetch(file_ref)
    assert document.content.startswith(b"%PDF")
    assert document.filename.endswith(".pdf")
    council = document.metadata["council"]
    decided = [c for c in council["consultations"] if c.get("result")]
    assert decided, council
    item = next(i for i in server.agenda_items(paper["id"]) if i.get("result"))
    assert any(
        c["agenda_item"] == item["number"] and c["result"] == item["result"] for c in decided
    )
    assert document.metadata["committee"]
    assert document.metadata["department"]
    assert "access_groups" not in document.metadata  # public: the source's groups apply
    citation = council_context(document.metadata)
    assert citation.startswith(f"Drs. {paper['reference']}, ")
    assert f"TOP {decided[-1]['agenda_item']}" in CitationBuilder().cite(document.metadata)


def test_unchanged_papers_keep_their_version(server: OParlServer) -> None:
    first = {ref.uri: ref.version for ref in _connector(server).list()}
    second = {ref.uri: ref.version for ref in _connector(server).list()}
    assert first == second
    paper_id = next(iter(server.papers))
    server.modify_paper(paper_id, "Geänderter Betreff")
    third = {ref.uri: ref.version for ref in _connector(server).list()}
    changed = {uri for uri in first if first[uri] != third[uri]}
    expected = {paper_id} | {f["accessUrl"] for f in server.papers[paper_id]["auxiliaryFile"]}
    assert changed == expected


# -- incremental sync ------------------------------------------------------------------


def test_second_sync_lists_only_changes_and_reports_deletions(server: OParlServer) -> None:
    first = _connector(server)
    list(first.list())
    state = first.state()
    assert state["modified_since"]
    ids = list(server.papers)
    two_files = [pid for pid in ids if len(server.papers[pid]["auxiliaryFile"]) == 2]
    new = server.add_paper()
    server.modify_paper(ids[0], "Sanierung der Europahalle, geänderte Fassung")
    deleted_paper = server.papers[ids[1]]
    server.delete_paper(ids[1])
    gone_file = server.papers[two_files[-1]]["auxiliaryFile"][1]
    server.delete_file(gone_file["id"])

    time.sleep(1.1)  # the cursor has whole seconds: the changes lie before the next one
    second = _connector(server, state=state, safety_margin=timedelta(0))
    assert second.scope is None  # partial: nothing is deleted for being unlisted
    refs = list(second.list())
    assert _papers(refs) == {new["id"], ids[0]}
    assert len(refs) == 2 + 1 + len(server.papers[ids[0]]["auxiliaryFile"])
    removed = set(second.removed())
    assert removed == {
        ids[1],
        *(f["accessUrl"] for f in deleted_paper["auxiliaryFile"]),
        gone_file["accessUrl"],
    }
    renamed = second.fetch(next(ref for ref in refs if ref.uri == ids[0]))
    assert renamed.metadata["title"] == "Sanierung der Europahalle, geänderte Fassung"
    # the cursor is the server's time at the start, less a margin (0 here): nothing new
    third = _connector(server, state=second.state())
    assert list(third.list()) == []


@pytest.mark.parametrize("agenda_item_list", [True, False], ids=["agendaItem-list", "meetings"])
def test_a_result_recorded_only_on_the_agenda_item_lists_its_papers_again(
    server: OParlServer, agenda_item_list: bool
) -> None:
    if not agenda_item_list:  # an OParl 1.0 server: only the meeting list tells
        server.quirks.missing_lists = {"agendaItem"}
    first = _connector(server)
    versions = {ref.uri: ref.version for ref in first.list()}
    paper_id = list(server.papers)[3]
    paper_modified = server.papers[paper_id]["modified"]
    # with the list the meeting may stay as it was; without it, the meeting must move on
    item = server.set_result(paper_id, "vertagt", touch_meeting=not agenda_item_list)
    assert server.papers[paper_id]["modified"] == paper_modified
    time.sleep(1.1)  # the next cursor lies after the change

    second = _connector(server, state=first.state(), safety_margin=timedelta(0))
    refs = list(second.list())
    consulted = set(server.papers_consulted_in(item["id"]))
    assert paper_id in consulted
    assert set(second.relisted) == consulted
    assert _papers(refs) == consulted
    assert all(versions[ref.uri] != ref.version for ref in refs)  # re-indexed, files too
    assert len(refs) == sum(len(_documents_of(server, pid)) for pid in consulted)
    card = second.fetch(next(ref for ref in refs if ref.uri == paper_id))
    entries = card.metadata["council"]["consultations"]
    assert {"agenda_item": item["number"], "result": "vertagt"}.items() <= next(
        entry for entry in entries if entry.get("agenda_item") == item["number"]
    ).items()
    assert "vertagt" in card.content.decode()
    assert second.skipped == []
    # nothing changed since: neither the paper nor its meeting are listed again
    third = _connector(server, state=second.state())
    assert list(third.list()) == []
    assert third.relisted == []


def test_a_changed_meeting_without_changed_items_lists_all_its_papers(
    server: OParlServer,
) -> None:
    server.quirks.missing_lists = {"agendaItem"}
    first = _connector(server)
    versions = {ref.uri: ref.version for ref in first.list()}
    paper_id = list(server.papers)[5]
    meeting = next(iter(server.agenda_items(paper_id)))["meeting"]
    changed = server.objects[httpx.URL(meeting).path]
    changed["name"] = "Gemeinderat (verlegte Sitzung)"
    changed["modified"] = datetime.now(UTC).isoformat(timespec="seconds")
    second = _connector(server, state=first.state(), safety_margin=timedelta(0))
    refs = list(second.list())
    in_meeting = {
        pid
        for pid, paper in server.papers.items()
        if any(c.get("meeting") == meeting for c in paper.get("consultation", []))
    }
    assert set(second.relisted) == in_meeting
    # the meeting's name is part of the council context: new versions
    assert {ref.uri for ref in refs if versions[ref.uri] != ref.version} >= in_meeting


def test_a_broken_meeting_list_keeps_the_cursor(server: OParlServer) -> None:
    first = _connector(server)
    list(first.list())
    cursor = first.state()["modified_since"]
    server.quirks.fail = {"/oparl/bodies/0001/meetings": -1}
    time.sleep(1.1)
    second = _connector(server, state=first.state(), retries=1)
    assert list(second.list()) == []
    assert [s["reason"] for s in second.skipped] == ["http"]
    assert second.state()["modified_since"] == cursor  # the next sync asks again


def _documents_of(server: OParlServer, paper_id: str) -> set[str]:
    paper = server.papers[paper_id]
    return {paper_id, *(file["accessUrl"] for file in paper.get("auxiliaryFile", []))}


def test_a_retry_fetches_a_bare_uri(server: OParlServer) -> None:
    first = _connector(server)
    list(first.list())
    paper = next(iter(server.papers.values()))
    fresh = _connector(server, state=first.state())
    document = fresh.fetch(SourceRef(paper["auxiliaryFile"][0]["accessUrl"]))
    assert document.content.startswith(b"%PDF")
    assert document.metadata["reference"] == paper["reference"]
    with pytest.raises(OSError, match="not a paper or file"):
        fresh.fetch(SourceRef("https://elsewhere.example/x.pdf"))


def test_unchanged_files_are_answered_304_from_the_cache(
    server: OParlServer, tmp_path: Path
) -> None:
    connector = _connector(server, cache_dir=tmp_path)
    refs = list(connector.list())
    paper = next(iter(server.papers.values()))
    url = paper["auxiliaryFile"][0]["accessUrl"]
    ref = next(ref for ref in refs if ref.uri == url)
    first = connector.fetch(ref)
    again = _connector(server, cache_dir=tmp_path)
    list(again.list())
    assert again.fetch(ref).content == first.content
    assert (again.downloads, again.not_modified) == (0, 1)
    path = httpx.URL(url).path
    assert (server.downloads[path], server.not_modified[path]) == (1, 1)


# -- restricted ------------------------------------------------------------------------


def test_non_public_agenda_item_restricts_the_paper(server: OParlServer) -> None:
    paper_id = list(server.papers)[2]
    server.make_non_public(paper_id, resolution="Der Gemeinderat stimmt dem Verkauf zu.")
    connector = _connector(server, restricted_group="gemeinderat-intern")
    refs = [ref for ref in connector.list() if ref.uri == paper_id]
    card = connector.fetch(refs[0])
    assert card.metadata["access_groups"] == ["gemeinderat-intern"]
    assert "Der Gemeinderat stimmt dem Verkauf zu." in card.content.decode()
    other = connector.fetch(SourceRef(list(server.papers)[3]))
    assert "access_groups" not in other.metadata


# -- quirks ----------------------------------------------------------------------------


def test_quirky_server_loses_no_other_paper(server: OParlServer) -> None:
    ids = list(server.papers)
    meetings = list(server.meetings)
    quirks = server.quirks
    quirks.bare_array_lists = {"organizations"}
    quirks.single_objects = True
    quirks.control_chars = True
    quirks.empty_list_404 = True
    quirks.garbage_in_list = {ids[4]}
    quirks.slow = {httpx.URL(meetings[0]).path: 1.5}  # longer than the timeout, once
    quirks.fail = {httpx.URL(meetings[1]).path: 2}  # two 500s, then an answer
    broken_file = server.papers[ids[5]]["auxiliaryFile"][0]
    quirks.fail[httpx.URL(broken_file["accessUrl"]).path] = -1
    quirks.fail[httpx.URL(broken_file["downloadUrl"]).path] = -1
    quirks.garbage = {httpx.URL(meetings[2]).path}

    connector = _connector(server, timeout=1.0, retries=3)
    refs = list(connector.list())
    assert _papers(refs) == set(ids) - {ids[4]}
    reasons = {(item["uri"], item["reason"]) for item in connector.skipped}
    assert (ids[4], "invalid-object") in reasons
    assert (meetings[2], "invalid-json") in reasons
    assert not any(uri in (meetings[0], meetings[1]) for uri, _ in reasons)  # retried
    fetched = failed = 0
    for ref in refs:
        try:
            document = connector.fetch(ref)
        except OSError:
            failed += 1
            assert ref.uri == broken_file["accessUrl"]
            continue
        fetched += 1
        assert "\x01" not in json.dumps(document.metadata)
    assert (fetched, failed) == (len(refs) - 1, 1)
    # an incremental sync that finds nothing meets the 404 of an empty list
    later = _connector(server, state=connector.state())
    assert list(later.list()) == []


def test_a_broken_list_page_fails_the_listing(server: OParlServer) -> None:
    server.quirks.fail = {"/oparl/bodies/0001/papers": -1}
    connector = _connector(server, retries=1)
    with pytest.raises(OSError, match="HTTP 500"):
        list(connector.list())
    assert connector.state()["modified_since"] is None  # the cursor does not advance


# -- small parts -----------------------------------------------------------------------


def test_tolerant_json_and_normalisation() -> None:
    assert decode_json(b'{"name": "Rat\x01haus"}') == {"name": "Rat\x01haus"}
    assert decode_json(b'\xef\xbb\xbf{"a":\x02 1}') == {"a": 1}
    with pytest.raises(ValueError):
        decode_json(b"<html>")
    paper = normalize(
        {
            "type": "https://schema.oparl.org/1.1/Paper",
            "name": "Bau\x0bhof",
            "date": "2024-03-12T00:00:00+01:00",
            "consultation": {"agendaItem": "https://x/ai/1", "organization": "https://x/o/1"},
        }
    )
    assert paper["name"] == "Bauhof"
    assert paper["date"] == "2024-03-12"
    assert paper["consultation"] == [
        {"agendaItem": "https://x/ai/1", "organization": ["https://x/o/1"]}
    ]


def test_vendor_fixup_reads_the_reference_from_the_name(server: OParlServer) -> None:
    paper = next(iter(server.papers.values()))
    paper["name"] = f"Vorlage {paper['reference']}: {paper['name']}"
    number = paper.pop("reference")
    connector = _connector(server, vendor="reference-in-name")
    list(connector.list())
    assert connector.fetch(SourceRef(paper["id"])).metadata["reference"] == number
    with pytest.raises(ValueError, match="Unknown OParl vendor"):
        list(_connector(server, vendor="nonesuch").list())


def test_council_citation_forms() -> None:
    meta = {
        "title": "Erhöhung der Hundesteuer",
        "reference": "2023/0412",
        "date": "2024-02-01",
        "page_start": 2,
        "council": {
            "consultations": [
                {"organization": "Hauptausschuss", "date": "2024-02-20", "result": "vorberaten"},
                {
                    "organization": "Gemeinderat",
                    "date": "2024-03-12",
                    "agenda_item": "7",
                    "result": "beschlossen",
                },
                {"organization": "Ortschaftsrat", "date": "2024-04-02"},
            ]
        },
    }
    assert council_context(meta) == "Drs. 2023/0412, Gemeinderat 12.03.2024, TOP 7, beschlossen"
    assert CitationBuilder().cite(meta) == (
        "Drs. 2023/0412, Gemeinderat 12.03.2024, TOP 7, beschlossen – "
        "Erhöhung der Hundesteuer, S. 2"
    )
    assert CitationBuilder().letter_form(meta) == (
        "Drs. 2023/0412 „Erhöhung der Hundesteuer“, Gemeinderat 12.03.2024, TOP 7, "
        "beschlossen, S. 2"
    )
    assert council_context({"title": "x", "council": {"consultations": []}}) == ""
