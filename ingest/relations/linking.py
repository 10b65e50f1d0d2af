"""From what each document's text says to the links between documents.

At ingestion every document is read once (:func:`analyse_text`: the statutes it holds,
what they amend or repeal and when they are in force) and the result is kept in its
catalog entry, so linking never parses again. After every run the whole catalog is linked
(:func:`link_entries`: amendments to the statutes they amend, repeals, the day each rule
enters into force and leaves it, the versions of each statute) and the records the search
service reads are replaced (:func:`refresh_relations`). A statute that arrives after its
amendment is linked by the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from ingest.catalog import Catalog, CatalogEntry
from ingest.pipeline.elements import ParsedDocument
from ingest.relations.references import (
    Reference,
    ReferenceTargets,
    extract_references,
    oparl_references,
    resolve,
)
from ingest.relations.statute_text import pages_of
from ingest.relations.validity import DocumentValidity, analyse
from ingest.relations.versions import Dated as VersionDated
from ingest.relations.versions import DocumentRecord, Versions, link_versions
from search.relations import Dated, DocumentRelations, Linked, RelationStore
from search.relations import Reference as RelationReference

logger = logging.getLogger(__name__)

ANALYSIS_VERSION: Final = 2
"""Raised when the analysis changes: entries analysed by an older version are read again
at their next change (until then they keep their links)."""
_VALIDITY: Final = TypeAdapter(DocumentValidity)
MAX_REFERENCES: Final = 500
"""References kept per document (a law commentary may cite thousands)."""


def analyse_text(
    parsed: ParsedDocument,
    *,
    title: str | None,
    doc_type: str | None,
    date: str | None,
    reference: str | None = None,
    oparl: Mapping[str, Any] | None = None,
    paper: str | None = None,
) -> dict[str, Any]:
    """Read what a document's text says of statutes (its own and others) and what it cites.

    :param parsed: the parsed, structured document.
    :param title: its title.
    :param doc_type: its type.
    :param date: its date, ISO.
    :param reference: its own Drucksache number (not a reference to another paper).
    :param oparl: an OParl paper's own links (``relatedPaper``, ``superordinatedPaper``,
        ``subordinatedPaper``), kept as references too.
    :param paper: the OParl paper the document belongs to (its id), so that references
        to the paper resolve to the paper rather than to one of its files.
    :returns: a JSON-ready dict for the catalog: ``version``, ``validity``,
        ``references`` (each with its ``page``) and ``paper``, or ``error`` when the text
        could not be read (the document is indexed all the same).
    """
    try:
        pages = pages_of(parsed)
        validity = analyse(pages, title=title or "", doc_type=doc_type or "other", date=date)
        references = [
            found.as_dict() | {"page": page}
            for page, text in pages
            for found in extract_references(text, own_reference=reference)
        ][:MAX_REFERENCES]
        references += [found.as_dict() | {"page": None} for found in oparl_references(oparl or {})]
    except Exception as exc:  # an analysis bug must never cost a document its place
        logger.warning("Could not analyse the text of %r: %s", title, exc, exc_info=True)
        return {"version": ANALYSIS_VERSION, "error": f"{type(exc).__name__}: {exc}"}
    return {
        "version": ANALYSIS_VERSION,
        "validity": _VALIDITY.dump_python(validity, mode="json"),
        "references": references,
        "paper": paper,
    }


def _validity(entry: CatalogEntry) -> DocumentValidity | None:
    data = (entry.analysis or {}).get("validity")
    if not data:
        return None
    try:
        return _VALIDITY.validate_python(data)
    except ValidationError:
        logger.warning("Unreadable analysis of %s; it is left out of the links", entry.uri)
        return None


def _dated(dated: VersionDated | None) -> Dated | None:
    if dated is None:
        return None
    return Dated(
        date=dated.date,
        doc_id=dated.doc_id,
        page=dated.evidence.page,
        sentence=dated.evidence.sentence,
        relative=dated.relative,
        retroactive=dated.retroactive,
    )


def link_entries(
    entries: Iterable[CatalogEntry], documents: Sequence[Mapping[str, Any]] | None = None
) -> list[DocumentRelations]:
    """Link the statutes of indexed documents (each source by itself) and resolve what
    they cite.

    :param entries: catalog entries with an analysis (others are left out).
    :param documents: every indexed document as :meth:`Catalog.targets` describes it:
        what references can point to (default: ``entries``).
    :returns: the relations of every document that has any.
    """
    by_id = {entry.doc_id: entry for entry in entries}
    if documents is None:
        documents = [
            {
                "doc_id": e.doc_id,
                "uri": e.uri,
                "reference": e.reference,
                "doc_type": e.doc_type,
                "title": e.title or e.filename,
                "date": e.date,
                "access_groups": e.access_groups,
            }
            for e in by_id.values()
        ]
    known = {str(doc["doc_id"]): doc for doc in documents}
    targets = ReferenceTargets.from_documents(documents)
    records = []
    for entry in by_id.values():
        validity = _validity(entry)
        if validity is not None and validity.enactments:
            records.append(
                DocumentRecord(
                    doc_id=entry.doc_id,
                    title=entry.title or entry.filename,
                    doc_type=entry.doc_type or "other",
                    date=entry.date,
                    validity=validity,
                    source=entry.source,
                )
            )
    versions = link_versions(records)
    changes: dict[tuple[str, str], tuple[str, ...]] = {}  # (amending, amended) doc ids
    enactments = {record.doc_id: record.validity.enactments for record in records}
    for version in versions.versions:
        enactment = enactments[version.part.doc_id][version.part.index]
        if version.amends is not None and enactment.amendment is not None:
            key = (version.part.doc_id, version.amends.doc_id)
            found = [change.provision for change in enactment.amendment.changes]
            changes[key] = tuple(dict.fromkeys(changes.get(key, ()) + tuple(found)))
    pages = {
        record.doc_id: (enactment.first_page, enactment.last_page or enactment.first_page)
        for record in records
        for enactment in record.validity.enactments[:1]
        if enactment.amendment is not None and enactment.first_page is not None
    }
    relations = {
        doc_id: replace(_relations(doc_id, versions, by_id, changes), rule_pages=pages.get(doc_id))
        for doc_id in versions.documents
    }
    _add_references(relations, by_id, known, targets)
    return [relations[doc_id] for doc_id in sorted(relations)]


def _add_references(
    relations: dict[str, DocumentRelations],
    entries: dict[str, CatalogEntry],
    known: Mapping[str, Mapping[str, Any]],
    targets: ReferenceTargets,
) -> None:
    """Give each citing document its resolved references and each cited one its
    ``cited_by`` (only documents in ``entries`` are named)."""
    cited_by: dict[str, set[str]] = {}
    for doc_id, entry in entries.items():
        stored = (entry.analysis or {}).get("references") or []
        if not stored:
            continue
        found = [Reference.from_dict(data) for data in stored]
        pages = [data.get("page") for data in stored]
        resolved = resolve(found, targets)
        kept: dict[str, RelationReference] = {}
        for page, item in zip(pages, resolved, strict=True):
            target = item.doc_id if item.doc_id != doc_id else None
            if item.reference.key in kept and not target:
                continue
            title = str(known[target]["title"]) if target and target in known else None
            kept[item.reference.key] = RelationReference(
                kind=item.reference.kind,
                text=item.reference.text,
                key=item.reference.key,
                page=page,
                doc_id=target,
                title=title,
                section=item.section,
            )
            if target:
                cited_by.setdefault(target, set()).add(doc_id)
        base = relations.get(doc_id) or DocumentRelations(doc_id=doc_id)
        relations[doc_id] = replace(base, references=tuple(kept.values()))
    for target, citing in cited_by.items():
        base = relations.get(target) or DocumentRelations(doc_id=target)
        links = tuple(
            sorted((_citing(known[other]) for other in citing), key=lambda link: link.date or "")
        )
        relations[target] = replace(base, cited_by=links)


def _citing(document: Mapping[str, Any]) -> Linked:
    return Linked(
        doc_id=str(document["doc_id"]),
        title=str(document["title"]),
        date=document.get("date"),
        groups=tuple(document.get("access_groups") or ()),
    )


def _relations(
    doc_id: str,
    versions: Versions,
    entries: dict[str, CatalogEntry],
    changes: dict[tuple[str, str], tuple[str, ...]],
) -> DocumentRelations:
    links = versions.documents[doc_id]

    def linked(ids: Sequence[str], *, amending: bool = False) -> tuple[Linked, ...]:
        found = [
            replace(
                _linked(other, versions, entries),
                changes=changes.get((other, doc_id), ()) if amending else (),
            )
            for other in ids
            if other in entries
        ]
        return tuple(sorted(found, key=lambda item: item.in_force_from or item.date or ""))

    history: dict[str, Linked] = {}
    for statute in versions.histories:
        if any(version.part.doc_id == doc_id for version in statute.versions):
            for version in statute.versions:
                other = version.part.doc_id
                if other in entries and other not in history:
                    history[other] = _linked(other, versions, entries)
    return DocumentRelations(
        doc_id=doc_id,
        in_force_from=_dated(links.in_force_from),
        in_force_until=_dated(links.in_force_until),
        amends=linked(links.amends),
        amended_by=linked(links.amended_by, amending=True),
        replaces=linked(links.replaces),
        replaced_by=linked(links.replaced_by),
        history=tuple(history.values()) if len(history) > 1 else (),
    )


def _linked(doc_id: str, versions: Versions, entries: dict[str, CatalogEntry]) -> Linked:
    entry = entries[doc_id]
    links = versions.documents.get(doc_id)
    start = links.in_force_from.date if links and links.in_force_from else None
    return Linked(
        doc_id=doc_id,
        title=entry.title or entry.filename,
        date=entry.date,
        in_force_from=start,
        groups=tuple(entry.access_groups),
    )


def holds_statutes(entry: CatalogEntry) -> bool:
    """:returns: whether the analysis of a document found a statute text or a reference
    in it (linking has something to do)."""
    analysis = entry.analysis or {}
    validity = analysis.get("validity") or {}
    return bool(validity.get("enactments") or analysis.get("references"))


def refresh_relations(catalog: Catalog, store: RelationStore | None = None) -> int:
    """Link the statutes of the catalog's indexed documents and replace the stored relations.

    :param catalog: the catalog.
    :param store: where the relations go (default: the table beside the catalog's).
    :returns: how many documents have relations.
    """
    relations = link_entries(catalog.holding_statutes(), catalog.targets())
    return (store or RelationStore(catalog.conn)).replace_all(relations)
