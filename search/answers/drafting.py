"""From a search response to an answer: a drafted one when an LLM is configured, else (or
when it fails) the extractive summary.

The search has already happened; whatever the LLM does, its results stand. An LLM that is
down or slow turns into the extractive summary with the ``llm_unavailable`` flag and the
reason, never into a failed search.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from search import answers
from search.answers import Answer
from search.answers.context import pack_sources, ranked_sources
from search.answers.generator import ChatGenerator
from search.answers.prompts import PROMPT_VERSION, build_messages, passage_budget
from search.answers.summary import ExtractiveSummarizer
from search.answers.verification import AnswerVerifier
from search.core.errors import LLMUnavailable
from search.core.settings import Settings
from search.results import SearchResponse

logger = logging.getLogger(__name__)
SUMMARY_PASSAGES = 5


class AnswerStream:
    """The pieces of an answer as they are generated; :attr:`answer` once exhausted.

    Iterate to receive text as the model writes it (nothing for an extractive summary),
    then read :attr:`answer`, verified and flagged.
    """

    def __init__(self, pieces: Iterator[str], finish: Iterator[Answer]) -> None:
        self._pieces = pieces
        self._finish = finish
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self._pieces
        self._answer = next(self._finish)

    @property
    def answer(self) -> Answer:
        """:returns: the answer (the stream is drained first if it was not)."""
        if self._answer is None:
            for _ in self:
                pass
        assert self._answer is not None
        return self._answer


class AnswerDrafter:
    """Drafts answers from search responses.

    :param settings: the settings (``llm`` section; ``llm.url`` ``None`` means no LLM).
    :param generator: the chat generator (default: the configured one, if any).
    """

    def __init__(self, settings: Settings, generator: ChatGenerator | None = None) -> None:
        self.settings = settings
        config = settings.llm
        if generator is None and config.url:
            generator = ChatGenerator(config)
        self.generator = generator
        self.verifier = AnswerVerifier(config.min_support)
        self.summarizer = ExtractiveSummarizer()

    @property
    def has_llm(self) -> bool:
        """:returns: whether an LLM is configured."""
        return self.generator is not None

    def summary(self, question: str, response: SearchResponse) -> Answer:
        """:returns: the extractive summary of a response's top passages."""
        return self.summarizer.summarize(question, ranked_sources(response, SUMMARY_PASSAGES))

    def stream(self, question: str, response: SearchResponse) -> AnswerStream:
        """Draft an answer, streaming.

        :param question: the question.
        :param response: the search response to answer from.
        :returns: the stream of pieces, then the answer.
        """
        state: dict[str, Answer] = {}
        return AnswerStream(self._pieces(question, response, state), _take(state))

    def answer(self, question: str, response: SearchResponse) -> Answer:
        """:returns: the answer, drafted (LLM) or extracted (no LLM, or it failed)."""
        return self.stream(question, response).answer

    def _pieces(
        self, question: str, response: SearchResponse, state: dict[str, Answer]
    ) -> Iterator[str]:
        generator = self.generator
        if generator is None:
            state["answer"] = self.summary(question, response)
            return
        config = self.settings.llm
        budget = passage_budget(question, config.max_context_tokens, config.max_answer_tokens)
        sources = pack_sources(response, budget_tokens=budget, max_passages=config.max_passages)
        if not sources:
            # nothing retrieved: nothing to ask the model about
            state["answer"] = self.verifier.verify(
                "", question, [], model=config.model, prompt_version=PROMPT_VERSION
            )
            return
        pieces: list[str] = []
        meta: dict[str, str] = {}
        try:
            for piece in generator.stream(build_messages(question, sources), meta):
                pieces.append(piece)
                yield piece
        except LLMUnavailable as exc:
            logger.warning("No answer from the LLM: %s", exc)
            fallback = self.summary(question, response)
            fallback.flags.insert(0, answers.LLM_UNAVAILABLE)
            fallback.error = str(exc)
            state["answer"] = fallback
            return
        raw = "".join(pieces)
        truncated = meta.get("finish_reason") == "length"
        state["answer"] = self.verifier.verify(
            raw,
            question,
            sources,
            model=config.model,
            prompt_version=PROMPT_VERSION,
            truncated=truncated,
        )

    def close(self) -> None:
        """Close the generator's connection."""
        if self.generator is not None:
            self.generator.close()


def _take(state: dict[str, Answer]) -> Iterator[Answer]:
    yield state["answer"]
