"""The Qdrant vector store against the contract: local mode always, a server when configured.

Set ``AUSKUNFT_QDRANT_URL`` (e.g. ``http://localhost:6333``) to run the server class; each
test there uses its own collection and drops it afterwards.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qdrant_client import QdrantClient

from search.core.errors import BackendUnavailable
from search.stores.qdrant_store import QdrantVectorStore
from tests.search.stores.contract import CHUNKS, DIMENSION, VectorStoreContract

QDRANT_URL = os.environ.get("AUSKUNFT_QDRANT_URL")


class TestQdrantVectorStoreLocal(VectorStoreContract):
    """qdrant-client's local mode in a directory: the real client code, no server."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[QdrantVectorStore]:
        store = QdrantVectorStore(path=tmp_path / "qdrant", dimension=DIMENSION)
        yield store
        store.close()

    def reopen(self, store: Any, **changes: Any) -> QdrantVectorStore:
        store.close()
        kwargs = {"path": store.path, "dimension": store.dimension, **changes}
        return QdrantVectorStore(**kwargs)

    def test_writes_are_visible_before_commit(self, store: QdrantVectorStore) -> None:
        store.write(list(CHUNKS))
        assert store.count() == len(CHUNKS)

    def test_in_memory(self) -> None:
        store = QdrantVectorStore(location=":memory:", dimension=DIMENSION)
        try:
            store.write(list(CHUNKS))
            assert store.count() == len(CHUNKS)
        finally:
            store.close()


@pytest.mark.integration
@pytest.mark.skipif(
    QDRANT_URL is None, reason="no Qdrant server: set AUSKUNFT_QDRANT_URL to run these tests"
)
class TestQdrantVectorStoreServer(VectorStoreContract):
    @pytest.fixture
    def store(self) -> Iterator[QdrantVectorStore]:
        collection = f"auskunft-test-{uuid.uuid4().hex[:12]}"
        store = QdrantVectorStore(QDRANT_URL, collection=collection, dimension=DIMENSION)
        yield store
        store.close()
        client = QdrantClient(url=QDRANT_URL)
        client.delete_collection(collection)
        client.close()

    def reopen(self, store: Any, **changes: Any) -> QdrantVectorStore:
        store.close()
        kwargs = {"collection": store.collection, "dimension": store.dimension, **changes}
        return QdrantVectorStore(store.url, **kwargs)


def test_unreachable_server_is_backend_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = QdrantVectorStore(f"http://127.0.0.1:{port}", dimension=DIMENSION, timeout=2)
    with pytest.raises(BackendUnavailable, match="unreachable"):
        store.count()
    store.close()


def test_exactly_one_location() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        QdrantVectorStore(dimension=DIMENSION)
    with pytest.raises(ValueError, match="exactly one"):
        QdrantVectorStore("http://localhost:6333", location=":memory:", dimension=DIMENSION)
