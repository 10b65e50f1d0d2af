"""The search service on real embedded indexes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.sync.indexer import Indexer
from search.core.errors import BackendUnavailable, QueryError
from search.core.settings import Settings
from search.filters import SearchFilters
from search.service import SearchService

HOLD_SHARD = """
import sys, time
from pathlib import Path
from search.stores.qdrant_edge_store import EdgeVectorStore
store = EdgeVectorStore(Path(sys.argv[1]), dimension=384)
store.count()
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("amt")
    (root / "friedhof.md").write_text(
        "# Friedhofsgebührensatzung\n\n## § 4 Grabnutzungsgebühren\n\n"
        "Für ein Reihengrab beträgt die Gebühr 850 Euro für 20 Jahre.\n",
        encoding="utf-8",
    )
    (root / "dienstreisen.md").write_text(
        "# Dienstanweisung Dienstreisen\n\n## 6. Abrechnung\n\n"
        "Die Reisekostenabrechnung ist innerhalb von sechs Monaten einzureichen.\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with Indexer(settings) as indexer:
        indexer.ingest_path(root, source="amt")
    return settings


@pytest.fixture
def held_vector_index(settings: Settings) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_SHARD, str(settings.vector_index_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    yield
    process.kill()
    process.wait()


def test_semantic_search_finds_paraphrases(settings: Settings) -> None:
    with SearchService(settings) as service:
        hits = service.search(
            "Wie lange habe ich Zeit, meine Reisekosten abzurechnen?", mode="semantic"
        ).results
    assert Path(hits[0].uri).name == "dienstreisen.md"
    assert hits[0].section == "6. Abrechnung"


def test_hybrid_degrades_to_keyword_while_another_process_holds_the_vectors(
    settings: Settings, held_vector_index: None
) -> None:
    service = SearchService(settings, hold_vector_store=False)
    response = service.search("Reihengrab Gebühr", mode="hybrid")
    assert response.notices and "keyword results only" in response.notices[0]
    assert Path(response.results[0].uri).name == "friedhof.md"
    with pytest.raises(BackendUnavailable):
        service.search("Reihengrab", mode="semantic")
    service.close()


def test_released_vector_index_is_usable_again(settings: Settings) -> None:
    service = SearchService(settings, hold_vector_store=False)
    first = service.search("Reihengrab", mode="hybrid")
    # released after the search: another process (here: an Indexer) can take it
    with Indexer(settings):
        pass
    second = service.search("Reihengrab", mode="hybrid")
    assert not first.notices and not second.notices
    assert first.results[0].doc_id == second.results[0].doc_id
    service.close()


def test_filters_and_bad_mode(settings: Settings) -> None:
    with SearchService(settings) as service:
        assert service.search("Gebühr", filters=SearchFilters(sources=["anderes"])).results == []
        assert service.search("   ").results == []
        with pytest.raises(QueryError, match="mode"):
            service.search("Gebühr", mode="fuzzy")  # type: ignore[arg-type]
