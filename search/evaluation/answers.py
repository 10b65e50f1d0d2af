"""Answers measured end to end: ``auskunft eval-answers``.

For the questions of a BEIR set with gold documents (and, where the set has them, gold
answer passages: ``answers.jsonl`` of ``karlsruhe_anfragen``) the set is indexed through the
real ingestion path (:func:`ingest.evaluation.index_set`), each question is searched, and
answered twice from the same search response: by the extract (no LLM) and, when ``llm.url``
is configured, by that LLM. Every answer is verified as in production
(:class:`search.answers.verification.AnswerVerifier`). Per way of answering it reports:

- ``retrieved_gold_document``: share of questions whose passages (those given to the model,
  or quoted by the extract) include a gold document — the ceiling for the next figure;
- ``cites_gold_document``: share of answers citing a passage of a gold document;
- ``cites_gold_passage``: share of answers citing a passage that holds the gold answer
  passage (sets with ``answers.jsonl``; see :func:`holds_passage`);
- ``citation_precision``: cited passages that support the sentence citing them, over all
  citations (:meth:`AnswerVerifier.supported_by`: its content words and its claims);
- ``answers_with_citation``, ``not_answered``, ``sentences_flagged`` and the flags by kind;
- the answer's latency (seconds after the search; p50, p95, mean) and the search's p50.

Beside them, the verifier's own quality on its labelled set
(:func:`search.evaluation.verifier_quality.verifier_figures`), measured without an LLM.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from connectors.beir import corpus_id_of
from search import answers
from search.answers import Answer
from search.answers.context import SourcePassage
from search.answers.sentences import content_terms
from search.answers.verification import AnswerVerifier
from search.core.settings import Settings
from search.evaluation.retrieval import BeirSet, IndexedSet
from search.results import SearchMode, SearchResponse

EXTRACT: Final = "extract"
PASSAGE_OVERLAP: Final = 0.6
"""A passage holds the gold answer when this share of the gold passage's content words is
in it, or this share of its own content words is in the gold passage (a chunk inside a
longer answer)."""


@dataclass(frozen=True, slots=True)
class AnswerCase:
    """A question with what a good answer cites.

    :param qid: the query id.
    :param question: the question as asked.
    :param gold_documents: corpus ids of its relevant documents.
    :param gold_passage: the passage that answers it, when the set has one.
    """

    qid: str
    question: str
    gold_documents: frozenset[str]
    gold_passage: str | None = None


def load_answer_cases(
    beir: BeirSet, *, sample: int | None = None, seed: int = 7
) -> list[AnswerCase]:
    """The questions of a set with their gold documents and passages.

    :param beir: the set (``answers.jsonl`` in its folder, if present, gives the passages).
    :param sample: this many questions, drawn with ``seed`` (all when ``None``).
    :param seed: the draw's seed, so that runs compare the same questions.
    :returns: the cases in query-id order.
    """
    passages: dict[str, str] = {}
    gold_file = beir.folder / "answers.jsonl"
    if gold_file.is_file():
        with gold_file.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    row = json.loads(line)
                    passages[str(row["_id"])] = str(row["answer_passage"])
    cases = [
        AnswerCase(
            qid,
            question,
            frozenset(doc for doc, grade in beir.qrels.get(qid, {}).items() if grade > 0),
            passages.get(qid),
        )
        for qid, question in sorted(beir.queries.items())
    ]
    cases = [case for case in cases if case.gold_documents]
    if sample is not None and sample < len(cases):
        chosen = set(random.Random(seed).sample(range(len(cases)), sample))
        cases = [case for index, case in enumerate(cases) if index in chosen]
    return cases


def holds_passage(passage: str, gold: str) -> bool:
    """:returns: whether ``passage`` holds the gold answer passage (:data:`PASSAGE_OVERLAP`)."""
    own, wanted = content_terms(passage), content_terms(gold)
    if not own or not wanted:
        return False
    shared = len(own & wanted)
    return shared / len(wanted) >= PASSAGE_OVERLAP or shared / len(own) >= PASSAGE_OVERLAP


@dataclass(slots=True)
class _Tally:
    """The outcome of one way of answering, summed over the questions."""

    questions: int = 0
    retrieved_gold: int = 0
    cites_gold_document: int = 0
    with_gold_passage: int = 0
    cites_gold_passage: int = 0
    with_citation: int = 0
    not_answered: int = 0
    citations: int = 0
    supported_citations: int = 0
    sentences: int = 0
    flagged_sentences: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    fell_back: int = 0
    error: str | None = None

    def add(
        self, case: AnswerCase, answer: Answer, seconds: float, verifier: AnswerVerifier
    ) -> None:
        self.questions += 1
        self.seconds.append(seconds)
        given = {corpus_id_of(source.uri) for source in answer.sources}
        self.retrieved_gold += bool(given & case.gold_documents)
        cited = answer.cited
        self.cites_gold_document += any(
            corpus_id_of(source.uri) in case.gold_documents for source in cited
        )
        if case.gold_passage is not None:
            self.with_gold_passage += 1
            self.cites_gold_passage += any(
                holds_passage(source.prompt_text or source.text, case.gold_passage)
                for source in cited
            )
        self.with_citation += bool(cited)
        self.not_answered += answers.NOT_ANSWERED in answer.flags
        by_number: dict[int, SourcePassage] = {source.number: source for source in answer.sources}
        for sentence in answer.sentences:
            self.sentences += 1
            self.flagged_sentences += sentence.flagged
            self.flags.update(sentence.flags)
            for number in sentence.citations:
                self.citations += 1
                self.supported_citations += verifier.supported_by(sentence.text, by_number[number])
        if answers.LLM_UNAVAILABLE in answer.flags:
            self.fell_back += 1
            self.error = self.error or answer.error

    def figures(self) -> dict[str, Any]:
        def share(count: int, total: int) -> float | None:
            return round(count / total, 3) if total else None

        ordered = sorted(self.seconds)
        return {
            "questions": self.questions,
            "retrieved_gold_document": share(self.retrieved_gold, self.questions),
            "cites_gold_document": share(self.cites_gold_document, self.questions),
            "cites_gold_passage": share(self.cites_gold_passage, self.with_gold_passage),
            "citation_precision": share(self.supported_citations, self.citations),
            "answers_with_citation": share(self.with_citation, self.questions),
            "not_answered": share(self.not_answered, self.questions),
            "sentences": self.sentences,
            "sentences_flagged": share(self.flagged_sentences, self.sentences),
            "flags": dict(self.flags.most_common()),
            "seconds_p50": round(statistics.median(ordered), 3) if ordered else None,
            "seconds_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if ordered else None,
            "seconds_mean": round(statistics.fmean(ordered), 3) if ordered else None,
            "fell_back_to_extract": share(self.fell_back, self.questions),
            "error": self.error,
        }


ROWS: Final = (
    ("retrieved_gold_document", "gold document among the passages"),
    ("cites_gold_document", "answer cites the gold document"),
    ("cites_gold_passage", "answer cites the gold answer passage"),
    ("citation_precision", "citation precision (cited passage supports)"),
    ("answers_with_citation", "answers with a citation"),
    ("not_answered", "says the sources do not answer"),
    ("sentences_flagged", "sentences flagged"),
    ("fell_back_to_extract", "LLM down or too slow: the extract instead"),
    ("seconds_p50", "answer latency p50 (s)"),
    ("seconds_p95", "answer latency p95 (s)"),
)


@dataclass(slots=True)
class AnswerEvalReport:
    """What ``auskunft eval-answers`` measured (see the module docstring)."""

    set: str
    mode: str
    questions: int
    documents: int
    chunks: int
    search_seconds_p50: float
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """figures per way of answering: ``extract`` and the LLM's model name"""
    llm: dict[str, Any] = field(default_factory=dict)
    verifier: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """:returns: a JSON-ready dict."""
        return {
            "set": self.set,
            "mode": self.mode,
            "questions": self.questions,
            "documents": self.documents,
            "chunks": self.chunks,
            "search_seconds_p50": self.search_seconds_p50,
            "runs": self.runs,
            "llm": self.llm,
            "verifier": self.verifier,
        }

    def to_markdown(self) -> str:
        """:returns: the report as Markdown tables."""
        from search.evaluation.verifier_quality import figures_markdown

        names = list(self.runs)
        lines = [
            f"# Answers on {self.set}: {self.questions} questions, {self.mode} search",
            "",
            f"{self.documents:,} documents, {self.chunks:,} chunks; "
            f"search p50 {self.search_seconds_p50} s.",
            "",
            "| | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        for key, label in ROWS:
            cells = [_cell(self.runs[name].get(key)) for name in names]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        for name in names:
            flags = ", ".join(f"{flag} {n}" for flag, n in self.runs[name]["flags"].items())
            lines.append(f"\nFlags ({name}): {flags or 'none'}.")
            if self.runs[name]["error"]:
                lines.append(f"First error ({name}): {self.runs[name]['error']}")
        if self.verifier is not None:
            lines += [
                "",
                "## The verifier on its labelled set",
                "",
                *figures_markdown(self.verifier),
            ]
        return "\n".join(lines)


def _cell(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def evaluate_answers(
    indexed: IndexedSet,
    settings: Settings,
    beir: BeirSet,
    cases: Sequence[AnswerCase],
    *,
    mode: SearchMode = "hybrid",
    verifier_quality: bool = True,
    progress: Callable[[str], None] | None = None,
) -> AnswerEvalReport:
    """Answer every case by the extract and, when configured, the LLM; measure both.

    :param indexed: the set's index (:func:`ingest.evaluation.index_set`).
    :param settings: the settings (``llm`` names the model; no ``llm.url``: extract only).
    :param beir: the set answered from.
    :param cases: the questions (:func:`load_answer_cases`).
    :param mode: the search mode; ``keyword`` indexes without embeddings.
    :param verifier_quality: also measure the verifier on its labelled set.
    :param progress: called with a line of progress text.
    :returns: the report.
    :raises AuskunftError: when a store or the embedder fails.
    """
    from search.answers.drafting import AnswerDrafter
    from search.service import SearchService

    say = progress or (lambda _line: None)
    extract_settings = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"url": None})}
    )
    drafters = {EXTRACT: AnswerDrafter(extract_settings)}
    if settings.llm.url:
        drafters[settings.llm.model] = AnswerDrafter(settings)
    tallies = {name: _Tally() for name in drafters}
    verifier = AnswerVerifier(settings.llm.min_support)
    search_seconds: list[float] = []
    service = SearchService(indexed.settings, embedder=indexed.embedder)
    try:
        for index, case in enumerate(cases, 1):
            started = time.perf_counter()
            response: SearchResponse = service.search(case.question, mode=mode)
            search_seconds.append(time.perf_counter() - started)
            for name, drafter in drafters.items():
                started = time.perf_counter()
                answer = drafter.answer(case.question, response)
                tallies[name].add(case, answer, time.perf_counter() - started, verifier)
            if index % 25 == 0 or index == len(cases):
                say(f"{index}/{len(cases)} questions answered")
    finally:
        service.close()
        for drafter in drafters.values():
            drafter.close()
    report = AnswerEvalReport(
        set=beir.name,
        mode=mode,
        questions=len(cases),
        documents=indexed.documents,
        chunks=indexed.chunks,
        search_seconds_p50=round(statistics.median(search_seconds), 3) if search_seconds else 0.0,
        runs={name: tally.figures() for name, tally in tallies.items()},
        llm=settings.llm.model_dump(
            include={
                "model",
                "max_context_tokens",
                "max_answer_tokens",
                "max_passages",
                "temperature",
                "min_support",
            }
        )
        | {"configured": bool(settings.llm.url)},
    )
    if verifier_quality:
        from search.evaluation.verifier_quality import data_folder, verifier_figures

        say("measuring the verifier on its labelled set")
        data = beir.folder.parent if (beir.folder.parent / "karlsruhe_anfragen").is_dir() else None
        report.verifier = verifier_figures(
            data or data_folder(), min_support=settings.llm.min_support
        )
    return report


def save_answer_report(report: AnswerEvalReport, folder: Path) -> tuple[Path, Path]:
    """Write ``answers-<set>.json`` and ``answers-<set>.md`` into ``folder``.

    :returns: the two paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"answers-{report.set}-{report.questions}q"
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(report.to_markdown() + "\n")
    return json_path, md_path
