"""The extractive summary: what Auskunft shows instead of a drafted answer without an LLM.

The best-matching sentences of the top passages, verbatim, each with the number of its
passage. Nothing is generated, so nothing needs verifying beyond the choice of sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from search import answers
from search.answers import Answer, AnswerSentence
from search.answers.context import SourcePassage
from search.answers.injection import is_instruction
from search.answers.sentences import CITATION, content_terms, split_sentences

MIN_SENTENCE_CHARS = 25
MAX_SENTENCE_CHARS = 400
SUPERSEDED_PENALTY = 1.0
CURRENT_BONUS = 0.5
"""Added to the score of a sentence of an amendment's text in force."""
"""Subtracted from the score of a sentence of an earlier wording (at most 1 otherwise)."""


class ExtractiveSummarizer:
    """Picks the sentences of the passages that share most words with the question.

    :param max_sentences: how many sentences at most.
    :param rank_weight: how much a better-ranked passage's sentence is preferred.
    """

    def __init__(self, max_sentences: int = 3, rank_weight: float = 0.05) -> None:
        self.max_sentences = max_sentences
        self.rank_weight = rank_weight

    def summarize(self, question: str, sources: Sequence[SourcePassage]) -> Answer:
        """:param question: the question or query.

        :param sources: numbered passages, best first.
        :returns: an extractive answer; flagged ``not_answered`` when no sentence shares a
            content word with the question.
        """
        wanted = content_terms(question)
        scored: list[tuple[float, int, str]] = []
        for rank, source in enumerate(sources):
            for sentence in split_sentences(source.text):
                if len(sentence) < MIN_SENTENCE_CHARS or is_instruction(sentence):
                    continue
                shared = len(wanted & content_terms(sentence))
                if not shared:
                    continue
                score = shared / len(wanted) - self.rank_weight * rank
                if source.superseded:  # an earlier wording: after what is in force
                    score -= SUPERSEDED_PENALTY
                elif source.current:  # the wording in force: before the rest
                    score += CURRENT_BONUS
                scored.append((score, source.number, sentence))
        scored.sort(key=lambda item: item[0], reverse=True)
        chosen: list[AnswerSentence] = []
        seen: set[str] = set()
        for _, number, sentence in scored:
            key = " ".join(sentence.lower().split())
            if key in seen:
                continue
            seen.add(key)
            if len(sentence) > MAX_SENTENCE_CHARS:
                sentence = sentence[:MAX_SENTENCE_CHARS].rsplit(" ", 1)[0] + " …"
            chosen.append(
                # verbatim from the passage it cites: fully supported
                AnswerSentence(text=f"{sentence} [{number}]", citations=[number], support=1.0)
            )
            if len(chosen) == self.max_sentences:
                break
        chosen, numbered = _renumbered(chosen, sources)
        return Answer(
            kind="extractive",
            question=question,
            sentences=chosen,
            sources=numbered,
            flags=[] if chosen else [answers.NOT_ANSWERED],
        )


def _renumbered(
    chosen: list[AnswerSentence], sources: Sequence[SourcePassage]
) -> tuple[list[AnswerSentence], list[SourcePassage]]:
    """Number the quoted passages 1, 2, 3 in the order the extract cites them.

    The extract shows only the passages it quotes: numbered as retrieved they would read
    1, 2, 4. The passages it does not quote follow, numbered on.
    """
    order = list(dict.fromkeys(number for s in chosen for number in s.citations))
    order += [source.number for source in sources if source.number not in order]
    new = {old: index for index, old in enumerate(order, start=1)}
    sentences = [
        replace(
            sentence,
            text=CITATION.sub(lambda m: f"[{new.get(int(m[1]), int(m[1]))}]", sentence.text),
            citations=[new[number] for number in sentence.citations],
        )
        for sentence in chosen
    ]
    by_number = {source.number: source for source in sources}
    return sentences, [replace(by_number[old], number=new[old]) for old in order]
