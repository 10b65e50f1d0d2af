from pathlib import Path

from ingest.catalog import Catalog, CatalogEntry


def entry(doc_id: str, status: str = "indexed", **extra: object) -> CatalogEntry:
    """A catalog entry of a PDF of the source ``amt`` (shared with the state contract)."""
    return CatalogEntry(
        doc_id=doc_id,
        source="amt",
        uri=f"file:///amt/{doc_id}.pdf",
        filename=f"{doc_id}.pdf",
        status=status,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def test_upsert_get_and_counts(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.upsert_many(
        [
            entry("a", chunk_ids=["a:0000", "a:0001"], access_groups=["public"]),
            entry("b", status="failed", error_reason="encrypted", error="needs a password"),
            entry("c", status="indexing"),
        ]
    )
    a = catalog.get("a")
    assert a is not None
    assert a.chunk_ids == ["a:0000", "a:0001"]
    assert a.access_groups == ["public"]
    assert catalog.counts_by_status() == {"indexing": 1, "indexed": 1, "failed": 1}
    assert catalog.counts_by_source() == {"amt": {"indexing": 1, "indexed": 1, "failed": 1}}
    assert catalog.chunk_count() == 2
    assert catalog.indexed_doc_ids() == {"a"}
    assert [e.doc_id for e in catalog.entries(status="failed")] == ["b"]
    assert catalog.get("zzz") is None


def test_first_seen_survives_updates_and_data_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    catalog = Catalog(path)
    catalog.upsert(entry("a", status="indexing"))
    first = catalog.get("a")
    assert first is not None
    catalog.mark_indexed([entry("a", status="indexing", error="old")])
    catalog.set_setting("embedding_model", "m1")
    catalog.close()
    reopened = Catalog(path)
    again = reopened.get("a")
    assert again is not None
    assert again.status == "indexed"
    assert again.error is None
    assert again.indexed_at is not None
    assert again.first_seen == first.first_seen
    assert reopened.get_setting("embedding_model") == "m1"
    reopened.delete(["a"])
    assert reopened.get("a") is None
