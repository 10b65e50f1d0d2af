"""Index definition and query bodies for the Elasticsearch keyword store.

The mapping mirrors the tantivy schema (:func:`search.stores.tantivy_store.build_schema`):
``content`` and ``title`` with the German analyser, the filter fields as keywords, ``date``
as a date, and the whole meta stored unindexed so a hit can rebuild the chunk.
Whole-document records share the index (``level``: ``document``) but have their own text
fields, so BM25's statistics of chunks and of documents stay apart, as in tantivy's two
indexes.

Queries are rendered from the parsed query tree (:mod:`search.stores.query_syntax`) into
``bool``/``match`` clauses, not passed to ``simple_query_string``: that parser knows
no ``AND``/``OR``/``NOT`` words, and with ``default_operator: OR`` it reads ``a -b`` as
"a or anything without b". Rendering the same tree as tantivy keeps both backends'
results the same.
"""

from __future__ import annotations

from typing import Any, Final

from search.analysis import ANALYSIS_VERSION, GERMAN_ANALYZER, elasticsearch_analysis_settings
from search.core import fields
from search.filters import SearchFilters
from search.stores.common import CONTENT, LEVEL, META, as_date, keyword_filters
from search.stores.query_syntax import Group, Occur, Terms

SCHEMA_VERSION: Final = 3
"""Bumped when the mapping changes; stored in the index's ``_meta``."""

_TEXT = {"type": "text", "analyzer": GERMAN_ANALYZER}
_KEYWORD = {"type": "keyword"}
DOCUMENT_CONTENT: Final = "document_content"
DOCUMENT_TITLE: Final = "document_title"


def index_body(index_alias: str) -> dict[str, Any]:
    """:returns: settings, mappings and alias for a new concrete index behind ``index_alias``."""
    return {
        "settings": {"analysis": elasticsearch_analysis_settings()},
        "mappings": {
            "dynamic": "strict",
            "_meta": {"auskunft_schema": SCHEMA_VERSION, "auskunft_analysis": ANALYSIS_VERSION},
            "properties": {
                fields.CHUNK_ID: _KEYWORD,
                LEVEL: _KEYWORD,
                fields.DOC_ID: _KEYWORD,
                fields.SOURCE: _KEYWORD,
                fields.DOC_TYPE: _KEYWORD,
                fields.ACCESS_GROUPS: _KEYWORD,
                fields.DATE: {"type": "date", "format": "strict_date"},
                fields.TITLE: _TEXT,
                CONTENT: _TEXT,
                DOCUMENT_TITLE: _TEXT,
                DOCUMENT_CONTENT: _TEXT,
                META: {"type": "object", "enabled": False},
            },
        },
        "aliases": {index_alias: {"is_write_index": True}},
    }


def is_compatible(mapping_meta: dict[str, Any] | None) -> bool:
    """:returns: whether an existing index's ``_meta`` matches this version."""
    meta = mapping_meta or {}
    return (
        meta.get("auskunft_schema") == SCHEMA_VERSION
        and meta.get("auskunft_analysis") == ANALYSIS_VERSION
    )


def text_query(group: Group, title_boost: float, *, documents: bool = False) -> dict[str, Any]:
    """Render a parsed query.

    :param group: the query tree (not empty).
    :param title_boost: weight of title matches.
    :param documents: search the whole-document fields instead of the chunk fields.
    :returns: an Elasticsearch query clause.
    """
    buckets: dict[Occur, list[dict[str, Any]]] = {occur: [] for occur in Occur}
    for clause in group.clauses:
        if isinstance(clause.node, Terms):
            rendered = _terms(clause.node, title_boost, documents=documents)
        else:
            rendered = text_query(clause.node, title_boost, documents=documents)
        buckets[clause.occur].append(rendered)
    query: dict[str, Any] = {}
    if buckets[Occur.MUST] or group.only_excludes:
        query["must"] = buckets[Occur.MUST] or [{"match_all": {}}]
    if buckets[Occur.SHOULD]:
        query["should"] = buckets[Occur.SHOULD]
    if buckets[Occur.MUST_NOT]:
        query["must_not"] = buckets[Occur.MUST_NOT]
    return {"bool": query}


def _terms(terms: Terms, title_boost: float, *, documents: bool) -> dict[str, Any]:
    content, title = (DOCUMENT_CONTENT, DOCUMENT_TITLE) if documents else (CONTENT, fields.TITLE)
    kind = "match_phrase" if terms.is_phrase else "match"
    # the sum of the content's and the boosted title's scores, as tantivy's Boolean
    # "should" over both fields; multi_match (best_fields, phrase) would take the larger
    return {
        "bool": {
            "should": [
                {kind: {content: {"query": terms.text}}},
                {kind: {title: {"query": terms.text, "boost": title_boost}}},
            ],
            "minimum_should_match": 1,
        }
    }


def filter_clauses(filters: SearchFilters | None) -> list[dict[str, Any]]:
    """:returns: ``bool.filter`` clauses for the filters (every one must hold)."""
    if filters is None:
        return []
    clauses: list[dict[str, Any]] = []
    for key, values in keyword_filters(filters):
        clauses.append({"terms": {key: values}})
    if filters.has_date_range:
        bounds = {}
        if filters.date_from is not None:
            bounds["gte"] = as_date(filters.date_from).isoformat()
        if filters.date_to is not None:
            bounds["lte"] = as_date(filters.date_to).isoformat()
        clauses.append({"range": {fields.DATE: bounds}})
    return clauses


def highlight(snippet_chars: int) -> dict[str, Any]:
    """:returns: the highlight request: one passage of ``content``, HTML-escaped."""
    return {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "fields": {CONTENT: {"fragment_size": snippet_chars, "number_of_fragments": 1}},
    }
