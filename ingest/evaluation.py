"""Evaluation sets indexed through the real ingestion path, then measured by
:mod:`search.evaluation`.

A BEIR set's corpus is ingested from text with :class:`connectors.beir.BeirCorpusConnector`
into its own data directory (the embedding cache is shared, so a corpus is embedded once
per machine); the search side then scores the index it is handed. Indexing is ingestion's
job, so it lives here and not in ``search`` (which never imports ``ingest``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence

from connectors.beir import BeirCorpusConnector
from ingest.sync.indexer import Indexer
from search.core.settings import Settings
from search.embedders import EmbeddingCache, create_embedder
from search.evaluation.answers import AnswerCase, AnswerEvalReport, evaluate_answers
from search.evaluation.retrieval import (
    BeirSet,
    EvalReport,
    IndexedSet,
    PlaceholderEmbedder,
    TimedEmbedder,
    evaluate,
    set_index_dir,
)
from search.results import SearchMode


def index_set(
    settings: Settings,
    beir: BeirSet,
    *,
    keyword_only: bool = False,
    reindex: bool = False,
    progress: Callable[[str], None] | None = None,
) -> IndexedSet:
    """Index a set's corpus through the real ingestion path (unchanged documents are kept).

    :param settings: the settings; the set is indexed under ``<data_dir>/eval/<set label>``
        (see :func:`set_index_dir`), the embedding cache of ``data_dir`` is shared.
    :param beir: the set.
    :param keyword_only: placeholder vectors (:class:`PlaceholderEmbedder`) in a separate
        index, so a large set needs no embedding; only keyword mode is meaningful there.
    :param reindex: delete the set's index first.
    :param progress: called with a line of progress text.
    :returns: the indexed set.
    :raises AuskunftError: when a store or the embedder fails.
    """
    say = progress or (lambda _line: None)
    eval_dir = set_index_dir(settings, beir.label, keyword_only=keyword_only)
    if reindex and eval_dir.exists():
        shutil.rmtree(eval_dir)
    # bigger batches: fewer commits; the chunks are the same
    ingest_settings = settings.ingest.model_copy(
        update={"batch_documents": max(settings.ingest.batch_documents, 128)}
    )
    set_settings = settings.model_copy(update={"data_dir": eval_dir, "ingest": ingest_settings})
    if keyword_only:
        embedder = TimedEmbedder(PlaceholderEmbedder(), None)
    else:
        embedder = TimedEmbedder(
            create_embedder(settings.embedding), EmbeddingCache(settings.embedding_cache_path)
        )
    connector = BeirCorpusConnector(beir.folder, only_ids=beir.corpus_ids)
    say(f"indexing {beir.label} into {eval_dir}")
    with Indexer(set_settings, embedder=embedder) as indexer:
        ingest = indexer.runner().run(connector)
        chunks = indexer.catalog.chunk_count()
        documents = sum(indexer.catalog.counts_by_status().values())
    rate = None
    if ingest.embedded and not keyword_only:
        rate = round(ingest.embedded / embedder.seconds, 1)
    say(f"ingested: {ingest.indexed} new, {ingest.unchanged} unchanged, {ingest.failed} failed")
    return IndexedSet(
        set_settings, embedder, ingest.to_dict(), documents, chunks, rate, keyword_only
    )


def evaluate_set(
    settings: Settings,
    beir: BeirSet,
    modes: Sequence[SearchMode] = ("keyword", "semantic", "hybrid"),
    *,
    query_field: str = "text",
    reindex: bool = False,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Index a set and score every mode (:func:`search.evaluation.retrieval.evaluate`).

    :param settings: the settings; the set is indexed under
        ``<data_dir>/eval/<set label>``, the embedding cache of ``data_dir`` is shared.
    :param beir: the set (see :func:`search.evaluation.retrieval.load_beir`).
    :param modes: search modes to score (the BM25 baseline is always scored). When only
        ``keyword``, chunks get placeholder vectors in a separate index, so large sets
        need no embedding.
    :param query_field: recorded in the report.
    :param reindex: delete the set's index first.
    :param progress: called with a line of progress text.
    :returns: the report.
    :raises AuskunftError: when a store or the embedder fails.
    """
    keyword_only = set(modes) == {"keyword"}
    indexed = index_set(
        settings, beir, keyword_only=keyword_only, reindex=reindex, progress=progress
    )
    return evaluate(indexed, beir, modes, query_field=query_field, progress=progress)


def evaluate_answers_of_set(
    settings: Settings,
    beir: BeirSet,
    cases: Sequence[AnswerCase],
    *,
    mode: SearchMode = "hybrid",
    verifier_quality: bool = True,
    reindex: bool = False,
    progress: Callable[[str], None] | None = None,
) -> AnswerEvalReport:
    """Index a set and measure the answers to its questions
    (:func:`search.evaluation.answers.evaluate_answers`); ``keyword`` mode indexes without
    embeddings. Parameters as there, plus ``reindex`` (rebuild the set's index first).

    :returns: the report.
    :raises AuskunftError: when a store or the embedder fails.
    """
    indexed = index_set(
        settings, beir, keyword_only=mode == "keyword", reindex=reindex, progress=progress
    )
    return evaluate_answers(
        indexed,
        settings,
        beir,
        cases,
        mode=mode,
        verifier_quality=verifier_quality,
        progress=progress,
    )
