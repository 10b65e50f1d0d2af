"""Research for one question of an inquiry: the passages offered to answer it.

:func:`research` is a pure function of a search callable, so the service calls it with
the caller's search and a benchmark with its own.

**Context.** A question often leans on its inquiry ("Welche Kosten wurden *dort*
eingespart?", "Gilt *diese Maßnahme* noch?"). The question is searched as asked; when
the inquiry's title (else the first sentence of its preamble) has content words the
question lacks (at most :data:`MAX_CONTEXT_WORDS`, inquiry boilerplate such as
*Anfrage*, *Fraktion*, *Verwaltung* left out), a second search of the question plus those
words runs, and the two rankings are fused by reciprocal rank with the second at half
weight (:data:`CONTEXT_WEIGHT`): a passage both find ranks first, one only the context
finds still enters, but the question's own words lead. Nothing here is measured yet.

**Kinds**, in the order offered (by score within a kind):

1. ``reply`` — an earlier answer to an inquiry. A document answers an inquiry when its
   council paper type is an *Anfrage* (OParl: the paper and its files, which hold the
   *Stellungnahme*), or its title or one of its passages names an *Anfrage* together
   with an answer (*Antwort*, *Stellungnahme*, *Beantwortung*). Within it, a passage
   under an inquiry heading (its innermost heading, or without a section its first line,
   starts with *Anfrage*, *Fragen*, *Begründung*, *Sachverhalt* and names no answer) is
   the earlier question, not its answer, and counts as ``other``; every other passage
   (under *Antwort der Verwaltung*, *Zu Frage 2*, Karlsruhe's *Frage 3*, or none) is a
   reply.
2. ``decision`` — council papers (document type ``decision``: Beschlussvorlagen,
   Niederschriften).
3. ``rule`` — statutes and guidance (types ``statute``, ``guidance``); a rule not in
   force on the Rechtsstand (*Außer Kraft*, *Tritt erst … in Kraft*) or a passage of an
   earlier wording comes after the rules in force.
4. ``other`` — everything else.

At most :data:`TOP_PASSAGES` passages are offered, each with document, chunk, citation,
page, section, kind, date and reference. Measured (``benchmarks/case_material.py``): the
gold answer passage is among them for 0.426 of the karlsruhe questions. Taking the ten
best by relevance first (documents in rank order with their passages) and showing them
kind by kind found more (0.463) but was not kept: on the sample corpus the dog-tax
question's first two passages then were the amendment's table and header, whose
extractive draft loses the 120 € row (tests/ui/api/test_cases.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from search.answers.sentences import content_terms
from search.cases.case import OfferedPassage, PassageKind
from search.results import DocumentHit, Passage, SearchResponse

TOP_PASSAGES: Final = 10
CANDIDATE_DOCUMENTS: Final = 20
"""Documents asked of each search."""
CONTEXT_WEIGHT: Final = 0.5
MAX_CONTEXT_WORDS: Final = 8
RANK_CONSTANT: Final = 60
"""The usual constant of reciprocal rank fusion."""

_BOILERPLATE: Final = frozenset(
    {
        "anfrage", "anfragen", "fraktion", "fraktionen", "stadtrat", "stadträtin", "stadträte",
        "gemeinderat", "gemeinderätin", "verwaltung", "bürgermeister", "bürgermeisterin",
        "oberbürgermeister", "oberbürgermeisterin", "drucksache", "antrag", "betreff",
        "beantwortung", "stellungnahme", "frage", "fragen", "schriftliche", "schriftlich",
        "sitzung", "vom",
    }
)  # fmt: skip
_WORD: Final = re.compile(r"[A-Za-zÄÖÜäöüß][\w-]{2,}")
_REPLY_DOCUMENT: Final = re.compile(r"\bAnfrage", re.IGNORECASE)
_ANSWER: Final = re.compile(r"\b(?:Antwort|Stellungnahme|Beantwortung)", re.IGNORECASE)
_REPLY_TEXT: Final = re.compile(
    r"\b(?:Stellungnahme|Antwort)\s+(?:zur\s+Anfrage|der\s+Verwaltung)", re.IGNORECASE
)
_INQUIRY_HEADING: Final = re.compile(
    r"(?:Anfrage|Fragen?(?!\s*\d)|Begründung|Sachverhalt)\b"
    r"(?!.*\b(?:Antwort|Stellungnahme)).{0,120}",
    re.IGNORECASE,
)
_NOT_IN_FORCE: Final = ("Außer Kraft", "Tritt erst", "Repealed", "In force only")
_ORDER: Final[dict[str, int]] = {"reply": 0, "decision": 1, "rule": 2, "other": 4}

Search = Callable[..., SearchResponse]
"""``search(query, top_k=n)``: a search with the caller's access groups and filters."""


def context_words(question: str, title: str | None, preamble: str | None) -> list[str]:
    """The words of the inquiry's title (else of its preamble's first sentence) that may
    say what the question refers to: content words the question lacks, boilerplate left
    out, at most :data:`MAX_CONTEXT_WORDS`.

    :returns: the words as written, in their order.
    """
    source = (title or "").strip()
    if not source and preamble:
        source = re.split(r"(?<=[.!?:])\s", preamble.strip(), maxsplit=1)[0]
    asked = content_terms(question)
    words: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(source):
        if word.lower() in _BOILERPLATE:
            continue
        terms = content_terms(word)
        if not terms or terms <= asked or terms <= seen:
            continue
        seen |= terms
        words.append(word)
        if len(words) == MAX_CONTEXT_WORDS:
            break
    return words


def _ranked(response: SearchResponse) -> Iterator[tuple[DocumentHit, Passage]]:
    """Passages best first: each document's best passage before any second one."""
    depth = max((len(hit.passages) for hit in response.results), default=0)
    for level in range(depth):
        for hit in response.results:
            if level < len(hit.passages):
                yield hit, hit.passages[level]


def _answers_inquiry(hit: DocumentHit) -> bool:
    council = hit.council or {}
    if _REPLY_DOCUMENT.search(str(council.get("paper_type") or "")):
        return True
    if _REPLY_DOCUMENT.search(hit.title) and _ANSWER.search(hit.title):
        return True
    return any(_REPLY_TEXT.search(passage.text[:400]) for passage in hit.passages)


def passage_kind(hit: DocumentHit, passage: Passage) -> PassageKind:
    """:returns: the kind of a passage (see the module docstring)."""
    if _answers_inquiry(hit):
        # the innermost heading: the section's last part, else the passage's first line
        if passage.section:
            innermost = passage.section.split("›")[-1]
        else:
            innermost = passage.text.strip().split("\n", 1)[0]
        return "other" if _INQUIRY_HEADING.fullmatch(innermost.strip()) else "reply"
    if hit.doc_type == "decision":
        return "decision"
    if hit.doc_type in ("statute", "guidance"):
        return "rule"
    return "other"


def _in_force(hit: DocumentHit, passage: Passage) -> bool:
    return passage.superseded is None and not any(
        note.startswith(_NOT_IN_FORCE) for note in hit.validity
    )


def _offered(hit: DocumentHit, passage: Passage, score: float) -> OfferedPassage:
    return OfferedPassage(
        chunk_id=passage.chunk_id,
        doc_id=hit.doc_id,
        title=hit.title,
        citation=passage.citation or hit.citation,
        page_start=passage.page_start,
        page_end=passage.page_end,
        section=passage.section,
        kind=passage_kind(hit, passage),
        date=hit.date,
        reference=hit.reference,
        text=passage.text,
        score=round(score, 6),
        content_hash=hit.content_hash,
        uri=hit.uri,
        validity=list(hit.validity),
        superseded=passage.superseded,
    )


def research(
    search: Search,
    question: str,
    *,
    title: str | None = None,
    preamble: str | None = None,
    limit: int = TOP_PASSAGES,
) -> list[OfferedPassage]:
    """The passages to offer for one question of an inquiry.

    :param search: ``search(query, top_k=n)`` with the caller's access groups.
    :param question: the question as edited.
    :param title: the inquiry's title (context: what the question refers to).
    :param preamble: the inquiry's preamble (context when there is no title).
    :param limit: how many passages at most.
    :returns: earlier replies first, then decisions, rules in force, the rest; each kind
        by fused score.
    """
    scores: dict[str, float] = {}
    found: dict[str, tuple[DocumentHit, Passage]] = {}
    searches: list[tuple[str, float]] = [(question, 1.0)]
    extra = context_words(question, title, preamble)
    if extra:
        searches.append((f"{question} {' '.join(extra)}", CONTEXT_WEIGHT))
    for query, weight in searches:
        response = search(query, top_k=CANDIDATE_DOCUMENTS)
        for rank, (hit, passage) in enumerate(_ranked(response)):
            key = passage.chunk_id
            scores[key] = scores.get(key, 0.0) + weight / (RANK_CONSTANT + rank + 1)
            found.setdefault(key, (hit, passage))
    offered = [_offered(*found[key], score) for key, score in scores.items()]

    def order(item: OfferedPassage) -> tuple[Any, ...]:
        hit, passage = found[item.chunk_id]
        group = _ORDER[item.kind]
        if item.kind == "rule" and not _in_force(hit, passage):
            group = 3
        return group, -item.score

    offered.sort(key=order)
    return offered[:limit]
