"""How well an inquiry is split into its questions and a written reply into its answers.

Inquiries are composed from the real questions of ``karlsruhe_anfragen`` (read from
``../shared/data/eval``, never copied): the questions of one written reply (grouped by
``doc`` in ``answers.jsonl``, in question order) with the reply's ``paper_title`` as the
title, laid out as real inquiries are:

- ``numbered`` (``1.``, ``1)`` or ``(1)``), ``lettered`` (``a)``, ``a.`` or ``(a)``),
  ``frage`` (``Frage 1:`` before the question or on a line of its own), ``bullets``
  (``-`` or ``•``), one item a line, sometimes a blank line between items;
- ``runon``: the questions one after the other in one paragraph;

each with and without a preamble (sentences of a real council motion's justification,
sometimes closed by an intro such as "Wir fragen die Verwaltung:", in a paragraph of its
own or, for ``runon``, sometimes in the questions' paragraph), and with and without a
justification after the questions (a ``Begründung:``/``Sachverhalt:`` heading and
sentences of another motion). Some get a deadline ("Um Beantwortung bis zum … wird
gebeten."), a greeting and a signature; half are wrapped at 80 columns as text from a PDF
is. Seeded and deterministic.

An inquiry counts as split right when it has exactly its questions: the same number, and
each question's text equal to the original after whitespace normalisation (a label that
is part of the question, as in ``A) Wann …?``, is compared with the question). Also
measured: the title found, the deadline found (date right; none found where there is
none).

Replies: all 1,086 masked replies of the corpus are split with
:func:`~search.cases.questions.split_reply`: the share split into exactly as many
answers as they have ``[Frage n]`` markers, and the share of the gold answer passages
(``answers.jsonl``) that lie inside the answer of their question (the marker right before
the passage). The same again with every marker replaced by an answer heading on a line
of its own (``Zu 2.``, ``Zu Frage 2:``, ``Antwort zu 2:``), as replies are written when
the questions are not masked.

    python benchmarks/inquiry_split.py [--data ../shared/data/eval] [--seed 7] [--show N]
        [--json benchmarks/results/inquiry_split.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import textwrap
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from search.answers.sentences import split_sentences
from search.cases.questions import ReplyPart, split_inquiry, split_reply
from search.evaluation.verifier_quality import data_folder

LAYOUTS = ("numbered", "lettered", "frage", "bullets", "runon")
VARIANTS = ("plain", "preamble", "justification", "preamble+justification")
REPLY_MODES = ("markers", "headings", "repeated")
RESULTS = Path(__file__).resolve().parent / "results"
INTROS = (
    "Wir fragen die Verwaltung:",
    "Vor diesem Hintergrund fragen wir die Stadtverwaltung:",
    "Wir bitten um die Beantwortung folgender Fragen:",
    "Ich frage daher:",
    "Daher bitten wir um Auskunft zu folgenden Fragen:",
)
HEADINGS = ("Begründung:", "Begründung", "Sachverhalt:", "Hintergrund:")
MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
SIGNATURES = ("Stadträtin Anna Beispiel (GRÜNE)", "SPD-Gemeinderatsfraktion", "gez. Max Muster")
_MARKER = re.compile(r"\[Frage (\d+)\]")
# a marker with the label the reply writes before it ("2.  [Frage 2]", "b)  [Frage 5]")
_LABELLED_MARKER = re.compile(
    r"(?:(?<=\s)\(?(?:\d{1,2}|[A-Za-z])(?:\.\)|[.):])\s*)?\[Frage (\d+)\]"
)
_ASKING = re.compile(
    r"\b(?:bitte\w*|gebeten|frag\w*|Frage\w*|möge|soll)\b|[:?]|\s[a-z]\)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Composed:
    """One composed inquiry and what it should split into."""

    doc: str
    layout: str
    variant: str
    text: str
    title: str
    questions: tuple[str, ...]
    deadline: str | None  # ISO date, or None when the text names none


def normalise(text: str) -> str:
    return " ".join(text.split())


def load_inquiries(data: Path) -> list[tuple[str, str, list[str]]]:
    """:returns: ``(doc, paper_title, questions in order)`` per written reply."""
    folder = data / "karlsruhe_anfragen"
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            queries[row["_id"]] = row["text"]
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (folder / "answers.jsonl").open(encoding="utf-8") as lines:
        rows = sorted((json.loads(line) for line in lines), key=lambda row: row["_id"])
    for row in rows:
        grouped[(row["doc"], row["paper_title"])].append(queries[row["_id"]])
    return [(doc, title, questions) for (doc, title), questions in grouped.items()]


def load_corpus(data: Path) -> tuple[dict[str, str], list[list[str]]]:
    """:returns: the masked replies by id, and sentences of the motions' justifications
    (for preambles and justifications)."""
    replies: dict[str, str] = {}
    motions: list[list[str]] = []
    with gzip.open(data / "karlsruhe_anfragen" / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("kind") == "stellungnahme_masked":
                replies[row["_id"]] = row["text"]
            elif row.get("kind") == "Antrag" and len(motions) < 3000:
                sentences = _justification_sentences(row["text"])
                if len(sentences) >= 3:
                    motions.append(sentences)
    return replies, motions


def _justification_sentences(text: str) -> list[str]:
    heading = re.search(r"^\s*Begründung\s*:?\s*$", text, re.MULTILINE)
    if not heading:
        return []
    body = text[heading.end() :]
    body = re.sub(r"(\w)-\s*\n\s*(?=[a-zäöü])", r"\1", body)  # "In-" / "nenstadt"
    body = body.split("unterzeichnet", 1)[0]
    body = " ".join(body.split())
    usable = []
    for sentence in split_sentences(body):
        words = sentence.split()
        if (
            6 <= len(words) <= 45
            and sentence[0].isupper()
            and sentence[-1] in ".?"
            and not re.match(r"\(?\w{1,2}[.)]\s", sentence)
            and "Seite" not in sentence
        ):
            usable.append(sentence)
    return usable


_STATEMENTS: dict[int, list[list[str]]] = {}


def _statements(motions: list[list[str]]) -> list[list[str]]:
    """The motions' sentences that neither ask nor request (a preamble states), by motion."""
    if id(motions) not in _STATEMENTS:
        _STATEMENTS[id(motions)] = [
            kept for kept in ([s for s in m if _states(s)] for m in motions) if kept
        ]
    return _STATEMENTS[id(motions)]


def _states(sentence: str) -> bool:
    """A whole sentence that asks nothing (not one cut after "des 300." by the splitter)."""
    return (
        sentence[-1] == "."
        and not _ASKING.search(sentence)
        and not re.search(r"(?:\b\d{1,3}|\b\w)\.$", sentence)
    )


def _deadline(rng: random.Random) -> tuple[str, str]:
    year = rng.choice((2024, 2025, 2026))
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    written = rng.choice(
        (
            f"Um Beantwortung bis zum {day:02d}.{month:02d}.{year} wird gebeten.",
            f"Wir bitten um schriftliche Beantwortung bis zum {day}. {MONTHS[month - 1]} {year}.",
            f"Um Beantwortung zur Sitzung des Gemeinderats am {day:02d}.{month:02d}.{year} "
            "wird gebeten.",
        )
    )
    return iso, written


def _items(layout: str, questions: list[str], rng: random.Random) -> str:
    if layout == "runon":
        return " ".join(questions)
    style = rng.randrange(3)
    labels: list[str]
    if layout == "numbered":
        labels = [(f"{n}.", f"{n})", f"({n})")[style] for n in range(1, len(questions) + 1)]
    elif layout == "lettered":
        letters = "abcdefghijklmnopqrstuvwxyz"
        labels = [(f"{c})", f"{c}.", f"({c})")[style] for c in letters[: len(questions)]]
    elif layout == "frage":
        labels = [f"Frage {n}:" for n in range(1, len(questions) + 1)]
    else:
        labels = [("-", "•", "–")[style]] * len(questions)
    own_line = layout == "frage" and rng.random() < 0.5
    gap = "\n\n" if own_line or rng.random() < 0.3 else "\n"
    joiner = "\n" if own_line else " "
    return gap.join(
        f"{label}{joiner}{question}" for label, question in zip(labels, questions, strict=True)
    )


def compose(
    doc: str,
    title: str,
    questions: list[str],
    layout: str,
    variant: str,
    motions: list[list[str]],
    rng: random.Random,
) -> Composed:
    """One inquiry in ``layout`` and ``variant`` (see the module docstring); preambles
    come from :func:`statements` of ``motions``, justifications from ``motions``."""
    statements = _statements(motions)
    parts = [title]
    items = _items(layout, questions, rng)
    if "preamble" in variant:
        motion = rng.choice(statements)
        start = rng.randrange(len(motion))
        preamble = " ".join(motion[start : start + rng.randint(1, 3)])
        intro = rng.choice(INTROS) if rng.random() < 0.6 else ""
        if layout == "runon" and rng.random() < 0.5:
            parts.append(" ".join(p for p in (preamble, intro, items) if p))
        else:
            parts.append(" ".join(p for p in (preamble, intro) if p))
            parts.append(items)
    else:
        parts.append(items)
    deadline = None
    closing = []
    if rng.random() < 0.5:
        deadline, written = _deadline(rng)
        closing.append(written)
    if rng.random() < 0.3:
        closing.append(f"Mit freundlichen Grüßen\n{rng.choice(SIGNATURES)}")
    if "justification" in variant:
        motion = rng.choice(motions)
        start = rng.randrange(len(motion) - 2)
        heading = rng.choice(HEADINGS)
        body = " ".join(motion[start : start + rng.randint(2, 4)])
        at_end = rng.random() < 0.5
        if closing and not at_end:
            parts.append("\n".join(closing))
            closing = []
        parts.append(f"{heading}\n{body}" if rng.random() < 0.7 else f"{heading} {body}")
    if closing:
        parts.append("\n".join(closing))
    if rng.random() < 0.5:
        parts = ["\n".join(_wrap(line) for line in part.split("\n")) for part in parts]
    return Composed(doc, layout, variant, "\n\n".join(parts), title, tuple(questions), deadline)


def _wrap(line: str) -> str:
    return "\n".join(textwrap.wrap(line, 80, break_on_hyphens=False, break_long_words=False))


def build(
    data: Path, seed: int
) -> tuple[list[Composed], dict[str, str], dict[str, list[tuple[str, str]]]]:
    """:returns: the composed inquiries, the masked replies by id, and per reply its gold
    answer passages with their questions."""
    inquiries = load_inquiries(data)
    replies, motions = load_corpus(data)
    rng = random.Random(seed)
    composed = []
    for doc, title, questions in inquiries:
        for layout in LAYOUTS:
            if layout == "lettered" and len(questions) > 26:
                continue
            for variant in VARIANTS:
                composed.append(compose(doc, title, questions, layout, variant, motions, rng))
    queries = {}
    with (data / "karlsruhe_anfragen" / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            queries[row["_id"]] = row["text"]
    answers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (data / "karlsruhe_anfragen" / "answers.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            answers[row["doc"]].append((row["answer_passage"], queries[row["_id"]]))
    return composed, replies, answers


def _found(question_label: str, question_text: str, layout: str) -> str:
    if layout == "runon" and question_label:
        return normalise(f"{question_label} {question_text}")
    return normalise(question_text)


def flattened(case: Composed) -> str:
    """The inquiry with its body run into one line, as text from OParl or a PDF often
    is; the title stays on a line of its own (it comes from the paper's name)."""
    title, body = case.text.split("\n\n", 1)
    return f"{title}\n\n{' '.join(body.split())}"


def measure_inquiries(composed: list[Composed], show: int) -> dict[str, object]:
    right: Counter[tuple[str, str]] = Counter()
    right_flat: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    titles = deadlines = deadline_total = false_deadlines = no_deadline_total = 0
    shown: Counter[str] = Counter()
    seconds = 0.0
    for case in composed:
        key = (case.layout, case.variant)
        total[key] += 1
        expected = [normalise(q) for q in case.questions]
        started = time.perf_counter()
        inquiry = split_inquiry(case.text)
        seconds += time.perf_counter() - started
        found = [_found(q.label, q.text, case.layout) for q in inquiry.questions]
        if found == expected:
            right[key] += 1
        elif shown[case.layout] < show:
            shown[case.layout] += 1
            print(f"\n--- {case.doc} {case.layout}/{case.variant}: {len(found)} of {len(expected)}")
            print(case.text)
            for line in found:
                print(f"  found: {line[:150]}")
        flat = split_inquiry(flattened(case))
        right_flat[key] += [
            _found(q.label, q.text, case.layout) for q in flat.questions
        ] == expected
        titles += bool(inquiry.title and normalise(inquiry.title.text) == normalise(case.title))
        if case.deadline:
            deadline_total += 1
            when = inquiry.deadline.date if inquiry.deadline else None
            deadlines += bool(when and when.isoformat() == case.deadline)
        else:
            no_deadline_total += 1
            false_deadlines += inquiry.deadline is not None
    figures: dict[str, object] = {"inquiries": len(composed)}
    for name, hits in (("", right), ("flattened_", right_flat)):
        figures[f"{name}right"] = _share(sum(hits.values()), sum(total.values()))
        figures[f"{name}per_layout"] = {
            layout: _share(
                sum(hits[(layout, v)] for v in VARIANTS), sum(total[(layout, v)] for v in VARIANTS)
            )
            for layout in LAYOUTS
        }
        figures[f"{name}per_layout_variant"] = {
            f"{layout}/{variant}": _share(hits[(layout, variant)], total[(layout, variant)])
            for layout in LAYOUTS
            for variant in VARIANTS
        }
    figures["title_found"] = _share(titles, len(composed))
    figures["deadline_found"] = _share(deadlines, deadline_total)
    figures["deadline_where_none"] = _share(false_deadlines, no_deadline_total)
    figures["ms_per_inquiry"] = round(1000 * seconds / max(1, len(composed)), 3)
    return figures


def _share(part: int, whole: int) -> dict[str, float | int]:
    return {"n": whole, "share": round(part / whole, 4) if whole else 0.0}


def _with_headings(text: str, rng: random.Random) -> str:
    style = rng.choice(("Zu {n}.", "Zu Frage {n}:", "Antwort zu {n}:", "Zu {n}:"))
    return _MARKER.sub(lambda m: "\n" + style.format(n=m.group(1)) + "\n", text)


def measure_replies(
    replies: dict[str, str], answers: dict[str, list[tuple[str, str]]], seed: int, mode: str
) -> dict[str, object]:
    """Split the replies as they are (``markers``), with answer headings for the markers
    (``headings``; replies with answer headings of their own are left out), or with the
    questions written out before the answers (``repeated``: ``2. <question>`` on a line of
    its own; only replies whose every marked question is in queries.jsonl and that do not
    split without their markers, i.e. write no question or heading the masking missed)."""
    rng = random.Random(seed)
    exact = inside = passages = no_number = whole_reply = left_out = 0
    for doc, original in sorted(replies.items()):
        markers = {int(m.group(1)) for m in _MARKER.finditer(original)}
        questions = {
            number: question
            for passage, question in answers.get(doc, [])
            if (number := _gold_number(original, passage)) is not None
        }
        if (mode == "headings" and _has_own_headings(original)) or (
            mode == "repeated" and (set(questions) != markers or _has_own_parts(original))
        ):
            left_out += 1
            continue
        if mode == "headings":
            text = _with_headings(original, rng)
        elif mode == "repeated":
            text = _with_questions(original, questions)
        else:
            text = original
        parts = split_reply(text)
        exact += len(parts) == len(markers)
        all_inside = True
        for passage, _ in answers.get(doc, []):
            number = _gold_number(original, passage)
            if number is None:
                no_number += 1
                continue
            passages += 1
            at = text.find(passage)
            ok = at >= 0 and _inside(text, parts, number, at, at + len(passage))
            inside += ok
            all_inside &= ok
        whole_reply += all_inside
    measured = len(replies) - left_out
    return {
        "replies": measured,
        "left_out": left_out,
        "exact_count": _share(exact, measured),
        "passage_inside": _share(inside, passages),
        "replies_all_passages_inside": _share(whole_reply, measured),
        "passages_without_marker_before": no_number,
    }


def _with_questions(text: str, questions: dict[int, str]) -> str:
    return _LABELLED_MARKER.sub(lambda m: f"\n{m.group(1)}. {questions[int(m.group(1))]}\n", text)


def _has_own_parts(text: str) -> bool:
    """The reply splits without its markers: it writes headings or questions of its own
    (questions the masking missed), so the markers do not count its answers."""
    return bool(split_reply(_MARKER.sub("\n", text)))


def _has_own_headings(text: str) -> bool:
    """The reply writes answer headings of its own ("Zu 2. und 3.:"): with one more per
    marker it would have two per question."""
    return any(
        part.label.startswith(("Zu", "Antwort")) for part in split_reply(_MARKER.sub("\n", text))
    )


def _gold_number(text: str, passage: str) -> int | None:
    at = text.find(passage)
    if at < 0:
        return None
    before = re.search(r"\[Frage (\d+)\]\s*$", text[:at])
    return int(before.group(1)) if before else None


def _inside(text: str, parts: list[ReplyPart], number: int, start: int, end: int) -> bool:
    """The passage lies in the part of its question (the question the reply repeats, if
    any, and the answer). The gold passages run up to the next marker, so they keep the
    label the reply writes before it ("G.", "B: und C:"), which the part leaves out: up
    to three words past the part's end are allowed."""
    for part in parts:
        part_start = part.question.start if part.question else part.start
        if number in part.numbers and part_start <= start:
            tail = text[part.end : end] if end > part.end else ""
            if len(tail.split()) <= 3 and len(tail) <= 25:
                return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the eval folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0, help="print N wrong splits per layout")
    parser.add_argument("--json", type=Path, default=RESULTS / "inquiry_split.json")
    args = parser.parse_args(argv)
    data = args.data or data_folder()
    composed, replies, answers = build(data, args.seed)
    inquiries = measure_inquiries(composed, args.show)
    print(f"{inquiries['inquiries']} composed inquiries, {inquiries['ms_per_inquiry']} ms each")
    for name, label in (("", "as composed"), ("flattened_", "flattened to one paragraph")):
        print(f"\nright split, {label}:")
        print("| layout | " + " | ".join(VARIANTS) + " | all |")
        print("|---|" + "---:|" * (len(VARIANTS) + 1))
        per_variant = inquiries[f"{name}per_layout_variant"]
        per_layout = inquiries[f"{name}per_layout"]
        for layout in LAYOUTS:
            cells = [f"{per_variant[f'{layout}/{v}']['share']:.3f}" for v in VARIANTS]  # type: ignore[index]
            share = per_layout[layout]["share"]  # type: ignore[index]
            print(f"| {layout} | " + " | ".join(cells) + f" | {share:.3f} |")
        print(f"overall: {inquiries[f'{name}right']}")
    print(f"title found: {inquiries['title_found']}")
    print(f"deadline found: {inquiries['deadline_found']}")
    print(f"deadline found where none: {inquiries['deadline_where_none']}")
    reply_figures = {
        mode: measure_replies(replies, answers, args.seed, mode) for mode in REPLY_MODES
    }
    for mode, figures in reply_figures.items():
        print(
            f"replies, {mode}: {figures['replies']} replies ({figures['left_out']} left out), "
            f"exact count {figures['exact_count']['share']:.4f}, "  # type: ignore[index]
            f"passages inside {figures['passage_inside']['share']:.4f} "  # type: ignore[index]
            f"of {figures['passage_inside']['n']}, replies with all inside "  # type: ignore[index]
            f"{figures['replies_all_passages_inside']['share']:.4f}"  # type: ignore[index]
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "seed": args.seed,
                "inquiries": inquiries,
                "replies": reply_figures,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
