"""The word list that splits German compounds, and how it is built.

``Hundesteuersatzung`` is indexed as ``hunde steuer satzung``, so the query
``Hundesteuer`` finds it and the query ``Hundesteuersatzung`` finds a text about the
``Hundesteuer`` and its ``Satzung``. The splitting itself is tantivy's
``Filter.split_compound`` (Elasticsearch: ``dictionary_decompounder``), fed with
:func:`constituents`: a word is split only when it can be cut, left to right and taking
the longest known word each time, entirely into known words; anything else stays whole.

So the list must hold the *parts* of compounds and never a compound itself (the longest
match would keep it whole). :func:`build_constituents` derives it from German text:

1. words seen at least ``min_count`` times, at least 4 letters long (3 for nouns, which
   are capitalised: ``Amt``, ``Bau``, ``Rat``), no stop words;
2. words that can be cut into two or more other words of the list, with the linking
   elements ``s``/``es``/``n``/``en``/``e`` allowed, are dropped (they are compounds);
3. each word gets its ``s``-linked form where German always links with ``s``
   (``Bebauungsplan`` = ``bebauungs`` + ``plan``), and its spelling without umlauts and
   ``ß`` (``Gebuehrensatzung``).

The shipped list (``search/data/german_constituents.txt``) is built from the federal laws
and the Karlsruhe council paper titles in ``../shared/data/corpora``::

    python -m search.compounds ../shared/data/corpora > search/data/german_constituents.txt

Changing it changes the analysis: bump :data:`search.analysis.ANALYSIS_VERSION`.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Final

DICTIONARY_PATH: Final = Path(__file__).with_name("data") / "german_constituents.txt"

_WORD = re.compile(r"[^\W\d_]+")
_TAG = re.compile(r"<[^>]+>")
_LINKS: Final = ("", "s", "es", "n", "en", "e")
_S_LINKED: Final = ("ung", "heit", "keit", "schaft", "tion", "sion", "tät", "ität", "ling", "tum")
_TRANSLITERATION: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# German stop words (Snowball) plus prefixes that are words but not compound parts
_EXCLUDED: Final = frozenset(
    """aber alle allem allen aller alles als also ander andere anderem anderen anderer
    anderes anderm andern anderr anders auch auf aus bei bin bis bist damit dann der den des
    dem die das dass daß derselbe derselben denselben desselben demselben dieselbe dieselben
    dasselbe dazu dein deine deinem deinen deiner deines denn derer dessen dich dir doch dort
    durch ein eine einem einen einer eines einig einige einigem einigen einiger einiges
    einmal etwas euer eure eurem euren eurer eures für gegen gewesen hab habe haben hat
    hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer ihres euch im in
    indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein
    keine keinem keinen keiner keines können könnte machen man manche manchem manchen
    mancher manches mein meine meinem meinen meiner meines mit muss musste nach nicht nichts
    noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie
    ihnen sind so solche solchem solchen solcher solches soll sollte sondern sonst über um
    und uns unsere unserem unseren unser unseres unter viel vom von vor während war waren
    warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie
    wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen
    ab an ge ver zer ent emp miss""".split()  # noqa: SIM905 - a word list reads better so
)


def _texts(corpora: Path) -> Iterator[str]:
    """Federal law text (XML without tags) and council paper titles under ``corpora``."""
    for xml in sorted((corpora / "bundesrecht").glob("*/source.xml")):
        yield _TAG.sub(" ", xml.read_text(encoding="utf-8"))
    papers = corpora / "oparl-karlsruhe" / "papers.jsonl.gz"
    if papers.is_file():
        with gzip.open(papers, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield str(json.loads(line).get("name") or "")


def _splits(word: str, vocabulary: set[str], parts: int = 0) -> bool:
    """Whether ``word`` can be cut into two or more words of ``vocabulary`` (with links)."""
    for end in range(3, len(word) - 2):
        head = word[:end]
        for link in _LINKS:
            if head.endswith(link) and head[: len(head) - len(link)] in vocabulary:
                rest = word[end:]
                if rest in vocabulary or _splits(rest, vocabulary, parts + 1):
                    return True
    return False


def build_constituents(texts: Iterable[str], min_count: int = 3) -> list[str]:
    """Derive the list of compound parts from German text (see the module docstring).

    :param texts: German text.
    :param min_count: how often a word must occur to be a part.
    :returns: lowercase words, sorted.
    """
    counts: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for text in texts:
        for word in _WORD.findall(text):
            lower = word.lower()
            counts[lower] += 1
            if word[0].isupper() and not word.isupper():
                capitalised[lower] += 1
    vocabulary = {
        word
        for word, count in counts.items()
        if count >= min_count
        and word not in _EXCLUDED
        and (len(word) >= 4 or (len(word) == 3 and capitalised[word] >= 0.8 * count))
        and len(word) <= 20
    }
    parts = {word for word in vocabulary if not _splits(word, vocabulary - {word})}
    result = set(parts)
    for word in parts:
        if word.endswith(_S_LINKED):
            result.add(word + "s")
    result |= {word.translate(_TRANSLITERATION) for word in result}
    return sorted(result)


@cache
def constituents() -> tuple[str, ...]:
    """:returns: the shipped list of compound parts (empty if the file is missing)."""
    if not DICTIONARY_PATH.is_file():
        return ()
    lines = DICTIONARY_PATH.read_text(encoding="utf-8").split()
    return tuple(line for line in lines if line and not line.startswith("#"))


if __name__ == "__main__":  # pragma: no cover - build step, see the module docstring
    for entry in build_constituents(_texts(Path(sys.argv[1]))):
        print(entry)
