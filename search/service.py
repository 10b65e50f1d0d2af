"""The search service: what the CLI and the UI call to search.

It assembles a Haystack pipeline per mode from the retrievers, fusion and grouping
components, applies the user's access groups to every search, and opens stores and the
embedding model lazily, once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from types import TracebackType
from typing import Any

from haystack import Pipeline
from haystack.core.errors import PipelineRuntimeError

from search.backends import open_embedder, open_keyword_store, open_vector_store
from search.core.errors import AuskunftError, BackendError, BackendUnavailable, QueryError
from search.core.settings import Settings
from search.embedders import CachedEmbedder
from search.filters import SearchFilters
from search.relations import DocumentRelations, RelationStore, today
from search.results import SEARCH_MODES, SearchMode, SearchResponse
from search.retrieval.facets import SORT_ORDERS, Refinement, SortOrder, check_refinement
from search.retrieval.fusion import RankFusion
from search.retrieval.grouping import DocumentGrouper
from search.retrieval.keyword_retriever import KeywordRetriever
from search.retrieval.vector_retriever import VectorRetriever
from search.stores.base import KeywordStore, VectorStore

logger = logging.getLogger(__name__)

NOTHING_MATCHES = (
    "Kein Dokument passt: keines enthält die Suchwörter, keines kommt der Anfrage inhaltlich "
    "nahe genug. / Nothing matches: no document contains the query's words, and none comes "
    "close enough in meaning."
)


@dataclass(frozen=True, slots=True)
class Page:
    """Which page of a match set to return, in which order, refined how (the grouper's
    inputs)."""

    top_k: int | None
    offset: int
    order: SortOrder
    refinement: dict[str, list[str]]
    as_of: str | None = None
    in_force_only: bool = False


def _day(value: str | None) -> str:
    """:returns: ``value`` as an ISO date (today when ``None``).

    :raises QueryError: when it is not a date.
    """
    if value is None:
        return today()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        msg = f"as_of must be a date YYYY-MM-DD, got {value!r}"
        raise QueryError(msg) from exc


class SearchService:
    """Hybrid, keyword and semantic search with citations.

    :param settings: the settings.
    :param keyword_store: an open keyword store (default: the configured one).
    :param vector_store: an open vector store (default: the configured one).
    :param embedder: the embedder (default: the configured one, cached).
    :param hold_vector_store: keep the vector store open between searches. The embedded
        vector index can be opened by one process only, so a long-running process that is
        not the writer (the UI) passes ``False``: it opens the index per search and leaves
        it to an ingestion in between.
    """

    def __init__(
        self,
        settings: Settings,
        keyword_store: KeywordStore | None = None,
        vector_store: VectorStore | None = None,
        embedder: CachedEmbedder | None = None,
        *,
        hold_vector_store: bool = True,
    ) -> None:
        self.settings = settings
        self.hold_vector_store = hold_vector_store
        self._keyword_store = keyword_store
        self._vector_store = vector_store
        self._embedder = embedder
        self._pipelines: dict[SearchMode, Pipeline] = {}
        self._failed_component: str | None = None
        self._relations: RelationStore | None = None

    @property
    def embedder(self) -> CachedEmbedder:
        """:returns: the embedder (loaded on first use)."""
        if self._embedder is None:
            self._embedder = open_embedder(self.settings)
        return self._embedder

    @property
    def keyword_store(self) -> KeywordStore:
        """:returns: the keyword store (opened on first use)."""
        if self._keyword_store is None:
            self._keyword_store = open_keyword_store(self.settings)
        return self._keyword_store

    @property
    def vector_store(self) -> VectorStore:
        """:returns: the vector store (opened on first use)."""
        if self._vector_store is None:
            self._vector_store = open_vector_store(self.settings, self.embedder.dimension)
        return self._vector_store

    def relations(self) -> Mapping[str, DocumentRelations]:
        """:returns: every document's relations (amendments, time in force), as the last
        ingestion linked them; none when they cannot be read (the search goes on)."""
        try:
            if self._relations is None:
                self._relations = RelationStore.open(self.settings)
            return self._relations.all()
        except AuskunftError:
            logger.warning("The relations of the documents cannot be read", exc_info=True)
            return {}

    def pipeline(self, mode: SearchMode) -> Pipeline:
        """:returns: the Haystack pipeline of a mode (built once)."""
        if mode not in self._pipelines:
            self._pipelines[mode] = self._build(mode)
        return self._pipelines[mode]

    def _build(self, mode: SearchMode) -> Pipeline:
        config = self.settings.search
        pipeline = Pipeline()
        pipeline.add_component("fusion", RankFusion(config))
        # chunks to cite for documents found only as a whole (keyword search)
        store = self.keyword_store if mode != "semantic" else None
        grouper = DocumentGrouper(
            config, language=self.settings.language, store=store, relations=self.relations
        )
        pipeline.add_component("grouper", grouper)
        if mode in ("hybrid", "keyword"):
            # every whole-document match: the match set that facets count and pages reach
            retriever = KeywordRetriever(
                self.keyword_store, top_k=config.candidates, document_top_k=config.max_matches
            )
            pipeline.add_component("keyword", retriever)
            pipeline.connect("keyword.hits", "fusion.keyword_hits")
            pipeline.connect("keyword.documents", "grouper.document_hits")
        if mode in ("hybrid", "semantic"):
            vectors = VectorRetriever(self.vector_store, self.embedder, top_k=config.candidates)
            pipeline.add_component("vector", vectors)
            pipeline.connect("vector.hits", "fusion.vector_hits")
        pipeline.connect("fusion.hits", "grouper.hits")
        return pipeline

    def search(
        self,
        query: str,
        *,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
        user_groups: Sequence[str] | None = None,
        top_k: int | None = None,
        offset: int = 0,
        order: SortOrder = "relevance",
        refinement: Refinement | None = None,
        as_of: str | None = None,
        in_force_only: bool = False,
    ) -> SearchResponse:
        """Search.

        :param query: the query as typed.
        :param mode: ``hybrid`` (default), ``keyword`` or ``semantic``.
        :param filters: restrictions on source, type, date, documents.
        :param user_groups: the user's access groups (default: ``search.default_access_groups``);
            always applied, whatever ``filters.access_groups`` says.
        :param top_k: number of documents (default: ``search.top_k``).
        :param offset: documents of the match set to skip (a later page).
        :param order: ``relevance``, ``date_desc`` or ``date_asc``, over the whole match set.
        :param refinement: facet values the documents must have (:mod:`search.retrieval.facets`).
        :param as_of: the *Rechtsstand* (ISO date; default today): rules in force on that
            day rank first, an amendment in force before the statute it amends, and each
            hit of an amended or repealed rule says so.
        :param in_force_only: leave out rules not in force on ``as_of``.
        :returns: a page of documents with passages and citations, the size of the whole
            match set and its facet counts; when no candidate matches the keywords or
            reaches ``search.semantic_min_score``, none, with a notice saying so.
        :raises QueryError: for an unknown mode, order or facet, or a negative offset.
        :raises BackendError: when a store or the embedder fails.
        """
        if mode not in SEARCH_MODES:
            msg = f"Unknown search mode {mode!r}; use one of {', '.join(SEARCH_MODES)}"
            raise QueryError(msg)
        if order not in SORT_ORDERS:
            msg = f"Unknown order {order!r}; use one of {', '.join(SORT_ORDERS)}"
            raise QueryError(msg)
        if offset < 0:
            msg = f"offset must not be negative, got {offset}"
            raise QueryError(msg)
        try:
            refinement = check_refinement(refinement)
        except ValueError as exc:
            raise QueryError(str(exc)) from exc
        if filters is not None:  # the Rechtsstand may come with the filters (API, CLI)
            if as_of is None and filters.as_of is not None:
                as_of = filters.as_of.isoformat()
            in_force_only = in_force_only or filters.in_force_only
        as_of = _day(as_of)
        page = Page(top_k, offset, order, refinement, as_of, in_force_only)
        groups = list(user_groups or self.settings.search.default_access_groups)
        filters = replace(filters or SearchFilters(), access_groups=groups)
        notices: list[str] = []
        try:
            try:
                found = self._run(mode, query, filters, page)
            except BackendUnavailable as exc:
                if mode != "hybrid" or self._failed_component != "vector":
                    raise
                # e.g. an ingestion holds the embedded vector index: keywords still work
                notices.append(f"Semantic search is unavailable, keyword results only: {exc}")
                found = self._run("keyword", query, filters, page)
        finally:
            if not self.hold_vector_store:
                self._release_vector_store()
        if not found["total"] and found["below_threshold"]:
            notices.append(NOTHING_MATCHES)
        return SearchResponse(
            query=query,
            mode=mode,
            results=found["documents"],
            notices=notices,
            suggestion=self._suggestion(query, filters),
            total=found["total"],
            facets=found["facets"],
            offset=offset,
            order=order,
            capped=found["capped"],
            as_of=as_of,
        )

    def _suggestion(self, query: str, filters: SearchFilters) -> str | None:
        """:returns: a spelling suggestion from the words the user may see, if any (a
        suggestion is a help: a store that fails here fails no search)."""
        try:
            return self.keyword_store.suggest(query, filters)
        except BackendError:
            logger.warning("No spelling suggestion for %r", query, exc_info=True)
            return None

    def _run(
        self, mode: SearchMode, query: str, filters: SearchFilters, page: Page
    ) -> dict[str, Any]:
        """:returns: the grouper's output: ``documents`` (the page), ``total``, ``facets``."""
        data: dict[str, dict[str, object]] = {"grouper": {"query": query, **asdict(page)}}
        if mode in ("hybrid", "keyword"):
            data["keyword"] = {"query": query, "filters": filters}
            data["grouper"]["filters"] = filters
        if mode in ("hybrid", "semantic"):
            data["vector"] = {"query": query, "filters": filters}
        self._failed_component = None
        try:
            output = self.pipeline(mode).run(data)
        except PipelineRuntimeError as exc:
            # Haystack wraps component errors; ours are what callers handle
            cause = exc.__cause__
            if isinstance(cause, AuskunftError):
                self._failed_component = exc.component_name
                raise cause from exc
            msg = f"Search failed: {cause or exc}"
            raise BackendError(msg) from exc
        grouped: dict[str, Any] = output["grouper"]
        return grouped

    def _release_vector_store(self) -> None:
        if self._vector_store is not None:
            self._vector_store.close()
            self._vector_store = None
            for mode in ("hybrid", "semantic"):
                self._pipelines.pop(mode, None)

    def close(self) -> None:
        """Close the stores this service opened."""
        if self._relations is not None:
            self._relations.close()
            self._relations = None
        for store in (self._keyword_store, self._vector_store):
            if store is not None:
                store.close()
        self._keyword_store = self._vector_store = None
        self._pipelines.clear()

    def __enter__(self) -> SearchService:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
