"""Answers end to end over HTTP with replies a real model writes.

The real service (uvicorn on 127.0.0.1) drafts with the replay server of
``tests/llm_replay.py`` as its LLM: recorded German replies to sample-corpus questions,
with correct, wrong and missing citations, a wrong amount and a dropped „nicht“. The
replies cite passages by phrase, so whichever number retrieval gives a passage, the
correct reply cites the right one. Citation mapping, removal and the flags run over
``POST /api/v1/answer`` as a client sees them, streamed and not, and land in the audit log.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from search.audit import AuditLog
from search.core.settings import AccessSettings, Settings
from tests.llm_replay import REPLIES, ReplayServer
from tests.service_server import RunningService, service_in_thread
from tests.ui.api.support import STAFF, events

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "samples" / "corpus"
FILES = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf",
    "sonstiges/Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf",
]
SATZUNG = "Hundesteuersatzung_2017.pdf"
MERKBLATT = "Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf"
QUESTIONS = {entry["case"]: entry["question"] for entry in json.loads(REPLIES.read_text())}
LLM = {"model": "replay", "max_context_tokens": 4096, "max_passages": 8, "timeout_seconds": 30}
"""The LLM settings (a context big enough for the § 3 passage among the others)."""


def index(base: Path) -> Path:
    """The three dog-tax papers (statute 2017, amendment 2024, leaflet 2025), indexed.

    :returns: the data directory.
    """
    from ingest.sync.indexer import Indexer

    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    for name in FILES:
        shutil.copy2(CORPUS / name, corpus / Path(name).name)
    settings = Settings(data_dir=base / "data")
    with Indexer(settings) as indexer:
        report = indexer.ingest_path(corpus, source="beispiel")
    assert report.indexed == len(FILES), report.failures
    return settings.data_dir


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, llm: ReplayServer
) -> Iterator[RunningService]:
    data_dir = index(tmp_path_factory.mktemp("replay"))
    settings = Settings(
        data_dir=data_dir,
        access=AccessSettings(mode="header"),
        llm={"url": llm.url, **LLM},  # type: ignore[arg-type]
    )
    with service_in_thread(settings) as running:
        yield running


def _ask(service: RunningService, case: str, *, stream: bool = False) -> dict[str, Any]:
    """:returns: the body of ``POST /api/v1/answer`` (streamed: the ``answer`` event, with
    the ``results`` and the concatenated ``delta`` text added)."""
    reply = httpx.post(
        f"{service.url}/api/v1/answer",
        params={"stream": str(stream).lower()},
        json={"query": QUESTIONS[case]},
        headers=STAFF,
        timeout=120,
    )
    assert reply.status_code == 200, reply.text
    if not stream:
        body: dict[str, Any] = reply.json()
        return body
    assert reply.headers["content-type"].startswith("text/event-stream")
    received = events(reply.text)
    names = [name for name, _ in received]
    assert names[0] == "results"
    assert names[-2:] == ["answer", "done"], names
    data = dict(received)
    deltas = "".join(d["text"] for name, d in received if name == "delta")
    return {"answer": data["answer"], **data["results"], "deltas": deltas}


def _drafted(body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = body["answer"]
    assert answer["kind"] == "generated", answer["error"]
    assert answer["label"].startswith("KI-Entwurf zur Beratung")
    assert answer["model"] == "replay"
    retrieved = {p["chunk_id"] for hit in body["results"] for p in hit["passages"]}
    sources = answer["sources"]
    assert [s["number"] for s in sources] == list(range(1, len(sources) + 1))
    assert {s["chunk_id"] for s in sources} <= retrieved
    for sentence in answer["sentences"]:
        assert all(1 <= n <= len(sources) for n in sentence["citations"])
    flagged = {flag for s in answer["sentences"] for flag in s["flags"]}
    assert flagged <= set(answer["flags"])
    return answer


def _cited(answer: dict[str, Any], sentence: dict[str, Any]) -> list[dict[str, Any]]:
    return [answer["sources"][n - 1] for n in sentence["citations"]]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_correct_citations_pass_and_map_to_their_documents(
    service: RunningService, llm: ReplayServer, stream: bool
) -> None:
    body = _ask(service, "correct", stream=stream)
    answer = _drafted(body)
    if stream:
        assert body["deltas"] == llm.log.replies[-1]  # streamed as the model wrote it
    assert answer["flags"] == []
    current, earlier = answer["sentences"]
    assert "120 Euro" in current["text"]
    assert not current["flags"] and current["support"] >= 0.3
    (leaflet,) = _cited(answer, current)
    assert leaflet["uri"].endswith(MERKBLATT)
    assert "120 Euro für den ersten Hund" in leaflet["text"]
    assert leaflet["page_start"] == 1
    assert "96 Euro" in earlier["text"]
    assert not earlier["flags"] and earlier["support"] >= 0.3
    (statute,) = _cited(answer, earlier)
    assert statute["uri"].endswith(SATZUNG)
    assert "§ 3 Steuersatz" in statute["citation"]
    assert statute["page_start"] == 2
    # the numbers the model saw are the numbers the client gets
    prompt_number = int(current["text"].rsplit("[", 1)[1].rstrip("]."))
    assert f"<<<QUELLE {prompt_number} | {leaflet['citation']}>>>" in llm.log.prompts[-1]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_wrong_figure_is_flagged_with_the_words_at_fault(
    service: RunningService, stream: bool
) -> None:
    answer = _drafted(_ask(service, "wrong_figure", stream=stream))
    (sentence,) = answer["sentences"]
    assert "150 Euro" in sentence["text"]
    assert sentence["flags"] == ["wrong_figure"]
    assert sentence["unsupported"] == ["150"]
    # cited the passage with the real amount: word overlap alone would have passed it
    (statute,) = _cited(answer, sentence)
    assert "für den ersten Hund 96 Euro" in statute["text"]
    assert sentence["support"] >= 0.3
    assert answer["flags"] == ["wrong_figure"]


def test_citation_of_a_passage_not_given_is_removed(service: RunningService) -> None:
    answer = _drafted(_ask(service, "removed_citation"))
    (sentence,) = answer["sentences"]
    assert sentence["flags"] == ["removed_citation"]
    assert "[9]" not in sentence["text"]
    assert 9 not in sentence["citations"]
    assert len(answer["sources"]) < 9
    (statute,) = _cited(answer, sentence)  # the valid citation stays
    assert "für den zweiten Hund 144 Euro" in statute["text"]


def test_sentence_without_citation_is_flagged(service: RunningService) -> None:
    answer = _drafted(_ask(service, "no_citation"))
    cited, uncited = answer["sentences"]
    assert not cited["flags"] and cited["citations"]
    assert uncited["citations"] == []
    assert "no_citation" in uncited["flags"]
    assert answer["flags"] == ["no_citation"]


def test_dropped_negation_is_flagged(service: RunningService) -> None:
    answer = _drafted(_ask(service, "negation"))
    (sentence,) = answer["sentences"]
    assert "nicht" not in sentence["text"]
    assert sentence["flags"] == ["negation"]
    assert sentence["unsupported"] == ["nicht"]
    (statute,) = _cited(answer, sentence)
    assert "nicht berücksichtigt" in statute["text"]


def test_answer_is_recorded_in_the_audit_log(service: RunningService) -> None:
    answer = _drafted(_ask(service, "wrong_figure"))
    log = AuditLog(service.application.settings.audit_path)
    drafted = log.records(kind="answer", limit=1)[0]
    assert drafted.user == STAFF["X-Forwarded-User"]
    assert drafted.query == QUESTIONS["wrong_figure"]
    assert drafted.model == "replay"
    assert drafted.prompt_version == answer["prompt_version"]
    assert drafted.answer == answer["text"]
    assert drafted.flags == ["wrong_figure"]
    assert [c["chunk_id"] for c in drafted.chunks] == [s["chunk_id"] for s in answer["sources"]]
    assert all(len(c["content_hash"]) == 64 for c in drafted.chunks)
