"""A written reply of the administration split into its answers, by question.

A reply (*Stellungnahme*) is split at the ``[Frage n]`` markers of the Karlsruhe
evaluation set when it has them (the label written before a marker, ``2.`` or
``Zu Frage 2:``, ends the answer before it); else at answer headings (``Zu 1.``,
``Zu Frage 2:``, ``Antwort zu 3:``, ``Zu 2. und 3.:``, ``Zu Frage 5 bis 7:``) at the
start of a line or sentence, never inside one and never after ``siehe``, ``vgl.``,
``s.`` (``siehe Antwort zu Frage 3``, also when a PDF wrapped it to a line start); else
at the questions the reply repeats (``1. Wie viele …? <answer> 2. …``), in the style of
the first one. Where a reply repeats the question after a heading (``Zu 1.`` /
``Bietet KLEVER …?`` / answer), the question is kept apart from the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from search.cases.text import (
    BULLETS,
    UPPER_START,
    Span,
    asks,
    label_at,
    label_ordinal,
    label_style,
    label_text,
    sentence_spans,
    skip_space,
    span_of,
    trim,
)

__all__ = ["ReplyPart", "split_reply"]


@dataclass(frozen=True, slots=True)
class ReplyPart:
    """The answer to one question (or to several answered together) of a written reply.

    ``numbers`` are the questions it answers (``Zu 2. und 3.:`` → ``(2, 3)``; letters
    count from ``a`` = 1), ``number`` the first of them; ``label`` what introduces it as
    written (``2.``, ``Zu Frage 2:``; ``[Frage n]`` markers are not repeated); ``question``
    the question as the reply repeats it before the answer, if it does; ``text`` the
    answer, ``source[start:end]`` (empty when a question got no answer of its own).
    """

    number: int | None
    numbers: tuple[int, ...]
    label: str
    question: Span | None
    text: str
    start: int
    end: int


_MARKER: Final = re.compile(r"\[Frage (\d+)\]")
_LABEL_BEFORE_MARKER: Final = re.compile(
    r"(?:^|(?<=\s))(?:(?:Antwort\s+)?[Zz]u\s+)?"
    r"(?:Frage\s+\d{1,2}|\(?(?:\d{1,2}(?:\.\d{1,2})*|[A-Za-z])(?:\.\)|[.):]))"
    r"[ \t:]*\s*$"
)
_REFERENCE: Final = r"(?:\d{1,2}(?:\.\d{1,2})*\.?(?:\s?[a-z]\))?|[A-Za-z](?:\.\d{1,2})*[.)]?)"
_ANSWER_HEADING: Final = re.compile(
    r"(?:^|(?<=\n)|(?<=[.!?:)]\s)|(?<=[.!?:)]\s\s))[ \t]*"
    r"(?P<label>(?:Antwort\s+zu|Zu)\s+(?:(?:der\s+)?Frage(?:n)?|Punkt|Ziffer|Nr\.)?\s*"
    rf"(?P<references>{_REFERENCE}(?:\s*(?:,|und|bis|sowie|-|–)\s*(?:Frage\s+)?{_REFERENCE})*)"
    r"\s*:?)"
    r"(?=\s+[\"„A-ZÄÖÜ0-9(\[]|\s*\n|\s*$)"
)


def _numbers(references: str) -> tuple[int, ...]:
    numbers: list[int] = []
    ranged = False
    for token in re.findall(r"bis|[-–]|\d{1,2}(?:\.\d{1,2})*|\b[A-Za-z]\b", references):
        if token in ("bis", "-", "–"):
            ranged = bool(numbers)
            continue
        number = label_ordinal(token.split(".")[0]) if token[0].isdigit() else label_ordinal(token)
        if number is None or (numbers and token.isalpha() and token.islower()):
            continue  # "1. a)": the letter is a sub-question of 1
        if ranged:
            numbers.extend(range(numbers[-1] + 1, number + 1))
            ranged = False
        else:
            numbers.append(number)
    return tuple(dict.fromkeys(numbers))


def _part(
    text: str, numbers: tuple[int, ...], label: str, question: Span | None, start: int, end: int
) -> ReplyPart:
    start, end = trim(text, start, end)
    return ReplyPart(
        numbers[0] if numbers else None, numbers, label, question, text[start:end], start, end
    )


def _marked_parts(text: str, markers: list[re.Match[str]]) -> list[ReplyPart]:
    parts = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        label_start = marker.start()
        window_start = markers[i - 1].end() if i else max(0, marker.start() - 40)
        before = _LABEL_BEFORE_MARKER.search(
            text, max(window_start, marker.start() - 40), marker.start()
        )
        if before:
            label_start = before.start()
        if i + 1 < len(markers):
            next_label = _LABEL_BEFORE_MARKER.search(
                text, max(marker.end(), markers[i + 1].start() - 40), markers[i + 1].start()
            )
            if next_label:
                end = next_label.start()
        label = text[label_start : marker.start()].strip().rstrip(":").strip()
        parts.append(_part(text, (int(marker.group(1)),), label, None, marker.end(), end))
    return parts


def _heading_parts(text: str, headings: list[re.Match[str]]) -> list[ReplyPart]:
    parts = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        label = heading.group("label").strip().rstrip(":").strip()
        start = skip_space(text, heading.end(), end)
        answer_start = _question_end(text, start, end) if UPPER_START.match(text, start) else start
        parts.append(
            _part(
                text,
                _numbers(heading.group("references")),
                label,
                span_of(text, start, answer_start),
                answer_start,
                end,
            )
        )
    return parts


def _question_end(text: str, start: int, end: int) -> int:
    """Where the questions a reply repeats at ``start`` end: after its run of sentences
    that ask (``start`` if none does)."""
    question_end = start
    for first, last, _ in sentence_spans(text, start, end):
        if not asks(text[first:last]):
            break
        question_end = last
    return question_end


def _repeated_question_parts(text: str) -> list[ReplyPart]:
    """``1. Wie viele …? <answer> 2. Welche …? <answer>``: labels at a line or sentence
    start whose first sentence asks."""
    candidates = []
    for first, last, _ in sentence_spans(text, 0, len(text)):
        label = label_at(text, first, last)
        if label and label.group(0) not in BULLETS and asks(text[first:last]):
            candidates.append((label, first, last))
    if not candidates:
        return []
    style = label_style(candidates[0][0].group(0))
    chosen = [c for c in candidates if label_style(c[0].group(0)) == style]
    parts = []
    for i, (label, _, question_end) in enumerate(chosen):
        end = chosen[i + 1][1] if i + 1 < len(chosen) else len(text)
        # the question may go on in more asking sentences before the answer
        answer_start = max(question_end, _question_end(text, question_end, end))
        question_start = skip_space(text, label.end(), answer_start)
        number = label_ordinal(label.group(0))
        parts.append(
            _part(
                text,
                (number,) if number is not None else (),
                label_text(label.group(0)),
                span_of(text, question_start, answer_start),
                answer_start,
                end,
            )
        )
    return parts


_REFERRING: Final = re.compile(r"\b(?:siehe|vgl|s|auch|unter|laut|gemäß)\.?\s*$", re.IGNORECASE)
_REFERRING_TO_ANSWER: Final = re.compile(
    r"\b(?:der|die|den|dem|zur|in|im|bei|und|oder|wie)\s*$", re.IGNORECASE
)


def _refers(text: str, heading: re.Match[str]) -> bool:
    """``siehe Antwort zu 1.``, ``(vgl. Antwort zu Frage 8)``, ``in der Antwort zu 3``
    (also wrapped to a line start): a reference to an answer, no heading."""
    before = max(0, heading.start() - 20)
    return bool(
        _REFERRING.search(text, before, heading.start())
        or (
            heading.group("label").lstrip().startswith("Antwort")
            and _REFERRING_TO_ANSWER.search(text, before, heading.start())
        )
    )


def split_reply(text: str) -> list[ReplyPart]:
    """Split a written reply into its answers, by question.

    Markers ``[Frage n]`` (the masked Karlsruhe replies) come first, then answer headings
    (``Zu 1.``, ``Zu Frage 2:``, ``Antwort zu 3:``), then questions the reply repeats
    (``1. Wie …? <answer>``). Text before the first answer (letterhead, preamble) is not a
    part.

    :param text: the reply as plain text.
    :returns: the answers in order; ``[]`` if the reply is not split by question.
    """
    markers = list(_MARKER.finditer(text))
    if markers:
        return _marked_parts(text, markers)
    headings = [heading for heading in _ANSWER_HEADING.finditer(text) if not _refers(text, heading)]
    if headings:
        return _heading_parts(text, headings)
    return _repeated_question_parts(text)
