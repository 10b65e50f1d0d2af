"""The tantivy keyword store against the contract, plus its own locking and visibility."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tantivy

from search.errors import IndexMismatch
from search.stores.tantivy_store import TantivyKeywordStore
from tests.search.stores.contract import CHUNKS, KeywordStoreContract, without_embeddings


class TestTantivyKeywordStore(KeywordStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[TantivyKeywordStore]:
        store = TantivyKeywordStore(tmp_path / "keyword")
        yield store
        store.close()

    def reopen(self, store: Any, **changes: Any) -> TantivyKeywordStore:
        store.close()
        return TantivyKeywordStore(store.path, **changes)

    def test_writes_are_invisible_until_commit(self, store: TantivyKeywordStore) -> None:
        store.write(without_embeddings())
        assert store.count() == 0
        assert store.search("Hund") == []
        store.commit()
        assert store.count() == len(CHUNKS)
        store.delete_documents(["hundesteuer"])
        assert store.count() == len(CHUNKS)
        store.commit()
        assert store.count() == len(CHUNKS) - 2

    def test_close_discards_uncommitted_writes(self, store: TantivyKeywordStore) -> None:
        store.write(without_embeddings())
        reopened = self.reopen(store)
        try:
            assert reopened.count() == 0
        finally:
            reopened.close()

    def test_german_analyser_is_registered_after_reopen(self, store: TantivyKeywordStore) -> None:
        store.write(without_embeddings())
        store.commit()
        reopened = self.reopen(store)
        try:
            assert "hundesteuer:0" in [hit.chunk_id for hit in reopened.search("Hunde")]
        finally:
            reopened.close()

    def test_constructor_does_no_io(self, tmp_path: Path) -> None:
        store = TantivyKeywordStore(tmp_path / "not-yet")
        assert store.search("Hund") == []
        assert store.count() == 0
        assert not (tmp_path / "not-yet").exists()

    def test_index_with_another_schema(self, tmp_path: Path) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=True)
        (tmp_path / "old").mkdir()
        tantivy.Index(builder.build(), path=str(tmp_path / "old"))
        store = TantivyKeywordStore(tmp_path / "old")
        with pytest.raises(IndexMismatch, match="another schema"):
            store.count()

    def test_second_writer_process_is_refused_and_readers_are_not(
        self, store: TantivyKeywordStore
    ) -> None:
        store.write(without_embeddings())
        store.commit()  # this process now holds the writer lock
        script = textwrap.dedent(
            f"""
            from pathlib import Path
            from search.errors import BackendUnavailable
            from search.stores.tantivy_store import TantivyKeywordStore
            from tests.search.stores.contract import without_embeddings

            store = TantivyKeywordStore(Path({str(store.path)!r}))
            print("hits", len(store.search("Hunde")))
            try:
                store.write(without_embeddings()[:1])
                store.commit()
                print("written")
            except BackendUnavailable as exc:
                print("refused:", exc)
            """
        )
        result = _run(script)
        assert "hits 2" in result.stdout
        assert "refused: keyword index is locked by another process" in result.stdout
        # once this process closes, the other one may write
        store.close()
        result = _run(script)
        assert "written" in result.stdout


def _run(script: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
        env={"PYTHONPATH": str(Path(__file__).parents[3]), "HAYSTACK_TELEMETRY_ENABLED": "False"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result
