"""A chat model behind an OpenAI-compatible endpoint the admin runs locally.

llama.cpp server, vLLM, Ollama's ``/v1`` and LocalAI all speak ``POST /chat/completions``
with server-sent events. The client talks to the configured base URL only: no proxy from
the environment, no redirects, no retries, no default host.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
from haystack import component
from haystack.utils import Secret

from search.core.errors import ConfigurationError, LLMUnavailable
from search.core.settings import LLMSettings


@component
class ChatGenerator:
    """Streams a reply from a local OpenAI-compatible chat endpoint.

    :param config: the LLM settings; this reads ``url`` (base URL, e.g.
        ``http://127.0.0.1:8080/v1``), ``model`` (the name the server expects),
        ``api_key_env`` (the variable holding the key, if the server wants one),
        ``connect_timeout_seconds``, ``timeout_seconds`` (the whole reply, and the longest
        pause between tokens), ``max_answer_tokens`` and ``temperature``.
    :raises ConfigurationError: when the URL is not an http(s) URL.
    """

    def __init__(self, config: LLMSettings) -> None:
        url = config.url or ""
        if not url.startswith(("http://", "https://")):
            msg = f"llm.url must be an http(s) URL, got {config.url!r}"
            raise ConfigurationError(msg)
        self.url = url.rstrip("/")
        self.model = config.model
        self.api_key = Secret.from_env_var(config.api_key_env) if config.api_key_env else None
        self.connect_timeout = config.connect_timeout_seconds
        self.timeout = config.timeout_seconds
        self.max_tokens = config.max_answer_tokens
        self.temperature = config.temperature
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """:returns: the HTTP client (created on first use)."""
        if self._client is None:
            headers = {}
            key = self.api_key.resolve_value() if self.api_key else None
            if key:
                headers["Authorization"] = f"Bearer {key}"
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                headers=headers,
                trust_env=False,  # no proxy or netrc from the environment: this host only
                follow_redirects=False,
            )
        return self._client

    def stream(
        self, messages: list[dict[str, str]], meta: dict[str, str] | None = None
    ) -> Iterator[str]:
        """Ask for a reply and yield it piece by piece as the server sends it.

        :param messages: chat messages in OpenAI format.
        :param meta: filled with ``finish_reason`` (``stop``, ``length``) when the server
            names it.
        :returns: an iterator of text pieces.
        :raises LLMUnavailable: when the server cannot be reached, answers with an error,
            pauses longer than ``timeout`` or takes longer than ``timeout`` in all.
        """
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stream": True,
        }
        deadline = time.monotonic() + self.timeout
        try:
            with self.client.stream("POST", f"{self.url}/chat/completions", json=body) as reply:
                if reply.status_code != httpx.codes.OK:
                    reply.read()
                    msg = f"LLM at {self.url} answered {reply.status_code}: {reply.text[:200]}"
                    raise LLMUnavailable(msg)
                for line in reply.iter_lines():
                    if time.monotonic() > deadline:
                        msg = f"LLM at {self.url} took longer than {self.timeout:.0f} s"
                        raise LLMUnavailable(msg)
                    event = _event(line)
                    if event is None:
                        break
                    piece, finish_reason = event
                    if finish_reason and meta is not None:
                        meta["finish_reason"] = finish_reason
                    if piece:
                        yield piece
        except httpx.TimeoutException as exc:
            msg = f"LLM at {self.url} did not answer within {self.timeout:.0f} s"
            raise LLMUnavailable(msg) from exc
        except httpx.HTTPError as exc:
            msg = f"LLM at {self.url} is not reachable: {exc}"
            raise LLMUnavailable(msg) from exc

    @component.output_types(replies=list[str])
    def run(self, messages: list[dict[str, str]]) -> dict[str, list[str]]:
        """:param messages: chat messages in OpenAI format.

        :returns: ``replies``: the whole reply, one string.
        :raises LLMUnavailable: see :meth:`stream`.
        """
        return {"replies": ["".join(self.stream(messages))]}

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None


def _event(line: str) -> tuple[str, str | None] | None:
    """:returns: text and finish reason of one server-sent event line, ``None`` at the end."""
    if not line.startswith("data:"):
        return "", None
    data = line[len("data:") :].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
    except json.JSONDecodeError as exc:
        msg = f"LLM sent an unreadable event: {data[:200]}"
        raise LLMUnavailable(msg) from exc
    if event.get("error"):
        # llama.cpp server reports e.g. an overlong prompt inside a 200 stream
        msg = f"LLM error: {str(event['error'])[:300]}"
        raise LLMUnavailable(msg)
    choice = (event.get("choices") or [{}])[0]
    content = (choice.get("delta") or {}).get("content")
    reason = choice.get("finish_reason")
    return (content if isinstance(content, str) else ""), (reason if reason else None)
