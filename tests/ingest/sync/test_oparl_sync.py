"""An OParl source end to end: registry → sync from a real HTTP server serving the recorded
Karlsruhe system → real index → search with council context and citations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from ingest.sync.indexer import Indexer
from ingest.sync.runner import IngestReport
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.core.settings import Settings
from search.relations import RelationStore
from search.service import SearchService
from tests.connectors.oparl_server import KARLSRUHE, TEXTS, OParlServer

pytestmark = [
    pytest.mark.skipif(
        not KARLSRUHE.is_dir() or not TEXTS.is_file(),
        reason="the Karlsruhe OParl export (../shared/data) is not available",
    ),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

PAPERS = 6


@pytest.fixture
def server() -> Iterator[OParlServer]:
    with OParlServer(papers=PAPERS, page_size=4) as running:
        yield running


def _add(settings: Settings, server: OParlServer, **options: Any) -> None:
    with Indexer(settings) as indexer:
        SourceRegistry(indexer.catalog).add(
            SourceConfig(
                name="karlsruhe",
                kind="oparl",
                location=server.system_url,
                options={"backoff": 0.01, **options},
            )
        )


def _sync(settings: Settings) -> IngestReport:
    with Indexer(settings) as indexer:
        return SourceRegistry(indexer.catalog).sync("karlsruhe", indexer)


def _search(settings: Settings, query: str, groups: list[str]) -> list[Any]:
    with SearchService(settings) as service:
        return service.search(query, mode="keyword", user_groups=groups).results


def _documents(server: OParlServer) -> int:
    papers = [paper for paper in server.papers.values() if not paper.get("deleted")]
    return len(papers) + sum(len(paper["auxiliaryFile"]) for paper in papers)


def test_sync_indexes_papers_with_council_context_then_applies_exactly_the_changes(
    server: OParlServer, settings: Settings
) -> None:
    _add(settings, server)
    first = _sync(settings)
    assert (first.indexed, first.failed, first.skipped) == (_documents(server), 0, [])

    paper = next(iter(server.papers.values()))
    hits = _search(settings, paper["name"], ["public"])
    hit = next(h for h in hits if h.reference == paper["reference"])
    assert hit.council is not None and hit.committee
    decided = [c for c in hit.council["consultations"] if c.get("result")]
    latest = decided[-1]
    day = latest["date"]
    expected = (
        f"Drs. {paper['reference']}, {latest['organization']} "
        f"{day[8:10]}.{day[5:7]}.{day[:4]}, TOP {latest['agenda_item']}, {latest['result']}"
    )
    assert hit.citation.startswith(expected), hit.citation

    ids = list(server.papers)
    two_files = next(pid for pid in ids[2:] if len(server.papers[pid]["auxiliaryFile"]) == 2)
    modified_files = len(server.papers[ids[0]]["auxiliaryFile"])
    deleted_files = len(server.papers[ids[1]]["auxiliaryFile"])
    downloads_before = sum(server.downloads.values())
    time.sleep(1.1)  # past the whole second of the first sync's cursor
    server.add_paper()
    server.modify_paper(ids[0], "Fahrradparkhaus am Hauptbahnhof, geänderte Vorlage")
    server.delete_paper(ids[1])
    server.delete_file(server.papers[two_files]["auxiliaryFile"][1]["id"])

    second = _sync(settings)
    # new: paper + file; modified: paper + its files (same bytes, new title); deleted:
    # paper + its files, and one file of another paper
    assert second.seen == 2 + 1 + modified_files
    assert second.indexed == 2 + 1 + modified_files
    assert second.deleted == 1 + deleted_files + 1
    assert (second.failed, second.skipped) == (0, [])
    # unchanged papers were not downloaded; the modified one's files came from the cache
    assert sum(server.downloads.values()) == downloads_before + 1
    assert sum(server.not_modified.values()) == modified_files
    assert _search(settings, "Fahrradgarage Hauptbahnhof Süd Stellplätze", ["public"])
    renamed = _search(settings, "Fahrradparkhaus geänderte Vorlage", ["public"])
    assert renamed[0].title.startswith("Fahrradparkhaus am Hauptbahnhof")
    with Indexer(settings) as indexer:
        uris = {entry.uri for entry in indexer.catalog.entries(source="karlsruhe")}
    assert ids[1] not in uris
    assert len(uris) == _documents(server)

    third = _sync(settings)
    assert (third.indexed, third.deleted, third.failed) == (0, 0, 0)


def test_broken_objects_lose_none_of_the_others(server: OParlServer, settings: Settings) -> None:
    ids = list(server.papers)
    server.quirks.garbage_in_list = {ids[0]}
    broken = server.papers[ids[1]]["auxiliaryFile"][0]
    server.quirks.fail = {
        "/" + url.split("/", 3)[3]: -1 for url in (broken["accessUrl"], broken["downloadUrl"])
    }
    server.quirks.control_chars = True
    server.quirks.single_objects = True
    _add(settings, server, retries=1)
    report = _sync(settings)
    garbage_docs = 1 + len(server.papers[ids[0]]["auxiliaryFile"])
    assert report.indexed == _documents(server) - garbage_docs - 1
    assert [f["uri"] for f in report.failures] == [broken["accessUrl"]]
    assert [(s["uri"], s["reason"]) for s in report.skipped] == [(ids[0], "invalid-object")]
    # the paper of the broken file is still found by its own text
    paper = server.papers[ids[1]]
    assert any(
        h.reference == paper["reference"] for h in _search(settings, paper["name"], ["public"])
    )


def test_non_public_paper_is_only_found_by_the_restricted_group(
    server: OParlServer, settings: Settings
) -> None:
    paper_id = list(server.papers)[2]
    server.make_non_public(paper_id, "Der Gemeinderat stimmt dem Grundstückstausch zu.")
    _add(settings, server, restricted_group="rat-intern")
    _sync(settings)
    query = "Gemeinderat stimmt dem Grundstückstausch zu"
    assert not [h for h in _search(settings, query, ["public"]) if h.uri == paper_id]
    hits = _search(settings, query, ["rat-intern"])
    assert hits[0].uri == paper_id


def test_a_new_result_on_the_agenda_item_reaches_the_citation(
    server: OParlServer, settings: Settings
) -> None:
    _add(settings, server)
    first = _sync(settings)
    assert first.indexed == _documents(server)
    paper_id = list(server.papers)[2]
    paper = server.papers[paper_id]
    # the result is recorded on the agenda item (and its meeting); the paper stays as it was
    item = server.set_result(paper_id, "vertagt")
    downloads = sum(server.downloads.values())

    second = _sync(settings)
    consulted = [server.papers[pid] for pid in server.papers_consulted_in(item["id"])]
    expected = sum(1 + len(p["auxiliaryFile"]) for p in consulted)
    assert (second.indexed, second.deleted, second.failed) == (expected, 0, 0)
    assert sum(server.downloads.values()) == downloads  # the files came from the cache
    hits = _search(settings, paper["name"], ["public"])
    cited = [h for h in hits if h.reference == paper["reference"]]
    assert {h.uri for h in cited} >= {paper_id, paper["auxiliaryFile"][0]["accessUrl"]}
    for hit in cited:  # the paper and its files
        assert f"TOP {item['number']}, vertagt" in hit.citation, hit.citation

    third = _sync(settings)  # the same result again: listed, but nothing to re-index
    assert (third.indexed, third.deleted) == (0, 0)


# -- at scale ----------------------------------------------------------------------------

SCALE = 150


def _expected_context(server: OParlServer, paper: dict[str, Any]) -> str | None:
    """:returns: ``Drs. 2023/0412, Gemeinderat 12.03.2024, TOP 7, beschlossen`` for the
    latest consultation with a result, computed from the served objects."""
    decided = []
    for consultation in paper.get("consultation", []):
        item = server.objects.get(urlparse(consultation.get("agendaItem", "")).path)
        meeting = server.meetings.get(consultation.get("meeting", ""))
        if item is None or meeting is None or not item.get("result"):
            continue
        orgs = consultation.get("organization") or meeting.get("organization") or []
        names = [server.organizations[org]["name"] for org in orgs if org in server.organizations]
        decided.append((meeting["start"][:10], ", ".join(names) or meeting["name"], item))
    if not decided:
        return None
    day, body, item = max(decided, key=lambda entry: entry[0])
    date = f"{day[8:10]}.{day[5:7]}.{day[:4]}"
    top = f"TOP {item['number']}, " if item.get("number") else ""  # some items have none
    return f"Drs. {paper['reference']}, {body} {date}, {top}{item['result']}"


@pytest.mark.slow
def test_a_large_sync_is_complete_and_cites_every_decision(tmp_path: Path) -> None:
    # a dense budget keeps the embedding of ~450 chunks to a minute on 2 shared cores;
    # what is asserted here (completeness, citations, downloads) does not depend on it
    settings = Settings(data_dir=tmp_path / "data", embedding={"passage_max_chars": 300})
    with OParlServer(papers=SCALE, page_size=25) as server:
        ids = list(server.papers)
        garbage, broken_paper = ids[10], ids[20]
        server.quirks.garbage_in_list = {garbage}
        broken = server.papers[broken_paper]["auxiliaryFile"][0]
        server.quirks.fail = {
            urlparse(broken[key]).path: -1 for key in ("accessUrl", "downloadUrl")
        }
        _add(settings, server, retries=1)

        first = _sync(settings)
        papers = [server.papers[pid] for pid in ids if pid != garbage]
        files = sum(len(paper["auxiliaryFile"]) for paper in papers)
        assert len(server.papers) == SCALE
        assert [(s["uri"], s["reason"]) for s in first.skipped] == [(garbage, "invalid-object")]
        assert [f["uri"] for f in first.failures] == [broken["accessUrl"]]
        assert first.indexed == len(papers) + files - 1
        with Indexer(settings) as indexer:
            counts = indexer.catalog.counts_by_source()["karlsruhe"]
        assert counts.get("indexed") == len(papers) + files - 1
        assert counts.get("failed") == 1

        downloads = sum(server.downloads.values())
        second = _sync(settings)  # nothing changed
        assert (second.seen, second.indexed, second.deleted, second.failed) == (0, 0, 0, 0)
        assert sum(server.downloads.values()) == downloads
        assert sum(server.not_modified.values()) == 0

        cited = 0
        with SearchService(settings) as service:
            for paper in papers:
                hits = service.search(
                    paper["reference"],
                    mode="keyword",
                    user_groups=["public", "rat-nichtoeffentlich"],
                ).results
                hit = next((h for h in hits if h.uri == paper["id"]), None)
                assert hit is not None, paper["reference"]
                expected = _expected_context(server, paper)
                if expected is not None:
                    assert hit.citation.startswith(expected), (hit.citation, expected)
                    cited += 1
        assert cited >= len(papers) * 0.9  # the server serves papers with decisions


def test_a_papers_own_links_resolve_to_the_linked_paper(
    server: OParlServer, settings: Settings
) -> None:
    upper, lower = list(server.papers)[:2]
    server.papers[lower]["superordinatedPaper"] = [upper]
    server.papers[upper]["subordinatedPaper"] = [lower]
    _add(settings, server)
    _sync(settings)
    with Indexer(settings) as indexer:
        ids = {entry.uri: entry.doc_id for entry in indexer.catalog.entries()}
    store = RelationStore.open(settings)
    below = store.get(ids[lower])
    assert below is not None
    linked = {ref.key: ref for ref in below.references}
    assert linked[f"oparl:{upper}"].doc_id == ids[upper]  # the paper, not one of its files
    above = store.get(ids[upper])
    assert above is not None
    assert ids[lower] in [link.doc_id for link in above.cited_by]
    store.close()
