"""How German administrative texts cite council papers and norms, as patterns.

Shared by the answer verifier (:mod:`search.answers.claims`, which compares the references of an
answer with those of its passages) and reference extraction at ingestion
(:mod:`ingest.relations.references`, which links a text to the papers and laws it cites), so that
both read ``Drs. 2024/0153``, ``Vorlage Nr.: 2020/1246`` or ``§ 34 Abs. 1`` alike.
"""

from __future__ import annotations

import re
from typing import Final

PARAGRAPH_SIGN: Final = r"§§?|\bArt(?:ikel|\.)?"
"""The sign of a norm: ``§``, ``§§``, ``Art.``, ``Artikel``."""
PART_WORD: Final = r"Abs(?:atz|\.)?|S(?:atz|\.)|Nr\.?|Nummer|Ziff(?:er|\.)?"
"""The units below a norm: Absatz, Satz, Nummer, Ziffer (abbreviated or not)."""

PAPER_MARKER: Final = (
    r"Drucksachen?|Drucks\.|Drs\.|DS|Stellungnahme|"
    r"(?:[A-ZÄÖÜ][a-zäöüß]+)?(?:vorlagen?|antrag(?:e?s)?|anfragen?)"
)
"""Words naming a council paper before its number: ``Drucksache``, ``Drs.``, ``Vorlage``,
``Beschlussvorlage``, ``Informationsvorlage``, ``Antrag``, ``Ergänzungsantrags``,
``Anfrage``, ``Stellungnahme`` (the answer to an inquiry, under its number) …"""
PAPER_NUMBER: Final = (
    r"(?:(?P<prefix>(?-i:[A-Z]{2,4}))\s?/?\s?)?"
    r"(?P<n>\d{2,4}\s?/\s?\d{1,5}(?:/\d{1,3}){0,2})(?![\d/])"
)
"""A paper's number: ``2024/0153``, ``2021/0167/1`` (a supplement to 2021/0167, which may
have its own: ``2021/1257/1/2``), ``23/2012``,
and with a city's prefix ``DHH/2023/0002`` or ``ANF2022/2001`` (``prefix`` apart)."""
DRUCKSACHE: Final = re.compile(
    rf"\b(?:{PAPER_MARKER})(?:\s*-?\s*(?:Nr\.?|Nummer))?\s*[.:]{{0,2}}\s*{PAPER_NUMBER}", re.I
)
"""A council paper cited by its number: ``Drs. 2024/0153``, ``Drucksache 2024/0153``,
``Vorlage Nr.: 2020/1246``, ``Vorlagen-Nr. 2023/1123``, ``(Vorlagennummer 2022/2120``,
``Beschlussvorlage 2018/0399``, ``Vorlage: DHH/2023/0002``, ``Antrag 2022/0822``; group
``n`` is the number,
``prefix`` a city's letters before it."""
