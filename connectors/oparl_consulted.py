"""Where each paper was consulted: the way back from a changed meeting or agenda item to
the papers whose council context it is.

Servers often record a later ``result`` (or resolution text) on the agenda item, and move
the ``modified`` of the item and its meeting, but not of the paper. The Karlsruhe system's
agenda items do not even name their consultation, so the only way back is what the papers
said when they were last listed: :class:`ConsultedIndex` keeps, per paper, the ids of the
agenda items and meetings of its consultations.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


class ConsultedIndex:
    """Per paper, the agenda items and meetings of its consultations; and back.

    :param state: what :meth:`state` returned after the last sync (``{}`` at first).
    """

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self._by_paper: dict[str, list[str]] = {
            paper: [str(item) for item in items]
            for paper, items in dict(state or {}).items()
            if isinstance(items, list)
        }
        self._reverse: dict[str, set[str]] | None = None

    def record(self, paper_id: str, consulted: Iterable[str]) -> None:
        """Remember where a paper was consulted (replacing what was known)."""
        self._by_paper[paper_id] = list(dict.fromkeys(consulted))
        self._reverse = None

    def forget(self, paper_id: str) -> None:
        """A paper deleted at the source."""
        if self._by_paper.pop(paper_id, None) is not None:
            self._reverse = None

    def papers(self, ids: Iterable[str]) -> set[str]:
        """:returns: the papers consulted in any of these agenda items or meetings."""
        if self._reverse is None:
            self._reverse = {}
            for paper, consulted in self._by_paper.items():
                for item in consulted:
                    self._reverse.setdefault(item, set()).add(paper)
        found: set[str] = set()
        for item in ids:
            found |= self._reverse.get(item, set())
        return found

    def state(self) -> dict[str, list[str]]:
        """:returns: a JSON-ready copy for the connector's state."""
        return dict(self._by_paper)


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def modified_since(obj: dict[str, Any], cursor: str) -> bool:
    """:returns: whether an object changed at or after ``cursor`` (an ISO date-time);
    ``True`` when either cannot be read, so that nothing is missed."""
    modified = obj.get("modified")
    if obj.get("deleted"):
        return True
    if not isinstance(modified, str):
        return True
    then, since = _moment(modified), _moment(cursor)
    if then is None or since is None:
        return True
    return then >= since
