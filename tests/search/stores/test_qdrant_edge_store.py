"""The qdrant-edge vector store against the contract, plus its locking and optimisation."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.core.errors import BackendError
from search.stores.qdrant_edge_store import EdgeVectorStore
from tests.search.stores.contract import CHUNKS, DIMENSION, VectorStoreContract

ROOT = Path(__file__).parents[3]


class TestEdgeVectorStore(VectorStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[EdgeVectorStore]:
        store = EdgeVectorStore(tmp_path / "vector", dimension=DIMENSION)
        yield store
        store.close()

    def reopen(self, store: Any, **changes: Any) -> EdgeVectorStore:
        store.close()
        return EdgeVectorStore(store.path, **{"dimension": store.dimension, **changes})

    def test_writes_are_visible_before_commit(self, store: EdgeVectorStore) -> None:
        store.write(list(CHUNKS))
        assert store.count() == len(CHUNKS)
        store.delete_documents(["hundesteuer"])
        assert store.count() == len(CHUNKS) - 2

    def test_writes_survive_close_without_commit(self, store: EdgeVectorStore) -> None:
        store.write(list(CHUNKS))
        reopened = self.reopen(store)
        try:
            assert reopened.count() == len(CHUNKS)
        finally:
            reopened.close()

    def test_optimize_keeps_results(self, store: EdgeVectorStore) -> None:
        assert store.optimize() is False  # nothing there yet
        store.write(list(CHUNKS))
        store.commit()
        store.optimize()
        assert CHUNKS[4].embedding is not None
        assert store.search(CHUNKS[4].embedding, top_k=1)[0].chunk_id == CHUNKS[4].id

    def test_constructor_does_no_io(self, tmp_path: Path) -> None:
        store = EdgeVectorStore(tmp_path / "not-yet", dimension=DIMENSION)
        assert store.search([1.0] * DIMENSION) == []
        assert store.count() == 0
        assert store.doc_ids() == set()
        assert not (tmp_path / "not-yet").exists()
        with pytest.raises(ValueError, match="dimension"):
            EdgeVectorStore(tmp_path, dimension=0)

    def test_closed_store_refuses_work(self, store: EdgeVectorStore) -> None:
        store.close()
        with pytest.raises(BackendError, match="closed"):
            store.count()

    def test_second_process_is_refused_even_for_reading(self, store: EdgeVectorStore) -> None:
        store.write(list(CHUNKS))
        store.commit()
        script = textwrap.dedent(
            f"""
            from pathlib import Path
            from search.core.errors import BackendUnavailable
            from search.stores.qdrant_edge_store import EdgeVectorStore

            store = EdgeVectorStore(Path({str(store.path)!r}), dimension={DIMENSION})
            try:
                print("count", store.count())
            except BackendUnavailable as exc:
                print("refused:", exc)
            """
        )
        assert "refused: vector index at" in _run(script).stdout
        store.close()
        assert f"count {len(CHUNKS)}" in _run(script).stdout


def _run(script: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "HAYSTACK_TELEMETRY_ENABLED": "False"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result
