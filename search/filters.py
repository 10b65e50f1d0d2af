"""The filter model shared by every store and the retriever."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions on which chunks a search may return.

    Every field is optional; ``None`` means "no restriction on this field".
    ``access_groups`` is the set of groups of the user: a chunk is visible when its
    ``access_groups`` share at least one group with it. ``None`` there means unrestricted
    and is only for admin tooling; user-facing searches always pass the user's groups.

    :param sources: source names to keep.
    :param doc_types: document types to keep (see :data:`search.core.fields.DOC_TYPES`).
    :param date_from: keep documents dated on or after this day.
    :param date_to: keep documents dated on or before this day.
    :param access_groups: the user's groups.
    :param doc_ids: keep only chunks of these documents ("more from this document").
    :param as_of: the *Rechtsstand*: rules in force on this day rank first (default:
        today); not a restriction of the stores, the ranking reads it.
    :param in_force_only: leave out rules not in force on ``as_of`` (applied with the
        ranking, after the stores).
    """

    sources: Sequence[str] | None = None
    doc_types: Sequence[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    access_groups: Sequence[str] | None = None
    doc_ids: Sequence[str] | None = None
    as_of: date | None = None
    in_force_only: bool = False

    @property
    def has_date_range(self) -> bool:
        """:returns: whether a date bound is set (chunks without a date are then excluded)."""
        return self.date_from is not None or self.date_to is not None
