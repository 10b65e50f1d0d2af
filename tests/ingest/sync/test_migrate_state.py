"""``auskunft migrate`` moves the state of an embedded installation into PostgreSQL: the
catalog, the source registry, the audit log and the embedding cache, once each."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.catalog import Catalog
from ingest.sync.indexer import Indexer
from ingest.sync.migrate_state import migrate_state
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.audit import AuditLog, AuditRecord
from search.core.errors import ConfigurationError
from search.core.settings import Settings
from search.embedders.cache import EmbeddingCache
from search.service import SearchService
from ui.cli import cli

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _embedded(tmp_path: Path) -> Settings:
    corpus = tmp_path / "akten"
    corpus.mkdir()
    for n in range(4):
        text = f"Dienstanweisung Nr. {n} über Dienstreisen nach {n} Orten.\n\nDie Erstattung folgt."
        (corpus / f"anweisung-{n}.txt").write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    with Indexer(settings) as indexer:
        SourceRegistry(indexer.catalog).add(SourceConfig(name="akten", location=str(corpus)))
        assert SourceRegistry(indexer.catalog).sync("akten", indexer).indexed == 4
    log = AuditLog.from_settings(settings)
    for query in ("Dienstreise", "Erstattung"):
        log.append(AuditRecord("search", "meier", query, "hybrid", {}, []))
    log.close()
    return settings


def test_state_is_copied_once_and_used_from_there(tmp_path: Path, state_url: str) -> None:
    embedded = _embedded(tmp_path)
    cached = len(EmbeddingCache(embedded.embedding_cache_path))
    shared = Settings(data_dir=embedded.data_dir, database={"url": state_url})
    report = migrate_state(shared)
    assert (report.documents, report.sources, report.audit_records) == (4, 1, 2)
    assert report.embeddings == cached > 0
    # a second run (an interrupted copy completed) duplicates nothing
    log = AuditLog.from_settings(embedded)
    log.append(AuditRecord("answer", "schulz", "Wer erstattet?", "hybrid", {}, []))
    again = migrate_state(shared)
    assert (again.documents, again.audit_records) == (4, 1)
    records = AuditLog.from_settings(shared).records()
    assert [r.query for r in records] == ["Wer erstattet?", "Erstattung", "Dienstreise"]
    catalog = Catalog.open(shared)
    assert catalog.dialect == "postgres"
    assert len(catalog.indexed_doc_ids()) == 4
    assert SourceRegistry(catalog).require("akten").last_sync is not None
    assert len(EmbeddingCache.open(shared)) == cached
    # the embedded stores with the catalog in PostgreSQL: searches find the documents
    with SearchService(shared) as service:
        hits = service.search("Dienstanweisung Dienstreisen", mode="keyword").results
    assert len(hits) == 4


def test_migrate_needs_a_target(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"database\.url"):
        migrate_state(Settings(data_dir=tmp_path / "data"))
    result = CliRunner().invoke(cli, ["migrate"], env={"AUSKUNFT_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "Nothing to migrate to" in result.output
