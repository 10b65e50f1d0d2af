"""An answer to one question drafted from the passages a person pinned, and only those.

With an LLM configured, the answers feature drafts and checks it
(:class:`~search.answers.drafting.AnswerDrafter` over exactly the pinned passages, in their
order: citations verified, sentences flagged). Without one, the draft is extractive: the
pinned passages' sentences that share most words with the question, verbatim, each
cited (:class:`~search.answers.summary.ExtractiveSummarizer`); when no sentence shares a word,
the first sentence of each pinned passage. Either way it is a *KI-Entwurf* until a
person has edited and accepted it (:func:`search.cases.workflow.edit_draft`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from search.answers import Answer, AnswerSentence
from search.answers.context import SourcePassage, ranked_sources
from search.answers.drafting import AnswerDrafter
from search.answers.sentences import split_sentences
from search.answers.summary import MIN_SENTENCE_CHARS, ExtractiveSummarizer
from search.cases.case import Draft, OfferedPassage
from search.results import DocumentHit, Passage, SearchResponse

SENTENCES_PER_PASSAGE: Final = 2
MAX_SENTENCES: Final = 6


def pinned_response(question: str, pinned: Sequence[OfferedPassage]) -> SearchResponse:
    """:returns: the pinned passages as a result list, one document per passage, in the
    pinned order (what the answers feature drafts from)."""
    results = [
        DocumentHit(
            doc_id=item.doc_id,
            uri=item.uri,
            title=item.title,
            doc_type="other",
            source="",
            date=item.date,
            reference=item.reference,
            score=float(len(pinned) - rank),
            passages=[
                Passage(
                    chunk_id=item.chunk_id,
                    text=item.text,
                    highlight="",
                    page_start=item.page_start,
                    page_end=item.page_end,
                    section=item.section,
                    score=float(len(pinned) - rank),
                    citation=item.citation,
                    superseded=item.superseded,
                )
            ],
            citation=item.citation,
            content_hash=item.content_hash,
        )
        for rank, item in enumerate(pinned)
    ]
    return SearchResponse(query=question, mode="hybrid", results=results)


def _first_sentences(question: str, sources: Sequence[SourcePassage]) -> Answer:
    sentences = []
    for source in sources:
        first = next(
            (s for s in split_sentences(source.text) if len(s) >= MIN_SENTENCE_CHARS), None
        )
        if first:
            sentences.append(
                AnswerSentence(
                    text=f"{first} [{source.number}]", citations=[source.number], support=1.0
                )
            )
    return Answer(kind="extractive", question=question, sentences=sentences, sources=list(sources))


def extract(question: str, pinned: Sequence[OfferedPassage]) -> Answer:
    """:returns: the extractive answer from the pinned passages (no LLM)."""
    sources = ranked_sources(pinned_response(question, pinned), len(pinned))
    wanted = min(MAX_SENTENCES, SENTENCES_PER_PASSAGE * len(pinned))
    answer = ExtractiveSummarizer(max_sentences=wanted).summarize(question, sources)
    if not answer.sentences:
        answer = _first_sentences(question, sources)
    return answer


def draft_answer(
    question: str, pinned: Sequence[OfferedPassage], drafter: AnswerDrafter | None
) -> Draft:
    """Draft the answer to a question from its pinned passages.

    :param question: the question.
    :param pinned: the passages a person chose (at least one), in their order.
    :param drafter: the answers feature's drafter (its LLM, if configured, drafts).
    :returns: the draft, marked as an AI draft; ``[n]`` cites its ``sources[n - 1]``.
    """
    if drafter is not None and drafter.has_llm:
        answer = drafter.answer(question, pinned_response(question, pinned))
    else:
        answer = extract(question, pinned)
    by_chunk = {item.chunk_id: item for item in pinned}
    return Draft(
        text=answer.text,
        kind=answer.kind,
        sources=[by_chunk[source.chunk_id] for source in answer.sources],
        flags=list(answer.flags),
        sentences=answer.to_dict()["sentences"],
        model=answer.model,
        prompt_version=answer.prompt_version,
        ai=True,
    )
