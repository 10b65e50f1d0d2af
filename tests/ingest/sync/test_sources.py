"""The source registry: add, edit, list, sync and remove folder sources for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.originals import open_original, render_pdf_page
from ingest.sync.indexer import Indexer, data_dir_bytes
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.core.errors import ConfigurationError, SourceUnavailable
from search.core.settings import Settings
from search.service import SearchService

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "corpus"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "rundschreiben"
    (root / "intern").mkdir(parents=True)
    (root / "Energiesparen.txt").write_text(
        "Rundschreiben 12/2022 Energiesparen\n\nBüros werden auf höchstens 19 Grad beheizt. "
        "Private Heizlüfter sind verboten.\n",
        encoding="utf-8",
    )
    (root / "intern" / "Parkplatz.md").write_text(
        "# Parkplätze\n\nDie Tiefgarage am Rathaus ist für Dienstfahrzeuge reserviert.\n",
        encoding="utf-8",
    )
    return root


def _search(settings: Settings, query: str, groups: list[str]) -> list[str]:
    with SearchService(settings) as service:
        hits = service.search(query, mode="keyword", user_groups=groups).results
    return [Path(hit.uri).name for hit in hits]


def test_add_list_edit_validate(settings: Settings, folder: Path) -> None:
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        added = registry.add(
            SourceConfig(name=" rundschreiben ", location=str(folder), exclude=["", " **/*.md "])
        )
        assert added.name == "rundschreiben"
        assert added.kind == "folder"
        assert added.exclude == ["**/*.md"]
        assert added.location == str(folder.resolve())
        assert [source.name for source in registry.list()] == ["rundschreiben"]
        with pytest.raises(ConfigurationError, match="exists already"):
            registry.add(SourceConfig(name="rundschreiben", location=str(folder)))
        with pytest.raises(ConfigurationError, match="does not exist"):
            registry.add(SourceConfig(name="weg", location=str(folder / "nirgends")))
        with pytest.raises(ConfigurationError, match="Unknown source kind"):
            registry.add(SourceConfig(name="rat", kind="gopher", location=str(folder)))
        with pytest.raises(ConfigurationError, match="Invalid source name"):
            registry.add(SourceConfig(name="../x", location=str(folder)))
        edited = registry.update("rundschreiben", include=["**/*.txt"])
        assert edited.include == ["**/*.txt"] and not edited.needs_reindex
        regrouped = registry.update("rundschreiben", access_groups=["amt22"])
        assert regrouped.needs_reindex
        with pytest.raises(ConfigurationError, match="cannot be changed"):
            registry.update("rundschreiben", name="neu")
        with pytest.raises(ConfigurationError, match="No source"):
            registry.update("unbekannt", include=[])
    # persistent: a new connection sees the same registry
    with Indexer(settings) as indexer:
        source = SourceRegistry(indexer.catalog).require("rundschreiben")
        assert source.access_groups == ["amt22"] and source.include == ["**/*.txt"]


def test_sync_search_edit_and_remove(settings: Settings, folder: Path) -> None:
    events: list[str] = []
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        registry.add(SourceConfig(name="rs", location=str(folder), access_groups=["amt22"]))
        assert registry.count_documents("rs", indexer) == 2
        report = registry.sync("rs", indexer, lambda event, _uri: events.append(event))
        assert (report.seen, report.indexed, report.failed) == (2, 2, 0)
        assert events.count("indexed") == 2
        last = registry.require("rs").last_sync
        assert last is not None and last["ok"] and last["report"]["indexed"] == 2
    assert _search(settings, "Heizlüfter", ["amt22"]) == ["Energiesparen.txt"]
    assert _search(settings, "Heizlüfter", ["public"]) == []

    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        # excluding a file removes it at the next sync; nothing else is redone
        registry.update("rs", exclude=["intern/**"])
        report = registry.sync("rs", indexer)
        assert (report.deleted, report.unchanged, report.indexed) == (1, 1, 0)
        # new access groups rebuild the source's documents
        registry.update("rs", access_groups=["public"])
        report = registry.sync("rs", indexer)
        assert report.indexed == 1
        assert not registry.require("rs").needs_reindex
    assert _search(settings, "Heizlüfter", ["public"]) == ["Energiesparen.txt"]
    assert _search(settings, "Tiefgarage", ["public", "amt22"]) == []

    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        assert registry.remove("rs", indexer) == 1
        assert registry.list() == []
        assert indexer.catalog.entries(source="rs") == []
    assert _search(settings, "Heizlüfter", ["public"]) == []
    assert data_dir_bytes(settings) > 0


def test_failed_sync_is_recorded(settings: Settings, folder: Path, tmp_path: Path) -> None:
    moving = tmp_path / "moving"
    moving.mkdir()
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        registry.add(SourceConfig(name="weg", location=str(moving)))
        moving.rmdir()
        with pytest.raises(SourceUnavailable, match=r"weg: .*does not exist"):
            registry.sync("weg", indexer)
        last = registry.require("weg").last_sync
        assert last is not None and not last["ok"] and "does not exist" in last["error"]


def test_unregistered_sources_and_retry(settings: Settings, folder: Path) -> None:
    broken = folder / "kaputt.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(folder, source="cli")
        assert report.failed == 1
        registry = SourceRegistry(indexer.catalog)
        assert registry.unregistered_sources() == ["cli"]
        failed = indexer.catalog.entries(status="failed")[0]
        broken.unlink()
        with pytest.raises(ConfigurationError, match="gone"):
            registry.retry(failed.doc_id, indexer)
        broken.write_text("Ein lesbarer Text über Hundesteuer.", encoding="utf-8")
        renamed = broken.rename(folder / "kaputt.txt")
        report = indexer.ingest_path(folder, source="cli")
        assert report.deleted == 1 and report.indexed == 1
        assert renamed.exists()
        assert indexer.remove_source("cli") == 3
        assert registry.unregistered_sources() == []


def test_retry_failed_document(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    empty = folder / "leer.txt"
    empty.write_text("", encoding="utf-8")
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        registry.add(SourceConfig(name="docs", location=str(folder), access_groups=["amt30"]))
        assert registry.sync("docs", indexer).failed == 1
        failed = indexer.catalog.entries(status="failed")[0]
        empty.write_text("Sondernutzung Gehweg Restbreite 1,50 m", encoding="utf-8")
        report = registry.retry(failed.doc_id, indexer)
        assert report.indexed == 1
        entry = indexer.catalog.get(failed.doc_id)
        assert entry is not None and entry.status == "indexed"
        assert entry.access_groups == ["amt30"]


def test_original_visible_to_its_groups_only(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "satzungen"
    folder.mkdir()
    pdf = folder / "Hundesteuersatzung_2017.pdf"
    pdf.write_bytes((SAMPLES / "satzungen" / "Hundesteuersatzung_2017.pdf").read_bytes())
    with Indexer(settings) as indexer:
        indexer.ingest_path(folder, source="satzungen", access_groups=["amt22"])
        doc_id = indexer.catalog.entries()[0].doc_id
    original = open_original(settings, doc_id, ["public", "amt22"])
    assert original.is_pdf and original.page_count == 3
    assert original.filename == "Hundesteuersatzung_2017.pdf"
    with pytest.raises(ConfigurationError, match="not available"):
        open_original(settings, doc_id, ["public"])
    with pytest.raises(ConfigurationError, match="not available"):
        open_original(settings, "unbekannt", ["amt22"])
    png = render_pdf_page(original.path, 2, width=400)
    assert png.startswith(b"\x89PNG")
    assert render_pdf_page(original.path, 99, width=400).startswith(b"\x89PNG")  # clamped
