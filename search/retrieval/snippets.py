"""Snippets for passages the keyword store did not highlight (semantic-only hits)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from search.analysis import analyze

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+|\n+")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str | None:
    """The index term of one word with the keyword store's German chain (None: stopword)."""
    terms = analyze(word)
    return terms[0] if terms else None


def _stems(text: str) -> set[str]:
    return {stem for word in _WORD.findall(text) if (stem := _stem(word))}


def make_snippet(text: str, query: str, max_chars: int = 320) -> str:
    """Pick the sentences of ``text`` that share most words with ``query`` and mark them.

    :param text: the passage.
    :param query: the query as typed.
    :param max_chars: about how long the snippet may get.
    :returns: HTML: escaped text with matching words wrapped in ``<mark>…</mark>``;
        ``…`` where text was left out.
    """
    stems = _stems(query)
    sentences = [s.strip() for s in _SENTENCES.split(text) if s.strip()]
    if not sentences:
        return ""
    scores = [len(_stems(sentence) & stems) for sentence in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    start = end = best
    length = len(sentences[best])
    while length < max_chars:
        grown = False
        if end + 1 < len(sentences) and length + len(sentences[end + 1]) <= max_chars:
            end += 1
            length += len(sentences[end]) + 1
            grown = True
        elif start > 0 and length + len(sentences[start - 1]) <= max_chars:
            start -= 1
            length += len(sentences[start]) + 1
            grown = True
        if not grown:
            break
    chosen = " ".join(sentences[start : end + 1])
    if len(chosen) > max_chars:
        chosen = chosen[:max_chars].rsplit(" ", 1)[0] + " …"
    marked = _mark(chosen, stems)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(sentences) - 1 and not chosen.endswith("…") else ""
    return f"{prefix}{marked}{suffix}"


def _mark(text: str, stems: set[str]) -> str:
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        out.append(html.escape(text[position : match.start()]))
        if _stem(word) in stems:
            out.append(f"<mark>{html.escape(word)}</mark>")
        else:
            out.append(html.escape(word))
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)
