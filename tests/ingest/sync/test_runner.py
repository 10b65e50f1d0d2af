"""Ingestion end to end on the embedded stores: real files, real parser, real indexes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from ingest.catalog import Catalog
from ingest.sync.indexer import Indexer, index_status
from search.backends import open_keyword_store, open_vector_store
from search.core.settings import Settings
from search.filters import SearchFilters
from search.service import SearchService

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for lines in pages:
        y = 780
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


def _statute(path: Path) -> Path:
    return _pdf(
        path,
        [
            [
                "Hundesteuersatzung der Stadt Lindenbrück vom 21. März 2017",
                "§ 1 Steuergegenstand",
                "Gegenstand der Steuer ist das Halten von Hunden im Stadtgebiet.",
                "§ 2 Steuerpflicht",
                "Steuerpflichtig ist, wer einen Hund in seinen Haushalt aufgenommen hat.",
            ],
            [
                "§ 3 Steuersatz",
                "(1) Die Steuer beträgt jährlich für den ersten Hund 96 Euro,",
                "für den zweiten Hund 144 Euro und für jeden weiteren Hund 180 Euro.",
                "(2) Für gefährliche Hunde beträgt die Steuer 600 Euro.",
            ],
        ],
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        ingest={"max_file_mb": 0.05, "batch_documents": 2},  # type: ignore[arg-type]
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "akten"
    root.mkdir()
    _statute(root / "hundesteuersatzung.pdf")
    (root / "rundschreiben.txt").write_text(
        "Rundschreiben 3/2024 des Hauptamtes\n\nDie Kantine bleibt am 3. Oktober geschlossen. "
        "Die Gleitzeit wird in dieser Woche ausgesetzt.",
        encoding="utf-8",
    )
    good = (root / "hundesteuersatzung.pdf").read_bytes()
    (root / "kaputt.pdf").write_bytes(good[: len(good) // 3])
    with pikepdf.open(root / "hundesteuersatzung.pdf") as pdf:
        pdf.save(
            root / "verschluesselt.pdf",
            encryption=pikepdf.Encryption(user="geheim", owner="geheimer", R=6),
        )
    (root / "leer.docx").write_bytes(b"")
    (root / "riesig.txt").write_text("Gebühr " * 20_000, encoding="utf-8")  # 140 kB > 0.05 MB
    return root


def _store_chunk_counts(settings: Settings) -> tuple[int, int]:
    keyword = open_keyword_store(settings)
    vector = open_vector_store(settings, 384)
    try:
        return keyword.count(), vector.count()
    finally:
        keyword.close()
        vector.close()


def test_bad_files_are_recorded_and_the_batch_goes_on(settings: Settings, corpus: Path) -> None:
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(corpus, source="akten")
    assert report.seen == 6
    assert report.indexed == 2
    reasons = {Path(f["uri"]).name: f["reason"] for f in report.failures}
    assert reasons == {
        "kaputt.pdf": "corrupt",
        "verschluesselt.pdf": "encrypted",
        "leer.docx": "empty",
        "riesig.txt": "too_large",
    }
    assert all(f["error"] for f in report.failures)
    status = index_status(settings)
    assert status["documents"] == {"indexing": 0, "indexed": 2, "failed": 4}
    assert status["chunks"] == report.chunks
    assert _store_chunk_counts(settings) == (report.chunks, report.chunks)


def test_second_run_does_no_work_and_changes_are_applied(settings: Settings, corpus: Path) -> None:
    with Indexer(settings) as indexer:
        first = indexer.ingest_path(corpus, source="akten")
        second = indexer.ingest_path(corpus, source="akten")
    assert first.embedded > 0
    assert (second.indexed, second.failed, second.deleted, second.embedded) == (0, 0, 0, 0)
    assert second.unchanged == 6
    assert not second.changed_anything

    (corpus / "rundschreiben.txt").write_text(
        "Rundschreiben 4/2024: Die Kantine öffnet wieder am 7. Oktober.", encoding="utf-8"
    )
    (corpus / "hundesteuersatzung.pdf").unlink()
    with Indexer(settings) as indexer:
        third = indexer.ingest_path(corpus, source="akten")
    assert (third.indexed, third.deleted, third.unchanged) == (1, 1, 4)
    status = index_status(settings)
    assert status["documents"]["indexed"] == 1
    assert _store_chunk_counts(settings) == (status["chunks"], status["chunks"])
    with SearchService(settings) as service:
        assert service.search("Hundesteuer Steuersatz", mode="keyword").results == []
        hits = service.search("Kantine Oktober", mode="hybrid").results
    assert [Path(h.uri).name for h in hits] == ["rundschreiben.txt"]
    assert "7. Oktober" in hits[0].passages[0].text


def test_retry_failed_parses_failed_files_again(settings: Settings, corpus: Path) -> None:
    with Indexer(settings) as indexer:
        indexer.ingest_path(corpus, source="akten")
        again = indexer.ingest_path(corpus, source="akten", retry_failed=True)
    assert again.failed == 4
    assert again.unchanged == 2


def test_search_cites_page_and_section_and_applies_access_groups(
    settings: Settings, corpus: Path
) -> None:
    with Indexer(settings) as indexer:
        indexer.ingest_path(corpus / "hundesteuersatzung.pdf", source="satzungen")
        indexer.ingest_path(
            corpus / "rundschreiben.txt", source="intern", access_groups=["hauptamt"]
        )
    with SearchService(settings) as service:
        for mode in ("hybrid", "keyword", "semantic"):
            hits = service.search("Hundesteuer für den ersten Hund", mode=mode).results
            assert hits, mode
            top = hits[0]
            assert top.title.startswith("Hundesteuersatzung"), mode
            assert 2 in top.pages, mode
            assert "§ 3" in top.section, mode
            assert "S. 2" in top.citation, mode
        public = service.search("Kantine Gleitzeit", mode="hybrid").results
        assert all(hit.source != "intern" for hit in public)
        staff = service.search("Kantine Gleitzeit", user_groups=["hauptamt"]).results
        assert staff[0].source == "intern"
        only_statutes = service.search(
            "Kantine",
            user_groups=["hauptamt", "public"],
            filters=SearchFilters(sources=["satzungen"]),
        ).results
        assert all(hit.source == "satzungen" for hit in only_statutes)


def test_killed_ingestion_is_completed_by_the_next_run(tmp_path: Path) -> None:
    """Kill -9 a real ingestion mid-batch; the rerun completes without duplicates."""
    corpus = tmp_path / "viele"
    corpus.mkdir()
    for n in range(40):
        paragraphs = [
            f"Beschluss Nr. {n} des Bauausschusses über die Sanierung der Schule {n}.",
            f"Die Kosten betragen {1000 + n} Euro und werden aus dem Haushalt {2000 + n} gedeckt.",
        ] * 6
        (corpus / f"beschluss-{n:02d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "AUSKUNFT_DATA_DIR": str(data), "AUSKUNFT_INGEST__BATCH_DOCUMENTS": "3"}
    command = [sys.executable, "-m", "ui.cli", "ingest", str(corpus), "--source", "bau"]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).parents[3],
    )
    catalog_path = data / "catalog.sqlite"
    deadline = time.monotonic() + 120
    indexed = 0
    while time.monotonic() < deadline and process.poll() is None:
        if catalog_path.exists():
            try:
                with sqlite3.connect(catalog_path, timeout=1) as conn:
                    indexed = conn.execute(
                        "SELECT COUNT(*) FROM documents WHERE status='indexed'"
                    ).fetchone()[0]
            except sqlite3.OperationalError:
                indexed = 0
            if indexed >= 6:
                break
        time.sleep(0.02)
    assert process.poll() is None, "ingestion finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 6 <= indexed < 40

    settings = Settings(data_dir=data)
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(corpus, source="bau")
    assert report.indexed + report.unchanged == 40
    assert report.indexed < 40  # earlier work was kept
    catalog = Catalog.open(settings)
    expected = {cid for entry in catalog.entries(status="indexed") for cid in entry.chunk_ids}
    assert catalog.counts_by_status()["indexed"] == 40
    catalog.close()
    keyword_count, vector_count = _store_chunk_counts(settings)
    assert keyword_count == vector_count == len(expected)
