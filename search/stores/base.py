"""The two store contracts: one for keyword search, one for vector search.

Each has an embedded implementation (tantivy, qdrant-edge) and a server implementation
(Elasticsearch, Qdrant). All of them pass the same contract test suite in
``tests/search/stores/``. Stores hold chunks as Haystack ``Document``s: ``id`` is the
chunk id, ``content`` the chunk text, ``meta`` the keys of :mod:`search.core.fields`, and for the
vector store ``embedding`` the dense vector.

A keyword store also holds one record per *document* (its chunks' text joined), so that
:meth:`KeywordStore.search_documents` ranks whole documents by BM25: a long answer whose
words are spread over several chunks is found as a document even when no single chunk
matches well. It is built from the chunks of a document given to one ``write`` call, so a
document's chunks are written together (as ingestion does), never one by one.

Writes are upserts by chunk id. Replacing a document means ``delete_documents([doc_id])``
then ``write(chunks)``; after ``commit()`` both are visible and durable. Before
``commit()`` visibility depends on the backend (tantivy: not visible; Qdrant: visible at
once; Elasticsearch: after its refresh interval), so callers must not rely on either. Both
operations are idempotent, so an interrupted ingestion is repaired by running it again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from haystack import Document

from search.filters import SearchFilters


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """One search hit from a store.

    :param document: the chunk with ``content`` and ``meta`` (no embedding).
    :param score: the store's relevance score; higher is better; only comparable
        within one result list.
    :param highlights: passages of the original (unstemmed) text with matched terms
        wrapped in ``<mark>…</mark>``; empty for vector stores.
    """

    document: Document
    score: float
    highlights: tuple[str, ...] = ()

    @property
    def chunk_id(self) -> str:
        """:returns: the chunk id."""
        return self.document.id


@dataclass(frozen=True, slots=True)
class DocumentScore:
    """One whole-document hit of :meth:`KeywordStore.search_documents`.

    :param doc_id: the document's id.
    :param score: BM25 over the whole document; only comparable within one result list.
    :param meta: the document's facet fields (:func:`search.core.fields.facet_meta`); empty for
        a record written before they were kept.
    """

    doc_id: str
    score: float
    meta: dict[str, Any] = field(default_factory=dict)


class _Store(ABC):
    """What both kinds of store share."""

    @abstractmethod
    def write(self, chunks: Sequence[Document]) -> None:
        """Insert or replace chunks by id.

        :param chunks: chunks with ``content`` and ``meta`` (and ``embedding`` for
            vector stores).
        :raises BackendError: when the backend rejects the write.
        """

    @abstractmethod
    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        """Remove every chunk whose ``doc_id`` is one of these; unknown ids are ignored."""

    @abstractmethod
    def count(self, filters: SearchFilters | None = None) -> int:
        """:returns: the number of visible chunks matching the filters (see ``commit``)."""

    @abstractmethod
    def doc_ids(self) -> set[str]:
        """:returns: every ``doc_id`` that has at least one visible chunk."""

    @abstractmethod
    def commit(self) -> None:
        """Make all writes and deletes so far durable and visible to searches."""

    @abstractmethod
    def close(self) -> None:
        """Release files, locks and connections; the store is unusable afterwards."""


FUZZY_CHUNKS = 20
"""Chunks whose words a spelling suggestion is taken from."""


class KeywordStore(_Store):
    """Full-text search over chunks with a German analysis chain.

    Query syntax (the same for every implementation): words are combined with OR and
    ranked by BM25; ``"a phrase"``; ``AND``/``OR``/``NOT`` and ``+term``/``-term``;
    parentheses. Text a person typed that is not valid syntax is searched as plain words,
    never rejected.
    """

    def suggest(self, query: str, filters: SearchFilters | None = None) -> str | None:
        """A spelling suggestion (*Meinten Sie …*) from the index's own words.

        Each searched word the index does not know is replaced by the closest word, as
        written, of the chunks a fuzzy search for it finds among those these filters (the
        user's access groups) allow; never an invented word.

        :returns: the query with those words replaced, or ``None`` when every word is
            known or nothing close was found.
        """
        from search.stores.query_syntax import closest_word, replace_words, searched_words

        words = searched_words(query)
        unknown = [word for word in words if not self.knows(word)]
        if not unknown:
            return None
        replacements: dict[str, str] = {}
        for word in unknown:
            text = self.fuzzy_text(word, filters)
            better = closest_word(word, text) if text else None
            if better is not None:
                replacements[word] = better
        # a misspelt compound is no term of the index (compounds are indexed as their
        # parts): its closest word is looked for in the chunks the other words find
        rest = [word for word in unknown if word not in replacements]
        context = [replacements.get(word, word) for word in words if word not in rest]
        if rest and context:
            found = self.search(
                " ".join(context), filters=filters, top_k=FUZZY_CHUNKS, highlight=False
            )
            text = "\n".join(hit.document.content or "" for hit in found)
            for word in rest:
                better = closest_word(word, text)
                if better is not None:
                    replacements[word] = better
        return replace_words(query, replacements) if replacements else None

    @abstractmethod
    def knows(self, word: str) -> bool:
        """:returns: whether every term the word analyses to is in the index."""

    @abstractmethod
    def fuzzy_text(self, word: str, filters: SearchFilters | None = None) -> str | None:
        """:returns: the text of the best chunks (up to :data:`FUZZY_CHUNKS`) with a term
        close to the word's (edit distance 1, or 2 for longer words) that the filters
        allow, if any."""

    @abstractmethod
    def search(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
        highlight: bool = True,
    ) -> list[ScoredChunk]:
        """Search chunk text and title.

        :param query: the query as typed by a person.
        :param filters: restrictions; access groups are always applied when given.
        :param top_k: the maximum number of hits.
        :param highlight: mark the query's words in each hit's content; without, the hits
            and scores are the same, only ``highlights`` is empty (cheaper when only a
            chunk to cite is needed).
        :returns: hits, best first, with highlights unless switched off.
        :raises BackendError: when the backend fails.
        """

    @abstractmethod
    def search_documents(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
    ) -> list[DocumentScore]:
        """Search whole documents (all their chunks' text, and the title) with the same
        query syntax, analysis and filters as :meth:`search`.

        :param query: the query as typed by a person.
        :param filters: restrictions; access groups are always applied when given.
        :param top_k: the maximum number of documents.
        :returns: documents, best first.
        :raises BackendError: when the backend fails.
        """

    @abstractmethod
    def chunks(self, doc_id: str, *, limit: int = 2000) -> list[Document]:
        """Every committed chunk of one document, in document order (reading a document
        whole: the MCP fetch, a reader's view).

        :param doc_id: the document.
        :param limit: at most this many chunks.
        :returns: the chunks with ``content`` and ``meta``; empty for an unknown document.
        :raises BackendError: when the backend fails.
        """


class VectorStore(_Store):
    """Nearest-neighbour search over chunk embeddings (cosine similarity)."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """:returns: the vector size this store was created with."""

    @abstractmethod
    def search(
        self,
        embedding: Sequence[float],
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
    ) -> list[ScoredChunk]:
        """Find the chunks closest to ``embedding``.

        :raises IndexMismatch: when ``embedding`` has the wrong size.
        :raises BackendError: when the backend fails.
        """
