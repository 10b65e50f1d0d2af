"""The reply letter of a case as one viewer may see it: each question with its answer,
the sources numbered once for the whole letter, and the release remark.

Sources the viewer may not see are left out, and so is every sentence of an answer that
cites only such sources (their markers are taken out of the others); the letter then says
how many ("1 Quelle nicht sichtbar"). :mod:`search.cases.export` renders it as DOCX or ODT.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from search.answers.sentences import CITATION, citations_in, split_sentences
from search.cases.case import NOT_RELEASED_MARK, Case, OfferedPassage
from search.citations import format_pages

BERLIN: Final = ZoneInfo("Europe/Berlin")


def hidden_note(count: int) -> str:
    """:returns: what the letter says of sources the viewer may not see (``""`` if none)."""
    if not count:
        return ""
    return f"{count} Quelle nicht sichtbar" if count == 1 else f"{count} Quellen nicht sichtbar"


def local_time(iso: str) -> str:
    """:returns: an ISO time as ``dd.mm.yyyy, hh:mm Uhr`` in Europe/Berlin."""
    return datetime.fromisoformat(iso).astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


@dataclass(slots=True)
class LetterSource:
    """One entry of the letter's numbered source list."""

    number: int
    text: str
    chunk_id: str
    doc_id: str


@dataclass(slots=True)
class LetterItem:
    """One question with its answer (``[n]`` numbered as the letter's source list)."""

    label: str
    question: str
    answer: str
    ai: bool


@dataclass(slots=True)
class Letter:
    """A case's reply, ready to render."""

    title: str
    reference: str | None
    items: list[LetterItem]
    sources: list[LetterSource]
    remark: str
    hidden: int = 0
    notes: list[str] = field(default_factory=list)


def source_text(item: OfferedPassage) -> str:
    """:returns: a source line: document, §/TOP, page (the search's citation, or built
    from title, section and pages)."""
    if item.citation:
        return item.citation
    parts = [item.title, item.section, format_pages(item.page_start, item.page_end)]
    return ", ".join(part for part in parts if part)


def visible_text(text: str, numbers: dict[int, int], hidden: set[int]) -> str:
    """The answer with its markers renumbered; sentences citing only hidden sources go."""
    kept = []
    for sentence in split_sentences(text) or [text]:
        cited = citations_in(sentence)
        if cited and all(number in hidden for number in cited):
            continue

        def mark(match: re.Match[str]) -> str:
            number = int(match[1])
            if number in hidden:
                return ""
            return f"[{numbers[number]}]" if number in numbers else ""

        kept.append(" ".join(CITATION.sub(mark, sentence).split()).replace(" .", "."))
    return " ".join(kept)


def compose(case: Case, visible: Callable[[str], bool]) -> Letter:
    """The reply letter of a case for one viewer.

    :param case: the case.
    :param visible: whether the viewer may see a document (by id).
    :returns: the letter; ``hidden`` counts the sources left out.
    """
    sources: dict[str, LetterSource] = {}
    hidden_chunks: set[str] = set()
    items = []
    for position, question in enumerate(case.questions, start=1):
        draft = question.draft
        numbers: dict[int, int] = {}
        hidden: set[int] = set()
        for number, item in enumerate(draft.sources if draft else [], start=1):
            if not visible(item.doc_id):
                hidden.add(number)
                hidden_chunks.add(item.chunk_id)
                continue
            if item.chunk_id not in sources:
                sources[item.chunk_id] = LetterSource(
                    len(sources) + 1, source_text(item), item.chunk_id, item.doc_id
                )
            numbers[number] = sources[item.chunk_id].number
        answer = visible_text(draft.text, numbers, hidden) if draft and draft.text else ""
        items.append(
            LetterItem(
                label=question.label or f"{position}.",
                question=question.text,
                answer=answer,
                ai=draft.ai if draft else True,
            )
        )
    if case.status == "released" and case.released_by and case.released_at:
        remark = f"Freigegeben von {case.released_by} am {local_time(case.released_at)}"
    else:
        remark = NOT_RELEASED_MARK
    note = hidden_note(len(hidden_chunks))
    return Letter(
        title=case.title,
        reference=case.reference,
        items=items,
        sources=list(sources.values()),
        remark=remark,
        hidden=len(hidden_chunks),
        notes=[note] if note else [],
    )
