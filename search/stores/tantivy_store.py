"""The embedded keyword store: a tantivy index in a local directory."""

from __future__ import annotations

import contextlib
import html
import json
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import tantivy
from haystack import Document

from search.analysis import GERMAN_ANALYZER, analyze, compound_parts, tantivy_analyzer
from search.core import fields
from search.core.errors import BackendError, BackendUnavailable, IndexMismatch
from search.filters import SearchFilters
from search.stores.base import FUZZY_CHUNKS, DocumentScore, KeywordStore, ScoredChunk
from search.stores.common import (
    access_groups,
    chunk_date,
    chunk_order,
    json_meta,
    keyword_filters,
    matches_nothing,
    whole_documents,
)
from search.stores.query_syntax import Group, Occur, Terms, edit_limit, parse_query

logger = logging.getLogger(__name__)

_CHUNK_ID: Final = "chunk_id"
_CONTENT: Final = "content"
_META: Final = "meta"
_TEXT_FIELDS: Final = [_CONTENT, fields.TITLE]
_OCCUR: Final = {
    Occur.SHOULD: tantivy.Occur.Should,
    Occur.MUST: tantivy.Occur.Must,
    Occur.MUST_NOT: tantivy.Occur.MustNot,
}
_MAX_BUCKETS: Final = 65_000  # tantivy's default aggregation bucket limit
_MAX_CHUNKS: Final = 1_000_000  # of one document: all of them
_MIN_YEAR, _MAX_YEAR = 1678, 2261  # the range of tantivy's date field
_APART_BOOST: Final = 0.5  # weight of a compound's parts found apart, not joined
DOCUMENTS_DIR: Final = "documents-v3"
"""Subdirectory of the whole-document index: its own index, so that BM25's statistics
(document frequencies, average length) are those of documents, not mixed with chunks.
Versioned: v3 records keep the facet fields; an index with v2 records (without them) is
searched as it is until the first write, which rebuilds v3 from the chunks; an index
without either (whole documents with the title as a boosted field, v1) is refused and
must be rebuilt."""
_UNFACETED_DIR: Final = "documents-v2"


def build_schema() -> tantivy.Schema:
    """:returns: the index schema (changing it requires a reindex)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(_CHUNK_ID, stored=True, tokenizer_name="raw")
    builder.add_text_field(fields.DOC_ID, tokenizer_name="raw", fast=True)
    builder.add_text_field(_CONTENT, stored=True, tokenizer_name=GERMAN_ANALYZER)
    builder.add_text_field(fields.TITLE, stored=True, tokenizer_name=GERMAN_ANALYZER)
    builder.add_text_field(fields.SOURCE, tokenizer_name="raw")
    builder.add_text_field(fields.DOC_TYPE, tokenizer_name="raw")
    builder.add_date_field(fields.DATE, indexed=True, fast=True)
    builder.add_text_field(fields.ACCESS_GROUPS, tokenizer_name="raw")
    builder.add_bytes_field(_META, stored=True)
    return builder.build()


class TantivyKeywordStore(KeywordStore):
    """Keyword search with the German analyser over a tantivy index on disk.

    Many processes may search the same index; one process at a time may write (tantivy's
    lock file). The writer is created on the first write or delete and held until
    :meth:`close`. Writes become visible and durable at :meth:`commit`, not before.
    Whole-document records live in a second index under ``<path>/documents``, written,
    deleted and committed with the chunks.

    :param path: directory of the index; created on the first write.
    :param title_boost: weight of title matches relative to content matches.
    :param snippet_chars: maximum length of a highlight passage.
    :param writer_heap_bytes: memory tantivy may use to buffer writes before flushing.
    :raises ValueError: when a number is out of range.
    """

    def __init__(
        self,
        path: Path,
        *,
        title_boost: float = 1.0,
        snippet_chars: int = 240,
        writer_heap_bytes: int = 128_000_000,
    ) -> None:
        if title_boost <= 0:
            msg = f"title_boost must be positive, got {title_boost}"
            raise ValueError(msg)
        if snippet_chars < 20:
            msg = f"snippet_chars must be at least 20, got {snippet_chars}"
            raise ValueError(msg)
        self.path = Path(path)
        self.title_boost = title_boost
        self.snippet_chars = snippet_chars
        self.writer_heap_bytes = writer_heap_bytes
        self._schema = build_schema()
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._doc_index: tantivy.Index | None = None
        self._doc_writer: tantivy.IndexWriter | None = None
        self._unfaceted = False
        self._closed = False

    # -- opening -------------------------------------------------------------------------

    def _open(self, *, create: bool) -> tantivy.Index | None:
        if self._closed:
            msg = "TantivyKeywordStore is closed"
            raise BackendError(msg)
        if self._index is None:
            index = self._open_at(self.path, create=create)
            if index is None:
                return None
            documents = self.path / DOCUMENTS_DIR
            self._unfaceted = not _exists(documents) and _exists(self.path / _UNFACETED_DIR)
            if self._unfaceted:  # searched as it is; the first write rebuilds v3
                documents = self.path / _UNFACETED_DIR
            elif not _exists(documents) and index.searcher().num_docs:
                msg = (
                    f"keyword index at {self.path} was built without whole-document records "
                    "(an older version); delete it and reindex (auskunft ingest)"
                )
                raise IndexMismatch(msg)
            self._doc_index = self._open_at(documents, create=True)
            self._index = index
        return self._index

    def _rebuild_documents(self) -> tantivy.Index:
        """Build the v3 whole-document index from the committed chunks (the writer holds
        the chunk index's lock, so no chunk changes meanwhile).

        :returns: the new whole-document index.
        """
        documents = self._open_at(self.path / DOCUMENTS_DIR, create=True)
        assert documents is not None
        writer = self._new_writer(documents)
        try:
            for doc_id in sorted(self.doc_ids()):
                for record in whole_documents(self.chunks(doc_id, limit=_MAX_CHUNKS)):
                    writer.add_document(self._to_tantivy(record, meta_kept=fields.facet_meta))
            writer.commit()
        except ValueError as exc:
            writer.rollback()
            msg = f"cannot rebuild the whole-document index at {self.path}: {exc}"
            raise BackendError(msg) from exc
        documents.reload()
        logger.info("Rebuilt the whole-document records of %s with their facet fields", self.path)
        return documents

    def _open_at(self, path: Path, *, create: bool) -> tantivy.Index | None:
        try:
            if path.is_dir() and tantivy.Index.exists(str(path)):
                index = tantivy.Index.open(str(path))
                if index.schema != self._schema:
                    msg = (
                        f"keyword index at {path} was built with another schema or "
                        f"German analysis (this version: {GERMAN_ANALYZER}); "
                        "delete it and reindex (auskunft ingest)"
                    )
                    raise IndexMismatch(msg)
            elif create:
                path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(self._schema, path=str(path))
            else:
                return None
        except ValueError as exc:
            msg = f"cannot open keyword index at {path}: {exc}"
            raise BackendError(msg) from exc
        # custom analysers are not persisted in the index
        index.register_tokenizer(GERMAN_ANALYZER, tantivy_analyzer())
        return index

    def _writers(self) -> tuple[tantivy.IndexWriter, tantivy.IndexWriter]:
        """:returns: the writers of the chunk and the whole-document index."""
        if self._writer is None or self._doc_writer is None:
            index = self._open(create=True)
            assert index is not None
            assert self._doc_index is not None
            # the chunk index's lock is taken first: it decides who is the writer
            self._writer = self._writer or self._new_writer(index)
            if self._unfaceted:
                self._doc_index = self._rebuild_documents()
                self._unfaceted = False
            self._doc_writer = self._new_writer(self._doc_index)
        return self._writer, self._doc_writer

    def _new_writer(self, index: tantivy.Index) -> tantivy.IndexWriter:
        try:
            return index.writer(heap_size=self.writer_heap_bytes)
        except ValueError as exc:
            if "LockBusy" in str(exc) or "lock" in str(exc).lower():
                msg = (
                    f"keyword index is locked by another process writing to {self.path}; "
                    "wait for it to finish or stop it"
                )
                raise BackendUnavailable(msg) from exc
            msg = f"cannot write to keyword index at {self.path}: {exc}"
            raise BackendError(msg) from exc

    # -- writing -------------------------------------------------------------------------

    def write(self, chunks: Sequence[Document]) -> None:
        """Insert or replace chunks by id, and the whole-document records of their
        documents (visible after :meth:`commit`).

        :param chunks: chunks with ``content`` and ``meta``: all chunks of a document.
        :raises BackendUnavailable: when another process holds the index lock.
        :raises BackendError: when a chunk cannot be stored.
        """
        if not chunks:
            return
        writer, doc_writer = self._writers()
        try:
            for chunk in chunks:
                # the delete applies only to documents added before it: a replace
                writer.delete_documents_by_term(_CHUNK_ID, chunk.id)
                writer.add_document(self._to_tantivy(chunk))
            for record in whole_documents(chunks):
                doc_writer.delete_documents_by_term(_CHUNK_ID, record.id)
                doc_writer.add_document(self._to_tantivy(record, meta_kept=fields.facet_meta))
        except ValueError as exc:
            msg = f"keyword index rejected a write: {exc}"
            raise BackendError(msg) from exc

    def _to_tantivy(
        self,
        chunk: Document,
        *,
        meta_kept: Callable[[dict[str, Any]], dict[str, Any]] = dict,
    ) -> tantivy.Document:
        meta = json_meta(chunk)
        doc = tantivy.Document()
        doc.add_text(_CHUNK_ID, chunk.id)
        doc.add_text(_CONTENT, chunk.content or "")
        doc.add_text(fields.TITLE, str(meta.get(fields.TITLE) or ""))
        for key in (fields.DOC_ID, fields.SOURCE, fields.DOC_TYPE):
            if meta.get(key) is not None:
                doc.add_text(key, str(meta[key]))
        for group in access_groups(meta):
            doc.add_text(fields.ACCESS_GROUPS, group)
        day = chunk_date(meta)
        # tantivy stores dates as nanoseconds: a misread year (0222) would reject the batch
        if day is not None and _MIN_YEAR <= day.year <= _MAX_YEAR:
            doc.add_date(fields.DATE, _midnight(day))
        # a whole-document record keeps only what facets read: it is never a chunk again
        doc.add_bytes(_META, json.dumps(meta_kept(meta), ensure_ascii=False).encode())
        return doc

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        """Remove every chunk of these documents (effective at :meth:`commit`).

        :param doc_ids: document ids; unknown ones are ignored.
        :raises BackendUnavailable: when another process holds the index lock.
        """
        if not doc_ids:
            return
        for writer in self._writers():
            for doc_id in doc_ids:
                writer.delete_documents_by_term(fields.DOC_ID, doc_id)

    def commit(self) -> None:
        """Make writes and deletes durable and visible to searches.

        :raises BackendError: when tantivy cannot commit.
        """
        if self._writer is None or self._index is None:
            return
        assert self._doc_writer is not None
        assert self._doc_index is not None
        try:
            self._doc_writer.commit()
            self._writer.commit()
        except ValueError as exc:
            msg = f"cannot commit keyword index at {self.path}: {exc}"
            raise BackendError(msg) from exc
        self._doc_index.reload()
        self._index.reload()

    def close(self) -> None:
        """Release the writer lock; uncommitted writes are discarded."""
        for writer in (self._writer, self._doc_writer):
            if writer is not None:
                # discard pending changes; the lock is released when the writer is dropped
                with contextlib.suppress(ValueError):
                    writer.rollback()
        self._writer = self._doc_writer = None
        self._index = self._doc_index = None
        self._closed = True

    # -- reading -------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
        highlight: bool = True,
    ) -> list[ScoredChunk]:
        """Search chunk text and title (see :mod:`search.stores.query_syntax`).

        :param query: the query as typed by a person; invalid syntax is read as words.
        :param filters: restrictions.
        :param top_k: the maximum number of hits.
        :param highlight: build a highlighted snippet of each hit's content.
        :returns: hits, best first, with highlights of the content unless switched off.
        :raises BackendError: when the index cannot be read.
        """
        index = self._open(create=False)
        if index is None or top_k < 1 or matches_nothing(filters):
            return []
        tree = parse_query(query)
        if tree.is_empty:
            return []
        text_query = self._render(index, tree)
        searcher = index.searcher()
        hits = searcher.search(self._with_filters(text_query, filters), top_k).hits
        snippets = None
        if highlight:
            snippets = tantivy.SnippetGenerator.create(searcher, text_query, self._schema, _CONTENT)
            snippets.set_max_num_chars(self.snippet_chars)
        results = []
        for score, address in hits:
            stored = searcher.doc(address)
            marked = _highlight(snippets.snippet_from_doc(stored)) if snippets else ""
            results.append(
                ScoredChunk(
                    document=_to_haystack(stored),
                    score=float(score),
                    highlights=(marked,) if marked else (),
                )
            )
        return results

    def search_documents(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
    ) -> list[DocumentScore]:
        """Search whole documents (see :meth:`KeywordStore.search_documents`).

        :param query: the query as typed by a person; invalid syntax is read as words.
        :param filters: restrictions.
        :param top_k: the maximum number of documents.
        :returns: documents, best first.
        :raises BackendError: when the index cannot be read.
        """
        if self._open(create=False) is None or top_k < 1 or matches_nothing(filters):
            return []
        index = self._doc_index
        assert index is not None
        tree = parse_query(query)
        if tree.is_empty:
            return []
        searcher = index.searcher()
        hits = searcher.search(self._with_filters(self._render(index, tree), filters), top_k).hits
        found = []
        for score, address in hits:
            stored = searcher.doc(address)
            raw = stored.get_first(_META)
            found.append(
                DocumentScore(
                    doc_id=str(stored.get_first(_CHUNK_ID)),
                    score=score,
                    meta=json.loads(bytes(raw).decode()) if raw else {},
                )
            )
        return found

    def _render(self, index: tantivy.Index, group: Group) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for clause in group.clauses:
            if isinstance(clause.node, Terms):
                node = self._render_terms(index, clause.node)
            else:
                node = self._render(index, clause.node)
            clauses.append((_OCCUR[clause.occur], node))
        if group.only_excludes:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _render_terms(self, index: tantivy.Index, terms: Terms) -> tantivy.Query:
        # the words are runs of letters and digits, so the quoted form is always valid;
        # the parser analyses it with the field's analyser, like the indexed text
        try:
            query = index.parse_query(
                f'"{terms.text}"', _TEXT_FIELDS, field_boosts={fields.TITLE: self.title_boost}
            )
        except ValueError:
            return tantivy.Query.empty_query()
        parts = [] if terms.is_phrase else compound_parts(terms.text)
        if not parts:
            return query
        # a compound is indexed as the phrase of its parts: "Hundesteuersatzung" must also
        # find a text about the "Hundesteuer" and its "Satzung", so the parts may be apart
        every_part = [
            (tantivy.Occur.Must, self._term_in_text(part)) for part in dict.fromkeys(parts)
        ]
        # ... but the compound itself, a rarer word than any of its parts, counts more
        apart = tantivy.Query.boost_query(tantivy.Query.boolean_query(every_part), _APART_BOOST)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, query), (tantivy.Occur.Should, apart)]
        )

    def _term_in_text(self, term: str) -> tantivy.Query:
        """An analysed term in the content or the (boosted) title."""
        title = tantivy.Query.term_query(self._schema, fields.TITLE, term)
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, _CONTENT, term)),
                (tantivy.Occur.Should, tantivy.Query.boost_query(title, self.title_boost)),
            ]
        )

    def _with_filters(self, query: tantivy.Query, filters: SearchFilters | None) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, query)]
        if filters is None:
            return query
        schema = self._schema
        # filters restrict, they do not score (as Elasticsearch's filter context): a term
        # set query scores 1.0, which would shift every score and distort the fusion's
        # division by the best score
        for key, values in keyword_filters(filters):
            term_set = tantivy.Query.term_set_query(schema, key, values)
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term_set, 0.0)))
        if filters.has_date_range:
            dates = tantivy.Query.range_query(
                schema,
                fields.DATE,
                tantivy.FieldType.Date,
                _midnight(filters.date_from) if filters.date_from else tantivy.MIN_DATETIME,
                _midnight(filters.date_to) if filters.date_to else tantivy.MAX_DATETIME,
            )
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(dates, 0.0)))
        return tantivy.Query.boolean_query(clauses)

    def knows(self, word: str) -> bool:
        """:returns: whether every term of the word is in the text or a title."""
        index = self._open(create=False)
        terms = analyze(word)
        if index is None or not terms:
            return True  # nothing to suggest against, or nothing searchable
        searcher = index.searcher()
        return all(
            searcher.doc_freq(_CONTENT, term) or searcher.doc_freq(fields.TITLE, term)
            for term in terms
        )

    def fuzzy_text(self, word: str, filters: SearchFilters | None = None) -> str | None:
        """:returns: the text of chunks the filters allow with a term near the word's
        single term (tantivy's fuzzy term query; its hits all score alike)."""
        index = self._open(create=False)
        terms = analyze(word)
        if index is None or len(terms) != 1:
            return None
        distance = edit_limit(terms[0])
        near = tantivy.Query.fuzzy_term_query(self._schema, _CONTENT, terms[0], distance, True)
        searcher = index.searcher()
        hits = searcher.search(self._with_filters(near, filters), FUZZY_CHUNKS).hits
        texts = [str(searcher.doc(address).get_first(_CONTENT) or "") for _score, address in hits]
        return "\n".join(texts) or None

    def chunks(self, doc_id: str, *, limit: int = 2000) -> list[Document]:
        """:returns: the committed chunks of a document, in document order."""
        index = self._open(create=False)
        if index is None or limit < 1:
            return []
        searcher = index.searcher()
        query = tantivy.Query.term_query(self._schema, fields.DOC_ID, doc_id)
        hits = searcher.search(query, limit).hits
        found = [_to_haystack(searcher.doc(address)) for _score, address in hits]
        return sorted(found, key=chunk_order)

    def count(self, filters: SearchFilters | None = None) -> int:
        """:returns: the number of committed chunks matching the filters."""
        index = self._open(create=False)
        if index is None or matches_nothing(filters):
            return 0
        query = self._with_filters(tantivy.Query.all_query(), filters)
        result = index.searcher().search(query, 1, count=True)
        return int(getattr(result, "count", 0) or 0)  # missing from tantivy's stubs

    def doc_ids(self) -> set[str]:
        """:returns: every ``doc_id`` with at least one committed chunk."""
        index = self._open(create=False)
        if index is None:
            return set()
        searcher = index.searcher()
        try:
            result = searcher.aggregate(
                tantivy.Query.all_query(),
                {"ids": {"terms": {"field": fields.DOC_ID, "size": _MAX_BUCKETS}}},
            )
            buckets = result["ids"]["buckets"]
            if len(buckets) < _MAX_BUCKETS:
                return {str(bucket["key"]) for bucket in buckets}
        except ValueError:
            pass  # too many documents for one aggregation
        # the term dictionary still lists deleted documents until segments merge
        candidates = searcher.terms_with_prefix(fields.DOC_ID, "")
        return {
            term
            for term, _ in candidates
            if searcher.search(tantivy.Query.term_query(self._schema, fields.DOC_ID, term), 1).hits
        }


def _exists(path: Path) -> bool:
    return path.is_dir() and tantivy.Index.exists(str(path))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _to_haystack(stored: tantivy.Document) -> Document:
    raw = stored.get_first(_META)
    meta = json.loads(bytes(raw).decode()) if raw else {}
    return Document(
        id=str(stored.get_first(_CHUNK_ID)), content=stored.get_first(_CONTENT), meta=meta
    )


def _highlight(snippet: tantivy.Snippet) -> str:
    """Wrap matches in ``<mark>`` and escape the rest (tantivy's ranges are UTF-8 offsets)."""
    ranges = snippet.highlighted()
    if not ranges:
        return ""
    text = snippet.fragment().encode()
    parts: list[str] = []
    position = 0
    for match in sorted(ranges, key=lambda r: r.start):
        if match.start < position:
            continue
        parts.append(html.escape(text[position : match.start].decode(errors="replace")))
        parts.append("<mark>")
        parts.append(html.escape(text[match.start : match.end].decode(errors="replace")))
        parts.append("</mark>")
        position = match.end
    parts.append(html.escape(text[position:].decode(errors="replace")))
    return "".join(parts).strip()
