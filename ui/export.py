"""Result lists to file with a case: CSV (for a spreadsheet) and a PDF list with citations.

Both hold what the page shows: every hit with its citation (document, section, page), its
type, date and reference, the best passage, and where the document is (URI and id), plus
the query, who searched and when, so that a filed list says how it came about.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

from search.citations import format_date
from search.results import DocumentHit
from ui.i18n import local_time, t

_EXCERPT_CHARS = 600


def _date(value: str | None) -> str:
    """:returns: ``2024-03-21`` as ``21.03.2024``, in either language (dd.mm.yyyy is how
    a German administration writes dates)."""
    return format_date(value, "de")


def _citation(hit: DocumentHit) -> str:
    return hit.citation or (hit.passages[0].citation if hit.passages else "")


def _pages(hit: DocumentHit) -> str:
    return ", ".join(str(page) for page in hit.pages)


def _excerpt(hit: DocumentHit) -> str:
    text = " ".join((hit.passages[0].text if hit.passages else "").split())
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "…"


_COLUMNS = (
    "number",
    "title",
    "type",
    "date",
    "reference",
    "citation",
    "pages",
    "section",
    "source",
    "excerpt",
    "uri",
    "doc_id",
)


def results_csv(hits: Sequence[DocumentHit], lang: str) -> bytes:
    """:returns: the hits as CSV: UTF-8 with byte order mark and ``;`` between fields, as
    German spreadsheet programs open it without asking."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([t(lang, f"export_{column}") for column in _COLUMNS])
    for number, hit in enumerate(hits, start=1):
        writer.writerow(
            [
                number,
                hit.title,
                t(lang, hit.doc_type),
                _date(hit.date),
                hit.reference or "",
                _citation(hit),
                _pages(hit),
                hit.passages[0].section if hit.passages else hit.section,
                hit.source,
                _excerpt(hit),
                hit.uri,
                hit.doc_id,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def results_pdf(
    hits: Sequence[DocumentHit],
    lang: str,
    *,
    query: str,
    user: str,
    when: datetime | None = None,
) -> bytes:
    """:returns: a PDF list of the hits with their citations, headed by the query, the
    user and the time of the search."""
    moment = (when or datetime.now(UTC)).isoformat()
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=8.5, leading=11)
    story = [
        Paragraph(escape(t(lang, "export_heading")), styles["Title"]),
        Paragraph(
            escape(t(lang, "export_about", query=query, user=user, at=local_time(moment))),
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
    ]
    items = []
    for hit in hits:
        facts = " · ".join(
            part
            for part in (t(lang, hit.doc_type), _date(hit.date), hit.reference or "", hit.source)
            if part
        )
        citation = _citation(hit)
        items.append(
            ListItem(
                [
                    Paragraph(f"<b>{escape(hit.title)}</b>", styles["BodyText"]),
                    Paragraph(f"{escape(t(lang, 'citation'))}: {escape(citation)}", small),
                    Paragraph(escape(facts), small),
                    Paragraph(f"<i>{escape(_excerpt(hit))}</i>", small),
                    Paragraph(escape(hit.uri), small),
                    Spacer(1, 3 * mm),
                ]
            )
        )
    story.append(ListFlowable(items, bulletType="1"))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=t(lang, "export_heading"),
        author=user,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return out.getvalue()
