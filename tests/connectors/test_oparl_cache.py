"""The OParl connector's file cache is pruned: against the local OParl server, on disk.

Each sync here runs like the ingestion runner: it lists, fetches what is listed (every
file goes through the cache), and is then done. What is asserted is the cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.base import SourceRef
from connectors.oparl import OParlConnector
from connectors.oparl_cache import FileCache
from connectors.oparl_client import Download
from tests.connectors.oparl_server import KARLSRUHE, TEXTS, OParlServer

pytestmark = pytest.mark.skipif(
    not KARLSRUHE.is_dir() or not TEXTS.is_file(),
    reason="the Karlsruhe OParl export (../shared/data) is not available",
)

PAPER_LIST = "/oparl/bodies/0001/papers"
HOUR_AGO = time.time() - 3600 - 60
STRAY = "https://elsewhere.example/alt.pdf"
"""A URL no paper of the server has."""
WRITING = f".{hashlib.sha256(STRAY.encode()).hexdigest()}.p0q_1.tmp"
"""A temporary file of the stray URL's entry, as a write under way leaves it."""


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _sync(server: OParlServer, cache: Path, **kwargs: Any) -> OParlConnector:
    """List and fetch every listed document, as the ingestion runner does."""
    connector = OParlConnector(
        server.system_url, name="karlsruhe", backoff=0.01, cache_dir=cache, **kwargs
    )
    for ref in connector.list():
        connector.fetch(ref)
    return connector


def _disk(cache: Path) -> dict[str, int]:
    """:returns: every file in the cache folder with its size."""
    return {path.name: path.stat().st_size for path in cache.iterdir()}


def _cached(cache: Path) -> set[str]:
    """:returns: the URLs of the whole entries (``.json`` and ``.bin``) on disk."""
    return {
        json.loads(path.read_text())["url"]
        for path in cache.glob("*.json")
        if path.with_suffix(".bin").is_file()
    }


def _access_urls(server: OParlServer, *paper_ids: str) -> set[str]:
    ids = paper_ids or tuple(server.papers)
    return {f["accessUrl"] for pid in ids for f in server.papers[pid].get("auxiliaryFile", [])}


def _both_urls(server: OParlServer, access_urls: set[str]) -> set[str]:
    """:returns: ``accessUrl`` and ``downloadUrl`` of these files."""
    files = [f for f in server.files.values() if f["accessUrl"] in access_urls]
    return {f["accessUrl"] for f in files} | {f["downloadUrl"] for f in files}


def _path(url: str) -> str:
    return httpx.URL(url).path


def test_deleted_papers_and_removed_files_free_their_entries_the_others_stay(
    server: OParlServer, cache: Path
) -> None:
    ids = list(server.papers)
    gone_paper, detached_from, deleted_from = ids[1], ids[4], ids[8]
    # the gone paper's first file comes by its downloadUrl: cached under that URL
    via_download = server.papers[gone_paper]["auxiliaryFile"][0]
    server.quirks.fail = {_path(via_download["accessUrl"]): -1}
    first = _sync(server, cache, retries=0)
    everything = _access_urls(server) - {via_download["accessUrl"]}
    assert _cached(cache) == everything | {via_download["downloadUrl"]}
    assert first.pruned == 0
    server.quirks.fail = {}

    gone = _access_urls(server, gone_paper) - {via_download["accessUrl"]}
    gone |= {via_download["downloadUrl"]}
    detached = server.papers[detached_from]["auxiliaryFile"][1]
    deleted = server.papers[deleted_from]["auxiliaryFile"][0]
    server.delete_paper(gone_paper)
    server.detach_file(detached_from, detached["id"])  # the paper is read again
    server.delete_file(deleted["id"])  # only the file list says so
    before = _disk(cache)

    second = _sync(server, cache, state=first.state())
    assert second.scope is None  # incremental: the unchanged papers are not listed
    freed = gone | {detached["accessUrl"], deleted["accessUrl"]}
    assert _cached(cache) == everything - freed  # the unlisted papers keep theirs
    removed = {name: size for name, size in before.items() if name not in _disk(cache)}
    assert len(removed) == 2 * len(freed)  # .bin and .json, nothing else
    assert (second.pruned, second.pruned_bytes) == (len(freed), sum(removed.values()))
    assert second.state()["unpruned"] == []

    # an unchanged paper's file is still served from the cache: 304, no download
    kept = server.papers[ids[0]]["auxiliaryFile"][0]["accessUrl"]
    downloads = server.downloads[_path(kept)]
    later = OParlConnector(
        server.system_url, name="karlsruhe", state=second.state(), cache_dir=cache
    )
    document = later.fetch(SourceRef(kept))
    assert document.content.startswith(b"%PDF")
    assert (later.not_modified, later.downloads) == (1, 0)
    assert server.downloads[_path(kept)] == downloads
    assert server.not_modified[_path(kept)] == 1


def test_a_file_under_a_new_url_frees_the_old_entry(server: OParlServer, cache: Path) -> None:
    first = _sync(server, cache)
    paper_id = list(server.papers)[2]
    old = server.papers[paper_id]["auxiliaryFile"][0]["accessUrl"]
    moved = server.move_file(server.papers[paper_id]["auxiliaryFile"][0]["id"])
    assert moved["accessUrl"] != old

    second = _sync(server, cache, state=first.state())
    assert _cached(cache) == _access_urls(server)  # the new URL in, the old one out
    assert old not in _cached(cache)
    assert second.pruned == 1


def _stop_by_max_papers(server: OParlServer, state: dict[str, Any]) -> dict[str, Any]:
    return {"state": state, "max_papers": 1}


def _stop_by_page_limit(server: OParlServer, state: dict[str, Any]) -> dict[str, Any]:
    return {"state": state, "page_limit": 1}


def _stop_by_meeting_list(server: OParlServer, state: dict[str, Any]) -> dict[str, Any]:
    server.quirks.fail = {"/oparl/bodies/0001/meetings": -1}  # the consulted papers: unknown
    return {"state": state, "retries": 0}


@pytest.mark.parametrize(
    "stop",
    [_stop_by_max_papers, _stop_by_page_limit, _stop_by_meeting_list],
    ids=["max_papers", "page_limit", "meeting-list-fails"],
)
def test_a_sync_that_stops_early_prunes_nothing_and_passes_it_on(
    server: OParlServer, cache: Path, stop: Any
) -> None:
    first = _sync(server, cache)
    ids = list(server.papers)
    gone = _access_urls(server, ids[1])
    server.delete_paper(ids[1])  # listed before the paper that reaches max_papers
    for paper_id in ids[2:9]:  # two pages of changes
        server.modify_paper(paper_id, f"Geänderte Vorlage {paper_id[-4:]}")
    before = _disk(cache)

    stopped = _sync(server, cache, **stop(server, first.state()))
    assert _disk(cache) == before  # not a file less, not a byte changed
    assert stopped.pruned == 0
    state = stopped.state()
    assert state["modified_since"] == first.state()["modified_since"]  # asks again
    # what it learnt waits for a complete sync: every URL its files may be cached under
    assert set(state["unpruned"]) == _both_urls(server, gone)
    assert ids[1] not in state["papers"]

    server.quirks.fail = {}
    complete = _sync(server, cache, state=state)
    assert _cached(cache) == _access_urls(server) - gone
    assert complete.pruned == len(gone)
    assert complete.state()["unpruned"] == []


def test_a_failed_sync_prunes_nothing(server: OParlServer, cache: Path) -> None:
    first = _sync(server, cache)
    ids = list(server.papers)
    gone = _access_urls(server, ids[1])
    server.delete_paper(ids[1])  # on the first page of changes
    for paper_id in ids[2:9]:
        server.modify_paper(paper_id, f"Geänderte Vorlage {paper_id[-4:]}")
    server.quirks.broken_after = {PAPER_LIST: 1}  # the second page fails for good
    before = _disk(cache)

    with pytest.raises(OSError, match="HTTP 500"):
        _sync(server, cache, state=first.state(), retries=1)
    assert _disk(cache) == before

    server.quirks.broken_after = {}
    again = _sync(server, cache, state=first.state())  # a failed sync leaves no state
    assert _cached(cache) == _access_urls(server) - gone
    assert again.pruned == len(gone)


def _leftovers(cache: Path) -> set[str]:
    """Write what a crashed run, a write under way or another program may leave.

    :returns: the names of the leftovers old enough to go.
    """
    FileCache(cache).put(STRAY, Download(b"%PDF-alt", '"x"', None))
    lone_bin = "a" * 64 + ".bin"
    lone_json = "b" * 64 + ".json"
    temporary = "." + "c" * 64 + ".k3j_x9.tmp"
    fresh_bin = "d" * 64 + ".bin"
    # the stray entry is being written again by another process, right now
    (cache / WRITING).write_bytes(b"%PDF-alt, again")
    (cache / lone_bin).write_bytes(b"%PDF-interrupted")
    (cache / lone_json).write_text('{"url": "https://x.example/y.pdf"}')
    (cache / temporary).write_bytes(b"%PDF-half")
    (cache / fresh_bin).write_bytes(b"%PDF-being-written")  # by another process, now
    (cache / "NOTES.txt").write_text("not the cache's")
    (cache / "keep").mkdir()
    for name in (lone_bin, lone_json, temporary, "NOTES.txt"):
        os.utime(cache / name, (HOUR_AGO, HOUR_AGO))
    return {lone_bin, lone_json, temporary}


def test_entries_no_paper_references_and_leftovers_are_swept(
    server: OParlServer, cache: Path
) -> None:
    first = _sync(server, cache)
    papers = _access_urls(server)
    old = _leftovers(cache)
    assert _cached(cache) == papers | {STRAY}
    sizes = _disk(cache)

    second = _sync(server, cache, state=first.state())  # nothing changed: nothing listed
    assert _cached(cache) == papers
    left = _disk(cache)
    assert not old & set(left)
    # too young to judge, or not the cache's
    assert {"d" * 64 + ".bin", WRITING, "NOTES.txt", "keep"} <= set(left)
    gone = set(sizes) - set(left)
    assert second.pruned == 4  # the stray entry and three leftovers
    assert second.pruned_bytes == sum(sizes[name] for name in gone)


def test_a_sync_that_skipped_a_paper_does_not_sweep(server: OParlServer, cache: Path) -> None:
    first = _sync(server, cache)
    ids = list(server.papers)
    FileCache(cache).put(STRAY, Download(b"%PDF", '"x"', None))
    gone = _access_urls(server, ids[3])
    server.delete_paper(ids[3])
    server.modify_paper(ids[5], "Kaputt geliefert")
    server.quirks.garbage_in_list = {ids[5]}

    second = _sync(server, cache, state=first.state())
    assert [(s["uri"], s["reason"]) for s in second.skipped] == [(ids[5], "invalid-object")]
    # what is known freed goes; what only a complete picture could free stays
    assert _cached(cache) == (_access_urls(server) - gone) | {STRAY}

    server.quirks.garbage_in_list = set()
    _sync(server, cache, state=second.state())
    assert _cached(cache) == _access_urls(server) - gone


def test_a_state_of_an_older_version_prunes_only_what_it_knows(
    server: OParlServer, cache: Path
) -> None:
    first = _sync(server, cache)
    state = first.state()
    older = {key: state[key] for key in ("version", "modified_since", "papers", "consulted")}
    FileCache(cache).put(STRAY, Download(b"%PDF", '"x"', None))
    ids = list(server.papers)
    gone = _access_urls(server, ids[0])
    server.delete_paper(ids[0])

    second = _sync(server, cache, state=older)
    assert second.cursor == state["modified_since"]  # read, not discarded
    # the deleted paper's files (by their URI) go; a sweep waits until every paper's
    # download URLs are known
    assert _cached(cache) == (_access_urls(server) - gone) | {STRAY}
    assert second.state()["download_urls"] == {}  # no paper was read again

    rebuilt = _sync(server, cache, state={})  # a rebuild lists (and knows) everything
    assert _cached(cache) == _access_urls(server) - gone
    assert rebuilt.pruned == 1


def test_a_paper_gone_from_a_complete_listing_frees_its_files(
    server: OParlServer, cache: Path
) -> None:
    trial = _sync(server, cache, max_papers=4)  # a trial: the listing is not complete
    ids = list(server.papers)
    assert _cached(cache) == _access_urls(server, *ids[:4])
    assert trial.state()["modified_since"] is None  # the next sync lists everything
    gone = _access_urls(server, ids[2])
    server.remove_paper(ids[2])  # no ``deleted: true``: it is just not listed any more

    full = _sync(server, cache, state=trial.state())
    assert full.scope == ""
    assert _cached(cache) == _access_urls(server)
    assert not gone & _cached(cache)
    assert ids[2] not in full.state()["papers"]


def test_a_listing_without_any_paper_does_not_empty_the_cache(
    server: OParlServer, cache: Path
) -> None:
    _sync(server, cache)
    before = _disk(cache)
    server.papers.clear()  # the paper list answers 404: to the client an empty list
    server.quirks.empty_list_404 = True

    rebuilt = _sync(server, cache, state={})
    assert rebuilt.scope == ""  # complete as far as the index is concerned
    assert _disk(cache) == before


def test_an_empty_full_listing_where_papers_were_known_claims_nothing(
    server: OParlServer, cache: Path
) -> None:
    trial = _sync(server, cache, max_papers=4)  # papers known, the next sync is full
    before = _disk(cache)
    server.papers.clear()  # the server lost its list (answers 404: an empty list)
    server.quirks.empty_list_404 = True

    full = _sync(server, cache, state=trial.state())
    assert full.scope is None  # the runner deletes nothing for being unlisted
    assert [s["reason"] for s in full.skipped] == ["empty-list"]
    assert _disk(cache) == before
    assert full.state()["papers"] == trial.state()["papers"]
    assert full.state()["modified_since"] is None  # and the next sync tries again


def test_the_cache_serves_only_whole_entries(tmp_path: Path) -> None:
    cache = FileCache(tmp_path)
    url = "https://rat.example/files/1.pdf"
    cache.put(url, Download(b"%PDF-1.7 complete", '"v1"', None))
    assert cache.get(url) == (b"%PDF-1.7 complete", '"v1"', None)
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".bin", ".json"]
    binary = next(tmp_path.glob("*.bin"))
    binary.write_bytes(b"%PDF-1.7 compl")  # cut off: not the bytes of the ETag
    assert cache.get(url) is None
    cache.put(url, Download(b"%PDF-1.7 v2", '"v2"', None))
    assert cache.get(url) == (b"%PDF-1.7 v2", '"v2"', None)
    assert cache.prune([url]).entries == 1
    assert list(tmp_path.iterdir()) == []
