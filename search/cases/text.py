"""Text primitives of council inquiries and replies: list labels, lines, paragraphs and
sentences with offsets, and what a sentence does (asks, requests, closes, introduces).

German administrative text: a full stop after an abbreviation (``z. B.``, ``Nr.``, ``Abs.``,
``bzw.``, ``ca.``, ``Drs.``, ``Kaiserstr.``) or an ordinal (``am 1. März``, ``im 3.
Bauabschnitt``) ends no sentence, a question mark followed by a lower-case word
(``Wie viele? und wo?``) neither. Lines a PDF wrapped are joined; a line starts a new
block after a blank line, after a line ending in ``:`` when it starts with a capital, and
when it starts a list item (:func:`line_labels`).

Everything works on offsets into the text, so every piece can be cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from search.answers.sentences import ABBREVIATIONS


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the text: ``text == source[start:end]``, without surrounding space."""

    text: str
    start: int
    end: int


# --- labels -------------------------------------------------------------------------

BULLETS: Final = "-–•*▪◦·"
LABEL: Final = re.compile(
    r"(?:Frage\s+\d{1,2}(?:\s*[:.)–-])?"
    r"|\(?\d{1,2}(?:(?:\.\d{1,2})+\.?|\.\)|[.)])"
    r"|\(?[A-Za-z](?:\.\)|[.)])"
    rf"|[{BULLETS}])"
    r"(?=[ \t\n]|$)"
)
UPPER_START: Final = re.compile(r"[\"„“»(]?[A-ZÄÖÜ0-9]|\(?[a-z][.)]\s")


def label_style(label: str) -> str:
    """``num_dot`` (``1.``), ``num_paren`` (``1)``, ``(1)``), ``num_sub`` (``1.1``),
    ``low_dot``/``low_paren``, ``up_dot``/``up_paren``, ``frage``, ``bullet-`` …"""
    if label.startswith("Frage"):
        return "frage"
    if label in BULLETS:
        return f"bullet{label}"  # "–" items and a "-" a PDF wrapped are not one list
    core = label.strip("()")
    paren = label.endswith(")")
    if core[0].isdigit():
        if re.fullmatch(r"\d+(?:\.\d+)+\.?", core):
            return "num_sub"
        return "num_paren" if paren else "num_dot"
    case = "low" if core[0].islower() else "up"
    return f"{case}_paren" if paren else f"{case}_dot"


def label_at(text: str, pos: int, end: int) -> re.Match[str] | None:
    """A label at ``pos``. ``1.``, ``B.`` must precede a capital, else ``am 1. März`` and
    ``z. B. nach`` broken at a line end would start items (``b) für 2024`` is a label)."""
    match = LABEL.match(text, pos, end)
    if not match:
        return None
    if match.group(0)[-1] == "." and not match.group(0).startswith("Frage"):
        after = skip_space(text, match.end(), end)
        if not UPPER_START.match(text, after, end):
            return None
    return match


def label_text(label: str) -> str:
    """The label as a question shows it: ``Frage 3`` for ``Frage 3:``, else as written."""
    if label.startswith("Frage"):
        return re.sub(r"\s*[:.)–-]$", "", label)
    return label


def label_ordinal(label: str) -> int | None:
    """``2.`` → 2, ``b)`` → 2, ``Frage 3`` → 3 (``1.2`` → 1); ``None`` for a bullet."""
    digits = re.search(r"\d+", label)
    if digits:
        return int(digits.group(0))
    letter = re.search(r"[A-Za-z]", label.removeprefix("Frage"))
    return ord(letter.group(0).lower()) - ord("a") + 1 if letter else None


# --- lines, blocks, sentences -----------------------------------------------------------


def skip_space(text: str, pos: int, end: int) -> int:
    """:returns: the first position from ``pos`` (before ``end``) that is no space."""
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """:returns: ``(start, end)`` without the space at either end."""
    start = skip_space(text, start, end)
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def span_of(text: str, start: int, end: int) -> Span | None:
    """:returns: the trimmed span, or ``None`` if only space is there."""
    start, end = trim(text, start, end)
    return Span(text[start:end], start, end) if start < end else None


def line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Line spans in ``[start, end)``, without the line break."""
    lines = []
    pos = start
    while pos < end:
        stop = text.find("\n", pos, end)
        stop = end if stop < 0 else stop
        lines.append((pos, stop))
        pos = stop + 1
    return lines


def paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Blocks of text between blank lines, after a line ending in ``:`` when the next
    starts with a capital (not ``Falls ja:`` / ``auf welcher …`` wrapped), and before a
    line that starts a list item (see :func:`line_labels`)."""
    blocks: list[list[int]] = []
    labels = {item.label_start for item in line_labels(text, start, end)}
    new, colon = True, False
    for line_start, line_end in line_spans(text, start, end):
        first, last = trim(text, line_start, line_end)
        if first == last:
            new = True
            continue
        if new or (colon and UPPER_START.match(text, first, last)) or first in labels:
            blocks.append([first, last])
        else:
            blocks[-1][1] = last
        new = False
        colon = text[last - 1] == ":"
    return [(first, last) for first, last in blocks]


_ABBREVIATED: Final = ABBREVIATIONS | {
    "insb", "insbes", "ehem", "ggü", "vs", "mind", "pkt", "tab", "abb", "lt", "hr", "fr",
    "bsp", "jh", "jhd", "rn", "hrsg", "az", "pos", "dipl", "ing", "ggfs", "zzt", "usf",
    "u.ä", "o.ä", "o.g", "u.u", "i.d.r", "z.t", "v.a", "m.e", "u.v.m", "stv",
}  # fmt: skip
_END: Final = re.compile(r"[.!?…]+[\"'“”»)\]]*(?=\s|$)")
_STARTS_SENTENCE: Final = re.compile(
    rf"[\"„“»(\[]?[A-ZÄÖÜ0-9§]|[{BULLETS}]\s|\(?[a-z]\)|[a-z]\.\s+[A-ZÄÖÜ]|\[Frage"
)
_WORD_BEFORE: Final = re.compile(r"[\w.]+$")
_BLANK_LINE: Final = re.compile(r"\n[ \t]*\n")


def is_abbreviation(text: str, start: int, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation or an ordinal, not a sentence
    (``start``: where the sentence began)."""
    match = _WORD_BEFORE.search(text, start, dot)
    if not match:
        return False
    word = match.group(0).lower().rstrip(".")
    last = word.rsplit(".", 1)[-1]
    return (
        word in _ABBREVIATED
        or last in _ABBREVIATED
        or len(last) == 1  # z. B., u. a., initials
        or last.endswith("str")  # Kaiserstr.
        or (last.isdigit() and len(last) <= 3)  # am 1. März, im 3. Bauabschnitt; not 2023.
    )


def _sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of one block (no line-level structure inside it)."""
    spans = []
    pos = start
    for match in _END.finditer(text, start, end):
        after = skip_space(text, match.end(), end)
        if after >= end:
            break
        mark = match.group(0).rstrip("\"'“”»)]")
        if "?" in mark or "!" in mark:
            if not _STARTS_SENTENCE.match(text, after, end):
                continue  # "Wie viele? und wo?" goes on
        elif (
            mark != "."  # "…" goes on
            or is_abbreviation(text, pos, match.start())
            or not _STARTS_SENTENCE.match(text, after, end)
        ):
            continue
        spans.append((pos, match.end()))
        pos = after
    if pos < end:
        spans.append(trim(text, pos, end))
    return spans


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """``(start, end, paragraph)`` of every sentence; paragraphs are counted at blank
    lines only."""
    sentences = []
    paragraph = 0
    previous_end = start
    for block_start, block_end in paragraph_spans(text, start, end):
        if _BLANK_LINE.search(text, previous_end, block_start):
            paragraph += 1
        for first, last in _sentences_in(text, block_start, block_end):
            sentences.append((first, last, paragraph))
        previous_end = block_end
    return sentences


# --- what a sentence does --------------------------------------------------------------

CLOSING_CHARS: Final = "\"'“”»)] \t\n"
_INFO_VERBS: Final = (
    r"(?:dar|auf|an|mit|vor|zusammen|ein|be|aus)?(?:stellen|legen|teilen|nennen|erläutern|"
    r"geben|listen|schildern|beziffern|berichten|beschreiben|erklären|schlüsseln|zeigen|"
    r"informieren|übermitteln|ergänzen|zuordnen|spezifizieren|führen)"
)
_ASKING_CLAUSE: Final = (
    r"(?:ob|wie|wann|warum|weshalb|wieso|welche[nmrs]?|was|wo|wer|inwieweit|inwiefern)"
)
_REQUEST: Final = re.compile(
    r"^\W*bitte\b"
    rf"|\bbitte\s+(?:[\wäöüß-]+\s+){{0,8}}?{_INFO_VERBS}\b"
    rf"|^\W*{_INFO_VERBS}\s+sie\b"
    # "Die Verwaltung wird gebeten, … darzustellen", "Die Fraktion bittet, … zu berichten"
    r"|\b(?:gebeten|bitte[nt]?|ersuch\w*)\b[^?!]*?\b(?:darzu(?:stellen|legen)|mitzuteilen"
    r"|aufzu(?:zeigen|listen|schlüsseln)|anzugeben|vorzulegen|zu\s+(?:berichten|erläutern"
    r"|beziffern|nennen|benennen|informieren|erklären|schildern|beschreiben))\b"
    rf"|\b(?:gebeten|bitte[nt]?|möge[n]?)\b[^?!]*?\bprüfen,?\s+{_ASKING_CLAUSE}\b"
    # "Wir bitten um Auskunft, …", "Die Fraktion bittet um die Mitteilung des Sachstands"
    r"|\b(?:bitte[nt]?|ersuch\w*)\s+(?:[\wäöüß-]+\s+){0,5}?um\s+(?:[\wäöüß-]+\s+){0,3}?"
    r"(?:Darstellung|Auskunft|Auflistung|Aufstellung|Übersicht|Erläuterung|Information|"
    r"Angabe|Mitteilung|Bericht|Sachstand|Stellungnahme|Aufschlüsselung|Prüfung)"
    rf"|\b(?:wir|ich)\s+fragen?\b[^.?!:]*\b{_ASKING_CLAUSE}\b"
    r"|\bmöge[n]?\b[^.?!]*\b(?:darstellen|darlegen|berichten|mitteilen|erläutern|aufzeigen)\b",
    re.IGNORECASE,
)
ASKS_WHAT: Final = re.compile(rf"\b{_ASKING_CLAUSE}\b", re.IGNORECASE)
_GREETING: Final = re.compile(
    r"^\W*(?:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|beste\s+grüße|viele\s+grüße|"
    r"vielen\s+dank|herzlichen\s+dank|gez\.|gez:|gezeichnet|unterzeichnet|unterschrift)",
    re.IGNORECASE,
)
_ABOUT_ANSWERING: Final = re.compile(r"\b(?:beantwort\w*|antwort)\b", re.IGNORECASE)
_INTRO: Final = re.compile(
    r"\b(?:frag\w*|bitte\w*|gebeten|beantwort\w*|auskunft|folgende\w*)\b", re.IGNORECASE
)
CONDITION: Final = re.compile(r"^\W*(?:wenn|falls|sofern|und|oder)\b", re.IGNORECASE)
COLON_PREFIX: Final = re.compile(
    rf"([^:?!]*:)\s+(?=(?:\(?(?:\d{{1,2}}|[A-Za-z])(?:\.\)|[.)])\s+|[{BULLETS}]\s+)?[A-ZÄÖÜ])"
)


def asks(sentence: str) -> bool:
    """It ends with a question mark (before closing quotes or brackets)."""
    return sentence.rstrip(CLOSING_CHARS).endswith("?")


def closes(sentence: str) -> bool:
    """Greetings, signatures, and the formula asking for an answer ("Wir bitten um
    schriftliche Beantwortung."), not a request about something ("Bitte beantworten Sie
    auch, wie …")."""
    if _GREETING.search(sentence):
        return True
    return bool(_ABOUT_ANSWERING.search(sentence)) and not ASKS_WHAT.search(sentence)


def is_intro(sentence: str) -> bool:
    """An intro to the questions: "Wir fragen die Verwaltung:", "Daher bitten wir um
    Beantwortung folgender Fragen:"."""
    return (
        sentence.rstrip().endswith(":")
        and not LABEL.fullmatch(sentence.strip())  # "Frage 1:" is a label
        and bool(_INTRO.search(sentence))
        and not CONDITION.search(sentence)
        and not starts_with_question_word(sentence)
    )


def starts_with_question_word(sentence: str) -> bool:
    """``Wie``, ``Welche``, ``Ob``, ``Inwieweit`` … at its start."""
    return bool(ASKS_WHAT.match(sentence.lstrip('"„“»(')))


def requests(sentence: str) -> bool:
    """An imperative request for information ("Bitte stellen Sie dar, …", "Die
    Verwaltung wird gebeten, … darzustellen", "Die Fraktion bittet um die Mitteilung
    des Sachstandes", "Die Verwaltung möge prüfen, inwieweit …"); not the formula asking
    for the answer, not a motion ("Die Verwaltung wird beauftragt, …")."""
    return bool(_REQUEST.search(sentence)) and not closes(sentence)


def asks_or_requests(sentence: str) -> bool:
    """A question of run-on text: it asks, or it requests and introduces nothing (no
    ``:`` at its end)."""
    return asks(sentence) or (not sentence.rstrip().endswith(":") and requests(sentence))


def asks_anything(text: str, start: int, end: int) -> bool:
    """A list item asks when it has a question mark, a request (one ending in ``:``
    too: ``Bitte stellen Sie dar:`` followed by bullets), or a sentence that starts with a
    question word and lost its question mark (``1. Wie ist die Entwicklung …``)."""
    if "?" in text[start:end]:
        return True
    return any(
        requests(text[first:last]) or starts_with_question_word(text[first:last])
        for first, last, _ in sentence_spans(text, start, end)
    )


# --- list items ------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """A question being found: its label (``""`` if none) and where it starts, where its
    text starts and ends, the label's style."""

    label: str
    label_start: int
    start: int
    style: str
    end: int = 0


def line_labels(text: str, start: int, end: int) -> list[Item]:
    """Labels that start lines and lists: a list starts with ``1.``, ``a)``, ``A.`` or
    ``Frage n``, or with a bullet after a blank line or a line that ends a sentence; it
    goes on with the next label of its style (``2.`` after ``1.``, a bullet after a bullet
    line), whatever the line before ends with (a table, a page footer).
    So ``b) Der …`` or ``- vorgesehen?`` that a PDF wrapped to a line start are no
    labels, nor is ``B.)`` with no ``A.)`` line before it."""
    items: list[Item] = []
    last_of_style: dict[str, int | None] = {}
    previous_line_ends = True  # the body's first line, or one after a blank line
    previous_style = ""
    for line_start, line_end in line_spans(text, start, end):
        first, last = trim(text, line_start, line_end)
        if first == last:
            previous_line_ends = True
            continue
        match = label_at(text, first, last)
        style = label_style(match.group(0)) if match else ""
        if match:
            label = match.group(0)
            ordinal = None if label in BULLETS else label_ordinal(label)
            before = last_of_style.get(style, -1)
            continues = style in last_of_style and (
                ordinal is None or (before is not None and before < ordinal <= before + 3)
            )
            # a list starts with its first label or a bullet after a line that ends a
            # sentence; "1. Wie …" also after a heading line without a full stop, but
            # not "a) um …" that a PDF wrapped after "bekannt,"
            after = skip_space(text, match.end(), last)
            starts = style == "frage" or (
                ordinal in (None, 1)
                and (previous_line_ends or (ordinal == 1 and UPPER_START.match(text, after, last)))
            )
            if continues or starts or (label in BULLETS and previous_style == style):
                items.append(Item(label, first, skip_space(text, match.end(), end), style))
                last_of_style[style] = ordinal
            else:
                style = ""
        previous_line_ends = text[first:last].rstrip(CLOSING_CHARS)[-1:] in ".?!:;"
        previous_style = style
    return items
