"""German text analysis, defined once for every keyword store.

Both keyword backends analyse chunk text and queries with the same chain, so that a query
finds the same words in tantivy (embedded) and Elasticsearch (server):

1. split into words at everything that is not a letter or digit;
2. drop tokens longer than :data:`MAX_TOKEN_LENGTH` characters (base64, hashes);
3. lowercase;
4. split compounds into their parts (:mod:`search.compounds`): ``Hundesteuersatzung`` →
   ``hunde steuer satzung``, so ``Hundesteuer`` finds it and the reverse;
5. drop German stop words;
6. Snowball German stemming ("Hunde"/"Hundes" → "hund", "Gebühren" → "gebuhr").

The Snowball German stemmer already folds umlauts and their transliterations ("Gebühr",
"Gebuehr" and "Gebuhr" all become "gebuhr") and ``ß`` to ``ss`` ("Straße" = "Strasse"), so
spelling variants match without a separate normalisation field. Tantivy adds ASCII folding
after stemming for the remaining accents ("Café" = "Cafe"); Elasticsearch runs
``german_normalization`` before its stemmer, which has the same effect.

Compounds are split with the same word list in both backends, with one difference:
tantivy's ``split_compound`` replaces a compound by its parts (consecutive positions, so
the query ``Hundesteuer`` is the phrase ``hunde steuer`` and matches inside
``Hundesteuersatzung``), while Elasticsearch's ``dictionary_decompounder`` keeps the
whole word and adds the parts at its position. Queries are built so both behave alike:
a single word that splits is searched as its phrase *or* any of its parts
(:func:`compound_parts`), ranked by BM25.

Law abbreviations (``BauGB``, ``VwVfG``) are single tokens, lowercased; they are not
expanded. ``§`` and other punctuation split words and vanish, so ``§ 34 BauGB`` searches
``34`` and ``baugb``.

Changing the chain changes the index: :data:`ANALYSIS_VERSION` is part of the analyser's
name, so an index built with another chain is refused with
:class:`~search.core.errors.IndexMismatch` instead of being searched wrongly.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import tantivy

from search.compounds import constituents

ANALYSIS_VERSION: Final = 2
"""Bumped whenever the chain changes in a way that needs a reindex."""

GERMAN_ANALYZER: Final = f"auskunft_german_v{ANALYSIS_VERSION}"
"""Name of the analyser in both backends (tantivy tokenizer name, Elasticsearch analyzer).
It is recorded in the tantivy schema, so a version change makes old indexes mismatch."""

MAX_TOKEN_LENGTH: Final = 40
"""Longer tokens are dropped: nobody types them, and they bloat the index."""


def tantivy_analyzer() -> tantivy.TextAnalyzer:
    """Build the German analyser for tantivy.

    Tantivy does not persist custom analysers: register the result under
    :data:`GERMAN_ANALYZER` after every ``Index(...)`` and ``Index.open(...)``.

    :returns: a new analyser.
    """
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_LENGTH))
        .filter(tantivy.Filter.lowercase())
    )
    words = constituents()
    if words:
        builder = builder.filter(tantivy.Filter.split_compound(list(words)))
    return (
        builder.filter(tantivy.Filter.stopword("german"))
        .filter(tantivy.Filter.stemmer("german"))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@cache
def _shared_analyzer() -> tantivy.TextAnalyzer:
    return tantivy_analyzer()


def analyze(text: str) -> list[str]:
    """Run the German chain on ``text`` (the tantivy implementation).

    Used outside tantivy, too: the query parser drops query words that analyse to nothing
    (stop words, lone punctuation) before any backend sees them.

    :param text: any text.
    :returns: the index terms, in order.
    """
    return _shared_analyzer().analyze(text)


def compound_parts(word: str) -> list[str]:
    """The index terms of one typed word, when it is a compound.

    :param word: one word (letters and digits).
    :returns: its terms if it splits into two or more (``Hundesteuer`` → ``hund``,
        ``steu``), else an empty list.
    """
    terms = analyze(word)
    return terms if len(terms) > 1 else []


def elasticsearch_analysis_settings() -> dict[str, Any]:
    """The ``settings.analysis`` block for an Elasticsearch index.

    :returns: a JSON-compatible dict defining the analyser :data:`GERMAN_ANALYZER`.
    """
    return {
        "filter": {
            "auskunft_german_stop": {"type": "stop", "stopwords": "_german_"},
            # the Snowball German algorithm, as tantivy's stemmer; the "stemmer" filter's
            # "german" is Lucene's own GermanStemmer, which stems differently
            "auskunft_german_stemmer": {"type": "snowball", "language": "German"},
            "auskunft_long": {"type": "length", "max": MAX_TOKEN_LENGTH},
            "auskunft_german_compounds": {
                "type": "dictionary_decompounder",
                "word_list": list(constituents()),
                "only_longest_match": True,
                "min_subword_size": 3,
            },
        },
        "analyzer": {
            GERMAN_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "auskunft_long",
                    "lowercase",
                    "auskunft_german_compounds",
                    "auskunft_german_stop",
                    "german_normalization",
                    "auskunft_german_stemmer",
                    "asciifolding",
                ],
            }
        },
    }
