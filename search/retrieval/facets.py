"""Facets, refinement and order of a whole match set.

A search's match set is every document that matches it (a keyword match, or a chunk close
enough to the query's meaning), not only the page on screen. Facet counts, the chips that
refine a result list and the order by date all work on that set; only the page shown
gets passages and citations.

Counts are *disjunctive*: a facet's counts obey the chips chosen in every other facet but
not its own, so choosing "Satzung" still shows how many documents the other types have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from search.core import fields

FACETS: Final = (fields.SOURCE, fields.DOC_TYPE, "year", fields.COMMITTEE, fields.DEPARTMENT)
"""The facets a result list is counted and refined by."""

SortOrder = Literal["relevance", "date_desc", "date_asc"]
SORT_ORDERS: tuple[SortOrder, ...] = ("relevance", "date_desc", "date_asc")
Refinement = Mapping[str, Sequence[str]]
"""Chosen facet values: ``{"doc_type": ["satzung"], "year": ["2024", "2023"]}``."""


def facet_values(meta: Mapping[str, Any], facet: str) -> list[str]:
    """:returns: a document's values of a facet (a document may sit in several
    committees; none when it lacks the field)."""
    if facet == "year":
        day = meta.get(fields.DATE)
        return [str(day)[:4]] if day else []
    value = meta.get(facet)
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item not in (None, "")]
    return [str(value)]


def check_refinement(refinement: Refinement | None) -> dict[str, list[str]]:
    """:returns: the refinement without empty facets.

    :raises ValueError: for a facet that is not one of :data:`FACETS`.
    """
    chosen = {facet: list(values) for facet, values in (refinement or {}).items() if values}
    unknown = sorted(set(chosen) - set(FACETS))
    if unknown:
        msg = f"unknown facet {', '.join(unknown)}; use one of {', '.join(FACETS)}"
        raise ValueError(msg)
    return chosen


def _keeps(meta: Mapping[str, Any], refinement: Mapping[str, Sequence[str]], skip: str) -> bool:
    return all(
        set(facet_values(meta, facet)) & set(values)
        for facet, values in refinement.items()
        if facet != skip
    )


@dataclass(frozen=True, slots=True)
class MatchSet:
    """A refined, ordered match set: what a result list pages through.

    :param doc_ids: the documents the refinement keeps, in the chosen order.
    :param facets: per facet, the number of documents with each value (disjunctive).
    """

    doc_ids: list[str]
    facets: dict[str, dict[str, int]]


def refine(
    ranked: Sequence[str],
    metas: Mapping[str, Mapping[str, Any]],
    refinement: Refinement | None = None,
    order: SortOrder = "relevance",
) -> MatchSet:
    """Count, refine and order a match set.

    :param ranked: every matching document, best first.
    :param metas: each document's meta (at least :data:`search.core.fields.FACET_META_KEYS`).
    :param refinement: the chosen facet values.
    :param order: ``relevance`` (as ranked) or by date, newest or oldest first; undated
        documents come last, in ranked order.
    :returns: the kept documents in order, and the facet counts.
    """
    chosen = check_refinement(refinement)
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        counts = Counter(
            value
            for doc_id in ranked
            if _keeps(metas[doc_id], chosen, facet)
            for value in facet_values(metas[doc_id], facet)
        )
        if counts:
            facets[facet] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    kept = [doc_id for doc_id in ranked if _keeps(metas[doc_id], chosen, "")]
    if order != "relevance":
        dated = [doc_id for doc_id in kept if metas[doc_id].get(fields.DATE)]
        undated = [doc_id for doc_id in kept if not metas[doc_id].get(fields.DATE)]
        # stable: documents of the same day stay in ranked order
        dated.sort(key=lambda doc_id: str(metas[doc_id][fields.DATE]), reverse=order == "date_desc")
        kept = dated + undated
    return MatchSet(doc_ids=kept, facets=facets)
