"""Make unstructured work without internet access.

Every ``partition_*`` call of unstructured tokenises text with spaCy and, on first use,
downloads the English model ``en_core_web_sm`` from GitHub. Without internet that fails,
and with internet it would call a host nobody configured. We only need sentence
boundaries (POS tags matter for English only), so a blank German pipeline with a rule
based sentencizer replaces the model before anything is partitioned.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import search  # noqa: F401  (switches off telemetry and hub look-ups before the imports below)

LANGUAGES: list[str] = ["deu"]
"""Passed as ``languages=`` to every partition call."""

_lock = threading.Lock()
_done = False


def _blank_german() -> Any:
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    return nlp


def ensure_offline() -> None:
    """Point unstructured's spaCy loader at a blank German pipeline; idempotent.

    Call before the first ``partition_*`` call; every function in :mod:`ingest.pipeline.parsing`
    does.
    """
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
        from unstructured.nlp import tokenize

        tokenize._load_spacy_model = _blank_german
        tokenize._get_nlp.cache_clear()
        _done = True
