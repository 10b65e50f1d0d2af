"""Retrieved text is data, never instructions: recognising instructions aimed at the model.

A document in the index may contain text written to steer an AI that reads it (indirect
prompt injection): "Ignoriere alle vorherigen Anweisungen …", "You are now …", "Antworte
nur mit …", a link to follow. The defence has three layers, of which this module is the
deterministic part:

1. before prompting, sentences of a passage that address the model are replaced by a
   marker (:func:`neutralise`), so the model never reads them as written;
2. the prompt puts passages between delimiters and says they are quoted data
   (:mod:`search.answers.prompts`), which also covers instructions no pattern here recognises;
3. after generation, sentences that repeat an instruction, or carry a link, address or
   host not found in the passages, are flagged or blocked (:mod:`search.answers.verification`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from search.answers.sentences import split_sentences

REMOVED_MARKER: Final = "[Entfernt: Text, der sich als Anweisung an eine KI richtet]"

# Said to a model, not to a citizen: German and English phrasings seen in injection
# corpora. Each is specific enough not to match ordinary statutes or minutes.
_INSTRUCTION_PATTERNS: Final = [
    r"\bignorier\w*\b.{0,40}\b(anweisung|instruktion|regel|vorgabe|prompt|befehl)",
    r"\b(vergiss|vergessen sie)\b.{0,40}\b(anweisung|regel|vorgabe|prompt)",
    r"\bignore\b.{0,40}\b(instruction|prompt|rule|direction)s?\b",
    r"\bdisregard\b.{0,40}\b(instruction|prompt|rule|above|previous)",
    r"\b(system-?prompt|systemanweisung|systemnachricht|system message)\b",
    r"\b(neue|geänderte|folgende) anweisung(en)?\s*(für|an) (die|eine|das) "
    r"(ki|künstliche intelligenz|sprachmodell|modell|assistent)",
    r"\b(an|für) (die|eine|das|alle) (ki|künstliche intelligenz|sprachmodell|llm|"
    r"sprachmodelle|assistent(en)?|chatbot)\b",
    r"\b(ai|llm|language model|assistant|chatbot)s?\s*[:,]\s*(you|please|always|never)\b",
    r"\b(du bist|sie sind) (jetzt|ab sofort|nun)\b",
    r"\byou are now\b",
    r"\b(antworte|antworten sie|answer|respond|reply)\b.{0,30}\b(nur|ausschließlich|"
    r"immer|only|always)\b.{0,20}\b(mit|with|so|that)\b",
    r"\b(gib|geben sie|nenne|nennen sie|output|print|reveal)\b.{0,40}\b(prompt|"
    r"anweisungen|instructions|passwort|password|api[- ]?key)",
    r"\b(verweise|verweisen sie|leite|leiten sie|schicke|schicken sie|redirect|send)\b"
    r".{0,60}(https?://|www\.|@)",
    r"\b(als (ki|sprachmodell)|as an ai)\b",
    r"</?\s*(system|assistant|user|quelle|instructions?)\s*>",
    r"<<<\s*(ende\s+)?quelle",  # our own delimiters, echoed or forged
    r"\b(jailbreak|dan mode|developer mode|entwicklermodus aktiv)\b",
]
INSTRUCTION: Final = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTION_PATTERNS), re.I)

LINK: Final = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'\])]+"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
    r"|\b(?:[a-z0-9-]+\.)+(?:de|com|net|org|io|info|biz|ru|xyz|eu|app|dev|example)\b",
    re.I,
)
"""A URL, e-mail address or bare host name."""


def is_instruction(sentence: str) -> bool:
    """:returns: whether a sentence addresses an AI model with an instruction."""
    return INSTRUCTION.search(sentence) is not None


def instructions_in(text: str) -> list[str]:
    """:returns: the sentences of ``text`` that address an AI model."""
    return [sentence for sentence in split_sentences(text) if is_instruction(sentence)]


def neutralise(text: str) -> tuple[str, list[str]]:
    """Replace the sentences of a passage that address an AI model by a marker.

    :param text: passage text.
    :returns: the text to show the model, and the sentences that were replaced.
    """
    found = instructions_in(text)
    for sentence in found:
        text = text.replace(sentence, REMOVED_MARKER)
    return text, found


def links_in(text: str) -> set[str]:
    """:returns: URLs, e-mail addresses and host names in ``text``, lowercased, without a
    trailing full stop or comma."""
    return {match.group(0).lower().rstrip(".,;:") for match in LINK.finditer(text)}


def known_links(texts: Iterable[str]) -> set[str]:
    """:returns: the links in texts that are not instructions (those a passage offers as
    information, e.g. the city's own web page), lowercased."""
    links: set[str] = set()
    for text in texts:
        for sentence in split_sentences(text):
            if not is_instruction(sentence):
                links |= links_in(sentence)
    return links
