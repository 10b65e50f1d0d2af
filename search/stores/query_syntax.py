"""The keyword query syntax, parsed once for every keyword store.

People type queries like ``Hundesteuer "erster Hund" -Katze``, ``§ 3 Abs. 2`` or
``Drs. 2024/0153``. :func:`parse_query` turns any string into a small tree that each
backend renders into its own query objects, so tantivy and Elasticsearch agree on what a
query means and neither ever sees invalid syntax.

Supported syntax (Lucene-like):

- words, combined with OR and ranked by BM25;
- ``"a phrase"``;
- ``a AND b`` (both required), ``a OR b``, ``NOT a``; the operators only in capitals;
- ``+word`` (required), ``-word`` (excluded), also before a phrase or a group; but not
  German's suspended hyphen (*Ergänzungsstrich*): after ``und``, ``oder``, ``bzw.``,
  ``sowie``, ``bis``, ``&`` or a number, ``-word`` is a word (``Lichtwert und -stärke``,
  ``Feiertagen oder -perioden``, ``CO 2 -Reduktion``): questions copied from letters are
  full of them, and excluding the word would exclude the documents that answer them;
- parentheses for groups.

Everything else is read as plain words, never rejected: an unbalanced quote or
parenthesis is ignored, an operator without an operand is dropped, punctuation inside a
word splits it (``2024/0153`` becomes the phrase ``"2024 0153"``, as both backends tokenise
it, and so does a hyphen: ``IT-Abteilung``), but words typed together with ``/``, ``|``,
``;`` or ``,`` and no digit are words of their own (``Hundesteuer/Befreiung``), HTML tags
pasted along are dropped (``<b>Hundesteuer</b>``), and words that analyse to nothing
(stop words, ``§``) are left out. A query with only excluded words matches every chunk
without them; a query with nothing searchable left (``"der die das"``, ``§``) matches
nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import Enum
from typing import Final

from search.analysis import analyze

MAX_DEPTH: Final = 8
"""Deeper parentheses are flattened; nobody types more, and it bounds the recursion."""

_TOKEN = re.compile(r'[+-]?"[^"]*"|[+-]?\(|\)|[^\s"()]+')
_WORD = re.compile(r"\w+")
_MARKUP = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
"""An HTML tag, as a query pasted from a web page or an e-mail brings along."""
_SEPARATOR = re.compile(r"[/|\\;,+=<>*]+")
"""Characters that separate words typed together (``Hundesteuer/Befreiung``); between
digits they stay part of a reference (``2024/0153``)."""
_CONTINUED_AFTER: Final = frozenset({"und", "oder", "bzw", "bzw.", "sowie", "bis", "&"})
"""Words after which ``-word`` continues a compound instead of excluding a word."""


class Occur(Enum):
    """How a clause takes part in its group."""

    SHOULD = "should"
    MUST = "must"
    MUST_NOT = "must_not"


@dataclass(frozen=True, slots=True)
class Terms:
    """Words to find: one word is a term, several are a phrase.

    :param words: the words as typed (not analysed), each a run of letters and digits.
    """

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        """:returns: whether the words must appear next to each other."""
        return len(self.words) > 1

    @property
    def text(self) -> str:
        """:returns: the words joined by spaces."""
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class Clause:
    """One part of a group.

    :param occur: whether it is optional, required or excluded.
    :param node: the words or a nested group.
    """

    occur: Occur
    node: Terms | Group


@dataclass(frozen=True, slots=True)
class Group:
    """Clauses combined like a Lucene boolean query.

    With at least one required clause the optional ones only add to the score; without,
    at least one optional clause must match. Excluded clauses never match.
    """

    clauses: tuple[Clause, ...]

    @property
    def is_empty(self) -> bool:
        """:returns: whether nothing is left to search for."""
        return not self.clauses

    @property
    def only_excludes(self) -> bool:
        """:returns: whether every clause is excluded (then all other chunks match)."""
        return bool(self.clauses) and all(c.occur is Occur.MUST_NOT for c in self.clauses)


def parse_query(query: str) -> Group:
    """Parse a query as typed by a person; never raises.

    :param query: the query.
    :returns: the query tree; empty when nothing searchable is left.
    """
    query = html.unescape(_MARKUP.sub(" ", query))
    if query.count('"') % 2:
        # an unbalanced quote is ignored rather than swallowing the rest of the query
        last = query.rindex('"')
        query = query[:last] + " " + query[last + 1 :]
    tokens = _TOKEN.findall(query)
    tokens.reverse()  # consumed with pop()
    return _parse_group(tokens, depth=0)


def _parse_group(tokens: list[str], depth: int) -> Group:
    clauses: list[Clause] = []
    conjunction = False  # the previous token was AND
    negate = False  # the previous token was NOT
    previous = ""
    while tokens:
        token = tokens.pop()
        before, previous = previous, token  # the token before this one, as typed
        if token == ")":
            if depth > 0:
                break
            continue  # unmatched: ignore
        if token == "AND":
            conjunction = bool(clauses)
            continue
        if token == "OR":
            conjunction = False
            continue
        if token == "NOT":
            negate = True
            continue
        prefix = ""
        if token[0] in "+-" and len(token) > 1:
            prefix, token = token[0], token[1:]
            if prefix == "-" and _suspended_hyphen(before, token):
                prefix = ""
        node = _parse_node(token, tokens, depth)
        if node is None:
            continue
        occur = Occur.SHOULD
        if negate or prefix == "-":
            occur = Occur.MUST_NOT
        elif prefix == "+" or conjunction:
            occur = Occur.MUST
        if conjunction and occur is not Occur.MUST_NOT and clauses:
            # "a AND b": the left operand becomes required too
            last = clauses[-1]
            if last.occur is Occur.SHOULD:
                clauses[-1] = Clause(Occur.MUST, last.node)
        clauses.append(Clause(occur, node))
        conjunction = negate = False
    return Group(tuple(clauses))


def _suspended_hyphen(before: str, token: str) -> bool:
    """Whether ``-token`` after the word ``before`` is the second half of a German
    abbreviated compound ("Lichtwert und -stärke"), not an exclusion."""
    if not before or token[0] in '"(':
        return False
    return before.lower() in _CONTINUED_AFTER or before[-1].isdigit()


def _parse_node(token: str, tokens: list[str], depth: int) -> Terms | Group | None:
    if token == "(":
        if depth + 1 >= MAX_DEPTH:
            return _parse_group(tokens, depth)  # flatten
        group = _parse_group(tokens, depth + 1)
        if group.is_empty:
            return None
        if len(group.clauses) == 1 and group.clauses[0].occur is not Occur.MUST_NOT:
            return group.clauses[0].node
        return group
    if not token.startswith('"') and not _has_digit(token):
        parts = [part for part in _SEPARATOR.split(token) if part]
        if len(parts) > 1:  # words typed together: each is a word of its own
            nodes = [node for node in map(_terms, parts) if node is not None]
            if len(nodes) > 1:
                return Group(tuple(Clause(Occur.SHOULD, node) for node in nodes))
            return nodes[0] if nodes else None
    return _terms(token.strip('"'))


def _terms(text: str) -> Terms | None:
    """:returns: the words of ``text`` (a phrase when several, as in ``IT-Abteilung``),
    or ``None`` when they analyse to nothing: "der", "§" or "–" alone would match nothing
    (or, in a phrase, nothing extra)."""
    words = tuple(_WORD.findall(text))
    if not words or not analyze(" ".join(words)):
        return None
    return Terms(words)


def searched_words(query: str) -> list[str]:
    """:returns: the words of a query that are searched for (not excluded), as typed, in
    order, each once; words with digits (references, numbers) are left out."""
    words: list[str] = []

    def walk(group: Group) -> None:
        for clause in group.clauses:
            if clause.occur is Occur.MUST_NOT:
                continue
            if isinstance(clause.node, Group):
                walk(clause.node)
            else:
                words.extend(w for w in clause.node.words if not _has_digit(w))

    walk(parse_query(query))
    return list(dict.fromkeys(words))


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def edit_limit(word: str) -> int:
    """:returns: how many edits a misspelling of ``word`` may be away: 1 up to five
    letters, else 2 (Elasticsearch's ``fuzziness: AUTO`` above two letters)."""
    return 1 if len(word) <= 5 else 2


def closest_word(word: str, text: str) -> str | None:
    """:returns: the word of ``text``, as written there, closest to ``word`` (edit
    distance at most 1, or 2 for words of more than five letters; case ignored), or
    ``None`` when none is that close or ``word`` itself occurs."""
    from rapidfuzz.distance import DamerauLevenshtein

    limit = edit_limit(word)
    best: tuple[int, str] | None = None
    for candidate in dict.fromkeys(_WORD.findall(text)):
        if _has_digit(candidate):
            continue
        distance = DamerauLevenshtein.distance(word.lower(), candidate.lower())
        if distance == 0:
            return None
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def replace_words(query: str, replacements: dict[str, str]) -> str:
    """:returns: ``query`` with whole words replaced."""
    for word, better in replacements.items():
        query = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, query)
    return query
