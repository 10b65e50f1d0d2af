"""What an answer is: sentences with citations and flags, the passages they cite, and how
it was made (model, prompt version) — the shape the CLI, the interface and the audit log
share.

Every answer is labelled as an AI draft for advice (:data:`DRAFT_LABEL`): Auskunft never
decides anything, it helps staff find and read the rules that do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from search.answers.context import SourcePassage

AnswerKind = Literal["generated", "extractive"]

DRAFT_LABEL: Final = {
    "de": (
        "KI-Entwurf zur Beratung – keine Entscheidung und kein Verwaltungsakt. "
        "Bitte jede Aussage an der Quelle prüfen."
    ),
    "en": (
        "AI draft for advice – not a decision or administrative act. "
        "Check every statement against its source."
    ),
}
SUMMARY_LABEL: Final = {
    "de": "Auszug: die am besten passenden Sätze der Treffer, wörtlich mit Fundstelle.",
    "en": "Extract: the best-matching sentences of the results, verbatim, with citations.",
}

# Flags of a sentence
NO_CITATION: Final = "no_citation"
"""The sentence cites no passage."""
LOW_SUPPORT: Final = "low_support"
"""Too few of its content words are in the passages it cites."""
REMOVED_CITATION: Final = "removed_citation"
"""It cited a passage number that was not given; that citation was removed."""
LINK_REMOVED: Final = "link_removed"
"""It contained a link, address or host not offered by the passages; it was removed."""
INSTRUCTION_ECHO: Final = "instruction_echo"
"""It repeats an instruction aimed at an AI (from a passage or of its own)."""
WRONG_FIGURE: Final = "wrong_figure"
"""It states an amount or number (a year alone included) its cited passages do not."""
WRONG_DATE: Final = "wrong_date"
"""It states a date or deadline its cited passages do not."""
WRONG_REFERENCE: Final = "wrong_reference"
"""It cites a § / Art. / Abs. / Nr. or a Drucksache its cited passages do not."""
NEGATION: Final = "negation"
"""Its negation or modal force (muss / kann / darf nicht) differs from the passage
sentence it matches best."""
WRONG_BODY: Final = "wrong_body"
"""It names a body or office (committee, Amt, council) its cited passages do not."""
CLAIM_FLAGS: Final = (WRONG_FIGURE, WRONG_DATE, WRONG_REFERENCE, NEGATION, WRONG_BODY)
"""The flags of the claim checks (:mod:`search.answers.claims`)."""
SENTENCE_FLAGS: Final = (
    NO_CITATION,
    LOW_SUPPORT,
    REMOVED_CITATION,
    LINK_REMOVED,
    INSTRUCTION_ECHO,
    *CLAIM_FLAGS,
)

# Flags of the whole answer (besides the sentence flags it contains)
NOT_ANSWERED: Final = "not_answered"
"""The passages do not answer the question, and the answer says so."""
INJECTION_IN_PASSAGES: Final = "injection_in_passages"
"""A retrieved passage addressed the AI; those sentences were not given to it."""
LLM_UNAVAILABLE: Final = "llm_unavailable"
"""The LLM was down or too slow: this is the extractive summary instead."""
TRUNCATED: Final = "truncated"
"""The answer stopped at its token budget (its last sentence may be incomplete)."""


@dataclass(slots=True)
class AnswerSentence:
    """One sentence of an answer.

    :param text: the sentence with its (valid) citations ``[n]``.
    :param citations: the passage numbers it cites.
    :param support: share of its content words found in the passages it cites (0–1).
    :param flags: why it should be checked (see :data:`SENTENCE_FLAGS`); empty if none.
    :param unsupported: the words of the sentence (figures, dates, references, negation,
        bodies) its cited passages do not state, in the order of its claim flags.
    """

    text: str
    citations: list[int]
    support: float
    flags: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """:returns: whether the sentence carries a flag."""
        return bool(self.flags)


@dataclass(slots=True)
class Answer:
    """A drafted answer or extractive summary.

    :param kind: ``generated`` (by the LLM) or ``extractive`` (sentences of the passages).
    :param question: the question.
    :param sentences: the verified sentences.
    :param sources: the numbered passages (``[n]`` is ``sources[n - 1]``).
    :param model: the model that generated it (``None`` for an extractive summary).
    :param prompt_version: the prompt's version (``None`` for an extractive summary).
    :param flags: answer-level flags plus every sentence flag that occurs.
    :param error: why the LLM could not be used, when it could not.
    :param raw: the model's reply as generated, before verification.
    """

    kind: AnswerKind
    question: str
    sentences: list[AnswerSentence]
    sources: list[SourcePassage]
    model: str | None = None
    prompt_version: str | None = None
    flags: list[str] = field(default_factory=list)
    error: str | None = None
    raw: str = ""

    @property
    def text(self) -> str:
        """:returns: the verified answer as one text with its citations."""
        return " ".join(sentence.text for sentence in self.sentences)

    @property
    def cited(self) -> list[SourcePassage]:
        """:returns: the passages the answer cites, in number order."""
        numbers = {number for sentence in self.sentences for number in sentence.citations}
        return [source for source in self.sources if source.number in numbers]

    def label(self, language: str = "de") -> str:
        """:returns: the label shown with the answer (AI draft or extract)."""
        labels = DRAFT_LABEL if self.kind == "generated" else SUMMARY_LABEL
        return labels.get(language, labels["de"])

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict (the ``auskunft answer --json`` shape)."""
        return {
            "kind": self.kind,
            "label": self.label("de"),
            "question": self.question,
            "text": self.text,
            "sentences": [
                {
                    "text": s.text,
                    "citations": s.citations,
                    "support": round(s.support, 3),
                    "flags": s.flags,
                    "unsupported": s.unsupported,
                }
                for s in self.sentences
            ],
            "sources": [
                {
                    key: value
                    for key, value in source.to_dict().items()
                    if key not in ("prompt_text",)
                }
                for source in self.sources
            ],
            "model": self.model,
            "prompt_version": self.prompt_version,
            "flags": self.flags,
            "error": self.error,
        }
