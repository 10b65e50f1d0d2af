"""A search's whole match set: facet counts, order by date and pages over every match,
not over the page on screen (real embedded indexes)."""

from __future__ import annotations

import pytest

from ingest.sync.indexer import Indexer
from search.core.errors import QueryError
from search.core.settings import Settings
from search.retrieval.facets import refine
from search.retrieval.grouping import DocumentGrouper
from search.service import SearchService
from search.stores.base import DocumentScore

YEARS = range(2013, 2026)  # 13 statutes, one per year


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("satzungen")
    for year in YEARS:
        (root / f"satzung_{year}.md").write_text(
            f"# Satzung über die Gebühren der Angelegenheit {year}\n\nvom 15.03.{year}\n\n"
            f"## § 1 Gebühr\n\nDie Gebühr für die Angelegenheit {year} beträgt {year} Euro.\n",
            encoding="utf-8",
        )
    (root / "dienstanweisung.md").write_text(
        "# Dienstanweisung Gebühren\n\nDie Gebühr wird durch Bescheid festgesetzt.\n",
        encoding="utf-8",
    )
    (root / "merkblatt.md").write_text(
        "# Merkblatt Parken\n\nAnwohner parken mit Ausweis.\n", encoding="utf-8"
    )
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with Indexer(settings) as indexer:
        indexer.ingest_path(root, source="amt")
    return settings


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_facets_count_every_match_not_the_page(settings: Settings, mode: str) -> None:
    with SearchService(settings) as service:
        response = service.search("Gebühr", mode=mode, top_k=3)  # type: ignore[arg-type]
    assert len(response.results) == 3
    matches = len(YEARS) + 1
    assert response.total >= matches
    assert response.facets["doc_type"]["statute"] == len(YEARS)
    assert response.facets["year"] == {str(year): 1 for year in YEARS}
    # hybrid adds documents close in meaning; every match is counted once per facet
    assert sum(response.facets["doc_type"].values()) == response.total
    assert sum(response.facets["source"].values()) == response.total


def test_date_order_sorts_the_whole_set_and_pages_reach_it(settings: Settings) -> None:
    with SearchService(settings) as service:
        newest = service.search("Gebühr", mode="keyword", top_k=3, order="date_desc")
        oldest = service.search("Gebühr", mode="keyword", top_k=3, order="date_asc")
        pages = [
            service.search("Gebühr", mode="keyword", top_k=4, offset=offset, order="date_desc")
            for offset in range(0, 16, 4)
        ]
        by_relevance = service.search("Gebühr", mode="keyword", top_k=3)
    # the newest of all thirteen, not the three most relevant re-ordered
    assert [hit.date for hit in newest.results] == ["2025-03-15", "2024-03-15", "2023-03-15"]
    assert [hit.date for hit in oldest.results] == ["2013-03-15", "2014-03-15", "2015-03-15"]
    assert {hit.doc_id for hit in by_relevance.results} != {hit.doc_id for hit in newest.results}
    paged = [hit for page in pages for hit in page.results]
    assert len(paged) == newest.total == len(YEARS) + 1
    assert len({hit.doc_id for hit in paged}) == len(paged)
    assert paged[-1].date is None  # the undated instruction comes last
    assert all(page.total == newest.total for page in pages)
    assert pages[1].offset == 4


def test_refinement_keeps_the_chosen_values_and_counts_the_others(settings: Settings) -> None:
    with SearchService(settings) as service:
        response = service.search(
            "Gebühr", mode="keyword", refinement={"year": ["2020", "2021"]}, top_k=10
        )
        typed = service.search("Gebühr", mode="keyword", refinement={"doc_type": ["guidance"]})
        with pytest.raises(QueryError, match="facet"):
            service.search("Gebühr", refinement={"colour": ["red"]})
        with pytest.raises(QueryError, match="offset"):
            service.search("Gebühr", offset=-1)
        with pytest.raises(QueryError, match="order"):
            service.search("Gebühr", order="random")  # type: ignore[arg-type]
    assert response.total == 2
    assert sorted(hit.date or "" for hit in response.results) == ["2020-03-15", "2021-03-15"]
    # a facet's own choice does not narrow its counts: the other years stay choosable
    assert len(response.facets["year"]) == len(YEARS)
    assert response.facets["doc_type"] == {"statute": 2}
    assert [hit.doc_type for hit in typed.results] == ["guidance"]


def test_a_document_outside_the_query_is_no_match(settings: Settings) -> None:
    with SearchService(settings) as service:
        response = service.search("Gebühr", mode="keyword", top_k=50)
    assert "Merkblatt Parken" not in {hit.title for hit in response.results}
    assert response.total == len(response.results)


def test_refine_orders_undated_last_and_keeps_ties_in_rank_order() -> None:
    metas = {
        "a": {"date": "2020-01-01"},
        "b": {},
        "c": {"date": "2021-05-01", "committee": ["Rat", "Bauausschuss"]},
        "d": {"date": "2020-01-01", "committee": ["Rat"]},
    }
    ranked = ["b", "a", "c", "d"]
    assert refine(ranked, metas, order="date_desc").doc_ids == ["c", "a", "d", "b"]
    assert refine(ranked, metas, order="date_asc").doc_ids == ["a", "d", "c", "b"]
    chosen = refine(ranked, metas, {"committee": ["Bauausschuss"]})
    assert chosen.doc_ids == ["c"]
    assert chosen.facets["committee"] == {"Rat": 2, "Bauausschuss": 1}
    assert chosen.facets["year"] == {"2021": 1}


def test_records_without_facet_fields_read_them_from_a_chunk(settings: Settings) -> None:
    # a whole-document record written before facet fields were kept has none
    with SearchService(settings) as service:
        store = service.keyword_store
        bare = [
            DocumentScore(hit.doc_id, hit.score)
            for hit in store.search_documents("Gebühr", top_k=50)
        ]
        two = settings.search.model_copy(update={"top_k": 2})
        grouper = DocumentGrouper(two, language=settings.language, store=store)
        output = grouper.run(hits=[], query="Gebühr", document_hits=bare, order="date_desc")
    assert output["total"] == len(bare)
    assert output["facets"]["doc_type"]["statute"] == len(YEARS)
    assert [hit.date for hit in output["documents"]] == ["2025-03-15", "2024-03-15"]


def test_a_set_cut_at_max_matches_says_so(settings: Settings) -> None:
    cut = settings.model_copy(
        update={"search": settings.search.model_copy(update={"max_matches": 10})}
    )
    with SearchService(cut) as service:
        capped = service.search("Gebühr", mode="keyword", top_k=3)
    with SearchService(settings) as service:
        whole = service.search("Gebühr", mode="keyword", top_k=3)
    assert capped.capped
    assert capped.to_dict()["capped"] is True
    assert 10 <= capped.total <= whole.total
    assert not whole.capped
