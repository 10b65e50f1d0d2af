"""A source's options typed as ``KEY=value`` text (CLI ``--option``, the admin form).

Kept in the core, beside the settings, so that the interface parses them without
importing the ingestion code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


class OptionSyntaxError(ValueError):
    """A source option typed as text is not ``KEY=value``; ``line`` is what was typed."""

    def __init__(self, line: str) -> None:
        super().__init__(f"Option {line!r} is not KEY=VALUE")
        self.line = line


def parse_options(pairs: Iterable[str]) -> dict[str, Any]:
    """:returns: source options from ``KEY=value`` texts (CLI ``--option``, the admin form);
    values that are JSON (numbers, lists, true) are parsed, others kept as stripped text.

    :raises OptionSyntaxError: when one has no ``=`` or no key.
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise OptionSyntaxError(pair)
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value.strip()
    return options
