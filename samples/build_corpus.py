#!/usr/bin/env python3
"""Build the sample corpus of the fictional Stadt Lindenbrück from ``samples/src``.

    python samples/build_corpus.py [--out samples/corpus] [--check]

Every document is written from one source text in ``samples/src/*.md``. The source is a
small Markdown dialect (see ``parse_source``) with a front matter that names the output
file and its format: ``pdf`` (text layer, page numbers, optional outline), ``pdf-scan``
(page images only, no text layer), ``docx``, ``odt``, ``html``, ``txt``, ``md`` or
``eml`` (an e-mail with an attachment built from another source).

The output is deterministic: fixed seeds for the scan, fixed document dates as metadata,
fixed ZIP timestamps in DOCX/ODT, fixed MIME boundaries and deterministic PDF IDs, so a
rebuild gives identical bytes with the same library versions.

``--check`` re-reads every written file (pypdf, python-docx, odfpy, email) and verifies
the facts listed under ``CHECKS`` (e.g. § 3 of the Hundesteuersatzung is on page 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import sys
import textwrap
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CITY = "Stadt Lindenbrück"
TZ = dt.timezone(dt.timedelta(hours=1))


# --------------------------------------------------------------------------- source


@dataclass
class Block:
    """One block of a source text.

    kinds: ``title`` (lines), ``h1``, ``h2`` (one line), ``para`` (lines, each kept as
    a line), ``right`` (right-aligned lines), ``bullets`` (items), ``table`` (rows of
    cells, first row is the header), ``pagebreak``.
    """

    kind: str
    lines: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    name: str
    meta: dict[str, str]
    blocks: list[Block]

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.meta["date"])

    @property
    def title(self) -> str:
        return self.meta.get("title") or " ".join(self.blocks[0].lines)


def parse_source(path: Path) -> Source:
    """Front matter (``key: value`` between ``---`` lines), then blocks.

    ``# `` title line, ``## `` heading 1, ``### `` heading 2, ``- `` bullet (an indented
    line continues the item), ``| a | b |`` table row (``|---|`` rows are skipped),
    ``>> `` right-aligned line, ``\\pagebreak``. Other lines form paragraphs; a blank
    line ends a block, a line break inside a block is kept. ``**bold**`` inline.
    """
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    lines = text.splitlines()
    if lines and lines[0] == "---":
        end = lines.index("---", 1)
        for line in lines[1:end]:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        lines = lines[end + 1 :]
    blocks: list[Block] = []
    current: Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
        current = None

    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            close()
            continue
        if line == "\\pagebreak":
            close()
            blocks.append(Block("pagebreak"))
            continue
        if line.startswith("# "):
            if current is None or current.kind != "title":
                close()
                current = Block("title")
            current.lines.append(line[2:].strip())
            continue
        if line.startswith("## ") or line.startswith("### "):
            close()
            level = "h1" if line.startswith("## ") else "h2"
            blocks.append(Block(level, [line.split(" ", 1)[1].strip()]))
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                continue
            if current is None or current.kind != "table":
                close()
                current = Block("table")
            current.rows.append(cells)
            continue
        if line.startswith("- "):
            if current is None or current.kind != "bullets":
                close()
                current = Block("bullets")
            current.lines.append(line[2:].strip())
            continue
        if line.startswith("  ") and current is not None and current.kind == "bullets":
            current.lines[-1] += " " + line.strip()
            continue
        if line.startswith(">> "):
            if current is None or current.kind != "right":
                close()
                current = Block("right")
            current.lines.append(line[3:].strip())
            continue
        if current is None or current.kind not in ("para",):
            close()
            current = Block("para")
        current.lines.append(line.strip())
    close()
    return Source(path.stem, meta, blocks)


def load_sources() -> dict[str, Source]:
    return {p.stem: parse_source(p) for p in sorted(SRC.glob("*.md"))}


def plain(text: str) -> str:
    """Inline markup removed."""
    return text.replace("**", "")


def bold_runs(text: str) -> list[tuple[str, bool]]:
    """``**bold**`` split into (text, is_bold) runs."""
    parts = text.split("**")
    return [(part, i % 2 == 1) for i, part in enumerate(parts) if part]


# --------------------------------------------------------------------------- PDF (text)


def pdf_date(day: dt.date) -> str:
    return f"D:{day:%Y%m%d}090000+01'00'"


def finish_pdf(
    data: bytes, path: Path | io.BytesIO, src: Source, producer: str, outline: bool
) -> None:
    """Document info from the source (title, author, dates), deterministic ID."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = pdf.docinfo
        for key in list(info.keys()):
            del info[key]
        info["/Title"] = src.title
        info["/Author"] = src.meta.get("author", CITY)
        info["/Subject"] = src.meta.get("subject", src.meta.get("kind", ""))
        info["/Creator"] = src.meta.get("creator", f"{CITY} – Textverarbeitung")
        info["/Producer"] = producer
        info["/CreationDate"] = pdf_date(src.date)
        info["/ModDate"] = pdf_date(src.date)
        if outline:
            pdf.Root.PageMode = pikepdf.Name.UseOutlines
        pdf.Root.Lang = pikepdf.String("de-DE")
        pdf.save(path, deterministic_id=True, compress_streams=True)


_FONTS_REGISTERED = False


def register_fonts() -> None:
    global _FONTS_REGISTERED
    if _FONTS_REGISTERED:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for family, stem in (("DejaVuSerif", "DejaVuSerif"), ("DejaVuSans", "DejaVuSans")):
        pdfmetrics.registerFont(TTFont(family, str(FONT_DIR / f"{stem}.ttf")))
        pdfmetrics.registerFont(TTFont(family + "-Bold", str(FONT_DIR / f"{stem}-Bold.ttf")))
        italic = "Italic" if family == "DejaVuSerif" else "Oblique"
        pdfmetrics.registerFont(TTFont(family + "-Italic", str(FONT_DIR / f"{stem}-{italic}.ttf")))
        addMapping(family, 0, 0, family)
        addMapping(family, 1, 0, family + "-Bold")
        addMapping(family, 0, 1, family + "-Italic")
        addMapping(family, 1, 1, family + "-Bold")
    _FONTS_REGISTERED = True


def rl_markup(text: str) -> str:
    out = []
    for part, is_bold in bold_runs(text):
        esc = html.escape(part, quote=False)
        out.append(f"<b>{esc}</b>" if is_bold else esc)
    return "".join(out)


def render_pdf_bytes(src: Source) -> bytes:
    """Text PDF with header, ``Seite n von N`` footer and (``outline: yes``) bookmarks."""
    from reportlab import rl_config

    rl_config.invariant = 1
    register_fonts()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        KeepTogether,
        ListFlowable,
        ListItem,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    family = "DejaVuSans" if src.meta.get("font") == "sans" else "DejaVuSerif"
    size = float(src.meta.get("fontsize", "10"))
    base = ParagraphStyle(
        "body",
        fontName=family,
        fontSize=size,
        leading=size * float(src.meta.get("leading", "1.35")),
        alignment=TA_JUSTIFY,
        spaceAfter=size * float(src.meta.get("parskip", "0.6")),
    )
    styles = {
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=family + "-Bold",
            fontSize=size + 4,
            leading=(size + 4) * 1.3,
            alignment=TA_CENTER,
            spaceAfter=4,
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=family + "-Bold",
            fontSize=size + 1.5,
            leading=(size + 1.5) * 1.3,
            alignment=TA_LEFT if src.meta.get("h1") != "center" else TA_CENTER,
            spaceBefore=size * 0.9,
            spaceAfter=size * 0.5,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=family + "-Bold",
            fontSize=size + 0.5,
            leading=(size + 0.5) * 1.3,
            alignment=TA_LEFT if src.meta.get("h2") != "center" else TA_CENTER,
            spaceBefore=size * 0.7,
            spaceAfter=size * 0.4,
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "cell": ParagraphStyle(
            "cell",
            parent=base,
            fontSize=size - 1,
            leading=(size - 1) * 1.3,
            alignment=TA_LEFT,
            spaceAfter=0,
        ),
    }
    styles["cellhead"] = ParagraphStyle(
        "cellhead", parent=styles["cell"], fontName=family + "-Bold"
    )
    header_text = src.meta.get("header", "")
    footer_left = src.meta.get("footer", CITY)
    want_outline = src.meta.get("outline", "no") == "yes"
    width, height = A4
    left = right = 2.3 * cm
    top, bottom = 2.1 * cm, 1.9 * cm

    class Doc(BaseDocTemplate):
        total_pages = 0

        def __init__(self, buf: io.BytesIO) -> None:
            super().__init__(
                buf,
                pagesize=A4,
                leftMargin=left,
                rightMargin=right,
                topMargin=top,
                bottomMargin=bottom,
                title=src.title,
                author=src.meta.get("author", CITY),
            )
            frame = Frame(left, bottom, width - left - right, height - top - bottom, id="main")
            self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self.decorate)])
            self._last_level = -1
            self._key = 0

        def decorate(self, canv, doc) -> None:  # noqa: ANN001
            canv.saveState()
            canv.setFont("DejaVuSans", 7.5)
            canv.setFillColor(colors.HexColor("#555555"))
            if header_text:
                canv.drawString(left, height - 1.4 * cm, header_text)
                canv.drawRightString(width - right, height - 1.4 * cm, CITY)
                canv.setStrokeColor(colors.HexColor("#999999"))
                canv.setLineWidth(0.4)
                canv.line(left, height - 1.55 * cm, width - right, height - 1.55 * cm)
            canv.drawString(left, 1.2 * cm, footer_left)
            total = self.total_pages or "?"
            canv.drawRightString(width - right, 1.2 * cm, f"Seite {doc.page} von {total}")
            canv.restoreState()

        def afterFlowable(self, flowable) -> None:  # noqa: ANN001
            level = getattr(flowable, "outline_level", None)
            if level is None or not want_outline:
                return
            level = min(level, self._last_level + 1)
            self._key += 1
            key = f"h{self._key}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=level, closed=False)
            self._last_level = level

    def heading(text: str, style: str, level: int) -> Paragraph:
        para = Paragraph(rl_markup(text), styles[style])
        para.outline_level = level
        para.outline_text = plain(text)
        return para

    def table(rows: list[list[str]]) -> Table:
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        avail = width - left - right
        lengths = [max(min(len(plain(r[i])), 60) for r in rows) + 4 for i in range(ncols)]
        total = sum(lengths)
        widths = [avail * n / total for n in lengths]
        data = [
            [Paragraph(rl_markup(c), styles["cellhead" if i == 0 else "cell"]) for c in row]
            for i, row in enumerate(rows)
        ]
        t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#666666")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ]
            )
        )
        return t

    def story() -> list:
        out: list = []
        pending_heading: list = []
        for block in src.blocks:
            if block.kind in ("title", "right"):
                out.extend(pending_heading)
                pending_heading = []
            if block.kind == "title":
                for i, line in enumerate(block.lines):
                    st = (
                        styles["title"]
                        if i == 0
                        else ParagraphStyle(
                            "sub",
                            parent=styles["title"],
                            fontName=family,
                            fontSize=size + 1,
                            leading=(size + 1) * 1.35,
                        )
                    )
                    out.append(Paragraph(rl_markup(line), st))
                out.append(Spacer(1, size))
            elif block.kind in ("h1", "h2"):
                level = 0 if block.kind == "h1" else 1
                pending_heading.append(heading(block.lines[0], block.kind, level))
                continue
            elif block.kind == "para":
                item = Paragraph("<br/>".join(rl_markup(x) for x in block.lines), base)
                out.extend(_attach(pending_heading, item, KeepTogether))
                pending_heading = []
                continue
            elif block.kind == "right":
                out.append(
                    Paragraph("<br/>".join(rl_markup(x) for x in block.lines), styles["right"])
                )
            elif block.kind == "bullets":
                items = [
                    ListItem(Paragraph(rl_markup(x), base), leftIndent=14) for x in block.lines
                ]
                lst = ListFlowable(
                    items, bulletType="bullet", start="–", leftIndent=14, bulletFontName=family
                )
                out.extend(_attach(pending_heading, lst, KeepTogether))
                pending_heading = []
                continue
            elif block.kind == "table":
                out.extend(pending_heading)
                pending_heading = []
                out.append(table(block.rows))
                out.append(Spacer(1, size * 0.8))
                continue
            elif block.kind == "pagebreak":
                out.extend(pending_heading)
                pending_heading = []
                out.append(PageBreak())
                continue
        out.extend(pending_heading)
        return out

    def _attach(headings: list, item, keep) -> list:  # noqa: ANN001
        if not headings:
            return [item]
        # headings stay on the page of the first paragraph that follows them; the
        # bookmark is set by the heading flowable inside the KeepTogether
        return [*headings[:-1], keep([headings[-1], item])]

    buf = io.BytesIO()
    doc = Doc(buf)
    doc.build(story())
    doc.total_pages = doc.page
    buf = io.BytesIO()
    doc2 = Doc(buf)
    doc2.total_pages = doc.page
    doc2.build(story())
    return buf.getvalue()


def build_pdf(src: Source, path: Path) -> None:
    data = render_pdf_bytes(src)
    finish_pdf(data, path, src, "ReportLab PDF Library", src.meta.get("outline") == "yes")


# --------------------------------------------------------------------------- PDF (scan)


def build_scan(src: Source, path: Path) -> None:
    """Pages drawn at 300 dpi with PIL, noise and a slight skew, saved image-only."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    dpi = 300
    w, h = 2480, 3508
    margin_l, margin_r, margin_t, margin_b = 260, 250, 280, 300
    body = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), 42)
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif-Bold.ttf"), 44)
    title_font = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif-Bold.ttf"), 54)
    sub_font = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), 46)
    small = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), 34)
    line_gap = 1.45
    pages: list[Image.Image] = []
    state = {"img": None, "draw": None, "y": margin_t}

    def new_page() -> None:
        img = Image.new("L", (w, h), 255)
        state["img"], state["draw"], state["y"] = img, ImageDraw.Draw(img), margin_t
        pages.append(img)

    def wrap(text: str, font: ImageFont.FreeTypeFont, maxw: int) -> list[str]:
        words, lines, cur = text.split(), [], ""
        for word in words:
            trial = (cur + " " + word).strip()
            if font.getlength(trial) <= maxw or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = word
        if cur:
            lines.append(cur)
        return lines

    def emit(text: str, font, align: str = "left", indent: int = 0, after: float = 0.5) -> None:  # noqa: ANN001
        maxw = w - margin_l - margin_r - indent
        size = font.size
        for line in wrap(plain(text), font, maxw):
            if state["y"] + size * line_gap > h - margin_b:
                new_page()
            x = margin_l + indent
            if align == "center":
                x = (w - font.getlength(line)) / 2
            elif align == "right":
                x = w - margin_r - font.getlength(line)
            state["draw"].text((x, state["y"]), line, font=font, fill=20)
            state["y"] += size * line_gap
        state["y"] += size * after

    new_page()
    for block in src.blocks:
        if block.kind == "title":
            for i, line in enumerate(block.lines):
                emit(line, title_font if i == 0 else sub_font, "center", after=0.2)
            state["y"] += 40
        elif block.kind in ("h1", "h2"):
            if state["y"] + 200 > h - margin_b:
                new_page()
            emit(
                block.lines[0],
                bold,
                "center" if src.meta.get("h1") == "center" else "left",
                after=0.3,
            )
        elif block.kind == "para":
            for line in block.lines:
                emit(line, body, after=0.05)
            state["y"] += 18
        elif block.kind == "right":
            for line in block.lines:
                emit(line, body, "right", after=0.05)
            state["y"] += 18
        elif block.kind == "bullets":
            for item in block.lines:
                emit("– " + item, body, indent=40, after=0.1)
            state["y"] += 14
        elif block.kind == "table":
            for row in block.rows:
                emit("    ".join(row), body, after=0.1)
        elif block.kind == "pagebreak":
            new_page()
    rng = np.random.default_rng(int(src.meta.get("seed", "1998")))
    finished: list[Image.Image] = []
    for number, img in enumerate(pages, start=1):
        d = ImageDraw.Draw(img)
        label = f"- {number} -"
        d.text(((w - small.getlength(label)) / 2, h - 200), label, font=small, fill=30)
        angle = float(rng.uniform(-0.5, 0.5))
        img = img.filter(ImageFilter.GaussianBlur(0.7))
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255, expand=False)
        arr = np.asarray(img, dtype=np.float32)
        # paper tone, grey noise, a few specks, darker scanner edge on the left
        arr = arr * 0.93 + 8
        arr += rng.normal(0, 6, arr.shape)
        specks = rng.integers(0, w * h, 450)
        arr.reshape(-1)[specks] = rng.uniform(60, 160, specks.size)
        edge = np.linspace(60, 0, 40)[None, :]
        arr[:, :40] -= edge
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
        img = img.filter(ImageFilter.GaussianBlur(0.5))
        finished.append(img)
    buf = io.BytesIO()
    finished[0].save(
        buf,
        "PDF",
        resolution=dpi,
        save_all=True,
        append_images=finished[1:],
        quality=35,
    )
    finish_pdf(buf.getvalue(), path, src, "Scan-Station Stadtarchiv Lindenbrück", False)


# --------------------------------------------------------------------------- DOCX


def normalise_zip(path: Path, day: dt.date, stored: tuple[str, ...] = ()) -> None:
    """Rewrite a ZIP container with fixed timestamps (deterministic bytes)."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    stamp = (day.year, day.month, day.day, 9, 0, 0)
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)


def build_docx(src: Source, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        d.styles[name].font.name = "Arial"
    section = d.sections[0]
    section.header.paragraphs[0].text = src.meta.get("header", CITY)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def field(par, instr: str) -> None:  # noqa: ANN001
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), instr)
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "1"
        run.append(t)
        fld.append(run)
        par._p.append(fld)

    foot.add_run("Seite ")
    field(foot, "PAGE")
    foot.add_run(" von ")
    field(foot, "NUMPAGES")

    def add_runs(par, lines: list[str]) -> None:  # noqa: ANN001
        for i, line in enumerate(lines):
            if i:
                par.add_run().add_break(WD_BREAK.LINE)
            for text, is_bold in bold_runs(line):
                par.add_run(text).bold = is_bold or None

    for block in src.blocks:
        if block.kind == "title":
            d.add_paragraph(plain(block.lines[0]), style="Title")
            for line in block.lines[1:]:
                p = d.add_paragraph(plain(line), style="Subtitle")
        elif block.kind == "h1":
            d.add_heading(plain(block.lines[0]), level=1)
        elif block.kind == "h2":
            d.add_heading(plain(block.lines[0]), level=2)
        elif block.kind in ("para", "right"):
            p = d.add_paragraph()
            add_runs(p, block.lines)
            if block.kind == "right":
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif block.kind == "bullets":
            for item in block.lines:
                p = d.add_paragraph(style="List Bullet")
                add_runs(p, [item])
        elif block.kind == "table":
            ncols = max(len(r) for r in block.rows)
            t = d.add_table(rows=0, cols=ncols)
            t.style = "Table Grid"
            for i, row in enumerate(block.rows):
                cells = t.add_row().cells
                for j, value in enumerate(row):
                    cells[j].text = ""
                    run = cells[j].paragraphs[0].add_run(plain(value))
                    run.bold = True if i == 0 else None
            d.add_paragraph()
        elif block.kind == "pagebreak":
            d.add_page_break()
    when = dt.datetime.combine(src.date, dt.time(9, 0))
    cp = d.core_properties
    cp.title = src.title
    cp.author = src.meta.get("author", CITY)
    cp.last_modified_by = src.meta.get("author", CITY)
    cp.subject = src.meta.get("subject", src.meta.get("kind", ""))
    cp.language = "de-DE"
    cp.created = when
    cp.modified = when
    cp.revision = 1
    d.save(path)
    normalise_zip(path, src.date)


# --------------------------------------------------------------------------- ODT


def build_odt(src: Source, path: Path) -> None:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        Footer,
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TextProperties,
    )
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, List, ListItem, P, PageCount, PageNumber, Span

    doc = OpenDocumentText()
    font = "DejaVu Sans" if src.meta.get("font") == "sans" else "DejaVu Serif"
    std = Style(name="Standard", family="paragraph")
    std.addElement(TextProperties(fontname=font, fontfamily=font, fontsize="11pt"))
    std.addElement(ParagraphProperties(margintop="0cm", marginbottom="0.2cm"))
    doc.styles.addElement(std)
    text_body = Style(
        name="Text_20_body", displayname="Text body", family="paragraph", parentstylename="Standard"
    )
    text_body.addElement(ParagraphProperties(marginbottom="0.25cm", textalign="justify"))
    doc.styles.addElement(text_body)
    heading = Style(
        name="Heading", family="paragraph", parentstylename="Standard", nextstylename="Text_20_body"
    )
    heading.addElement(
        ParagraphProperties(margintop="0.42cm", marginbottom="0.21cm", keepwithnext="always")
    )
    heading.addElement(TextProperties(fontweight="bold", fontfamily=font, fontname=font))
    doc.styles.addElement(heading)
    title = Style(name="Title", family="paragraph", parentstylename="Heading")
    title.addElement(ParagraphProperties(textalign="center"))
    title.addElement(TextProperties(fontsize="16pt", fontweight="bold"))
    doc.styles.addElement(title)
    subtitle = Style(name="Subtitle", family="paragraph", parentstylename="Heading")
    subtitle.addElement(ParagraphProperties(textalign="center"))
    subtitle.addElement(TextProperties(fontsize="12pt", fontweight="normal"))
    doc.styles.addElement(subtitle)
    hstyles = {}
    for level, pt in ((1, "13pt"), (2, "11.5pt")):
        s = Style(
            name=f"Heading_20_{level}",
            displayname=f"Heading {level}",
            family="paragraph",
            parentstylename="Heading",
            nextstylename="Text_20_body",
            defaultoutlinelevel=str(level),
        )
        s.addElement(TextProperties(fontsize=pt, fontweight="bold"))
        doc.styles.addElement(s)
        hstyles[level] = s
    right = Style(name="P_right", family="paragraph", parentstylename="Text_20_body")
    right.addElement(ParagraphProperties(textalign="end"))
    doc.automaticstyles.addElement(right)
    brk = Style(name="P_break", family="paragraph", parentstylename="Text_20_body")
    brk.addElement(ParagraphProperties(breakbefore="page"))
    doc.automaticstyles.addElement(brk)
    boldspan = Style(name="T_bold", family="text")
    boldspan.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(boldspan)
    cellstyle = Style(name="Cell", family="table-cell")
    cellstyle.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.1cm"))
    doc.automaticstyles.addElement(cellstyle)
    footer_style = Style(name="Footer", family="paragraph", parentstylename="Standard")
    footer_style.addElement(ParagraphProperties(textalign="end"))
    footer_style.addElement(TextProperties(fontsize="8pt"))
    doc.styles.addElement(footer_style)
    layout = PageLayout(name="A4")
    layout.addElement(
        PageLayoutProperties(
            pagewidth="21cm",
            pageheight="29.7cm",
            margintop="2cm",
            marginbottom="2cm",
            marginleft="2.5cm",
            marginright="2cm",
        )
    )
    doc.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    footer = Footer()
    fp = P(stylename=footer_style)
    fp.addText(f"{src.meta.get('header', CITY)} – Seite ")
    fp.addElement(PageNumber(selectpage="current", numformat="1"))
    fp.addText(" von ")
    fp.addElement(PageCount())
    footer.addElement(fp)
    master.addElement(footer)
    doc.masterstyles.addElement(master)

    def fill(par, lines: list[str]) -> None:  # noqa: ANN001
        for i, line in enumerate(lines):
            if i:
                par.addElement(LineBreak())
            for text, is_bold in bold_runs(line):
                if is_bold:
                    par.addElement(Span(stylename=boldspan, text=text))
                else:
                    par.addText(text)

    next_break = False
    table_no = 0
    for block in src.blocks:
        if block.kind == "pagebreak":
            next_break = True
            continue
        if block.kind == "title":
            doc.text.addElement(P(stylename=title, text=plain(block.lines[0])))
            for line in block.lines[1:]:
                doc.text.addElement(P(stylename=subtitle, text=plain(line)))
        elif block.kind in ("h1", "h2"):
            level = 1 if block.kind == "h1" else 2
            doc.text.addElement(
                H(outlinelevel=level, stylename=hstyles[level], text=plain(block.lines[0]))
            )
        elif block.kind in ("para", "right"):
            style = brk if next_break else (right if block.kind == "right" else text_body)
            p = P(stylename=style)
            fill(p, block.lines)
            doc.text.addElement(p)
            next_break = False
        elif block.kind == "bullets":
            lst = List()
            for item in block.lines:
                li = ListItem()
                p = P(stylename=text_body)
                fill(p, [item])
                li.addElement(p)
                lst.addElement(li)
            doc.text.addElement(lst)
        elif block.kind == "table":
            table_no += 1
            ncols = max(len(r) for r in block.rows)
            ts = Style(name=f"Tab{table_no}", family="table")
            ts.addElement(TableProperties(width="16.5cm", align="left"))
            doc.automaticstyles.addElement(ts)
            t = Table(name=f"Tabelle{table_no}", stylename=ts)
            cs = Style(name=f"Tab{table_no}.A", family="table-column")
            cs.addElement(TableColumnProperties(columnwidth=f"{16.5 / ncols:.2f}cm"))
            doc.automaticstyles.addElement(cs)
            t.addElement(TableColumn(numbercolumnsrepeated=ncols, stylename=cs))
            for i, row in enumerate(block.rows):
                tr = TableRow()
                for value in row + [""] * (ncols - len(row)):
                    tc = TableCell(stylename=cellstyle, valuetype="string")
                    p = P(stylename=text_body)
                    fill(p, [f"**{plain(value)}**" if i == 0 and value else value])
                    tc.addElement(p)
                    tr.addElement(tc)
                t.addElement(tr)
            doc.text.addElement(t)
    stamp = f"{src.date.isoformat()}T09:00:00"
    doc.meta.addElement(dc.Title(text=src.title))
    doc.meta.addElement(dc.Creator(text=src.meta.get("author", CITY)))
    doc.meta.addElement(dc.Subject(text=src.meta.get("subject", src.meta.get("kind", ""))))
    doc.meta.addElement(dc.Language(text="de-DE"))
    doc.meta.addElement(dc.Date(text=stamp))
    doc.meta.addElement(meta.InitialCreator(text=src.meta.get("author", CITY)))
    doc.meta.addElement(meta.CreationDate(text=stamp))
    doc.save(str(path))
    normalise_zip(path, src.date, stored=("mimetype",))


# --------------------------------------------------------------------------- HTML


def html_body(src: Source, shift: int = 0) -> str:
    """Blocks as HTML: title ``h1``, heading 1 ``h2``, heading 2 ``h3``."""
    out: list[str] = []

    def inline(text: str) -> str:
        return "".join(
            f"<strong>{html.escape(t)}</strong>" if b else html.escape(t)
            for t, b in bold_runs(text)
        )

    for block in src.blocks:
        if block.kind == "title":
            out.append(f"<h{1 + shift}>{inline(block.lines[0])}</h{1 + shift}>")
            for line in block.lines[1:]:
                out.append(f'<p class="untertitel">{inline(line)}</p>')
        elif block.kind == "h1":
            out.append(f"<h{2 + shift}>{inline(block.lines[0])}</h{2 + shift}>")
        elif block.kind == "h2":
            out.append(f"<h{3 + shift}>{inline(block.lines[0])}</h{3 + shift}>")
        elif block.kind in ("para", "right"):
            cls = ' class="rechts"' if block.kind == "right" else ""
            out.append(f"<p{cls}>" + "<br>\n".join(inline(x) for x in block.lines) + "</p>")
        elif block.kind == "bullets":
            out.append(
                "<ul>\n" + "\n".join(f"  <li>{inline(x)}</li>" for x in block.lines) + "\n</ul>"
            )
        elif block.kind == "table":
            head, *rows = block.rows
            parts = [
                "<table>",
                "  <thead><tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr></thead>",
                "  <tbody>",
            ]
            for row in rows:
                parts.append("    <tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>")
            parts += ["  </tbody>", "</table>"]
            out.append("\n".join(parts))
    return "\n".join(out)


WEB_TEMPLATE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title>
<meta name="description" content="{description}">
<meta name="date" content="{date}">
<link rel="stylesheet" href="/static/css/stadt.css">
</head>
<body>
<a class="skip" href="#inhalt">Zum Inhalt springen</a>
<header class="kopf">
  <div class="logo"><a href="/"><img src="/static/img/wappen-lindenbrueck.svg"
    alt="Wappen der Stadt Lindenbrück"> {site}</a></div>
  <form class="suche" action="/suche" method="get"><label for="q">Suche</label>
    <input id="q" name="q" type="search"> <button>Suchen</button></form>
  <ul class="service">
    <li><a href="/leichte-sprache">Leichte Sprache</a></li>
    <li><a href="/gebaerdensprache">Gebärdensprache</a></li>
    <li><a href="/kontakt">Kontakt</a></li>
  </ul>
</header>
<nav class="hauptnavigation" aria-label="Hauptnavigation">
  <ul>
{nav}
  </ul>
</nav>
<nav class="brotkrumen" aria-label="Sie sind hier"><ol>{crumbs}</ol></nav>
<div class="seite">
<main id="inhalt">
<article>
{body}
</article>
<p class="stand">Stand: {date_de}</p>
</main>
<aside class="randspalte">
{aside}
</aside>
</div>
<footer class="fuss">
  <ul>
    <li><a href="/impressum">Impressum</a></li>
    <li><a href="/datenschutz">Datenschutzerklärung</a></li>
    <li><a href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a></li>
    <li><a href="/sitemap">Sitemap</a></li>
  </ul>
  <p>{site} · Marktplatz 1 · 36999 Lindenbrück · Telefon 06999 801-0 · info@lindenbrueck.example</p>
  <p>© {year} {site}. Alle Rechte vorbehalten.</p>
</footer>
<script src="/static/js/stadt.js"></script>
</body>
</html>
"""


def build_html(src: Source, path: Path) -> None:
    m = src.meta
    if m.get("template") == "ratsinfo":
        site = "Ratsinformationssystem der Stadt Lindenbrück"
        nav_items = [
            "Startseite",
            "Sitzungskalender",
            "Gremien",
            "Fraktionen",
            "Mandatsträger",
            "Vorlagen",
            "Recherche",
            "Hilfe",
        ]
        active = "Vorlagen"
    else:
        site = CITY
        nav_items = [
            "Rathaus &amp; Service",
            "Leben in Lindenbrück",
            "Kultur &amp; Freizeit",
            "Wirtschaft",
            "Bauen &amp; Umwelt",
            "Aktuelles",
        ]
        active = m.get("nav", "Rathaus &amp; Service")
    nav_lines = []
    for item in nav_items:
        cls = ' class="aktiv"' if item == active else ""
        slug = re.sub("[^a-z]+", "-", item.lower().replace("&amp;", "")).strip("-")
        nav_lines.append(f'    <li{cls}><a href="/{slug}">{item}</a></li>')
    nav = "\n".join(nav_lines)
    crumbs = "".join(
        f"<li>{html.escape(c)}</li>" for c in m.get("breadcrumb", "Startseite").split(" > ")
    )
    aside = "\n".join(
        f"<p>{html.escape(line)}</p>"
        if not line.startswith("## ")
        else f"<h2>{html.escape(line[3:])}</h2>"
        for line in m.get("aside", "").split(" // ")
        if line
    )
    months = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ]
    page = WEB_TEMPLATE.format(
        title=html.escape(src.title),
        site=site,
        description=html.escape(m.get("subject", "")),
        date=src.date.isoformat(),
        date_de=f"{src.date.day}. {months[src.date.month - 1]} {src.date.year}",
        nav=nav,
        crumbs=crumbs,
        body=html_body(src),
        aside=aside,
        year=src.date.year,
    )
    path.write_text(page, encoding="utf-8")


# --------------------------------------------------------------------------- TXT / MD


def text_render(src: Source, width: int = 78) -> str:
    out: list[str] = []
    for block in src.blocks:
        if block.kind == "title":
            for line in block.lines:
                out.append(plain(line))
            out.append("=" * min(width, max(len(plain(x)) for x in block.lines)))
        elif block.kind == "h1":
            out.append(plain(block.lines[0]))
            out.append("-" * len(plain(block.lines[0])))
        elif block.kind == "h2":
            out.append(plain(block.lines[0]))
        elif block.kind in ("para", "right"):
            for line in block.lines:
                out.extend(textwrap.wrap(plain(line), width) or [""])
        elif block.kind == "bullets":
            for item in block.lines:
                out.extend(
                    textwrap.wrap(
                        plain(item), width, initial_indent="  - ", subsequent_indent="    "
                    )
                )
        elif block.kind == "table":
            widths = [
                max(len(plain(r[i])) if i < len(r) else 0 for r in block.rows)
                for i in range(max(len(r) for r in block.rows))
            ]
            for n, row in enumerate(block.rows):
                out.append("  ".join(plain(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip())
                if n == 0:
                    out.append("  ".join("-" * x for x in widths))
        elif block.kind == "pagebreak":
            continue
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def md_render(src: Source) -> str:
    out: list[str] = []
    for block in src.blocks:
        if block.kind == "title":
            out.append("# " + block.lines[0])
            out.extend(f"*{line}*" if line else "" for line in block.lines[1:])
        elif block.kind == "h1":
            out.append("## " + block.lines[0])
        elif block.kind == "h2":
            out.append("### " + block.lines[0])
        elif block.kind in ("para", "right"):
            out.append("  \n".join(block.lines))
        elif block.kind == "bullets":
            out.extend("- " + item for item in block.lines)
        elif block.kind == "table":
            head, *rows = block.rows
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "|".join("---" for _ in head) + "|")
            out.extend("| " + " | ".join(r) + " |" for r in rows)
        elif block.kind == "pagebreak":
            continue
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def build_txt(src: Source, path: Path) -> None:
    path.write_text(text_render(src), encoding="utf-8")


def build_md(src: Source, path: Path) -> None:
    path.write_text(md_render(src), encoding="utf-8")


# --------------------------------------------------------------------------- EML


def build_eml(src: Source, path: Path, sources: dict[str, Source]) -> None:
    m = src.meta
    msg = EmailMessage(policy=SMTP)
    msg["From"] = m["from"]
    msg["To"] = m["to"]
    if m.get("cc"):
        msg["Cc"] = m["cc"]
    msg["Subject"] = m["subject"]
    when = dt.datetime.fromisoformat(m["datetime"])
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = m["message_id"]
    msg["MIME-Version"] = "1.0"
    msg["X-Mailer"] = "Stadtverwaltung Lindenbrück Groupware"
    if m.get("importance"):
        msg["Importance"] = m["importance"]
    msg.set_content(text_render(src, width=76), charset="utf-8", cte="quoted-printable")
    msg.add_alternative(
        '<html lang="de"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family:Arial,sans-serif">\n'
        + html_body(src, shift=1)
        + "\n</body></html>\n",
        subtype="html",
        charset="utf-8",
        cte="quoted-printable",
    )
    att = sources[m["attachment"]]
    buf = io.BytesIO()
    finish_pdf(render_pdf_bytes(att), buf, att, "ReportLab PDF Library", False)
    data = buf.getvalue()
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=m["attachment_name"])
    msg.set_boundary("----=_Teil_0_LindenbrueckRundschreiben")
    for i, part in enumerate(msg.iter_parts(), start=1):
        if part.is_multipart():
            part.set_boundary(f"----=_Teil_{i}_LindenbrueckAlternative")
    path.write_bytes(msg.as_bytes(policy=SMTP))


# --------------------------------------------------------------------------- main

BUILDERS = {
    "pdf": build_pdf,
    "pdf-scan": build_scan,
    "docx": build_docx,
    "odt": build_odt,
    "html": build_html,
    "txt": build_txt,
    "md": build_md,
}


def build(out: Path) -> list[Path]:
    sources = load_sources()
    written = []
    for src in sources.values():
        target = src.meta.get("out")
        if not target:
            continue  # only an attachment of another document
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        fmt = src.meta["format"]
        if fmt == "eml":
            build_eml(src, path, sources)
        else:
            BUILDERS[fmt](src, path)
        written.append(path)
        print(f"{path.relative_to(out)}  ({fmt}, {path.stat().st_size:,} bytes)")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "corpus")
    parser.add_argument("--check", action="store_true", help="verify the written files")
    args = parser.parse_args(argv)
    written = build(args.out)
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} documents, {total / 1e6:.2f} MB")
    if args.check:
        sys.path.insert(0, str(HERE))
        from check_corpus import check

        return check(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
