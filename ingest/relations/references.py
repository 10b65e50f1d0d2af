"""References of a text to council papers and to laws, and their resolution to documents.

Council papers cite each other by number (``Drs. 2024/0153``, ``Vorlage Nr.: 2020/1246``,
``Beschlussvorlage 2018/0399``); texts of every kind cite laws by § or Art. with the
law's abbreviation or title (``§ 34 Abs. 1 BauGB``, ``§§ 135 a - c BauGB``, ``§ 12e des
Behindertengleichstellungsgesetzes (BGG)``, ``Art. 28 Abs. 2 GG``). Extraction
(:func:`extract_references`) is a pure function of the text; a listed or ranged citation
becomes one :class:`Reference` per target. A § that names no law (``§ 3 der Satzung``,
``§ 6 Abs. 1 Nr. 2``) is no law reference: it points into the document itself or into a
local statute.

Resolution (:func:`resolve`) is a pure function of the stored references and the targets
the index knows now (:class:`ReferenceTargets`: papers by number and by OParl id, laws by
abbreviation with their §§). So a reference whose target arrives later is resolved by
resolving the stored references again; nothing about a target is stored with a reference.

::

    refs = extract_references(text, own_reference="2024/0153")
    resolved = resolve(refs, targets)   # each with doc_id (None: unresolved) and section
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from ingest.relations.law_citations import (
    LawCitation,
    is_law_abbreviation,
    law_citations,
    section_label,
)
from ingest.relations.law_names import canonical_abbreviation
from search.citation_patterns import DRUCKSACHE, PAPER_MARKER, PAPER_NUMBER
from search.core import fields

PAPER: Final = "paper"
LAW: Final = "law"
TEXT: Final = "text"
"""Origin of a reference found in the text."""
OPARL: Final = "oparl"
"""Origin of a reference from an OParl paper's own links."""
OPARL_RELATIONS: Final = {
    "relatedPaper": "related",
    "superordinatedPaper": "superordinated",
    "subordinatedPaper": "subordinated",
}
"""The link fields of an OParl Paper and the relation each gives its reference."""

RESOLVED: Final = "resolved"
LAW_ONLY: Final = "law_only"
"""The law is known, the cited § is not among its sections (repealed, mistyped, OCR)."""
UNRESOLVED: Final = "unresolved"
AMBIGUOUS: Final = "ambiguous"
"""The number belongs to more than one paper."""

# "Beschlussvorlage (2022/0332)", "Antrag der SPD (2024/0884)", "Vorlage der Verwaltung
# Nr. 2022/1029": the number a few words after the word naming the paper
_PAPER_NEAR = re.compile(
    rf"\b(?:{PAPER_MARKER})(?P<gap>[^.;:()§]{{1,60}}?)(?:\(\s*|\bNr\.\s*){PAPER_NUMBER}", re.I
)
_PAPER_LIST = re.compile(rf"\s*(?:,|und|sowie|bzw\.|oder|u\.)\s*{PAPER_NUMBER}")
_YEARS = re.compile(r"(?P<first>(?:19|20)\d\d)(?P<space>\s?)/\s?(?P<second>(?:19|20)\d\d)")
_PAPER_KEY = re.compile(r"^(?:([A-Z]{2,4})\s?/?\s?)?(\d{1,5})\s?/\s?(\d{1,5})((?:/\d{1,3})*)$")


@dataclass(frozen=True, slots=True)
class Reference:
    """One target a text (or an OParl paper) refers to.

    :param kind: :data:`PAPER` or :data:`LAW`.
    :param key: what identifies the target: ``paper:2024/0153``, ``law:BauGB/§ 34``,
        ``oparl:<url of the OParl paper>``.
    :param text: the citation as written (for a listed citation, the whole list:
        ``§§ 135 a - c BauGB``); for an OParl link, the linked paper's URL.
    :param start: offset of ``text`` in the text (``None`` for an OParl link).
    :param end: offset after ``text``.
    :param number: the paper's number (``2024/0153``) or the norm's (``34``, ``135a``).
    :param law: the law's abbreviation (``BauGB``, ``SGB VIII``), for a law reference.
    :param section: ``§ 34`` or ``Art. 28``, for a law reference.
    :param absatz: the Absatz, where cited (``1``, ``3a``).
    :param satz: the Satz, where cited.
    :param nummer: the Nummer (or Ziffer), where cited.
    :param origin: :data:`TEXT` or :data:`OPARL`.
    :param relation: for an OParl link: ``related``, ``superordinated`` or ``subordinated``.
    """

    kind: str
    key: str
    text: str
    start: int | None
    end: int | None
    number: str | None = None
    law: str | None = None
    section: str | None = None
    absatz: str | None = None
    satz: str | None = None
    nummer: str | None = None
    origin: str = TEXT
    relation: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """:returns: the reference as JSON-ready values (what a document stores)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reference:
        """:returns: the reference :meth:`as_dict` gave."""
        values: dict[str, Any] = {name: data.get(name) for name in cls.__dataclass_fields__}
        values["origin"] = values["origin"] or TEXT
        return cls(**values)


def paper_key(number: str) -> str | None:
    """Normalise a paper's number so that every spelling of it compares equal.

    ``2024/153``, ``2024 / 0153`` and ``2024/0153`` give ``2024/0153`` (the running number
    after a year padded to four digits); ``2021/0167/1`` keeps its supplement; a prefix is
    kept apart by a slash (``ANF2022/2001`` → ``ANF/2022/2001``); ``23/2012`` (number
    before the year) stays in its order.

    :param number: a paper's number as written or as a document's ``reference`` holds it
        (a leading ``Drs.``/``Vorlage`` is allowed).
    :returns: the normalised number, or ``None`` if ``number`` is none.
    """
    cited = DRUCKSACHE.search(number)
    if cited:
        prefix = cited.group("prefix")
        number = f"{prefix}/{cited.group('n')}" if prefix else cited.group("n")
    match = _PAPER_KEY.match(number.strip())
    if match is None:
        return None
    prefix, first, second, rest = match.groups()
    if len(first) == 4 and first.startswith(("19", "20")):
        core = f"{first}/{second.zfill(4) if len(second) <= 4 else second}"
    else:
        core = f"{int(first)}/{int(second) if len(second) != 4 else second}"
    subs = "".join(f"/{int(part)}" for part in rest.split("/") if part)
    return f"{prefix}/{core}{subs}" if prefix else f"{core}{subs}"


def _paper_citations(text: str) -> Iterator[tuple[re.Match[str], bool]]:
    """Citations of papers by number, in order; ``True`` with those found a few words
    after the word naming the paper."""
    direct = list(DRUCKSACHE.finditer(text))
    taken = [(match.start("n"), match.end("n")) for match in direct]
    near = [
        match
        for match in _PAPER_NEAR.finditer(text)
        if not any(start < match.end("n") and match.start("n") < end for start, end in taken)
    ]
    found = [(match, False) for match in direct] + [(match, True) for match in near]
    return iter(sorted(found, key=lambda item: item[0].start()))


def _two_years(number: str, *, near: bool) -> bool:
    """``Haushaltsantrag 2024 / 2025``, ``Vorlage für das Schuljahr (2015/2016)``: two
    years in a row, not a paper (unless written right after the word, as numbers are)."""
    years = _YEARS.fullmatch(number)
    if years is None or int(years.group("second")) != int(years.group("first")) + 1:
        return False
    return near or bool(years.group("space"))


def _papers(text: str, own: str | None) -> Iterator[Reference]:
    for match, near in _paper_citations(text):
        numbers = [(match.group("prefix"), match.group("n"))]
        end = match.end()
        while more := _PAPER_LIST.match(text, end):
            if not re.match(r"\d{4}\s?/", more.group("n")):
                break  # "Vorlage 2023/0612 und 2024" is no list of papers
            numbers.append((more.group("prefix"), more.group("n")))
            end = more.end()
        written = text[match.start() : end]
        for prefix, number in numbers:
            if _two_years(number, near=near):
                continue
            key = paper_key(f"{prefix or ''}{'/' if prefix else ''}{number}")
            if key is None or key == own:
                continue
            yield Reference(PAPER, f"paper:{key}", written, match.start(), end, number=key)


def _law_reference(cited: LawCitation) -> Reference:
    return Reference(
        LAW, f"law:{cited.law}/{cited.section}", cited.text, cited.start, cited.end,
        number=cited.number, law=cited.law, section=cited.section, absatz=cited.absatz,
        satz=cited.satz, nummer=cited.nummer,
    )  # fmt: skip


def extract_references(text: str, *, own_reference: str | None = None) -> list[Reference]:
    """Find the papers and the laws a text refers to.

    :param text: any text (a document's, or one chunk's).
    :param own_reference: the document's own paper number (its ``reference``): it is no
        reference to another paper and is left out.
    :returns: the references in the order they stand in the text, one per target: a list
        or range of papers or norms gives one per paper or norm (and per Absatz and
        Nummer of a norm); the same target cited twice gives two.
    """
    own = paper_key(own_reference) if own_reference else None
    found = [*_papers(text, own), *map(_law_reference, law_citations(text))]
    return sorted(found, key=lambda ref: (ref.start or 0, ref.kind))


def oparl_references(paper: Mapping[str, Any]) -> list[Reference]:
    """The papers an OParl Paper links to itself (``relatedPaper``, ``superordinatedPaper``,
    ``subordinatedPaper``), as references resolved like those found in text.

    :param paper: the Paper object (normalised: link fields are lists of URLs).
    :returns: one reference per link, key ``oparl:<url>``, relation as in
        :data:`OPARL_RELATIONS`.
    """
    found: list[Reference] = []
    for name, relation in OPARL_RELATIONS.items():
        links = paper.get(name) or []
        for url in [links] if isinstance(links, str) else links:
            target = url.get("id") if isinstance(url, Mapping) else url
            if isinstance(target, str) and target:
                found.append(
                    Reference(PAPER, f"oparl:{target}", target, None, None, origin=OPARL,
                              relation=relation)
                )  # fmt: skip
    return found


@dataclass(frozen=True, slots=True)
class LawTarget:
    """A law as the index holds it: its document and the sections its chunks carry.

    :param doc_id: the law's document.
    :param sections: ``§ 34`` (or ``Art. 28``) → the heading the § has in the document
        (``§ 34 Zulässigkeit von Vorhaben …``).
    :param absaetze: ``§ 34`` → the Absätze it has (``1``, ``3a``).
    """

    doc_id: str
    sections: Mapping[str, str]
    absaetze: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_section_paths(cls, doc_id: str, paths: Iterable[Sequence[str]]) -> LawTarget:
        """Build the target from its chunks' section paths (``fields.SECTION_PATH``:
        ``["Erstes Kapitel …", "§ 34 Zulässigkeit …", "Abs. 1"]``).

        :param doc_id: the law's document.
        :param paths: the section path of every chunk (or element) of the law.
        :returns: the target, with every § and Art. heading found and their Absätze.
        """
        sections: dict[str, str] = {}
        absaetze: dict[str, set[str]] = {}
        for path in paths:
            current = None
            for heading in path:
                norm = re.match(r"(§|Art\.?)\s*(\d+\s?[a-z]?)\b", heading)
                if norm:
                    current = section_label(norm.group(1), norm.group(2).replace(" ", ""))
                    sections.setdefault(current, heading)
                    continue
                absatz = re.fullmatch(r"Abs\.\s*(\d+[a-z]?)", heading)
                if absatz and current:
                    absaetze.setdefault(current, set()).add(absatz.group(1))
        return cls(doc_id, sections, {key: frozenset(value) for key, value in absaetze.items()})


@dataclass(frozen=True, slots=True)
class PaperTarget:
    """A document carrying a paper's number.

    :param doc_id: the document.
    :param paper: what tells the documents of one paper from another's (the OParl
        paper's id; ``None``: the document is the paper).
    :param primary: the document is the paper itself, not one of its files.
    """

    doc_id: str
    paper: str | None = None
    primary: bool = True


class ReferenceTargets:
    """What references can point to, as the index knows it now.

    Built from the documents' metadata (:meth:`from_documents`) or added to one by one.
    Papers are found by number (several documents may carry one paper's number: the OParl
    paper and its files; the paper itself is the target), and by OParl id; laws by
    abbreviation.
    """

    def __init__(self) -> None:
        self.papers: dict[str, list[PaperTarget]] = {}
        self.oparl: dict[str, str] = {}
        self.laws: dict[str, LawTarget] = {}

    def add_paper(
        self, number: str, doc_id: str, *, paper: str | None = None, primary: bool = True
    ) -> None:
        """Add a document carrying a paper's number.

        :param number: the number as the document's ``reference`` holds it.
        :param doc_id: the document.
        :param paper: the OParl paper's id, if it came from OParl.
        :param primary: whether the document is the paper itself (not one of its files).
        """
        key = paper_key(number)
        if key is not None:
            self.papers.setdefault(key, []).append(PaperTarget(doc_id, paper, primary))
        if paper and primary:
            self.oparl[paper] = doc_id

    def add_law(self, abbreviation: str, target: LawTarget) -> None:
        """Add a law's document under the abbreviation it is cited by."""
        self.laws[canonical_abbreviation(abbreviation)] = target

    @classmethod
    def from_documents(cls, documents: Iterable[Mapping[str, Any]]) -> ReferenceTargets:
        """Build the targets from what the index holds of each document.

        :param documents: per document a mapping with ``doc_id``, ``uri``, the metadata
            fields ``reference`` and ``doc_type``, ``paper`` (the OParl paper's id, for
            documents from OParl) and ``section_paths`` (the section path of each of its
            chunks, for laws).
        :returns: papers by their number (a statute whose reference is a law's
            abbreviation is a law), OParl papers by id, laws by abbreviation.
        """
        targets = cls()
        for doc in documents:
            doc_id = str(doc[fields.DOC_ID])
            reference = str(doc.get(fields.REFERENCE) or "")
            paper = doc.get("paper")
            primary = not paper or doc.get(fields.URI) == paper
            if reference and paper_key(reference):
                targets.add_paper(reference, doc_id, paper=paper, primary=primary)
            elif paper and primary:
                targets.oparl[str(paper)] = doc_id
            elif (
                reference
                and doc.get(fields.DOC_TYPE) == "statute"
                and is_law_abbreviation(reference)
            ):
                paths = doc.get("section_paths") or []
                targets.add_law(reference, LawTarget.from_section_paths(doc_id, paths))
        return targets


@dataclass(frozen=True, slots=True)
class ResolvedReference:
    """A reference with the document it points to.

    :param reference: the reference, as extracted (its ``text`` says what was cited).
    :param status: :data:`RESOLVED`, :data:`LAW_ONLY` (the law, not the §),
        :data:`UNRESOLVED` or :data:`AMBIGUOUS`.
    :param doc_id: the target document, ``None`` when unresolved or ambiguous.
    :param section: where in the target: the § heading as the law's document carries it,
        with `` › Abs. n`` when the Absatz is cited and the § has it.
    """

    reference: Reference
    status: str
    doc_id: str | None = None
    section: str | None = None


def _resolve_paper(reference: Reference, targets: ReferenceTargets) -> ResolvedReference:
    if reference.key.startswith("oparl:"):
        doc_id = targets.oparl.get(reference.key.removeprefix("oparl:"))
        return ResolvedReference(reference, RESOLVED if doc_id else UNRESOLVED, doc_id)
    candidates = targets.papers.get(reference.key.removeprefix("paper:"), [])
    papers = {target.paper or target.doc_id for target in candidates}
    if len(papers) > 1:
        return ResolvedReference(reference, AMBIGUOUS)
    if not candidates:
        return ResolvedReference(reference, UNRESOLVED)
    chosen = next((target for target in candidates if target.primary), candidates[0])
    return ResolvedReference(reference, RESOLVED, chosen.doc_id)


def _resolve_law(reference: Reference, targets: ReferenceTargets) -> ResolvedReference:
    target = targets.laws.get(reference.law or "")
    if target is None:
        return ResolvedReference(reference, UNRESOLVED)
    heading = target.sections.get(reference.section or "")
    if heading is None:
        return ResolvedReference(reference, LAW_ONLY, target.doc_id)
    if reference.absatz and reference.absatz in target.absaetze.get(reference.section or "", ()):
        heading = f"{heading} › Abs. {reference.absatz}"
    return ResolvedReference(reference, RESOLVED, target.doc_id, heading)


def resolve(references: Iterable[Reference], targets: ReferenceTargets) -> list[ResolvedReference]:
    """Resolve references against the targets known now.

    A pure function of both: call it again when targets arrive or leave.

    :param references: extracted (or stored and read back with :meth:`Reference.from_dict`).
    :param targets: the targets.
    :returns: one resolution per reference, in order; unresolved ones keep their text.
    """
    return [
        _resolve_paper(ref, targets) if ref.kind == PAPER else _resolve_law(ref, targets)
        for ref in references
    ]
