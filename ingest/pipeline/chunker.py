"""Cut a structured document into chunks along its sections."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from haystack import Document, component

from ingest.pipeline.elements import Element, ParsedDocument
from search.core import fields
from search.core.settings import IngestSettings

SECTION_SEPARATOR = " › "
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZÄÖÜ0-9§(„\"])")


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w§]+", " ", text).split()).casefold()


def _title_lines(section_path: list[str], title: str) -> int:
    """How many leading headings of ``section_path`` are the document's own title.

    A title set over two lines (``Satzung über … der Stadt Lindenbrück`` and
    ``(Friedhofsgebührensatzung) vom 28. November 2019``) gives two headings, each a part
    of the title; they locate nothing within the document.
    """
    folded = f" {_fold(title)} "
    count = 0
    for heading in section_path:
        part = _fold(heading)
        if not part or f" {part} " not in folded:
            break
        count += 1
    return count


def chunk_id(doc_id: str, index: int) -> str:
    """:returns: the stable id of a document's ``index``-th chunk."""
    return f"{doc_id}:{index:04d}"


def _split_long(text: str, limit: int) -> list[str]:
    """Split text longer than ``limit`` at sentence ends, else at spaces, else hard."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            head, sentence = sentence[:cut].rstrip(), sentence[cut:].lstrip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


@dataclass(slots=True)
class _Unit:
    text: str
    page: int | None
    ocr: bool


@dataclass(slots=True)
class _Group:
    section_path: tuple[str, ...]
    attachment: str | None
    units: list[_Unit] = field(default_factory=list)
    only_headings: bool = True

    @property
    def size(self) -> int:
        return sum(len(unit.text) + 1 for unit in self.units)


def _groups(elements: Iterable[Element], max_chars: int) -> list[_Group]:
    """Consecutive elements with the same section and attachment form a group."""
    groups: list[_Group] = []
    for element in elements:
        text = element.text.strip()
        if not text:
            continue
        key = (tuple(element.section_path), element.attachment)
        if not groups or (groups[-1].section_path, groups[-1].attachment) != key:
            groups.append(_Group(section_path=key[0], attachment=key[1]))
        group = groups[-1]
        group.only_headings = group.only_headings and element.kind == "heading"
        group.units.extend(
            _Unit(piece, element.page, element.ocr) for piece in _split_long(text, max_chars)
        )
    # A group of headings only ("Abschnitt II" right before "§ 3") is carried into the
    # next group of the same attachment, so no chunk is just a heading.
    merged: list[_Group] = []
    pending: _Group | None = None
    for group in groups:
        if pending is not None and pending.attachment == group.attachment:
            group.units[:0] = pending.units
            pending = None
        elif pending is not None:
            merged.append(pending)
            pending = None
        if group.only_headings:
            pending = group
        else:
            merged.append(group)
    if pending is not None:
        merged.append(pending)
    return merged


@component
class StructuredChunker:
    """Turns a parsed, structured document into chunks with citation metadata.

    A section (a §, a TOP, a heading's body) becomes one chunk when it fits in
    ``chunk_max_chars``; a longer one is cut at element and sentence boundaries into pieces
    of about ``chunk_target_chars``. Chunks never span two sections or two e-mail
    attachments.

    :param config: the ingest settings; this reads ``chunk_target_chars`` (preferred chunk
        size when a section must be cut) and ``chunk_max_chars`` (the largest chunk; a
        section up to this size stays whole).
    :raises ValueError: when ``chunk_target_chars`` exceeds ``chunk_max_chars``.
    """

    def __init__(self, config: IngestSettings) -> None:
        target_chars, max_chars = config.chunk_target_chars, config.chunk_max_chars
        if not 0 < target_chars <= max_chars:
            msg = "need 0 < target_chars <= max_chars"
            raise ValueError(msg)
        self.target_chars = target_chars
        self.max_chars = max_chars

    def _pack(self, units: Sequence[_Unit]) -> list[list[_Unit]]:
        total = sum(len(unit.text) + 1 for unit in units)
        if total <= self.max_chars:
            return [list(units)]
        # cut into about total/target pieces of similar size
        pieces = max(2, round(total / self.target_chars))
        goal = total / pieces
        packs: list[list[_Unit]] = [[]]
        size = 0
        for unit in units:
            if packs[-1] and (size + len(unit.text) > self.max_chars or size >= goal):
                packs.append([])
                size = 0
            packs[-1].append(unit)
            size += len(unit.text) + 1
        return packs

    @component.output_types(chunks=list[Document])
    def run(self, parsed: ParsedDocument, meta: dict[str, Any]) -> dict[str, list[Document]]:
        """Cut ``parsed`` into chunks.

        :param parsed: the document after the structure step.
        :param meta: document-level metadata copied into every chunk; must hold
            ``doc_id``; usually also source, uri, title, doc_type, date, reference,
            access_groups, content_hash, filename.
        :returns: ``chunks``: Haystack Documents with ``id`` = chunk id and the keys of
            :mod:`search.core.fields` in ``meta``, in document order.
        :raises KeyError: when ``meta`` has no ``doc_id``.
        """
        doc_id = meta[fields.DOC_ID]
        chunks: list[Document] = []
        for group in _groups(parsed.elements, self.max_chars):
            for pack in self._pack(group.units):
                pages = [unit.page for unit in pack if unit.page is not None]
                section_path = list(group.section_path)
                # the document's own title heading locates nothing within the document
                del section_path[: _title_lines(section_path, meta.get(fields.TITLE) or "")]
                if group.attachment:
                    section_path.insert(0, f"Anlage: {group.attachment}")
                index = len(chunks)
                chunk_meta = {
                    **meta,
                    fields.CHUNK_ID: chunk_id(doc_id, index),
                    fields.CHUNK_INDEX: index,
                    fields.PAGE_START: min(pages) if pages else None,
                    fields.PAGE_END: max(pages) if pages else None,
                    fields.SECTION_PATH: section_path,
                    fields.SECTION: SECTION_SEPARATOR.join(section_path),
                    fields.ATTACHMENT: group.attachment,
                    fields.OCR: any(unit.ocr for unit in pack),
                }
                chunks.append(
                    Document(
                        id=chunk_id(doc_id, index),
                        content="\n".join(unit.text for unit in pack),
                        meta=chunk_meta,
                    )
                )
        return {"chunks": chunks}
