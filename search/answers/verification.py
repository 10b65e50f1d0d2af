"""Checking a generated answer against the passages it was given, deterministically.

Sentence by sentence: citations of passages that were not given are removed; links,
addresses and hosts that no passage offers are removed; the support of a sentence is the
share of its content words (stemmed, compounds split, as the keyword index sees them) that
occur in the passages it cites. A sentence without a citation, with too little support, or
that repeats an instruction aimed at an AI is flagged, never silently kept as fact.

On top of word overlap, the claims a sentence makes (:mod:`search.answers.claims`: figures,
dates, § references and Drucksachen, negation and modal force, named bodies) must be
stated by the passages it cites; each that is not adds its flag (``wrong_figure``,
``wrong_date``, ``wrong_reference``, ``negation``, ``wrong_body``) and its words to
:attr:`~search.answers.AnswerSentence.unsupported`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from search import answers
from search.answers import Answer, AnswerSentence
from search.answers.claims import BODY, DATE, FIGURE, NEGATION, REFERENCE, PassageClaims, check
from search.answers.context import SourcePassage
from search.answers.injection import is_instruction, known_links, links_in
from search.answers.prompts import PROMPT_VERSION
from search.answers.sentences import CITATION, citations_in, content_terms, split_sentences

LINK_REMOVED_TEXT: Final = "[Link entfernt]"
ECHO_OVERLAP: Final = 0.6
"""A sentence sharing this share of its words with a passage's instruction repeats it."""
_NO_ANSWER = re.compile(
    r"(quellen|unterlagen|dokumente)\b.{0,40}\b(beantworten|enthalten|nennen)\b.{0,40}\bnicht"
    r"|keine (antwort|angaben|informationen)\b.{0,40}\b(quellen|unterlagen)",
    re.I,
)


_CLAIM_FLAG: Final = {
    FIGURE: answers.WRONG_FIGURE,
    DATE: answers.WRONG_DATE,
    REFERENCE: answers.WRONG_REFERENCE,
    NEGATION: answers.NEGATION,
    BODY: answers.WRONG_BODY,
}


def says_not_answered(sentence: str) -> bool:
    """:returns: whether a sentence says the passages do not answer the question."""
    return _NO_ANSWER.search(sentence) is not None


def _overlap(terms: set[str], other: set[str]) -> float:
    return len(terms & other) / len(terms) if terms else 1.0


class AnswerVerifier:
    """Verifies a model's reply against its numbered passages.

    :param min_support: the least share of a sentence's content words its cited passages
        must contain for it to pass unflagged (``llm.min_support``).
    :param check_claims: also check figures, dates, references, negation and bodies
        (off: word overlap only, as before; for comparison in the benchmark).
    """

    def __init__(self, min_support: float, *, check_claims: bool = True) -> None:
        self.min_support = min_support
        self.check_claims = check_claims

    def verify(
        self,
        raw: str,
        question: str,
        sources: Sequence[SourcePassage],
        *,
        model: str | None = None,
        prompt_version: str = PROMPT_VERSION,
        truncated: bool = False,
    ) -> Answer:
        """Turn a reply into a verified, flagged answer.

        :param raw: the model's reply.
        :param question: the question asked.
        :param sources: the numbered passages the model was given.
        :param model: the model's name (recorded with the answer).
        :param prompt_version: the prompt's version (recorded with the answer).
        :param truncated: the reply stopped at its token budget.
        :returns: the answer.
        """
        terms = {source.number: content_terms(source.prompt_text) for source in sources}
        claims = (
            {
                source.number: PassageClaims(
                    source.prompt_text, f"{source.title}\n{source.section}\n{source.citation}"
                )
                for source in sources
            }
            if self.check_claims
            else {}
        )
        instructions = [
            content_terms(sentence) for source in sources for sentence in source.instructions
        ]
        allowed_links = known_links([source.prompt_text for source in sources]) | links_in(question)
        sentences = []
        not_answered = False
        for text in split_sentences(raw):
            sentence = self._sentence(text, terms, claims, instructions, allowed_links)
            if says_not_answered(sentence.text):
                not_answered = True
                sentence.flags = [f for f in sentence.flags if f != answers.NO_CITATION]
            if sentence.text:
                sentences.append(sentence)
        flags: list[str] = []
        if not_answered or not sentences:
            flags.append(answers.NOT_ANSWERED)
        if any(source.instructions for source in sources):
            flags.append(answers.INJECTION_IN_PASSAGES)
        if truncated:
            flags.append(answers.TRUNCATED)
        present = {flag for sentence in sentences for flag in sentence.flags}
        flags += [flag for flag in answers.SENTENCE_FLAGS if flag in present]
        return Answer(
            kind="generated",
            question=question,
            sentences=sentences,
            sources=list(sources),
            model=model,
            prompt_version=prompt_version,
            flags=flags,
            raw=raw,
        )

    def supported_by(self, sentence: str, source: SourcePassage) -> bool:
        """Whether one passage alone supports a sentence (for measuring citations).

        :param sentence: the sentence (its citations are ignored).
        :param source: the passage.
        :returns: whether enough of its content words are in the passage
            (``min_support``) and, with claim checks on, no claim of it is missing there.
        """
        text = CITATION.sub("", sentence)
        if _overlap(content_terms(text), content_terms(source.prompt_text)) < self.min_support:
            return False
        if not self.check_claims:
            return True
        context = f"{source.title}\n{source.section}\n{source.citation}"
        return not check(text, [PassageClaims(source.prompt_text, context)])

    def _sentence(
        self,
        text: str,
        terms: dict[int, set[str]],
        claims: dict[int, PassageClaims],
        instructions: list[set[str]],
        allowed_links: set[str],
    ) -> AnswerSentence:
        flags: list[str] = []
        cited = citations_in(text)
        valid = [number for number in cited if number in terms]
        if len(valid) < len(cited):
            flags.append(answers.REMOVED_CITATION)
            text = CITATION.sub(lambda m: m.group(0) if int(m.group(1)) in terms else "", text)
        for link in links_in(text):
            if not any(link in known or known in link for known in allowed_links):
                text = re.sub(re.escape(link), LINK_REMOVED_TEXT, text, flags=re.I)
                flags.append(answers.LINK_REMOVED)
        text = " ".join(text.replace(" .", ".").split())
        words = content_terms(text)
        echoes = any(_overlap(words, instruction) >= ECHO_OVERLAP for instruction in instructions)
        if is_instruction(text) or (words and echoes):
            flags.append(answers.INSTRUCTION_ECHO)
        if not valid:
            support = 0.0
            flags.append(answers.NO_CITATION)
        else:
            support = _overlap(words, set().union(*(terms[number] for number in valid)))
            if support < self.min_support:
                flags.append(answers.LOW_SUPPORT)
        unsupported: list[str] = []
        if valid and claims:
            mismatches = check(text, [claims[number] for number in valid])
            flags += [_CLAIM_FLAG[mismatch.kind] for mismatch in mismatches]
            unsupported = list(dict.fromkeys(mismatch.words for mismatch in mismatches))
        return AnswerSentence(
            text=text,
            citations=valid,
            support=support,
            flags=list(dict.fromkeys(flags)),
            unsupported=unsupported,
        )
