"""A council inquiry (*Anfrage*) split into its questions.

An inquiry is read as a title, a preamble, the questions, what closes them (greetings,
signature, "Um Beantwortung … wird gebeten") and a justification (a ``Begründung``,
``Sachverhalt``, ``Hintergrund``, ``Erläuterung`` or ``Anlass`` heading after the first
question, to the end of the text; such a heading before the questions is part of the
preamble). The title is the first line (or up to three lines a PDF wrapped) when a blank
line follows, or the first line when it does not end like a sentence (``Betreff:`` and
the like dropped). A deadline is the first sentence outside the questions that asks for the answer
by a date ("Um Beantwortung bis zum 15.03.2025 wird gebeten", "… zur Sitzung des
Gemeinderats am 22.10.2013 …"); a question that names a date is none.

Where the questions are:

- **A list.** Lines that start with a label (``1.``, ``1)``, ``(1)``, ``a)``, ``A.``,
  ``Frage 1:``, ``-``, ``•``; see :func:`search.cases.text.line_labels` for which line
  starts count): the style of the first label whose item asks something is the list, if
  it has two items or more. Each item is one question, whatever it holds: several
  question marks, a sub-list in another style (``4. a) Hält …?`` / ``b) Macht …?``), lines
  a PDF wrapped. A heading alone on its line (``Frage 1:``) or a stem ending in ``:`` over
  a sub-list that asks counts as asking. An item that asks nothing (``1. Der Gemeinderat
  möge beschließen, …``) is no question; an item that lost its question mark but starts
  with a question word is one. What stands before the first asking item is preamble.
  The last item ends at a blank line followed by a line that is no list item, at a
  heading, at a closing formula, or after its last question where only statements on
  lines of their own follow. ``A.) Wie …? B.) Wann …?`` on one line are two items.
- **Run-on text** (no list, or text a PDF flattened). Every sentence that ends in ``?``
  and every request (``Bitte stellen Sie dar, …``, ``Die Verwaltung wird gebeten, …
  darzustellen``, ``Die Fraktion bittet um die Mitteilung …``) is a question; a statement
  between questions goes with the question after it; a ``bitte`` instruction right after
  a question qualifies it (``Wie viele …? Bitte nach Jahren aufschlüsseln.``). Follow-up
  questions (``Wenn ja, in welcher Höhe?``) are questions of their own, as the Karlsruhe
  replies count them. A question spanning an inline lettered sub-list or bullets stays
  one: ``Wie viele Fälle gab es a) 2023? b) 2024?`` (``b) 2024?`` asks nothing without its
  stem), while ``A) Wann …? B) Wo …?`` are two, their labels start the questions. A
  label at a question's start (``1. Wie …?`` flattened) is its label. A clause before a
  colon (``Wir fragen die Verwaltung: Wie …?``, ``… befragt werden: Sind alle …?``) is
  no part of the question, unless it is a condition (``Falls ja: auf welcher …?``).

  Where run-on questions start: after an intro (``Wir fragen die Verwaltung:``); else in
  the first paragraph in which most sentences ask (else the first that asks at all), at
  the first question from which on no two statements follow each other. So a rhetorical
  question in a preamble paragraph of its own, or followed by two statements, stays
  preamble; one followed by a single statement and then the questions is taken for a
  question: nothing in the text tells the two apart.

Replies are split by :func:`search.cases.replies.split_reply` (re-exported here).
Everything is a pure function of the text: no store, no model.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from search.cases.replies import ReplyPart, split_reply
from search.cases.text import (
    ASKS_WHAT,
    BULLETS,
    CLOSING_CHARS,
    COLON_PREFIX,
    CONDITION,
    LABEL,
    Item,
    Span,
    asks,
    asks_anything,
    asks_or_requests,
    closes,
    is_abbreviation,
    is_intro,
    label_at,
    label_ordinal,
    label_style,
    label_text,
    line_labels,
    line_spans,
    sentence_spans,
    skip_space,
    span_of,
    trim,
)

__all__ = [
    "Deadline",
    "Inquiry",
    "Question",
    "ReplyPart",
    "Span",
    "split_inquiry",
    "split_reply",
]


@dataclass(frozen=True, slots=True)
class Question:
    """One question of an inquiry.

    ``number`` is its place among the questions (from 1); ``label`` the label as written
    (``1.``, ``b)``, ``Frage 3``, ``•``; ``""`` when it has none); ``text`` the question as
    written, without its label: ``source[start:end]``.
    """

    number: int
    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Deadline:
    """The date an inquiry wants its answer by, and the sentence that names it.

    ``date`` is ``None`` when the sentence gives no year (``bis zum 15.03.``).
    """

    date: date | None
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Inquiry:
    """An inquiry's parts; any of them may be missing (``None``, or no questions).

    ``closing`` is what follows the questions up to the justification (or the end).
    """

    title: Span | None
    preamble: Span | None
    questions: tuple[Question, ...]
    justification: Span | None
    closing: Span | None
    deadline: Deadline | None


# --- headings, closings, deadlines -----------------------------------------------------

_HEADING: Final = re.compile(
    r"(?:^|(?<=\n)|(?<=[.?!:]\s)|(?<=[.?!:]\s\s))[ \t]*"
    r"(?P<word>Begründung|Sachverhalt|Hintergrund|Erläuterungen?|Anlass)"
    r"(?:\s*/\s*(?:Begründung|Sachverhalt|Hintergrund))?"
    r"(?:\s+(?:der|zur|zu|für\s+die)\s+(?:Anfrage|Fragen?))?"
    r"[ \t]*(?::|(?=[ \t]*(?:\n|$))|(?P<bare>)(?=[ \t]+[A-ZÄÖÜ][a-zäöüß]))",
)
_BARE_HEADINGS: Final = ("Begründung", "Sachverhalt", "Hintergrund")
_MONTHS: Final = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
_DATE: Final = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.\s?(?:(?P<month>\d{1,2})\.(?:\s?(?P<year>\d{4}|\d{2})(?!\d))?"
    rf"|(?P<month_name>{'|'.join(_MONTHS)})(?:\s+(?P<year_of_name>\d{{4}}))?)"
)
_BY: Final = re.compile(
    r"\b(?:bis|spätestens|Frist|Termin|zum|(?:zur|in\s+der)\s+(?:[\wäöü-]+\s+){0,2}?Sitzung)\b",
    re.IGNORECASE,
)
_ANSWER_WORD: Final = re.compile(
    r"\b(?:Beantwortung|beantwort\w*|Antwort|Stellungnahme|Frist|Rückmeldung|Auskunft)\b",
    re.IGNORECASE,
)


def _heading_after(text: str, start: int, end: int) -> re.Match[str] | None:
    """The first justification heading in ``[start, end)``; without a colon only
    ``Begründung``, ``Sachverhalt`` and ``Hintergrund`` before a capitalised word
    (``Begründung Die Fraktionen …``, a heading line run into its text)."""
    for match in _HEADING.finditer(text, start, end):
        if match.group("bare") is None or match.group("word") in _BARE_HEADINGS:
            return match
    return None


def _heading_at(text: str, start: int, end: int) -> bool:
    match = _heading_after(text, start, end)
    return match is not None and skip_space(text, start, end) == match.start("word")


def _deadline_in(text: str, start: int, end: int) -> Deadline | None:
    sentence = text[start:end]
    if asks(sentence) or not _ANSWER_WORD.search(sentence):
        return None
    for match in _DATE.finditer(sentence):
        if not _BY.search(sentence, max(0, match.start() - 60), match.start()):
            continue
        day = int(match.group("day"))
        if match.group("month_name"):
            month = _MONTHS.index(match.group("month_name")) + 1
            year_text = match.group("year_of_name")
        else:
            month = int(match.group("month"))
            year_text = match.group("year")
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        when = None
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            try:
                when = date(year, month, day)
            except ValueError:
                continue
        return Deadline(when, sentence, start, end)
    return None


# --- inquiries ---------------------------------------------------------------------------

_TITLE_PREFIX: Final = re.compile(r"(?:Betreff|Betr\.|Anfrage|Titel|Thema)\s*:\s*", re.IGNORECASE)


_SUBJECT: Final = re.compile(
    r"^[ \t]*(?:Betreff|Betr\.)[ \t]*:[ \t]*(?P<subject>\S.*?)[ \t]*$", re.M
)


def subject_line(text: str, within: int = 1500) -> str | None:
    """:returns: the *Betreff* of a letter or paper (``Betreff: …`` near its start), the
    title its writers gave it; ``None`` when it names none."""
    match = _SUBJECT.search(text, 0, min(len(text), within))
    return match.group("subject") if match else None


def _title(text: str) -> tuple[Span | None, int]:
    """:returns: the title and where the body starts."""
    lines = line_spans(text, 0, len(text))
    index = next((i for i, (s, e) in enumerate(lines) if text[s:e].strip()), None)
    if index is None or index + 1 >= len(lines):
        return None, 0
    first, last = trim(text, *lines[index])
    # a title wrapped over up to three lines, if a blank line follows them
    following = index + 1
    while (
        following < len(lines)
        and following - index < 3
        and text[slice(*lines[following])].strip()
        and not (
            label_at(text, *trim(text, *lines[following]))
            and text[slice(*lines[following - 1])].rstrip(CLOSING_CHARS)[-1:] in ".?!:;"
        )
    ):
        following += 1
    if following < len(lines) and not text[slice(*lines[following])].strip():
        block_last = trim(text, first, lines[following - 1][1])[1]
        if block_last - first <= 300 and text.count("?", first, block_last) <= 1:
            index, last = following - 1, block_last
    line = text[first:last]
    rest = lines[index + 1 :]
    if not any(text[s:e].strip() for s, e in rest):
        return None, 0
    blank_after = not text[slice(*rest[0])].strip()
    ending = line.rstrip(CLOSING_CHARS)[-1:]
    if (
        label_at(text, first, last)
        or len(line) > 300
        or ending in ",;"
        or is_intro(line)
        or _heading_at(text, first, last)
        or (
            ending == "."
            and not is_abbreviation(text, first, first + len(line.rstrip(CLOSING_CHARS)) - 1)
        )
        or (ending in "?:!" and not blank_after)
    ):
        return None, 0
    prefix = _TITLE_PREFIX.match(text, first, last)
    if prefix and prefix.end() < last:
        first = prefix.end()
    return Span(text[first:last], first, last), last


def _last_item_end(text: str, start: int, end: int) -> int:
    """Where a list's last item (from ``start``) ends: see the module docstring."""
    stop = start
    blank = False
    for number, (line_start, line_end) in enumerate(line_spans(text, start, end)):
        first, last = trim(text, line_start, line_end)
        if first == last:
            blank = True
            continue
        if number and (
            (blank and not label_at(text, first, last))
            or _heading_at(text, first, last)
            or (closes(text[first:last]) and not asks(text[first:last]))
            or _deadline_in(text, first, last)
        ):
            break
        stop = last
        blank = False
    # after its last question, statements on lines of their own are no longer the item
    sentences = sentence_spans(text, start, stop)
    asking = [i for i, (s, e, _) in enumerate(sentences) if asks_or_requests(text[s:e])]
    if asking:
        previous_end = sentences[asking[-1]][1]
        for first, last, _ in sentences[asking[-1] + 1 :]:
            if "\n" in text[previous_end:first]:
                return trim(text, start, first)[1]
            previous_end = last
    for first, last, _ in sentences[1:]:
        if closes(text[first:last]) or _deadline_in(text, first, last):
            return trim(text, start, first)[1]
    return stop


def _list_questions(text: str, start: int, end: int) -> list[Item]:
    """The asking items of the list the questions are in; ``[]`` if there is none."""
    labels = line_labels(text, start, end)
    for i, item in enumerate(labels):
        following = labels[i + 1].label_start if i + 1 < len(labels) else end
        heading = _heading_after(text, item.start, following)
        item.end = heading.start() if heading else following
        if i + 1 == len(labels):
            item.end = _last_item_end(text, item.start, item.end)
    top = None
    for i, item in enumerate(labels):
        nested = i + 1 < len(labels) and labels[i + 1].style != item.style
        own = text[item.start : item.end].strip()
        # a stem ("1. Wie hoch sind die Kosten:") or a heading ("Frage 1:" on its own
        # line) over items of another style that ask
        if asks_anything(text, item.start, item.end) or (
            nested
            and (own.endswith(":") or not own)
            and asks_anything(text, labels[i + 1].start, labels[i + 1].end)
        ):
            top = i
            break
    if top is None:
        return []
    items = [item for item in labels[top:] if item.style == labels[top].style]
    if len(items) < 2 and len(_split_run_on_items(text, items[0])) < 2:
        return []  # one labelled paragraph is run-on text, not a list
    heading = _heading_after(text, items[0].start, end)
    limit = heading.start() if heading else end
    items = [item for item in items if item.label_start < limit]
    for item, next_item in itertools.pairwise(items):
        item.end = next_item.label_start
    items[-1].end = _last_item_end(text, items[-1].start, limit)
    items = [part for item in items for part in _split_run_on_items(text, item)]
    for item in items:
        item.end = trim(text, item.start, item.end)[1]
    return [item for item in items if asks_anything(text, item.start, item.end)]


def _split_run_on_items(text: str, item: Item) -> list[Item]:
    """``A.) Wie …? B.) Wann …?`` on one line: a later label of the list's style (a few
    letters or numbers on) at the start of a sentence starts the next item."""
    ordinal = label_ordinal(item.label)
    if item.label in BULLETS or ordinal is None:
        return [item]
    items = [item]
    end = item.end
    for first, last, _ in sentence_spans(text, item.start, end)[1:]:
        label = label_at(text, first, last)
        if (
            label
            and label_style(label.group(0)) == item.style
            and ordinal < (label_ordinal(label.group(0)) or 0) <= ordinal + 8
        ):
            items[-1].end = first
            start = skip_space(text, label.end(), end)
            items.append(Item(label.group(0), first, start, item.style, end))
            ordinal = label_ordinal(label.group(0)) or ordinal
    return items


def _continues_sub_list(text: str, previous: Item, sentence_start: int) -> bool:
    """``b) 2024?`` after ``Wie viele Fälle gab es a) 2023?``: one question. Not when the
    question before has a label of the same style (``(a) Hat es … a) bei …? (b) Wenn
    ja, …?``: ``(b)`` is its sibling)."""
    match = LABEL.match(text, sentence_start)
    if not match:
        return False
    label = match.group(0)
    if previous.label and label_style(previous.label) == label_style(label):
        return False
    before = text[previous.start : previous.end]
    if label in BULLETS:  # "auf - das Förderkonzept? - die Fördermittel?", not "- Werden …"
        after = skip_space(text, match.end(), len(text))
        return bool(re.search(rf"\s[{BULLETS}]\s", before)) and text[after : after + 1].islower()
    letter = label.strip("().")
    if len(letter) != 1 or not letter.isalpha() or letter in "aA":
        return False
    # the preceding letter inline, written alike, after the start of the question
    inline = re.escape(label.replace(letter, chr(ord(letter) - 1)))
    return bool(re.search(rf"(?<![(\w]){inline}\s", before[1:]))


def _qualifies(text: str, previous: Item, sentence: str) -> bool:
    """A "bitte" instruction right after a question, asking nothing of its own, qualifies
    it ("Wie viele …? Bitte nach Jahren aufschlüsseln."); "Bitte stellen Sie dar, wie …"
    and "Die Verwaltung wird gebeten, … darzustellen." are questions of their own."""
    return (
        asks(text[previous.start : previous.end])
        and bool(re.search(r"\bbitte\b", sentence, re.IGNORECASE))
        and not asks(sentence)
        and not ASKS_WHAT.search(sentence)
    )


def _run_on_questions(text: str, start: int, end: int) -> list[Item]:
    records: list[tuple[int, int, int, str]] = []  # start, end, paragraph, kind
    carried: int | None = None
    for first, last, paragraph in sentence_spans(text, start, end):
        if LABEL.fullmatch(text[first:last]):
            carried = first if carried is None else carried  # "Frage 1:" on its own line
            continue
        if carried is not None:
            first, carried = carried, None
        sentence = text[first:last]
        prefix = COLON_PREFIX.match(sentence)
        if (
            prefix
            and asks(sentence)
            and not label_at(sentence, 0, len(sentence))
            and not CONDITION.search(prefix.group(1))  # "Falls ja: a) Worin …?"
        ):
            # "Wir fragen die Verwaltung: Wie …?", "… befragt werden: Sind alle …?"
            kind = "intro" if is_intro(prefix.group(1)) else "statement"
            records.append((first, first + len(prefix.group(1)), paragraph, kind))
            first += prefix.end()
            sentence = text[first:last]
        if asks_or_requests(sentence):
            kind = "question"
        elif is_intro(sentence):
            kind = "intro"
        else:
            kind = "statement"
        records.append((first, last, paragraph, kind))
    asking = [i for i, record in enumerate(records) if record[3] == "question"]
    if not asking:
        return []
    heading = _heading_after(text, records[asking[0]][0], end)
    if heading:
        records = [record for record in records if record[0] < heading.start()]
        asking = [i for i in asking if i < len(records)]
    begin = _first_question(records, asking)
    items: list[Item] = []
    pending: int | None = None
    for first, last, _, kind in records[begin : asking[-1] + 1]:
        if kind != "question":
            pending = first if pending is None else pending
            continue
        if (
            items
            and pending is None
            and (
                _continues_sub_list(text, items[-1], first)
                or _qualifies(text, items[-1], text[first:last])
            )
        ):
            items[-1].end = last
            continue
        group_start = first if pending is None else pending
        pending = None
        label = label_at(text, group_start, last)
        if label:
            body = skip_space(text, label.end(), last)
            items.append(Item(label.group(0), group_start, body, label_style(label.group(0)), last))
        else:
            items.append(Item("", group_start, group_start, "", last))
    return items


def _first_question(records: list[tuple[int, int, int, str]], asking: list[int]) -> int:
    """Index of the record the questions start at (see the module docstring)."""
    intros = [i for i, record in enumerate(records) if record[3] == "intro" and i < asking[-1]]
    if intros:
        return next(i for i in asking if i > intros[0])
    paragraphs: dict[int, list[str]] = {}
    for _, _, paragraph, kind in records:
        paragraphs.setdefault(paragraph, []).append(kind)
    first_paragraph = next(
        (p for p, kinds in sorted(paragraphs.items()) if kinds.count("question") * 2 > len(kinds)),
        records[asking[0]][2],
    )
    # within it, the first question from which on no two statements follow each other
    for i in asking:
        if records[i][2] < first_paragraph:
            continue
        kinds = [record[3] for record in records[i : asking[-1] + 1]]
        if not any(a != "question" and b != "question" for a, b in itertools.pairwise(kinds)):
            return i
    return asking[-1]


def split_inquiry(text: str) -> Inquiry:
    """Split an inquiry into title, preamble, questions, closing, justification, deadline.

    The rules (list or run-on text, sub-lists, requests, rhetorical questions) are in the
    module docstring.

    :param text: the inquiry as plain text (line breaks help, but are not needed).
    :returns: its parts, with offsets into ``text``.
    """
    title, body = _title(text)
    items = _list_questions(text, body, len(text)) or _run_on_questions(text, body, len(text))
    questions = tuple(
        Question(number, label_text(item.label), text[item.start : item.end], item.start, item.end)
        for number, item in enumerate(items, 1)
    )
    deadline = None
    for first, last, _ in sentence_spans(text, body, len(text)):
        if not any(q.start <= first < q.end for q in questions):
            deadline = _deadline_in(text, first, last)
            if deadline:
                break
    if not items:
        return Inquiry(title, span_of(text, body, len(text)), (), None, None, deadline)
    heading = _heading_after(text, items[0].start, len(text))
    after = heading.start() if heading and heading.start() >= items[-1].end else len(text)
    return Inquiry(
        title,
        span_of(text, body, items[0].label_start),
        questions,
        span_of(text, heading.end(), len(text)) if after < len(text) and heading else None,
        span_of(text, items[-1].end, after),
        deadline,
    )
