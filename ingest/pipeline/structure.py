"""Section paths for every element: from the PDF outline, heading styles and legal structure.

German statutes and council papers announce their structure in the text itself: ``Teil 2``,
``Abschnitt II``, ``§ 3 Steuersatz``, ``Art. 5``, ``TOP Ö 3``, ``Anlage 1``. A line like that
becomes a heading and nests by its kind (Teil › Kapitel › Abschnitt › §); references inside
sentences (``gemäß § 3 Abs. 2``, ``nach § 34 BauGB``) do not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise

from haystack import component

from ingest.pipeline.elements import Element, OutlineEntry, ParsedDocument

# Ranks: styled and outline headings use their level (1 = outermost); headings found in the
# text rank below them, in the order German legal texts nest.
_ANLAGE, _TEIL, _KAPITEL, _ABSCHNITT, _UNTERABSCHNITT, _PARAGRAPH = 10, 11, 12, 13, 14, 15

_NUMBER = r"(?:\d+[a-z]?|[IVXLC]+|[A-Z])"
_REST = r"(?:\s*[-–:]?\s+(?P<rest>.*))?$"


def _pattern(label: str) -> re.Pattern[str]:
    """A line starting with ``label`` (captured), then optionally a colon and a title."""
    return re.compile(rf"^({label})\b(?P<colon>:)?\.?{_REST}")


_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (_PARAGRAPH, _pattern(r"§§?\s*\d+\s?[a-z]?")),
    (_PARAGRAPH, _pattern(r"(?:Art\.|Artikel)\s*(?:\d+[a-z]?|[IVXLC]+)")),
    (_PARAGRAPH, _pattern(r"(?:TOP|Tagesordnungspunkt)\s*(?:(?:Ö|NÖ|N|ö)\s*)?\d+(?:\.\d+)*")),
    (_TEIL, _pattern(rf"Teil\s+{_NUMBER}|{_NUMBER}\.\s*Teil")),
    (_KAPITEL, _pattern(rf"Kapitel\s+{_NUMBER}|{_NUMBER}\.\s*Kapitel")),
    (_UNTERABSCHNITT, _pattern(rf"Unterabschnitt\s+{_NUMBER}|{_NUMBER}\.\s*Unterabschnitt")),
    (_ABSCHNITT, _pattern(rf"Abschnitt\s+{_NUMBER}|{_NUMBER}\.\s*Abschnitt")),
    (_ANLAGE, _pattern(rf"Anlage(?:\s+{_NUMBER})?")),
]
_REFERENCE_START = re.compile(
    r"^(Abs\b|Absatz|Abs\.|Satz\b|Nr\.|Nummer|S\.|ff\.?|bis\b|und\b|oder\b|i\.\s?V|i\.\s?d|"
    r"in\s+der|der\b|des\b|gilt|Buchst)"
)
_FIRST_PARAGRAPH = re.compile(r"\s\(1\)\s")
_MAX_HEADING = 150


def _is_law_abbreviation(rest: str) -> bool:
    """``BauGB``, ``HStrG``, ``HGO``: a short word with two or more capitals (a title in
    capitals like ``ZWECK`` or ``ALLGEMEINE BESTIMMUNGEN`` is not one)."""
    words = [word.strip(".,;:()") for word in rest.split()]
    token = words[0] if words else ""
    capitals = sum(ch.isupper() for ch in token)
    if not 2 <= len(token) <= 8 or capitals < 2:
        return False
    if token.isupper():
        return len(token) <= 4 and not (len(words) > 1 and words[1].isupper())
    return True


_ORDINAL = re.compile(r"^\d{1,2}\.\s+(?=[A-ZÄÖÜ])")


def _title_like(text: str) -> bool:
    """Short, starts like a title, not a sentence.

    A title may start with an ordinal: ``1. Satzung zur Änderung der Hundesteuersatzung``.
    """
    words = text.split()
    start = _ORDINAL.sub("", text)
    return (
        0 < len(text) <= 100
        and (start[:1].isupper() or start[:1] in '(„"')
        and not (text.endswith(".") and len(words) > 6)
        and not text.endswith((",", ";"))
        and not text.startswith("(")
    )


def match_heading(line: str) -> tuple[int, str, bool] | None:
    """Recognise a heading of German legal or council structure on one line.

    :param line: one line of text.
    :returns: ``(rank, heading text, has_title)``, or ``None`` for ordinary text and for
        references such as ``§ 3 Abs. 2 gilt entsprechend`` or ``§ 34 BauGB``.
    """
    line = " ".join(line.split())
    if not line or len(line) > _MAX_HEADING:
        return None
    for rank, pattern in _PATTERNS:
        match = pattern.match(line)
        if match is None:
            continue
        label = " ".join(re.sub(r"^(§§?)(?=\d)", r"\1 ", match.group(1)).split())
        rest = (match.group("rest") or "").strip()
        if not rest:
            return rank, label, False
        if _REFERENCE_START.match(rest) or _is_law_abbreviation(rest):
            return None
        if rank == _ANLAGE:
            if not (_title_like(rest) or rest.startswith(("zu ", "zur ", "zum "))):
                return None
        elif not _title_like(rest):
            return None
        return rank, f"{label}{match.group('colon') or ''} {rest}", True
    return None


def _label(heading: str) -> tuple[int, str] | None:
    """``(rank, label)`` of a heading's legal or council label (``§ 3``, ``TOP 7``)."""
    line = " ".join(heading.split("\n")[0].split())
    for rank, pattern in _PATTERNS:
        match = pattern.match(line)
        if match is not None:
            rest = match.group("rest") or ""
            if not (_REFERENCE_START.match(rest) or _is_law_abbreviation(rest)):
                return rank, re.sub(r"\s+", "", match.group(1))
    return None


def label_rank(heading: str) -> int | None:
    """The rank of a heading's legal or council label (``§ 3``, ``TOP 7``, ``Anlage 1``).

    Unlike :func:`match_heading` this does not judge whether the line is a heading: it
    is one already (styled, or in the outline), whatever its title looks like
    (``TOP 7: 1. Satzung zur Änderung …``, a title longer than a line).

    :param heading: the heading's text.
    :returns: the rank, or ``None`` when the heading has no label.
    """
    found = _label(heading)
    return found[0] if found else None


def _split_element(element: Element) -> list[Element]:
    """Split heading lines out of a text block (OCR blocks keep their lines)."""
    if element.kind in ("heading", "table"):
        return [element]
    lines = element.text.split("\n")
    if len(lines) == 1:
        text = lines[0]
        found = match_heading(text)
        if found is None and len(text) > _MAX_HEADING:
            # "§ 3 Steuersatz (1) Die Steuer beträgt …" run together by the layout analysis
            cut = _FIRST_PARAGRAPH.search(text[:_MAX_HEADING])
            if cut and (found := match_heading(text[: cut.start()])) is not None:
                return [
                    replace(element, text=found[1], kind="heading"),
                    replace(element, text=text[cut.start() + 1 :]),
                ]
        if found is None:
            return [element]
        return [replace(element, text=found[1], kind="heading")]
    result: list[Element] = []
    body: list[str] = []
    index = 0
    while index < len(lines):
        found = match_heading(lines[index])
        if found is None:
            body.append(lines[index])
            index += 1
            continue
        if body:
            result.append(replace(element, text="\n".join(body)))
            body = []
        text = found[1]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            not found[2]
            and following
            and match_heading(following) is None
            and _title_like(following)
        ):
            text = f"{text} {' '.join(following.split())}"
            index += 1
        result.append(replace(element, text=text, kind="heading"))
        index += 1
    if body:
        result.append(replace(element, text="\n".join(body)))
    return result


def _title_for_label(elements: list[Element], index: int) -> int | None:
    """Index of the element holding the title of a bare ``§ 3`` heading at ``index``.

    Usually the next element; at the bottom of a page a footnote may sit between the
    label and its title at the top of the next page.
    """
    label = elements[index]
    for offset in (1, 2):
        if index + offset >= len(elements):
            return None
        candidate = elements[index + offset]
        if (
            candidate.kind in ("text", "heading")
            and candidate.heading_level is None
            and "\n" not in candidate.text
            and match_heading(candidate.text) is None
            and _title_like(candidate.text)
            and len(candidate.text) <= 80
        ):
            return index + offset
        crosses_page = (
            label.page is not None
            and candidate.page == label.page
            and index + offset + 1 < len(elements)
            and elements[index + offset + 1].page == label.page + 1
        )
        if not crosses_page:
            return None
    return None


def _merge_bare_labels(elements: list[Element]) -> list[Element]:
    """Join a bare ``§ 3`` heading with its title in a following element."""
    result = list(elements)
    index = 0
    while index < len(result):
        element = result[index]
        # only headings found in the text: styled ones say what they are
        detected = element.kind == "heading" and element.heading_level is None
        found = match_heading(element.text) if detected else None
        if found is not None and not found[2]:
            title_at = _title_for_label(result, index)
            if title_at is not None:
                title = result.pop(title_at).text
                result[index] = replace(element, text=f"{element.text} {title}")
        index += 1
    return result


def _normalise(text: str) -> str:
    return re.sub(r"[^0-9a-zäöüß§]+", "", text.lower())


def _apply_outline(elements: list[Element], outline: list[OutlineEntry]) -> list[Element]:
    """Mark the elements the outline points at as headings with its levels."""
    result = list(elements)
    for entry in outline:
        key = _normalise(entry.title)[:60]
        if not key:
            continue
        position = None
        for index, element in enumerate(result):
            if entry.page is not None and element.page is not None and element.page < entry.page:
                continue
            if (
                entry.page is not None
                and element.page is not None
                and element.page > entry.page + 1
            ):
                break
            first_line = element.text.split("\n")[0]
            if _normalise(first_line).startswith(key) or (
                len(_normalise(first_line)) >= 4 and key.startswith(_normalise(first_line))
            ):
                position = index
                break
        heading = Element(
            text=entry.title, page=entry.page, kind="heading", heading_level=entry.level
        )
        if position is not None:
            element = result[position]
            rest = element.text.split("\n", 1)[1] if "\n" in element.text else ""
            if _normalise(element.text) == _normalise(entry.title) or not rest:
                result[position] = replace(
                    element, kind="heading", heading_level=entry.level, text=entry.title
                )
            else:
                heading = replace(heading, ocr=element.ocr, attachment=element.attachment)
                result[position : position + 1] = [heading, replace(element, text=rest)]
            continue
        # no element found: insert the heading before the first element of its page
        at = next(
            (i for i, e in enumerate(result) if (e.page or 0) >= (entry.page or 0)), len(result)
        )
        result.insert(at, heading)
    return result


_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_MIN_NUMBERED = 3
_MIN_BODY = 40


def _numbered_headings(elements: list[Element]) -> list[Element]:
    """Mark ``1. Geltungsbereich`` … ``8. Inkrafttreten`` as headings.

    Guidance (Dienstanweisungen, Rundschreiben) numbers its sections instead of using §.
    Only a run numbered 1, 2, 3, … of at least three short title-like lines, each followed
    by body text, counts: an ordinary enumerated list stays text.
    """
    candidates: list[int] = []
    for index, element in enumerate(elements):
        if element.kind not in ("text", "list_item") or "\n" in element.text.strip():
            continue
        match = _NUMBERED.match(" ".join(element.text.split()))
        expected = len(candidates) + 1
        if match and int(match[1]) == expected and _title_like(match[2]) and len(match[2]) <= 80:
            candidates.append(index)
    if len(candidates) < _MIN_NUMBERED:
        return elements
    bounds = [*candidates, len(elements)]
    for start, end in pairwise(bounds):
        if not any(len(e.text) >= _MIN_BODY for e in elements[start + 1 : end]):
            return elements
    marked = list(elements)
    for index in candidates:
        text = " ".join(marked[index].text.split())
        marked[index] = replace(marked[index], text=text, kind="heading", heading_level=_PARAGRAPH)
    return marked


_QUESTION = re.compile(
    r"(?:(?<=\s)|^)(?:\d{1,2}\.\s+)?"
    r"(?:\[\s*(?:Zu\s+)?Frage\s+(\d{1,2})\s*\]|(?:Zu\s+)?Frage\s+(\d{1,2})\s*:)"
)
_MIN_QUESTIONS = 2


def _answer_sections(elements: list[Element]) -> list[Element]:
    """Split a reply to a council inquiry (Stellungnahme zur Anfrage) at its questions.

    The administration answers numbered questions, each introduced by ``Zu Frage 2:``,
    ``Frage 2:`` or ``[Frage 2]``, often run into one block of text. When a document has
    such markers numbered from 1 upwards (at least two), each answer becomes a section
    ``Frage N``: it is cited as such, and chunked (and embedded) on its own.
    """
    by_element = {  # a heading "Zu Frage 2: …" is one already
        index: list(_QUESTION.finditer(element.text))
        for index, element in enumerate(elements)
        if element.kind in ("text", "list_item")
    }
    numbers = [int(m[1] or m[2]) for matches in by_element.values() for m in matches]
    ascending = all(a <= b for a, b in pairwise(numbers))  # a question skipped, or named twice
    if len(set(numbers)) < _MIN_QUESTIONS or numbers[0] != 1 or not ascending:
        return elements
    result: list[Element] = []
    for index, element in enumerate(elements):
        matches = by_element.get(index)
        if not matches:
            result.append(element)
            continue
        start = 0
        for match in matches:
            before = element.text[start : match.start()].strip()
            if before:
                result.append(replace(element, text=before))
            number = match[1] or match[2]
            heading = replace(
                element, text=f"Frage {number}", kind="heading", heading_level=_PARAGRAPH
            )
            result.append(heading)
            start = match.end()
        rest = element.text[start:].strip()
        if rest:
            result.append(replace(element, text=rest))
    return result


def _listings(elements: list[Element]) -> list[Element]:
    """Turn the entries of an agenda, a list of attachments or a table of contents into text.

    ``TOP 1`` … ``TOP 10`` under ``Tagesordnung`` at the top of minutes, or ``Anlage 1``,
    ``Anlage 2`` under ``Anlagen`` at the end of a council paper, name sections that
    follow later. A labelled heading is such an entry when the same label heads a section
    further on and nothing but short lines (a page header) stands before the next heading.
    """
    labels = [(_label(e.text), e.attachment) if e.kind == "heading" else None for e in elements]
    last = {label: index for index, label in enumerate(labels) if label is not None}
    result = list(elements)
    for index, label in enumerate(labels):
        if label is None or label[0] is None or last[label] == index:
            continue
        following = next(
            (i for i in range(index + 1, len(elements)) if elements[i].kind == "heading"),
            len(elements),
        )
        if all(len(e.text) < _MIN_BODY for e in elements[index + 1 : following]):
            result[index] = replace(elements[index], kind="text", heading_level=None)
    return result


def _level_ranks(elements: list[Element]) -> dict[int, int]:
    """Ranks for the levels of outline and styled headings, on the scale of labels.

    An outline that puts ``Tagesordnung`` beside ``TOP 1`` … ``TOP 10`` at level 1 says
    they are siblings: level 1 ranks as ``TOP`` does. A level without labels ranks just
    below the nearest level above it that has them; without any, a level is its rank.
    """
    counts: dict[int, Counter[int]] = {}
    for element in elements:
        level = element.heading_level
        if element.kind != "heading" or level is None or level >= _ANLAGE:
            continue
        rank = label_rank(element.text)
        if rank is not None:
            counts.setdefault(level, Counter())[rank] += 1
    labelled = {level: found.most_common(1)[0][0] for level, found in counts.items()}
    ranks: dict[int, int] = {}
    for level in range(1, _ANLAGE):
        above = [known for known in labelled if known < level]
        if level in labelled:
            ranks[level] = labelled[level]
        elif above:
            ranks[level] = labelled[max(above)] + level - max(above)
        else:
            ranks[level] = level
    return ranks


def annotate(parsed: ParsedDocument) -> ParsedDocument:
    """Find headings and set every element's ``section_path``.

    :param parsed: a parsed document (it is not modified).
    :returns: a copy whose headings are marked, with ``heading_level`` set to their depth,
        and whose elements carry the path of headings enclosing them.
    """
    elements = (
        _apply_outline(parsed.elements, parsed.outline) if parsed.outline else parsed.elements
    )
    split: list[Element] = []
    for element in elements:
        split.extend(_split_element(element) if element.heading_level is None else [element])
    split = _answer_sections(_numbered_headings(_listings(_merge_bare_labels(split))))
    level_ranks = _level_ranks(elements)
    stack: list[tuple[int, str]] = []
    attachment: str | None = None
    result: list[Element] = []
    for element in split:
        if element.attachment != attachment:
            stack, attachment = [], element.attachment
        if element.kind == "heading":
            level = element.heading_level or 1
            rank = label_rank(element.text) or level_ranks.get(level, level)
            text = " ".join(element.text.split())
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, text))
            element = replace(element, text=text, heading_level=len(stack))
        result.append(replace(element, section_path=tuple(title for _, title in stack)))
    return replace(parsed, elements=result)


@component
class StructureAnnotator:
    """Sets the ``section_path`` of every element of a parsed document.

    Headings come from the PDF outline (matched to elements by page and title), from the
    document's heading styles (DOCX, ODT, HTML) and from German legal and council structure
    recognised in the text (``Teil``, ``Kapitel``, ``Abschnitt``, ``§``, ``Art.``, ``TOP``,
    ``Anlage``), including OCR text.
    """

    @component.output_types(parsed=ParsedDocument)
    def run(self, parsed: ParsedDocument) -> dict[str, ParsedDocument]:
        """Annotate one document.

        :param parsed: the parser's output.
        :returns: ``{"parsed": ...}``, a copy with headings marked and section paths set.
        """
        return {"parsed": annotate(parsed)}
