"""Preparing documents in worker processes (:mod:`ingest.sync.pool`): the same chunks as inline,
at a lower CPU priority, and a worker killed mid-document loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from connectors.base import Connector, SourceDocument, SourceRef
from connectors.filesystem import FilesystemConnector
from ingest.catalog import Catalog
from ingest.sync.pool import WORKER_DIED, ChunkJob, InlinePreparer, PreparePool
from ingest.sync.runner import IngestReport, IngestRunner
from search.backends import open_embedder, open_keyword_store, open_vector_store
from search.core.settings import Settings
from tests.ingest.pipeline.test_parsing import (
    SCAN_LINES,
    docx_file,
    scan_pdf,
    scanned_pages,
    text_pdf,
)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

SCAN = "erlass-scan.pdf"  # listed second: the kill waits while fetching the third


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("akten")
    satzung = text_pdf()
    (root / "satzung.pdf").write_bytes(satzung)
    (root / SCAN).write_bytes(scan_pdf(SCAN_LINES))
    (root / "anweisung.docx").write_bytes(docx_file(page_break=True))
    (root / "kaputt.pdf").write_bytes(satzung[: len(satzung) // 3])
    (root / "rundschreiben.txt").write_text(
        "Rundschreiben 3/2024 des Hauptamtes\n\nDie Kantine bleibt am 3. Oktober geschlossen.",
        encoding="utf-8",
    )
    return root


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, ingest={"batch_documents": 2})  # type: ignore[arg-type]


@contextmanager
def _runner(
    settings: Settings, preparer: PreparePool | InlinePreparer | None = None
) -> Iterator[IngestRunner]:
    catalog = Catalog.open(settings)
    embedder = open_embedder(settings)
    keyword = open_keyword_store(settings)
    vector = open_vector_store(settings, embedder.dimension)
    try:
        yield IngestRunner(settings, catalog, keyword, vector, embedder, preparer=preparer)
    finally:
        keyword.close()
        vector.close()
        catalog.close()


def _ingest(settings: Settings, connector: Any, preparer: PreparePool | None) -> IngestReport:
    with _runner(settings, preparer) as runner:
        return runner.run(connector)


def _index(settings: Settings) -> dict[str, Any]:
    """What the catalog and both stores hold, by file name and chunk id."""
    catalog = Catalog.open(settings)
    entries = {
        entry.filename: (
            entry.status,
            entry.error_reason,
            entry.chunk_ids,
            entry.title,
            entry.doc_type,
            entry.date,
            entry.page_count,
            entry.ocr_pages,
            entry.warnings,
            entry.access_groups,
        )
        for entry in catalog.entries()
    }
    indexed = {cid for entry in catalog.entries(status="indexed") for cid in entry.chunk_ids}
    catalog.close()
    keyword = open_keyword_store(settings)
    vector = open_vector_store(settings, 384)
    try:
        # the embedded vector store can read everything back (it can be copied to a server)
        chunks = {chunk.id: chunk for batch in vector.iter_chunks() for chunk in batch}
        counts = (keyword.count(), vector.count(), keyword.doc_ids() == vector.doc_ids())
    finally:
        keyword.close()
        vector.close()
    # consistent: both stores hold exactly the chunks of the indexed documents
    assert counts == (len(indexed), len(indexed), True)
    assert set(chunks) == indexed
    return {"entries": entries, "chunks": chunks}


def _counts(report: IngestReport) -> dict[str, Any]:
    return {k: v for k, v in report.to_dict().items() if k != "seconds"}


def _same_chunks(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours.keys() == theirs.keys()
    for chunk_id, chunk in ours.items():
        other = theirs[chunk_id]
        assert (chunk.content, chunk.meta) == (other.content, other.meta), chunk_id
        # the pool's embedder runs one thread: the sums may round differently
        assert np.allclose(chunk.embedding, other.embedding, atol=1e-5), chunk_id


@pytest.fixture(scope="module")
def inline(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[IngestReport, dict]:
    settings = _settings(tmp_path_factory.mktemp("inline"))
    report = _ingest(settings, FilesystemConnector(folder, name="akten"), None)
    return report, _index(settings)


@pytest.fixture(scope="module")
def pool_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _settings(tmp_path_factory.mktemp("pool"))


@pytest.fixture(scope="module")
def pool(pool_settings: Settings) -> Iterator[PreparePool]:
    with PreparePool(pool_settings, workers=2) as pool:
        yield pool


def test_pool_indexes_what_inline_indexes(
    folder: Path, inline: tuple[IngestReport, dict], pool: PreparePool, pool_settings: Settings
) -> None:
    expected_report, expected = inline
    report = _ingest(pool_settings, FilesystemConnector(folder, name="akten"), pool)
    assert _counts(report) == _counts(expected_report)
    assert (report.seen, report.indexed, report.failed) == (5, 4, 1)
    assert [(Path(f["uri"]).name, f["reason"]) for f in report.failures] == [
        ("kaputt.pdf", "corrupt")
    ]
    assert report.ocr_pages == 1
    assert report.embedded == report.chunks > 0
    index = _index(pool_settings)
    assert index["entries"] == expected["entries"]
    _same_chunks(index["chunks"], expected["chunks"])
    assert pool.restarts == 0


def test_pool_processes_run_at_a_lower_priority(pool: PreparePool) -> None:
    document = SourceDocument(uri="file:///notiz.txt", filename="notiz.txt", content=b"Notiz")
    job = ChunkJob(document, "notiz", "akten", document.uri, document.content_hash, ["public"])
    assert pool.result(job, pool.submit(job)).chunks
    assert pool.pids
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert [os.getpriority(os.PRIO_PROCESS, pid) for pid in pool.pids] == [
        min(ours + 10, 19)
    ] * len(pool.pids)


def _children(pid: int) -> list[tuple[int, str]]:
    """:returns: (pid, command) of the processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended while we looked
        command = text[text.index("(") + 1 : text.rindex(")")]
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            found.append((int(stat.parent.name), command))
    return found


def _alive(pid: int) -> bool:
    """:returns: whether process ``pid`` runs (a zombie nobody reaped has ended)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


# a process that owns a pool, has used it once and then waits (as a service does)
_OWNER = """
import sys, time
from pathlib import Path
from connectors.base import SourceDocument
from ingest.sync.pool import ChunkJob, PreparePool
from search.core.settings import Settings

pool = PreparePool(Settings(data_dir=Path(sys.argv[1])), workers=2)
document = SourceDocument(uri="file:///notiz.txt", filename="notiz.txt", content=b"Notiz")
job = ChunkJob(document, "notiz", "akten", document.uri, document.content_hash, ["public"])
pool.result(job, pool.submit(job))
print(" ".join(str(pid) for pid in pool.pids), flush=True)
time.sleep(600)
"""


def test_pool_processes_end_when_their_owner_is_killed(tmp_path: Path) -> None:
    """A service killed by a signal leaves no pool process behind (they used to wait for
    work forever, and one in the middle of an OCR kept a core busy for nobody)."""
    root = Path(__file__).resolve().parents[3]
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER, str(tmp_path)],
        cwd=root,
        env=os.environ | {"PYTHONPATH": str(root), "HAYSTACK_TELEMETRY_ENABLED": "False"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout is not None
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert pids
        assert all(_alive(pid) for pid in pids)
    finally:
        owner.kill()
        owner.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, "pool processes outlived their killed owner"
        time.sleep(0.2)


class _KillingConnector(Connector):
    """A folder whose third fetch waits until a pool process is OCRing the scan (it runs
    tesseract) and kills that process with SIGKILL."""

    def __init__(self, folder: Path, pool: PreparePool) -> None:
        self.inner = FilesystemConnector(folder, name="akten")
        self.name = self.inner.name
        self.pool = pool
        self.fetched = 0
        self.killed: int | None = None

    def list(self) -> Iterator[SourceRef]:
        return self.inner.list()

    def fetch(self, ref: SourceRef) -> SourceDocument:
        self.fetched += 1
        if self.fetched == 3:
            deadline = time.monotonic() + 60
            while self.killed is None and time.monotonic() < deadline:
                for pid in self.pool.pids:
                    if any(command == "tesseract" for _, command in _children(pid)):
                        os.kill(pid, signal.SIGKILL)
                        self.killed = pid
                        break
                time.sleep(0.01)
            assert self.killed is not None, "no pool process ran tesseract"
        return self.inner.fetch(ref)


def test_killed_worker_is_replaced_and_its_document_prepared_again(
    folder: Path, inline: tuple[IngestReport, dict], tmp_path: Path
) -> None:
    expected_report, expected = inline
    settings = _settings(tmp_path / "data")
    connector = _KillingConnector(folder, PreparePool(settings, workers=1))
    with connector.pool:
        report = _ingest(settings, connector, connector.pool)
        assert connector.pool.restarts == 1
        assert connector.killed not in connector.pool.pids
    assert _counts(report) == _counts(expected_report)
    index = _index(settings)
    assert index["entries"] == expected["entries"]
    _same_chunks(index["chunks"], expected["chunks"])


def test_document_whose_worker_dies_is_recorded_and_the_batch_goes_on(
    folder: Path, tmp_path: Path
) -> None:
    settings = _settings(tmp_path / "data")
    connector = _KillingConnector(folder, PreparePool(settings, workers=1, retries=0))
    with connector.pool:
        report = _ingest(settings, connector, connector.pool)
    died = {Path(f["uri"]).name for f in report.failures if f["reason"] == WORKER_DIED}
    # the scan died; so may the document submitted just as its process was killed
    assert SCAN in died
    assert died <= {SCAN, "kaputt.pdf"}
    assert report.seen == 5
    assert report.indexed + report.failed == 5
    assert report.failed == len(report.failures) == len(died) + ("kaputt.pdf" not in died)
    entries = _index(settings)["entries"]
    assert entries[SCAN][:2] == ("failed", WORKER_DIED)
    assert {name for name, entry in entries.items() if entry[0] == "indexed"} >= {
        "anweisung.docx",
        "satzung.pdf",
    }


def _scanned_pages(copies: int) -> SourceDocument:
    return SourceDocument(
        uri="file:///scan3.pdf", filename="scan3.pdf", content=scanned_pages(copies)
    )


def test_a_worker_tells_each_scanned_page_it_has_read(pool: PreparePool) -> None:
    """The progress of a long OCR reaches the calling process, page by page."""
    document = _scanned_pages(3)
    job = ChunkJob(document, "scan3", "akten", document.uri, document.content_hash, ["public"])
    told: list[tuple[str, int, int]] = []
    result = pool.result(job, pool.submit(job, lambda *page: told.append(page)))
    assert result.ocr_pages == 3
    deadline = time.monotonic() + 5  # told by a thread that reads the processes' queue
    while len(told) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert told == [(document.uri, 1, 3), (document.uri, 2, 3), (document.uri, 3, 3)]
    # a document submitted without a listener is read as before, telling no one
    again = ChunkJob(document, "scan3b", "akten", "file:///other.pdf", "x", ["public"])
    assert pool.result(again, pool.submit(again)).ocr_pages == 3
    time.sleep(0.3)
    assert len(told) == 3
