"""A case's answer drafted by an LLM from the pinned passages only: the replay server of
``tests/llm_replay.py`` writes recorded German replies, the answers feature checks them
(citations mapped to the pinned passages, a wrong amount flagged)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import SourceDocument
from ingest.pipeline.chunker import StructuredChunker
from ingest.pipeline.parsing import parse_document
from ingest.pipeline.structure import StructureAnnotator
from search.answers.drafting import AnswerDrafter
from search.cases.case import OfferedPassage
from search.cases.drafts import draft_answer
from search.core.settings import IngestSettings, Settings
from tests.llm_replay import ReplayServer

CORPUS = Path(__file__).resolve().parents[3] / "samples" / "corpus"
STATUTE = CORPUS / "satzungen" / "Hundesteuersatzung_2017.pdf"
LEAFLET = CORPUS / "sonstiges" / "Merkblatt_Hundesteuer_Befreiung_Assistenzhunde_2025.pdf"


def _passage(path: Path, phrase: str) -> OfferedPassage:
    """The chunk of a sample document that holds ``phrase``, as a pinned passage."""
    parsed = parse_document(
        SourceDocument(path.as_uri(), path.name, path.read_bytes()), max_bytes=10**8
    )
    parsed = StructureAnnotator().run(parsed=parsed)["parsed"]
    chunks = StructuredChunker(IngestSettings()).run(parsed, {"doc_id": path.stem})["chunks"]
    chunk = next(c for c in chunks if phrase.lower() in " ".join((c.content or "").lower().split()))
    return OfferedPassage(
        chunk_id=chunk.id,
        doc_id=path.stem,
        title=parsed.title or path.stem,
        citation=f"{parsed.title}, {chunk.meta.get('section')}, S. {chunk.meta.get('page_start')}",
        page_start=chunk.meta.get("page_start"),
        page_end=chunk.meta.get("page_end"),
        section=chunk.meta.get("section") or "",
        kind="rule",
        date=None,
        reference=None,
        text=chunk.content or "",
    )


@pytest.fixture(scope="module")
def pinned() -> list[OfferedPassage]:
    return [
        _passage(LEAFLET, "jährlich 120 Euro für den ersten Hund"),
        _passage(STATUTE, "für den ersten Hund 96 Euro"),
    ]


@pytest.fixture(scope="module")
def drafter(llm: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> AnswerDrafter:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("drafts"),
        llm={"url": llm.url, "model": "replay", "max_context_tokens": 4096},  # type: ignore[arg-type]
    )
    return AnswerDrafter(settings)


def test_an_llm_drafts_from_the_pinned_passages(
    pinned: list[OfferedPassage], drafter: AnswerDrafter, llm: ReplayServer
) -> None:
    draft = draft_answer("Wie hoch ist die Hundesteuer für den ersten Hund?", pinned, drafter)
    assert draft.kind == "generated" and draft.model == "replay" and draft.prompt_version
    assert draft.ai  # a KI-Entwurf until a person accepts it
    assert "120 Euro [1]" in draft.text and "96 Euro [2]" in draft.text, draft.text
    assert [s.chunk_id for s in draft.sources] == [p.chunk_id for p in pinned]
    assert not draft.flags, draft.flags
    assert all(sentence["citations"] for sentence in draft.sentences)


def test_a_wrong_amount_in_the_draft_is_flagged(
    pinned: list[OfferedPassage], drafter: AnswerDrafter
) -> None:
    draft = draft_answer("Wie viel Hundesteuer kostet der erste Hund im Jahr?", pinned, drafter)
    assert draft.kind == "generated"
    assert "wrong_figure" in draft.flags, draft
    flagged = [s for s in draft.sentences if "wrong_figure" in s["flags"]]
    assert flagged and flagged[0]["unsupported"]
