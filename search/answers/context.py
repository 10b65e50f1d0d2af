"""The numbered passages an answer is drafted from, packed to the model's context budget.

Passage ``[n]`` of an answer is ``sources[n - 1]``: the number is what the model cites,
the verification checks and the interface links to document, section and page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from search.answers.injection import neutralise
from search.results import SearchResponse

CHARS_PER_TOKEN = 2.2
"""A cautious estimate for German text: small models' tokenisers are English-centric
(SmolLM2 takes about 2.4 characters of a German statute per token)."""
MIN_PASSAGE_CHARS = 200
"""A passage cut shorter than this is left out rather than given as a fragment."""


def estimate_tokens(text: str) -> int:
    """:returns: a cautious estimate of the tokens ``text`` takes."""
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass(slots=True)
class SourcePassage:
    """One numbered passage given to the model (or quoted by the summary).

    :param number: its number in the answer, from 1.
    :param chunk_id: the chunk's id.
    :param doc_id: the document's id.
    :param content_hash: SHA-256 of the document's original file, as indexed.
    :param title: the document title.
    :param citation: document, section and page, as shown with search results.
    :param section: the section path.
    :param page_start: first page, if the format has pages.
    :param page_end: last page.
    :param uri: where the original lives.
    :param text: the passage text as retrieved (possibly cut to the budget).
    :param prompt_text: the text as given to the model, instructions to an AI replaced.
    :param instructions: sentences of the passage that addressed an AI model.
    :param superseded: what says the passage is an earlier wording (an amendment in force
        changed its provision), if it is.
    """

    number: int
    chunk_id: str
    doc_id: str
    content_hash: str | None
    title: str
    citation: str
    section: str
    page_start: int | None
    page_end: int | None
    uri: str
    text: str
    prompt_text: str = ""
    instructions: list[str] = field(default_factory=list)
    superseded: str | None = None
    current: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return asdict(self)


def ranked_sources(response: SearchResponse, limit: int) -> list[SourcePassage]:
    """Every passage of a result list, best first, numbered.

    The best passage of each document comes before any document's second one, in the
    order of the documents, so a few passages cover several documents; the text of an
    amendment in force (``current``) comes first. A passage of an earlier wording keeps its
    place, marked ``superseded`` (the prompt says so; the extract ranks its sentences
    last).

    :param response: the search response.
    :param limit: how many passages at most.
    :returns: numbered passages (text as retrieved).
    """
    ordered = [
        (passage.current is None, rank, position, hit, passage)
        for position, hit in enumerate(response.results)
        for rank, passage in enumerate(hit.passages)
    ]
    ordered.sort(key=lambda item: item[:3])
    sources = []
    for number, (*_, hit, passage) in enumerate(ordered[:limit], start=1):
        prompt_text, instructions = neutralise(passage.text)
        sources.append(
            SourcePassage(
                number=number,
                chunk_id=passage.chunk_id,
                doc_id=hit.doc_id,
                content_hash=hit.content_hash,
                title=hit.title,
                citation=passage.citation,
                section=passage.section,
                page_start=passage.page_start,
                page_end=passage.page_end,
                uri=hit.uri,
                text=passage.text,
                prompt_text=prompt_text,
                instructions=instructions,
                superseded=passage.superseded,
                current=passage.current,
            )
        )
    return sources


def pack_sources(
    response: SearchResponse, *, budget_tokens: int, max_passages: int
) -> list[SourcePassage]:
    """The passages that fit the prompt's budget, best first; the last one may be cut.

    :param response: the search response.
    :param budget_tokens: tokens the passages may take together (delimiters included).
    :param max_passages: how many passages at most.
    :returns: numbered passages whose ``prompt_text`` fits the budget.
    """
    packed: list[SourcePassage] = []
    left = budget_tokens
    for source in ranked_sources(response, max_passages):
        overhead = estimate_tokens(source.citation) + 16  # delimiters and header line
        needed = estimate_tokens(source.prompt_text) + overhead
        if needed > left:
            room = int((left - overhead) * CHARS_PER_TOKEN)
            if room < MIN_PASSAGE_CHARS:
                break
            cut = source.prompt_text[:room].rsplit(" ", 1)[0] + " …"
            source.prompt_text = cut
            source.text = source.text[: len(cut)]
            packed.append(source)
            break
        packed.append(source)
        left -= needed
    return packed
