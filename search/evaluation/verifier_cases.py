"""A labelled set of right and wrong claims, built from real passages, to measure how often
the answer verifier (:class:`~search.answers.verification.AnswerVerifier`) flags a wrong claim and
how often it leaves a right one alone, without an LLM.

The passages are the gold answer passages of ``karlsruhe_anfragen`` (replies of the
Karlsruhe administration to council inquiries) and the § sections of the statutes in
``ragsource_fragen``, both read from the evaluation folder (never copied). From each
passage's sentences it makes, seeded and deterministic:

- ``supported``: the sentence verbatim;
- ``paraphrased``: the same sentence reworded without changing what it claims (clauses
  swapped around a comma, a parenthesis dropped, "€" written "Euro", "%" written "Prozent",
  "21.03.2017" written "21. März 2017", "120" written "120,00");
- ``merged``: the sentence and another of its passage joined by a semicolon;
- ``figure``, ``date``, ``reference``: one amount, date or § / Abs. / Art. number changed to
  one the passage does not state;
- ``negation``: "nicht" inserted or removed, or "muss" / "kann" swapped;
- ``body``: a named body or office swapped with another body of the corpus the passage does
  not name;
- ``other_document``: a sentence of another document.

``benchmarks/verifier_quality.py`` measures the verifier on it.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.answers.claims import (
    MODALS,
    NEGATORS,
    NUMBER_WORDS,
    PassageClaims,
    bodies_in,
    dates_in,
    references_in,
)
from search.answers.sentences import content_terms, split_sentences

SUPPORTED_KINDS = ("supported", "paraphrased", "merged")
CORRUPTED_KINDS = ("figure", "date", "reference", "negation", "body", "other_document")
KINDS = SUPPORTED_KINDS + CORRUPTED_KINDS
PER_KIND = 600
"""At most this many sentences of each kind."""
MONTH_NAMES = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.,/§-])(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?(?![\w]|[.,]\d|/\d)")
_PARAGRAPH_NUMBER = re.compile(r"(§§?\s*|Art\.\s*|Abs\.\s*|Absatz\s+)(\d+)")
_ENUMERATION = re.compile(r"^\(?\d{1,2}[.)]\s|\s\d{1,2}\.\s(?=[A-ZÄÖÜ])")
"""A list number ("5. Was …", "(2) Die …"): no figure the sentence claims."""
_VERB = re.compile(
    r"\b(ist|sind|wird|werden|wurde|wurden|kann|können|muss|müssen|darf|dürfen|soll|sollen|"
    r"hat|haben|gibt|besteht|bestehen|liegt|liegen|erfolgt|gilt)\b"
)


@dataclass(frozen=True, slots=True)
class Passage:
    """A gold passage: its document, text and where it stands."""

    doc_id: str
    title: str
    section: str
    text: str


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled sentence: what kind it is and the passage it cites as ``[1]``."""

    kind: str
    sentence: str
    passage: Passage
    original: str


def load_passages(data: Path) -> list[Passage]:
    """:returns: the Karlsruhe gold answer passages and the statutes' § sections."""
    passages = []
    with (data / "karlsruhe_anfragen" / "answers.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            passages.append(Passage(row["doc"], row["paper_title"], "", row["answer_passage"]))
    corpus = data / "ragsource_fragen" / "corpus.jsonl"
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            for section, text in _sections(row["text"]):
                passages.append(Passage(row["_id"], row["title"], section, text))
    return passages


def _sections(markdown: str) -> Iterator[tuple[str, str]]:
    heading = ""
    body: list[str] = []
    for line in [*markdown.splitlines(), "# end"]:
        if line.startswith("#"):
            text = " ".join(" ".join(body).replace("**", "").split())
            if heading and len(text) > 80:
                yield heading, text
            heading, body = line.lstrip("#").strip(), []
        else:
            body.append(line)


def _cite(sentence: str) -> str:
    sentence = sentence.rstrip()
    if sentence[-1:] in ".!?:;":
        return f"{sentence[:-1]} [1]{sentence[-1]}"
    return f"{sentence} [1]."


def _usable(sentence: str) -> bool:
    return (
        40 <= len(sentence) <= 400
        and len(content_terms(sentence)) >= 5
        and sum(c.isdigit() for c in sentence) < len(sentence) / 5
        and not re.search(r"\[\d{1,3}\]", sentence)
    )


def _other_number(value: int, rng: random.Random) -> int:
    step = rng.choice((1, 2, 5, 10, value // 2 or 3, value or 4))
    return value + step if rng.random() < 0.7 or value - step <= 0 else value - step


def _numbers(text: str) -> set[int]:
    """Every whole number a text writes, in digits (read with and without thousands
    separators: "16.12.2014" writes 2014) or as a number word."""
    grouped = {int(m.replace(".", "")) for m in re.findall(r"\d{1,3}(?:\.\d{3})+", text)}
    words = {NUMBER_WORDS[w.lower()] for w in re.findall(r"\w+", text) if w.lower() in NUMBER_WORDS}
    return grouped | {int(m) for m in re.findall(r"\d+", text)} | words


def _figure(sentence: str, passage: Passage, rng: random.Random) -> str | None:
    _, rest = dates_in(sentence)
    _, rest = references_in(rest)
    rest = _ENUMERATION.sub(lambda m: " " * len(m.group(0)), rest)
    matches = list(_NUMBER.finditer(rest))
    if not matches:
        return None
    match = rng.choice(matches)
    whole = int(match.group(1).replace(".", ""))
    stated = _numbers(f"{passage.text} {passage.title} {passage.section}")
    for _ in range(10):
        new = _other_number(whole, rng)
        if new in stated:
            continue
        text = f"{new:,}".replace(",", ".") if "." in match.group(1) else str(new)
        return f"{sentence[: match.start()]}{text}{match.group(2) or ''}{sentence[match.end() :]}"
    return None


def _date(sentence: str, passage: PassageClaims, rng: random.Random) -> str | None:
    stated = {(d.day, d.month, d.year) for d in passage.dates}
    dates, _ = dates_in(sentence)
    dates = [date for date in dates if date.day is not None or date.year is not None]
    if not dates:
        return None
    date = rng.choice(dates)
    for _ in range(10):
        new = date.text
        which = rng.choice(("day", "month", "year"))
        if which == "day" and date.day:
            day = date.day % 28 + rng.randint(1, 5)
            new = re.sub(
                rf"^0?{date.day}\b", f"{day:02d}" if new.startswith("0") else str(day), new
            )
        elif which == "year" and date.year:
            new = new.replace(str(date.year), str(date.year + rng.choice((-2, -1, 1, 2))))
        else:
            month = date.month % 12 + rng.randint(1, 3)
            month = (month - 1) % 12 + 1
            name = MONTH_NAMES[date.month - 1]
            if name in new:
                new = new.replace(name, MONTH_NAMES[month - 1])
            else:
                new = re.sub(rf"\.0?{date.month}\.", f".{month:02d}.", new, count=1)
        changed, _ = dates_in(new)
        if new == date.text or not changed:
            continue
        if (changed[0].day, changed[0].month, changed[0].year) in stated:
            continue
        return sentence.replace(date.text, new, 1)
    return None


def _reference(sentence: str, passage: Passage, rng: random.Random) -> str | None:
    matches = list(_PARAGRAPH_NUMBER.finditer(sentence))
    if not matches:
        return None
    match = rng.choice(matches)
    # a number the passage does not write at all: surely no § or Abs. it states
    stated = _numbers(f"{passage.text} {passage.title} {passage.section}")
    for _ in range(10):
        new = int(match.group(2)) + rng.choice((1, 2, 3, 5, 10))
        if new in stated:
            continue
        return f"{sentence[: match.start(2)]}{new}{sentence[match.end(2) :]}"
    return None


def _negation(sentence: str, rng: random.Random) -> str | None:
    words = sentence.split(" ")
    for index, word in enumerate(words):
        if word.lower() == "nicht":
            return " ".join(words[:index] + words[index + 1 :])
    for index, word in enumerate(words):
        if word in ("muss", "kann"):
            words[index] = "kann" if word == "muss" else "muss"
            return " ".join(words)
    if any(word.lower().strip(",.") in NEGATORS | set(MODALS) for word in words):
        return None
    verbs = list(_VERB.finditer(sentence))
    if not verbs:
        return None
    verb = rng.choice(verbs)
    return f"{sentence[: verb.end()]} nicht{sentence[verb.end() :]}"


def _body(sentence: str, passage: Passage, pool: list[str], rng: random.Random) -> str | None:
    found = bodies_in(sentence)
    if not found:
        return None
    _, words = rng.choice(found)
    lowered = f"{passage.text}\n{passage.title}\n{passage.section}".lower()
    for _ in range(20):
        other = rng.choice(pool)
        if other.lower() not in lowered and not other.lower().startswith(words.lower()[:5]):
            return sentence.replace(words, other, 1)
    return None


def _paraphrase(sentence: str, rng: random.Random) -> str | None:
    options = []
    without = re.sub(r"\s*\([^()]{3,80}\)", "", sentence)
    if without != sentence:
        options.append(without)
    reworded = re.sub(r"(\d)\s*€", r"\1 Euro", sentence)
    reworded = re.sub(r"(\d)\s*%", r"\1 Prozent", reworded)
    reworded = re.sub(r"\bAbsatz (\d)", r"Abs. \1", reworded)
    reworded = re.sub(r"(?<![\d.,])(\d{1,3})\.(\d{3})(?![\d.,])", r"\1\2", reworded)  # 1.200 → 1200
    reworded = re.sub(
        r"\b([a-zäöüß]+)\b",
        lambda m: str(NUMBER_WORDS[m.group(1)]) if m.group(1) in NUMBER_WORDS else m.group(1),
        reworded,
    )
    reworded = _ANY_DATE.sub(_other_spelling, reworded)
    if reworded != sentence:
        options.append(reworded)
    body = sentence.rstrip(".")
    if body.count(", ") == 1 and sentence.endswith(".") and not _ENUMERATION.match(body):
        first, second = (part.strip() for part in body.split(", "))
        if len(first) > 15 and len(second) > 15:
            options.append(f"{second[0].upper()}{second[1:]}, {first}.")
    return rng.choice(options) if options else None


_ANY_DATE = re.compile(
    r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)"
    rf"|(?<![\d.])(\d{{1,2}})\. ({'|'.join(MONTH_NAMES)}) (\d{{4}})"
)


def _other_spelling(match: re.Match[str]) -> str:
    """21.03.2017 ↔ 21. März 2017."""
    if match.group(1):
        day, month, year = match.group(1, 2, 3)
        if not 1 <= int(month) <= 12:
            return match.group(0)
        return f"{int(day)}. {MONTH_NAMES[int(month) - 1]} {year}"
    day, name, year = match.group(4, 5, 6)
    return f"{int(day):02d}.{MONTH_NAMES.index(name) + 1:02d}.{year}"


def _merged(sentence: str, others: list[str]) -> str | None:
    """Two sentences of a passage as one, as an answer that sums a passage up writes them."""
    following = [other for other in others if other != sentence]
    if not following or not sentence.endswith("."):
        return None
    return f"{sentence[:-1]}; {following[0]}"


def build_cases(data: Path, seed: int = 7, per_kind: int = PER_KIND) -> list[Case]:
    """Build the labelled set: per kind at most ``per_kind`` sentences, seeded.

    :param data: the ``eval`` folder (``shared/data/eval``).
    :param seed: the random seed.
    :param per_kind: the most sentences of one kind.
    :returns: the labelled sentences.
    """
    rng = random.Random(seed)
    passages = load_passages(data)
    rng.shuffle(passages)
    pool = sorted({words for p in passages for _, words in bodies_in(p.text) if " " not in words})
    cases: list[Case] = []
    counts: Counter[str] = Counter()
    for index, passage in enumerate(passages):
        sentences = [s for s in split_sentences(passage.text) if _usable(s)]
        if not sentences:
            continue
        claims = PassageClaims(passage.text, f"{passage.title}\n{passage.section}")
        rng.shuffle(sentences)
        made: dict[str, str | None] = {}
        made_from: dict[str, str] = {}
        for sentence in sentences:
            candidates = {
                "supported": sentence,
                "merged": _merged(sentence, sentences),
                "paraphrased": _paraphrase(sentence, rng),
                "figure": _figure(sentence, passage, rng),
                "date": _date(sentence, claims, rng),
                "reference": _reference(sentence, passage, rng),
                "negation": _negation(sentence, rng),
                "body": _body(sentence, passage, pool, rng),
            }
            for kind, text in candidates.items():
                fresh = (text and text != sentence) or kind == "supported"
                if fresh and made.setdefault(kind, text) == text:
                    made_from[kind] = sentence
        other = passages[(index + 1 + rng.randrange(len(passages) - 1)) % len(passages)]
        if other.doc_id != passage.doc_id:
            foreign = [s for s in split_sentences(other.text) if _usable(s)]
            made["other_document"] = rng.choice(foreign) if foreign else None
            made_from["other_document"] = ""
        for kind in KINDS:
            text = made.get(kind)
            if text and counts[kind] < per_kind:
                counts[kind] += 1
                cases.append(Case(kind, _cite(text), passage, made_from[kind]))
        if all(counts[kind] >= per_kind for kind in KINDS):
            break
    return cases
