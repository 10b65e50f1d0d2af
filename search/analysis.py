"""German text analysis, defined once for every keyword store.

Both keyword backends analyse chunk text and queries with the same chain, so that a query
finds the same words in tantivy (embedded) and Elasticsearch (server):

1. split into words at everything that is not a letter or digit;
2. drop tokens longer than :data:`MAX_TOKEN_LENGTH` characters (base64, hashes);
3. lowercase;
4. drop German stop words;
5. Snowball German stemming ("Hunde"/"Hundes" → "hund", "Gebühren" → "gebuhr").

The Snowball German stemmer already folds umlauts and their transliterations ("Gebühr",
"Gebuehr" and "Gebuhr" all become "gebuhr") and ``ß`` to ``ss`` ("Straße" = "Strasse"), so
spelling variants match without a separate normalisation field. Tantivy adds ASCII folding
after stemming for the remaining accents ("Café" = "Cafe"); Elasticsearch runs
``german_normalization`` before its stemmer, which has the same effect.

Compound splitting ("Hundesteuersatzung" → "Hund", "Steuer", "Satzung") is not done yet.
It belongs here: a dictionary of constituent words feeding ``Filter.split_compound`` in
:func:`tantivy_analyzer` and a ``dictionary_decompounder`` filter in
:func:`elasticsearch_analysis_settings`, inserted before the stop-word step. Changing the
chain changes the index: stores must then be rebuilt.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import tantivy

GERMAN_ANALYZER: Final = "auskunft_german"
"""Name of the analyser in both backends (tantivy tokenizer name, Elasticsearch analyzer)."""

MAX_TOKEN_LENGTH: Final = 40
"""Longer tokens are dropped: nobody types them, and they bloat the index."""

ANALYSIS_VERSION: Final = 1
"""Bumped whenever the chain changes in a way that needs a reindex."""


def tantivy_analyzer() -> tantivy.TextAnalyzer:
    """Build the German analyser for tantivy.

    Tantivy does not persist custom analysers: register the result under
    :data:`GERMAN_ANALYZER` after every ``Index(...)`` and ``Index.open(...)``.

    :returns: a new analyser.
    """
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_LENGTH))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("german"))
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


def elasticsearch_analysis_settings() -> dict[str, Any]:
    """The ``settings.analysis`` block for an Elasticsearch index.

    :returns: a JSON-compatible dict defining the analyser :data:`GERMAN_ANALYZER`.
    """
    return {
        "filter": {
            "auskunft_german_stop": {"type": "stop", "stopwords": "_german_"},
            "auskunft_german_stemmer": {"type": "stemmer", "language": "german"},
            "auskunft_long": {"type": "length", "max": MAX_TOKEN_LENGTH},
        },
        "analyzer": {
            GERMAN_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "auskunft_long",
                    "lowercase",
                    "auskunft_german_stop",
                    "german_normalization",
                    "auskunft_german_stemmer",
                    "asciifolding",
                ],
            }
        },
    }
