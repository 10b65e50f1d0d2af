"""Where a cited passage is on a page: the boxes to highlight.

A chunk's text is not the page's text: the parser joined lines, dropped running heads,
undid hyphenation at line ends and repaired OCR ("§" for "8"), and a chunk may begin on
the page before or end on the next. So both sides become sequences of normalised words
(case-folded, letters and digits only, a word broken by a hyphen at a line end joined
again), :class:`difflib.SequenceMatcher` aligns them, and the longest run of aligned
words is the passage on this page; a word misread here and there leaves a small gap on
both sides and does not break the run. A run counts when it holds most of the passage, or
its first or last words (a passage running over a page break), so a phrase that recurs
elsewhere on a page ("die Steuer beträgt") is not taken for it.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence

from ingest.pipeline.page_words import Box, PageWord

_MIN_RUN = 2
"""Aligned runs shorter than this are chance (``der``, ``und``) unless the passage is short."""
_GAP = 15
"""Words between two aligned runs, on the page or in the passage, that still join them (a
misread word, a running head or foot line)."""
_EDGE = 1
"""How far from the passage's first or last word a part of it found on a page may start
or end (a misread word) to count as its head or its tail across a page break."""
_MIN_PART = 3
"""The fewest aligned words of a head or tail of a passage."""


def _normal(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).casefold()
    return "".join(ch for ch in word if ch.isalnum())


def normal_words(words: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """Normalise words for alignment.

    :param words: the words as printed, in order.
    :returns: the normalised words and, for each, the indices of the printed words it
        came from (two for a word hyphenated at a line end). Punctuation-only words are
        left out.
    """
    normal: list[str] = []
    origins: list[list[int]] = []
    pending: tuple[str, list[int]] | None = None
    for index, word in enumerate(words):
        text, sources = _normal(word), [index]
        if pending is not None:
            if word[:1].islower():  # "Hunde-" "steuer" is one word
                text, sources = pending[0] + text, pending[1] + sources
            else:  # "Hunde-" "und Katzensteuer"
                normal.append(pending[0])
                origins.append(pending[1])
            pending = None
        if not text:
            continue
        if word.endswith("-") and word[-2:-1].isalpha():
            pending = (text, sources)
            continue
        normal.append(text)
        origins.append(sources)
    if pending is not None:
        normal.append(pending[0])
        origins.append(pending[1])
    return normal, origins


def _clusters(blocks: list[difflib.Match]) -> list[list[difflib.Match]]:
    """Group aligned runs that follow each other closely on the page and in the passage."""
    clusters: list[list[difflib.Match]] = []
    for block in blocks:
        if clusters:
            last = clusters[-1][-1]
            page_gap = block.a - (last.a + last.size)
            passage_gap = block.b - (last.b + last.size)
            if page_gap <= _GAP and passage_gap <= _GAP:
                clusters[-1].append(block)
                continue
        clusters.append([block])
    return clusters


def _is_passage(cluster: list[difflib.Match], length: int) -> bool:
    """Whether aligned runs are the passage: most of it, or its head or tail (a passage
    running over a page break), not a phrase that happens to recur."""
    aligned = sum(block.size for block in cluster)
    if aligned >= length / 2:
        return True
    head = cluster[0].b <= _EDGE
    tail = cluster[-1].b + cluster[-1].size >= length - _EDGE
    return aligned >= _MIN_PART and (head or tail)


def passage_words(words: Sequence[PageWord], passage: str) -> list[int]:
    """Find a passage among a page's words.

    :param words: the page's words in reading order.
    :param passage: the passage text (a chunk).
    :returns: the indices of the page's words that belong to the passage, in order;
        empty when it is not on this page.
    """
    page_normal, origins = normal_words([word.text for word in words])
    passage_normal, _ = normal_words(passage.split())
    if not page_normal or not passage_normal:
        return []
    matcher = difflib.SequenceMatcher(None, page_normal, passage_normal, autojunk=False)
    least = min(_MIN_RUN, len(passage_normal))
    blocks = [block for block in matcher.get_matching_blocks() if block.size >= least]
    found = [c for c in _clusters(blocks) if _is_passage(c, len(passage_normal))]
    if not found:
        return []
    cluster = max(found, key=lambda c: sum(block.size for block in c))
    first = origins[cluster[0].a][0]
    last = origins[cluster[-1].a + cluster[-1].size - 1][-1]
    # the "§" of "§ 3 Steuersatz" (a sign alone is no word to align) begins the passage
    while first > 0 and not _normal(words[first - 1].text):
        first -= 1
    return list(range(first, last + 1))


def line_boxes(words: Sequence[PageWord]) -> list[Box]:
    """Merge the boxes of consecutive words on one line into one box per line.

    :param words: words in reading order.
    :returns: one box per line (a new box where a word does not continue the line).
    """
    boxes: list[Box] = []
    for word in words:
        x0, y0, x1, y1 = word.box
        if boxes:
            a0, b0, a1, b1 = boxes[-1]
            middle = (y0 + y1) / 2
            if b0 <= middle <= b1 and x0 >= a0:
                boxes[-1] = (a0, min(b0, y0), max(a1, x1), max(b1, y1))
                continue
        boxes.append(word.box)
    return boxes


def passage_boxes(words: Sequence[PageWord], passage: str) -> list[Box]:
    """:returns: the boxes to highlight for a passage on a page, one per line (empty when
    the passage is not found on the page)."""
    return line_boxes([words[index] for index in passage_words(words, passage)])
