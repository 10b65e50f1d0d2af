"""Retrieval evaluation on BEIR sets, through the real ingestion and search path.

A BEIR set (``corpus.jsonl[.gz]``, ``queries.jsonl``, ``qrels.tsv``) is ingested from text
into its own data directory by :func:`ingest.evaluation.index_set` (the embedding cache is
shared, so a corpus is embedded once per machine), its queries are
searched in each mode with :class:`search.service.SearchService`, and the ranked
documents are scored at document level: nDCG@10, Recall@10, Recall@100, MRR@10.
A plain BM25 baseline (whole documents, lowercased words, no stemming, no stop words)
is computed in the same run for comparison.
"""

from __future__ import annotations

import csv
import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import tantivy

from connectors.beir import corpus_id_of, corpus_path, open_text
from search.core.settings import Settings
from search.embedders import CachedEmbedder
from search.embedders.base import Vectors
from search.results import SearchMode

METRICS: Final = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
BASELINE: Final = "bm25-baseline"
Qrels = dict[str, dict[str, int]]
"""query id → corpus id → relevance grade (> 0 is relevant)."""

_WORD = re.compile(r"\w+")


# -- metrics -------------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """:returns: nDCG@k with graded gains ``grade`` and log2 discounts (as trec_eval)."""
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted((grade for grade in relevant.values() if grade > 0), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """:returns: the share of relevant documents among the first ``k``."""
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """:returns: 1 / rank of the first relevant document within ``k``, else 0."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def score_run(run: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean of every metric over the judged queries (a query missing from ``run`` scores 0).

    :param run: query id → ranked corpus ids.
    :param qrels: the judgements.
    :returns: metric name → mean, see :data:`METRICS`.
    """
    judged = [qid for qid, rel in qrels.items() if any(grade > 0 for grade in rel.values())]
    totals = dict.fromkeys(METRICS, 0.0)
    for qid in judged:
        ranked, relevant = run.get(qid, []), qrels[qid]
        totals["ndcg@10"] += ndcg_at(ranked, relevant, 10)
        totals["recall@10"] += recall_at(ranked, relevant, 10)
        totals["recall@100"] += recall_at(ranked, relevant, 100)
        totals["mrr@10"] += mrr_at(ranked, relevant, 10)
    return {
        name: round(total / len(judged), 4) if judged else 0.0 for name, total in totals.items()
    }


# -- the set -------------------------------------------------------------------------------


@dataclass
class BeirSet:
    """Queries and judgements of a BEIR set, possibly limited to a documented subset.

    :param folder: the set's folder.
    :param queries: query id → query text.
    :param qrels: judgements of these queries.
    :param corpus_ids: the corpus subset to index; ``None`` for the whole corpus.
    """

    folder: Path
    queries: dict[str, str]
    qrels: Qrels
    corpus_ids: set[str] | None = None

    @property
    def name(self) -> str:
        """:returns: the folder's name."""
        return self.folder.name

    @property
    def label(self) -> str:
        """:returns: the name, with the subset size when limited."""
        if self.corpus_ids is None:
            return self.name
        return f"{self.name}-q{len(self.queries)}-d{len(self.corpus_ids)}"


def load_beir(folder: Path, *, query_field: str = "text", limit: int | None = None) -> BeirSet:
    """Read a BEIR set.

    :param folder: the set's folder.
    :param query_field: which field of ``queries.jsonl`` is the query.
    :param limit: only the first ``limit`` judged queries; the corpus is then cut to their
        relevant documents plus the first ``limit`` documents of the corpus file as
        distractors. A subset is for smoke tests, never a headline figure.
    :returns: the set.
    :raises FileNotFoundError: when a file is missing.
    """
    qrels: Qrels = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows, None)  # header
        for row in rows:
            if len(row) >= 3:
                qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    queries: dict[str, str] = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                qid = str(record["_id"])
                if qid in qrels and record.get(query_field):
                    queries[qid] = str(record[query_field])
    corpus_ids: set[str] | None = None
    if limit is not None:
        queries = dict(list(queries.items())[:limit])
        corpus_ids = {doc for qid in queries for doc in qrels[qid]}
        with open_text(corpus_path(folder)) as handle:
            for index, line in enumerate(handle):
                if index >= limit:
                    break
                corpus_ids.add(str(json.loads(line)["_id"]))
    return BeirSet(
        folder=folder,
        queries=queries,
        qrels={qid: qrels[qid] for qid in queries},
        corpus_ids=corpus_ids,
    )


# -- the baseline --------------------------------------------------------------------------


def bm25_baseline(beir: BeirSet, top_k: int = 100) -> dict[str, list[str]]:
    """Plain BM25 over whole documents (title and text; lowercased words, no stemming).

    :param beir: the set.
    :param top_k: documents per query.
    :returns: query id → ranked corpus ids.
    """
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name="default")
    schema = builder.build()
    index = tantivy.Index(schema)  # in memory
    writer = index.writer(heap_size=200_000_000)
    with open_text(corpus_path(beir.folder)) as handle:
        for line in handle:
            record = json.loads(line)
            corpus_id = str(record["_id"])
            if beir.corpus_ids is None or corpus_id in beir.corpus_ids:
                body = f"{record.get('title') or ''}\n{record.get('text') or ''}"
                writer.add_document(tantivy.Document(id=corpus_id, body=body))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    run: dict[str, list[str]] = {}
    for qid, text in beir.queries.items():
        words = [word.lower() for word in _WORD.findall(text)]
        if not words:
            run[qid] = []
            continue
        query = index.parse_query(" ".join(words), ["body"])
        hits = searcher.search(query, top_k).hits
        run[qid] = [str(searcher.doc(address).get_first("id")) for _, address in hits]
    return run


# -- the evaluation ------------------------------------------------------------------------


class PlaceholderEmbedder:
    """Stands in for the model when only keyword mode is evaluated: ingestion then writes
    the same unit vector for every chunk instead of spending hours embedding a large set.
    Its ``model_id`` keeps such an index apart from a real one."""

    model_id = "placeholder-keyword-only"

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension

    def _unit(self, count: int) -> Vectors:
        vectors = np.zeros((count, self.dimension), dtype=np.float32)
        vectors[:, 0] = 1.0
        return vectors

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """:returns: one unit vector per text."""
        return self._unit(len(texts))

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """:returns: one unit vector per text."""
        return self._unit(len(texts))


class TimedEmbedder(CachedEmbedder):
    """A cached embedder that also measures how long computing missing vectors takes."""

    seconds: float = 0.0

    def _embed(self, texts: Sequence[str], kind: str) -> Vectors:
        started = time.perf_counter()
        try:
            return super()._embed(texts, kind)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class EvalReport:
    """What one evaluation run measured."""

    set: str
    query_field: str
    queries: int
    documents: int | str
    chunks: int
    subset: bool
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    ingest: dict[str, Any] = field(default_factory=dict)
    search_seconds: dict[str, float] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return {**self.__dict__}

    def to_markdown(self) -> str:
        """:returns: the scores as a Markdown table, with what was run."""
        scope = "subset" if self.subset else "full corpus"
        lines = [
            f"### {self.set} ({scope}: {self.documents} documents, {self.chunks} chunks, "
            f"{self.queries} queries, query field `{self.query_field}`)",
            "",
            "| mode | " + " | ".join(METRICS) + " |",
            "|---|" + "---:|" * len(METRICS),
        ]
        for mode, scores in self.scores.items():
            lines.append(f"| {mode} | " + " | ".join(f"{scores[m]:.3f}" for m in METRICS) + " |")
        rate = self.ingest.get("passages_per_second")
        embedded = self.ingest.get("embedded", 0)
        if self.ingest.get("keyword_only"):
            vectors = "keyword only: no embeddings"
        elif rate:
            vectors = f"embedded {embedded} passages at {rate} passages/s, the rest from the cache"
        else:
            vectors = "all embeddings from the cache"
        lines += ["", f"Ingestion {self.ingest.get('seconds', 0)} s ({vectors})."]
        return "\n".join(lines)


def set_index_dir(settings: Settings, label: str, *, keyword_only: bool = False) -> Path:
    """Where a set is indexed: ``<data_dir>/eval/<label>[suffix]``.

    :param settings: the settings (their dense budget names the index).
    :param label: the set's label.
    :param keyword_only: the index with placeholder vectors (keyword mode only).
    :returns: the folder (it may not exist yet).
    """
    budget = settings.embedding.passage_max_chars, settings.embedding.chunks_per_document
    suffix = "-keyword-only" if keyword_only else ""
    if not keyword_only and budget != (None, None):
        # a budgeted dense side is another index (and another figure) than a full one
        chars, chunks = ("all" if value is None else value for value in budget)
        suffix = f"-dense-c{chunks}-m{chars}"
    return settings.data_dir / "eval" / (label + suffix)


@dataclass(slots=True)
class IndexedSet:
    """A BEIR set's corpus in its own index (made by :func:`ingest.evaluation.index_set`).

    :param settings: the settings pointed at the set's data directory.
    :param embedder: the embedder that made (or would make) its vectors.
    :param ingest: what the run did (``IngestReport.to_dict()``).
    :param documents: documents in the index.
    :param chunks: chunks in the index.
    :param passages_per_second: embedding rate, when anything was embedded.
    :param keyword_only: placeholder vectors: only keyword mode is meaningful.
    """

    settings: Settings
    embedder: TimedEmbedder
    ingest: dict[str, Any]
    documents: int
    chunks: int
    passages_per_second: float | None
    keyword_only: bool = False


def evaluate(
    indexed: IndexedSet,
    beir: BeirSet,
    modes: Sequence[SearchMode] = ("keyword", "semantic", "hybrid"),
    *,
    query_field: str = "text",
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Score every mode on a set's index (:func:`ingest.evaluation.evaluate_set` makes the
    index through the real ingestion path and calls this).

    :param indexed: the set's index.
    :param beir: the set (see :func:`load_beir`).
    :param modes: search modes to score (the BM25 baseline is always scored).
    :param query_field: recorded in the report.
    :param progress: called with a line of progress text.
    :returns: the report.
    :raises AuskunftError: when a store or the embedder fails.
    """
    from search.service import SearchService

    say = progress or (lambda _line: None)
    embedder, set_settings = indexed.embedder, indexed.settings
    report = EvalReport(
        set=beir.name,
        query_field=query_field,
        queries=len(beir.queries),
        documents=indexed.documents,
        chunks=indexed.chunks,
        subset=beir.corpus_ids is not None,
        ingest=indexed.ingest
        | {
            "embed_seconds": round(embedder.seconds, 1),
            "passages_per_second": indexed.passages_per_second,
            "keyword_only": indexed.keyword_only,
        },
        settings=set_settings.search.model_dump(exclude={"default_access_groups"})
        | {
            "dense_budget": set_settings.embedding.model_dump(
                include={"passage_max_chars", "chunks_per_document"}
            )
        },
    )
    report.ingest.pop("failures", None)
    started = time.perf_counter()
    report.scores[BASELINE] = score_run(bm25_baseline(beir), beir.qrels)
    report.search_seconds[BASELINE] = round(time.perf_counter() - started, 1)
    service = SearchService(set_settings, embedder=embedder)
    try:
        if any(mode != "keyword" for mode in modes):
            # embed all queries in batches (cached), not one by one
            embedder.embed_queries(list(beir.queries.values()))
        for mode in modes:
            started = time.perf_counter()
            run: dict[str, list[str]] = {}
            for qid, text in beir.queries.items():
                hits = service.search(text, mode=mode, top_k=100).results
                run[qid] = [corpus_id_of(hit.uri) for hit in hits]
            report.scores[mode] = score_run(run, beir.qrels)
            report.search_seconds[mode] = round(time.perf_counter() - started, 1)
            say(f"{mode}: {report.scores[mode]}")
    finally:
        service.close()
    return report


def save_report(report: EvalReport, folder: Path) -> tuple[Path, Path]:
    """Write ``<set>.json`` and ``<set>.md`` into ``folder``.

    :returns: the two paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = report.set + ("-subset" if report.subset else "")
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(report.to_markdown() + "\n")
    return json_path, md_path
