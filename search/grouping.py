"""Group fused chunks by document: one result per document with its best passages."""

from __future__ import annotations

from haystack import component

from search import fields
from search.citations import CitationBuilder
from search.fusion import FusedChunk
from search.results import DocumentHit, Passage
from search.snippets import make_snippet


def _pages(meta: dict[str, object]) -> range:
    start, end = meta.get(fields.PAGE_START), meta.get(fields.PAGE_END)
    if not isinstance(start, int):
        return range(0)
    return range(start, (end if isinstance(end, int) else start) + 1)


@component
class DocumentGrouper:
    """Turns chunk hits into document hits with citations.

    A document's score is its best chunk's score plus a small share of its next ones, so
    a document that matches in several places ranks above one lucky chunk.

    :param top_k: how many documents to return.
    :param passages_per_document: how many passages each document shows.
    :param language: language of citations (``de``/``en``).
    :param support_weight: share of the 2nd and 3rd best chunk scores added to the score.
    """

    def __init__(
        self,
        top_k: int = 10,
        passages_per_document: int = 3,
        language: str = "de",
        support_weight: float = 0.1,
    ) -> None:
        self.top_k = top_k
        self.passages_per_document = passages_per_document
        self.citations = CitationBuilder(language)
        self.support_weight = support_weight

    def _passage(self, hit: FusedChunk, query: str) -> Passage:
        meta = hit.document.meta
        text = hit.document.content or ""
        highlight = hit.highlights[0] if hit.highlights else make_snippet(text, query)
        return Passage(
            chunk_id=hit.document.id,
            text=text,
            highlight=highlight,
            page_start=meta.get(fields.PAGE_START),
            page_end=meta.get(fields.PAGE_END),
            section=meta.get(fields.SECTION) or "",
            score=round(hit.score, 6),
            citation=self.citations.cite(meta),
        )

    @component.output_types(documents=list[DocumentHit])
    def run(
        self, hits: list[FusedChunk], query: str, top_k: int | None = None
    ) -> dict[str, list[DocumentHit]]:
        """:param hits: fused chunks, best first.

        :param query: the query (for snippets of passages without highlights).
        :param top_k: overrides the number of documents.
        :returns: ``documents``: document hits, best first.
        """
        by_doc: dict[str, list[FusedChunk]] = {}
        for hit in hits:
            by_doc.setdefault(hit.document.meta[fields.DOC_ID], []).append(hit)

        def score(chunks: list[FusedChunk]) -> float:
            support = sum(chunk.score for chunk in chunks[1:3])
            return chunks[0].score + self.support_weight * support

        ranked = sorted(by_doc.values(), key=score, reverse=True)[: top_k or self.top_k]
        documents = []
        for chunks in ranked:
            best = chunks[: self.passages_per_document]
            meta = best[0].document.meta
            passages = [self._passage(chunk, query) for chunk in best]
            pages = sorted({page for chunk in best for page in _pages(chunk.document.meta)})
            documents.append(
                DocumentHit(
                    doc_id=meta[fields.DOC_ID],
                    uri=meta.get(fields.URI, ""),
                    title=meta.get(fields.TITLE) or meta.get(fields.FILENAME) or "",
                    doc_type=meta.get(fields.DOC_TYPE) or "other",
                    source=meta.get(fields.SOURCE) or "",
                    date=meta.get(fields.DATE),
                    reference=meta.get(fields.REFERENCE),
                    score=round(score(chunks), 6),
                    passages=passages,
                    pages=pages,
                    section=passages[0].section,
                    citation=passages[0].citation,
                    content_hash=meta.get(fields.CONTENT_HASH),
                    committee=list(meta.get(fields.COMMITTEE) or []),
                    department=meta.get(fields.DEPARTMENT),
                    council=meta.get(fields.COUNCIL),
                )
            )
        return {"documents": documents}
