"""A local OpenAI-compatible chat server for tests that replays recorded replies.

The answer path has to be tried with replies a real model writes: correct citations, a
wrong amount, a citation of a passage that was not given, none at all, a dropped „nicht“.
A 135M model writes none of these reliably, so this server answers from
``tests/fixtures/llm_replies.json`` instead: the reply whose ``question`` is the question
of the request (the line ``Frage: …`` of the prompt, see ``search/answers/prompts.py``).

Which number a passage gets depends on retrieval, so a recorded reply does not hard-code
``[n]``: ``{cite:phrase}`` stands for the number of the first quoted passage of the
prompt containing ``phrase`` (whitespace and case ignored). A reply that cannot be filled
in (no such question, no such passage) is answered with HTTP 422 and the reason, which the
service reports as ``llm_unavailable`` with that reason — a test sees why.

Speaks ``POST /v1/chat/completions`` (server-sent events with ``"stream": true``, one JSON
reply otherwise) and ``GET /v1/models``. Runs in a thread of the test process
(:func:`replay_server`) or alone: ``python -m tests.llm_replay --port 8080``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPLIES = Path(__file__).parent / "fixtures" / "llm_replies.json"
MODEL = "replay"
_PASSAGE = re.compile(r"<<<QUELLE (\d+) \|[^\n]*>>>\n(.*?)\n<<<ENDE QUELLE \1>>>", re.DOTALL)
_QUESTION = re.compile(r"^Frage: (.+)$", re.MULTILINE)
_CITE = re.compile(r"\{cite:([^}]+)\}")
_SPACE = re.compile(r"\s+")


class ReplayError(Exception):
    """A request the recorded replies cannot answer."""


def _folded(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def load_replies(path: Path = REPLIES) -> dict[str, str]:
    """:returns: reply templates by question."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {_folded(entry["question"]): entry["reply"] for entry in entries}


def passages_of(prompt: str) -> dict[int, str]:
    """:returns: the quoted passages of a prompt by their number."""
    return {int(number): text for number, text in _PASSAGE.findall(prompt)}


def fill(template: str, passages: dict[int, str]) -> str:
    """Put the numbers of the passages into a reply template.

    :raises ReplayError: when no passage contains a phrase to cite.
    """

    def number(match: re.Match[str]) -> str:
        phrase = _folded(match.group(1))
        for key in sorted(passages):
            if phrase in _folded(passages[key]):
                return str(key)
        msg = f"no passage of the prompt contains {match.group(1)!r}"
        raise ReplayError(msg)

    return _CITE.sub(number, template)


@dataclass
class ReplayLog:
    """What the server was asked (the user turns) and the replies it gave."""

    prompts: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)


def reply_to(body: dict[str, Any], replies: dict[str, str]) -> str:
    """:returns: the filled-in reply to a chat request.

    :raises ReplayError: when no reply is recorded for its question or cannot be filled in.
    """
    prompt = "\n".join(
        str(message.get("content", ""))
        for message in body.get("messages", [])
        if message.get("role") == "user"
    )
    asked = _QUESTION.findall(prompt)
    if not asked:
        msg = "the prompt has no line 'Frage: …'"
        raise ReplayError(msg)
    template = replies.get(_folded(asked[-1]))
    if template is None:
        msg = f"no reply is recorded for {asked[-1]!r}"
        raise ReplayError(msg)
    return fill(template, passages_of(prompt))


def _pieces(text: str) -> list[str]:
    """Word by word, as a model streams tokens."""
    return re.findall(r"\S+\s*|\s+", text)


def _handler(replies: dict[str, str], log: ReplayLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet in test output

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            else:
                self._json(404, {"error": {"message": f"no such path {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"no such path {self.path}"}})
                return
            try:
                text = reply_to(body, replies)
            except ReplayError as exc:
                self._json(422, {"error": {"message": str(exc)}})
                return
            log.prompts.append(body["messages"][-1]["content"])
            log.replies.append(text)
            model = body.get("model", MODEL)
            if not body.get("stream"):
                message = {"role": "assistant", "content": text}
                choice = {"index": 0, "message": message, "finish_reason": "stop"}
                self._json(200, {"object": "chat.completion", "model": model, "choices": [choice]})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            chunks = [{"content": piece} for piece in _pieces(text)]
            for delta, reason in [*((c, None) for c in chunks), ({}, "stop")]:
                event = {
                    "object": "chat.completion.chunk",
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": reason}],
                }
                self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


@dataclass
class ReplayServer:
    """A running replay server."""

    url: str
    """Its base URL (``llm.url``), ending in ``/v1``."""
    log: ReplayLog


@contextmanager
def replay_server(path: Path = REPLIES, port: int = 0) -> Iterator[ReplayServer]:
    """Serve the recorded replies on 127.0.0.1 from a thread of this process.

    :param path: the recorded replies.
    :param port: the port (default: a free one).
    :yields: the running server.
    """
    log = ReplayLog()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(load_replies(path), log))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="llm-replay", daemon=True)
    thread.start()
    try:
        yield ReplayServer(url=f"http://127.0.0.1:{httpd.server_address[1]}/v1", log=log)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def main() -> None:
    """Serve the recorded replies until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--replies", type=Path, default=REPLIES)
    args = parser.parse_args()
    with replay_server(args.replies, args.port) as server:
        print(f"replaying {args.replies} at {server.url}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
