"""Documents linked after every ingestion: an amendment to the statute it amends, a paper
to the papers it cites — also when the target arrives later or leaves again."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.catalog import Catalog
from ingest.relations.linking import link_entries
from ingest.sync.indexer import Indexer
from search.core import fields
from search.core.settings import Settings
from search.relations import RelationStore

CORPUS = Path(__file__).resolve().parents[3] / "samples" / "corpus"
STATUTE = CORPUS / "satzungen" / "Hundesteuersatzung_2017.pdf"
AMENDMENT = CORPUS / "beschluesse" / "Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf"
MINUTES = CORPUS / "beschluesse" / "Niederschrift_Stadtrat_2024-11-14.pdf"


def _ingest(settings: Settings, folder: Path) -> dict[str, str]:
    """Ingest ``folder``; :returns: doc ids by file name."""
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(folder, source="beispiel")
        assert report.failed == 0, report.failures
        entries = indexer.catalog.entries(status="indexed")
    return {Path(entry.uri).name: entry.doc_id for entry in entries}


def test_links_follow_the_documents_as_they_come_and_go(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy2(AMENDMENT, folder)
    ids = _ingest(settings, folder)
    store = RelationStore.open(settings)
    alone = store.get(ids[AMENDMENT.name])
    assert alone is not None and alone.amends == ()  # its statute is not there yet
    assert alone.in_force_from is not None and alone.in_force_from.date == "2025-01-01"
    assert alone.in_force_from.page == 3

    shutil.copy2(STATUTE, folder)
    shutil.copy2(MINUTES, folder)
    ids = _ingest(settings, folder)
    amendment, statute = store.get(ids[AMENDMENT.name]), store.get(ids[STATUTE.name])
    assert amendment is not None and statute is not None
    assert [link.doc_id for link in amendment.amends] == [ids[STATUTE.name]]
    assert [link.doc_id for link in statute.amended_by] == [ids[AMENDMENT.name]]
    assert "§ 3 Abs. 1" in statute.amended_by[0].changes
    assert [link.doc_id for link in statute.history] == [ids[STATUTE.name], ids[AMENDMENT.name]]
    minutes = store.get(ids[MINUTES.name])
    assert minutes is not None
    cited = {ref.key: ref for ref in minutes.references}
    assert cited["paper:2024/0153"].doc_id == ids[AMENDMENT.name]
    assert cited["paper:2024/0153"].page == 3
    assert not cited["paper:2024/0160"].doc_id  # not indexed: kept as text
    assert [link.doc_id for link in amendment.cited_by] == [ids[MINUTES.name]]
    with Indexer(settings) as indexer:  # and the chunk that cites it says so
        chunks = indexer.keyword_store.chunks(ids[MINUTES.name])
    citing = [c for c in chunks if "paper:2024/0153" in c.meta.get(fields.REFERENCES, [])]
    assert citing and all("2024/0153" in (c.content or "") for c in citing)

    (folder / STATUTE.name).unlink()
    ids = _ingest(settings, folder)
    amendment = store.get(ids[AMENDMENT.name])
    assert amendment is not None and amendment.amends == ()
    store.close()


def test_a_broken_analysis_is_left_out_not_fatal(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy2(STATUTE, folder)
    _ingest(settings, folder)
    catalog = Catalog(settings.catalog_path)
    entry = catalog.entries(status="indexed")[0]
    entry.analysis = {"version": 2, "validity": {"enactments": [{"title": 3}]}, "references": []}
    assert link_entries([entry]) == []  # logged and skipped
    catalog.close()


def test_a_document_indexed_before_the_analysis_is_read_again_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy2(AMENDMENT, folder)
    _ingest(settings, folder)
    catalog = Catalog(settings.catalog_path)
    entry = catalog.entries(status="indexed")[0]
    entry.analysis = None  # as an index written by an older version has it
    catalog.upsert(entry)
    catalog.close()
    with Indexer(settings) as indexer:
        again = indexer.ingest_path(folder, source="beispiel")
        assert again.indexed == 1 and again.unchanged == 0
        assert indexer.catalog.entries()[0].analysis is not None
        assert indexer.ingest_path(folder, source="beispiel").unchanged == 1
