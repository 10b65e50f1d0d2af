"""How often the answer verifier flags a wrong claim, and how often it leaves a right one
alone — measured without an LLM.

The labelled set is built from real passages: the gold answer passages of
``karlsruhe_anfragen`` (replies of the Karlsruhe administration to council inquiries) and
the § sections of the statutes in ``ragsource_fragen``, both read from ``../shared/data/eval``
(never copied). From each passage's sentences it makes, seeded and deterministic
(:mod:`search.evaluation.verifier_cases`):

- ``supported``: the sentence verbatim;
- ``paraphrased``: the same sentence reworded without changing what it claims (clauses
  swapped around a comma, a parenthesis dropped, "€" written "Euro", "%" written "Prozent",
  "21.03.2017" written "21. März 2017", "120" written "120,00");
- ``figure``, ``date``, ``reference``: one amount, date or § / Abs. / Art. number changed to
  one the passage does not state;
- ``negation``: "nicht" inserted or removed, or "muss" / "kann" swapped;
- ``body``: a named body or office swapped with another body of the corpus the passage does
  not name;
- ``other_document``: a sentence of another document.

Each sentence cites ``[1]`` and is verified by :class:`~search.answers.verification.AnswerVerifier`
against its passage as source 1, once with word overlap only (the verifier before the claim
checks) and once with the claim checks. Printed per kind: n, the share flagged (recall for
the corrupted kinds; for the supported kinds, 1 minus it is the share left unflagged) and
the reasons.

    python benchmarks/verifier_quality.py [--data ../shared/data/eval] [--seed 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from search.answers.context import SourcePassage
from search.answers.verification import AnswerVerifier
from search.core.settings import LLMSettings
from search.evaluation.verifier_cases import (
    CORRUPTED_KINDS,
    KINDS,
    PER_KIND,
    SUPPORTED_KINDS,
    Case,
    Passage,
    build_cases,
)


def data_folder() -> Path:
    """:returns: ``shared/data/eval`` beside the checkout (or one of its parents)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data" / "eval"
        if candidate.is_dir():
            return candidate
    return Path("../shared/data/eval")


def _source(passage: Passage) -> SourcePassage:
    citation = ", ".join(part for part in (passage.title, passage.section) if part)
    return SourcePassage(
        number=1,
        chunk_id=f"{passage.doc_id}:1",
        doc_id=passage.doc_id,
        content_hash=None,
        title=passage.title,
        citation=citation,
        section=passage.section,
        page_start=None,
        page_end=None,
        uri="",
        text=passage.text,
        prompt_text=passage.text,
    )


def measure(cases: list[Case], verifier: AnswerVerifier) -> dict[str, dict[str, Any]]:
    """:returns: per kind: n, share flagged, reasons (flag counts)."""
    flagged: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for case in cases:
        answer = verifier.verify(case.sentence, "Frage", [_source(case.passage)])
        flags = {flag for sentence in answer.sentences for flag in sentence.flags}
        totals[case.kind] += 1
        flagged[case.kind] += bool(flags)
        reasons[case.kind].update(flags)
    return {
        kind: {
            "n": totals[kind],
            "flagged": flagged[kind] / totals[kind] if totals[kind] else 0.0,
            "reasons": dict(reasons[kind].most_common()),
        }
        for kind in KINDS
    }


def flag_precision(figures: dict[str, dict[str, Any]]) -> float:
    """:returns: the share of flagged sentences that were corrupted (1.0 when none flagged)."""
    true = sum(figures[k]["flagged"] * figures[k]["n"] for k in CORRUPTED_KINDS)
    false = sum(figures[k]["flagged"] * figures[k]["n"] for k in SUPPORTED_KINDS)
    return float(true / (true + false)) if true + false else 1.0


def verifier_figures(
    data: Path | None = None,
    seed: int = 7,
    per_kind: int = PER_KIND,
    min_support: float = LLMSettings().min_support,
) -> dict[str, Any]:
    """Build the labelled set and measure the verifier with and without its claim checks.

    :param min_support: the verifier's ``llm.min_support``.
    :returns: ``sentences`` (how many), ``before`` / ``after`` (per kind, see
        :func:`measure`) and ``precision`` of "flagged" before and after.
    """
    cases = build_cases(data or data_folder(), seed, per_kind)
    before = measure(cases, AnswerVerifier(min_support, check_claims=False))
    after = measure(cases, AnswerVerifier(min_support))
    return {
        "sentences": len(cases),
        "before": before,
        "after": after,
        "precision": {"before": flag_precision(before), "after": flag_precision(after)},
    }


def figures_markdown(figures: dict[str, Any]) -> list[str]:
    """:returns: the figures of :func:`verifier_figures` as Markdown lines."""
    before, after = figures["before"], figures["after"]
    lines = [
        f"{figures['sentences']} sentences",
        "| kind | n | flagged before | flagged after | reasons after |",
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        reasons = ", ".join(f"{flag} {count}" for flag, count in after[kind]["reasons"].items())
        lines.append(
            f"| {kind} | {after[kind]['n']} | {before[kind]['flagged']:.3f} "
            f"| {after[kind]['flagged']:.3f} | {reasons} |"
        )
    for name in ("before", "after"):
        lines.append(f"precision of 'flagged' {name}: {figures['precision'][name]:.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the eval folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-kind", type=int, default=PER_KIND)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--show", type=int, default=0, help="print N misjudged sentences per kind")
    args = parser.parse_args(argv)
    figures = verifier_figures(args.data, args.seed, args.per_kind)
    print("\n".join(figures_markdown(figures)))
    if args.show:
        verifier = AnswerVerifier(LLMSettings().min_support)
        shown: Counter[str] = Counter()
        for case in build_cases(args.data or data_folder(), args.seed, args.per_kind):
            if shown[case.kind] >= args.show:
                continue
            answer = verifier.verify(case.sentence, "Frage", [_source(case.passage)])
            flagged = any(sentence.flags for sentence in answer.sentences)
            if flagged == (case.kind in SUPPORTED_KINDS):
                shown[case.kind] += 1
                details = [(s.flags, s.unsupported) for s in answer.sentences]
                print(f"\n[{case.kind}] {case.sentence}\n  was: {case.original}\n  {details}")
                print(f"  passage: {case.passage.text[:600]}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
