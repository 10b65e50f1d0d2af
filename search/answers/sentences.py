"""Sentences and content words of German administrative text.

Answer verification and the extractive summary both work sentence by sentence and compare
sentences by their content words. German legal text is full of abbreviations that end in a
full stop (``§ 3 Abs. 2 Nr. 1``, ``z. B.``, ``i. V. m.``, ``21. März``); none of them ends a
sentence here.
"""

from __future__ import annotations

import re
from typing import Final

from search.analysis import analyze

# Lowercased, without the full stop. Single letters (``z. B.``, initials) and numbers
# (``21. März``, ``3. Abschnitt``) are handled by rule, not listed.
ABBREVIATIONS: Final = frozenset(
    {
        "abs", "art", "nr", "ziff", "lit", "buchst", "bzw", "ggf", "vgl", "gem", "inkl",
        "exkl", "zzgl", "ca", "dr", "prof", "str", "usw", "etc", "evtl", "max", "min",
        "mio", "mrd", "tsd", "bspw", "sog", "u.a", "d.h", "z.b", "i.v.m", "s", "ff",
        "hs", "alt", "anl", "anm", "aufl", "bd", "zt", "jan", "feb", "mär", "apr", "jun",
        "jul", "aug", "sep", "sept", "okt", "nov", "dez", "rd", "geb", "verf", "vorl",
        "drs", "top", "kap", "abschn", "begr", "allg", "einschl", "entspr", "erg", "std",
        "tel", "lfd", "gez", "bzgl", "zul", "e.v", "st",
    }
)  # fmt: skip

CITATION: Final = re.compile(r"\[(\d{1,3})\]")
"""An inline citation ``[n]`` of the n-th numbered passage."""
_CITATIONS_RUN = re.compile(r"^(?:\s*\[\d{1,3}\])+")
# a candidate end: ., ! or ? (and closing quotes/brackets), then space
_END = re.compile(r"[.!?]+[\"'“”»)]*(?=\s)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"„“»(\[]?[A-ZÄÖÜ0-9§]")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_PUNCTUATION = re.compile(r"[.!?;:]+")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")


def _is_abbreviation(text_before: str) -> bool:
    match = _WORD_BEFORE.search(text_before)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    last = word.rsplit(".", 1)[-1]
    return (
        word in ABBREVIATIONS
        or last in ABBREVIATIONS
        or len(last) == 1  # z. B., u. a., initials
        or (last.isdigit() and len(last) <= 2)  # 21. März, 3. Abschnitt; not a year
    )


def _split_line(line: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(line):
        end = match.end()
        if match.group(0).startswith(".") and _is_abbreviation(line[start : match.start()]):
            continue
        if not _NEXT_STARTS_SENTENCE.match(line, end):
            continue
        sentences.append(line[start:end].strip())
        start = end
    rest = line[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


_OPEN_END = re.compile(r"[\w,;„“\"()-]$")
_CONTINUES = re.compile(r"^[a-zäöüß]")


def _unwrap(lines: list[str]) -> list[str]:
    """Join lines that a page layout or a scan broke inside a sentence.

    ``(2) Zuständig für die Genehmigung sind`` / ``für Dienstreisen im Inland: …``: a line
    that does not end a sentence, followed by one that starts in lower case, goes on in
    the next; a word hyphenated at the line end is joined again. List items (``- …``,
    ``1. …``) stay lines of their own.
    """
    joined: list[str] = []
    for raw_line in lines:
        line = _BULLET.sub("", raw_line).strip()
        if not line:
            continue
        bullet = line != raw_line.strip()
        if joined and not bullet and _CONTINUES.match(line) and _OPEN_END.search(joined[-1]):
            previous = joined[-1]
            if re.search(r"\w-$", previous) and not re.match(r"(und|oder|bis)\b", line):
                joined[-1] = previous[:-1] + line  # "Beseiti-" / "gung"
            else:
                joined[-1] = f"{previous} {line}"
        else:
            joined.append(line)
    return joined


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; lines and list items are sentences of their own,
    unless a line goes on a sentence its predecessor began (see :func:`_unwrap`).

    Citations written after the full stop (``… 120 Euro. [1] Der …``) stay with the
    sentence before them.

    :param text: plain text, possibly with ``[n]`` citations.
    :returns: the sentences, stripped, in order.
    """
    sentences: list[str] = []
    for line in _unwrap(text.splitlines()):
        for sentence in _split_line(line):
            leading = _CITATIONS_RUN.match(sentence)
            if leading and sentences:
                sentences[-1] = f"{sentences[-1]} {leading.group(0).strip()}"
                sentence = sentence[leading.end() :].strip()
                if _PUNCTUATION.fullmatch(sentence):  # „…“ [1]. ends with the citation
                    sentences[-1] += sentence
                    continue
            if sentence:
                sentences.append(sentence)
    return sentences


def citations_in(sentence: str) -> list[int]:
    """:returns: the passage numbers a sentence cites, in order, without repeats."""
    return list(dict.fromkeys(int(number) for number in CITATION.findall(sentence)))


def strip_citations(sentence: str) -> str:
    """:returns: the sentence without its ``[n]`` citations."""
    return " ".join(CITATION.sub(" ", sentence).split())


def content_terms(text: str) -> set[str]:
    """Content words as the keyword index sees them: compounds split, stop words dropped,
    stemmed (``Hundesteuersatzung`` → ``hund``, ``steu``, ``satzung``).

    :param text: any text.
    :returns: the distinct terms, without one-letter tokens.
    """
    return {term for term in analyze(strip_citations(text)) if len(term) > 1}
