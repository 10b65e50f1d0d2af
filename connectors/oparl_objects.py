"""OParl objects made regular: array fields as arrays, clean strings, per-vendor fix-ups,
and the text and council context of a paper (Drucksache)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from connectors.oparl_client import clean_text

OParlObject = dict[str, Any]
Fixup = Callable[[OParlObject], OParlObject]
"""Repairs one object of a vendor's server (before it is read)."""

# fields that OParl 1.0/1.1 define as arrays, by object type; some servers send one value
_ARRAY_FIELDS: Final = {
    "Paper": frozenset(
        {
            "auxiliaryFile",
            "consultation",
            "underDirectionOf",
            "originatorPerson",
            "originatorOrganization",
            "relatedPaper",
            "superordinatedPaper",
            "subordinatedPaper",
            "location",
            "keyword",
        }
    ),
    "Meeting": frozenset({"organization", "participant", "auxiliaryFile", "agendaItem", "keyword"}),
    "AgendaItem": frozenset({"auxiliaryFile", "keyword"}),
    "Consultation": frozenset({"organization", "keyword"}),
    "File": frozenset({"derivativeFile", "meeting", "agendaItem", "paper", "keyword"}),
    "Organization": frozenset({"membership", "post", "keyword"}),
}
# the type of an embedded object without ``type``, by the field it stands in
_EMBEDDED: Final = {
    "consultation": "Consultation",
    "agendaItem": "AgendaItem",
    "auxiliaryFile": "File",
    "mainFile": "File",
    "invitation": "File",
    "resultsProtocol": "File",
    "verbatimProtocol": "File",
    "resolutionFile": "File",
    "derivativeFile": "File",
}
_DATE_FIELDS: Final = frozenset({"date", "startDate", "endDate"})
_REFERENCE_IN_NAME: Final = re.compile(
    r"^\s*(?:Drucksache|Drs\.|Vorlage)\s*(?:Nr\.\s*)?(\d{2,4}/\d+)"
)
RESOLUTION_CHARS: Final = 400
"""How much of a resolution text the council context keeps (the full text is indexed)."""


def normalize(value: Any, kind: str | None = None) -> Any:
    """Make an OParl value regular, recursively.

    :param value: an object, array or scalar as the server sent it.
    :param kind: the object type when ``value`` does not say (embedded objects).
    :returns: ``value`` with the array fields of its type as arrays, ``date`` fields as
        ``YYYY-MM-DD`` and no control characters in strings.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [normalize(item, kind) for item in value if item is not None]
    if not isinstance(value, dict):
        return value
    kind = str(value.get("type") or "").rstrip("/").rsplit("/", 1)[-1] or kind
    arrays = _ARRAY_FIELDS.get(kind or "", frozenset())
    result: OParlObject = {}
    for key, item in value.items():
        item = normalize(item, _EMBEDDED.get(key))
        if key in arrays and not isinstance(item, list):
            item = [] if item in (None, "") else [item]
        elif key in _DATE_FIELDS and isinstance(item, str) and len(item) > 10:
            item = item[:10]  # a date-time where a date belongs
        result[key] = item
    return result


def _reference_from_name(obj: OParlObject) -> OParlObject:
    """Systems that leave ``reference`` empty and write the number into the name."""
    if obj.get("reference") or not isinstance(obj.get("name"), str):
        return obj
    match = _REFERENCE_IN_NAME.match(obj["name"])
    return {**obj, "reference": match.group(1)} if match else obj


VENDOR_FIXUPS: dict[str, list[Fixup]] = {
    "reference-in-name": [_reference_from_name],
}
"""Fix-ups by vendor key. A key applies when the source's ``vendor`` option names it, or
when it occurs in the System's ``vendor`` or ``product`` URL."""


def fixups_for(system: Mapping[str, Any], vendor: str | None) -> list[Fixup]:
    """:returns: the fix-ups that apply to a server."""
    names = f"{system.get('vendor') or ''} {system.get('product') or ''}".lower()
    chosen: list[Fixup] = []
    for key, fixups in VENDOR_FIXUPS.items():
        if key == vendor or key.lower() in names:
            chosen.extend(fixups)
    if vendor and vendor not in VENDOR_FIXUPS:
        msg = f"Unknown OParl vendor fix-up {vendor!r}; known: {', '.join(VENDOR_FIXUPS)}"
        raise ValueError(msg)
    return chosen


def shorten(text: str, limit: int = RESOLUTION_CHARS) -> str:
    """:returns: ``text`` on one line, cut at a word boundary after ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"


def german_date(iso: str | None) -> str:
    """:returns: ``12.03.2024`` for ``2024-03-12…``, ``""`` for nothing."""
    if not iso or len(iso) < 10:
        return iso or ""
    return f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}"


def consultation_line(consultation: Mapping[str, Any]) -> str:
    """:returns: ``Gemeinderat, 12.03.2024, TOP 7: beschlossen``."""
    parts = [
        str(consultation.get("organization") or consultation.get("meeting") or "Gremium"),
        german_date(consultation.get("date")),
        f"TOP {consultation['agenda_item']}" if consultation.get("agenda_item") else "",
    ]
    line = ", ".join(part for part in parts if part)
    return f"{line}: {consultation['result']}" if consultation.get("result") else line


def paper_text(
    paper: Mapping[str, Any],
    council: Mapping[str, Any],
    files: list[str],
    resolutions: Sequence[tuple[Mapping[str, Any], str]],
) -> str:
    """The paper's own text, for a paper without a readable file: what it is, who brought
    it in, where it was consulted and what was resolved.

    :param paper: the Paper object.
    :param council: its council context (see :data:`search.core.fields.COUNCIL`).
    :param files: names of its files.
    :param resolutions: full resolution texts, each with its consultation.
    :returns: paragraphs separated by blank lines.
    """
    kind = paper.get("paperType") or "Drucksache"
    head = f"{kind} {paper.get('reference') or ''}".strip()
    blocks = [f"# {head}: {paper.get('name') or ''}".rstrip(": ")]
    facts = []
    if paper.get("date"):
        facts.append(f"Datum: {german_date(paper['date'])}")
    if council.get("originator"):
        facts.append(f"Federführung/Antragsteller: {council['originator']}")
    if facts:
        blocks.append("\n".join(facts))
    consultations = council.get("consultations") or []
    if consultations:
        lines = ["Beratungsfolge:"] + [f"- {consultation_line(c)}" for c in consultations]
        blocks.append("\n".join(lines))
    for consultation, resolution in resolutions:
        blocks.append(f"Beschluss ({consultation_line(consultation)}):")
        blocks.append(resolution)
    if files:
        blocks.append("Dateien: " + "; ".join(files))
    return "\n\n".join(blocks) + "\n"
