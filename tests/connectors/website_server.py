"""A real HTTP server on 127.0.0.1 serving the website of the fictional Stadt Lindenbrück.

Pages, robots.txt and the sitemap come from ``fixtures/website`` (``{{BASE}}`` is replaced
by the server's address, ``{{OTHER}}`` by another host name for the same server); the
linked PDF and DOCX are generated with reportlab and python-docx; a page set at a path
ending in ``.gz`` is served gzipped (``application/gzip``). The server answers
conditional GETs (ETag, Last-Modified) with 304 and records every request with its time,
so tests can assert what a crawler fetched, how often, and how fast.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from docx import Document as DocxDocument
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "website"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".gz": "application/gzip",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
LAST_MODIFIED = formatdate(time.time() - 86400, usegmt=True)


@functools.cache
def gebuehrensatzung_pdf() -> bytes:
    """A two-paragraph statute as a real PDF with a text layer."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    lines = [
        "Satzung über die Erhebung von Verwaltungsgebühren der Stadt Lindenbrück",
        "(Gebührensatzung) vom 12. Dezember 2023",
        "",
        "§ 1 Gebührenpflicht",
        "(1) Für Amtshandlungen der Bauaufsicht werden Gebühren nach dieser Satzung erhoben.",
        "",
        "§ 2 Höhe der Gebühr",
        "(1) Die Gebühr für die Prüfung eines Bauantrags beträgt fünf Promille der Baukosten,",
        "mindestens jedoch 150 Euro.",
        "(2) Für die Abnahme eines Rohbaus wird eine Gebühr von 80 Euro erhoben.",
    ]
    y = 800
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@functools.cache
def sondernutzung_docx() -> bytes:
    """An application form as a real DOCX."""
    document = DocxDocument()
    document.core_properties.title = "Antrag auf Sondernutzung öffentlicher Verkehrsflächen"
    document.add_heading("Antrag auf Sondernutzung öffentlicher Verkehrsflächen", level=1)
    document.add_paragraph(
        "Wer einen Gehweg für Tische und Stühle einer Außengastronomie, ein Baugerüst oder "
        "einen Container nutzen will, beantragt die Sondernutzungserlaubnis spätestens "
        "zwei Wochen vorher beim Ordnungsamt."
    )
    document.add_heading("Angaben zur Fläche", level=2)
    document.add_paragraph("Straße, Hausnummer, Länge und Breite der genutzten Fläche in Metern.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Request:
    """One request the server received."""

    at: float
    """``time.monotonic()`` when it arrived."""
    path: str
    host: str
    status: int
    user_agent: str


class WebsiteServer:
    """The Lindenbrück website on 127.0.0.1, changeable while it runs.

    Use as a context manager. :attr:`pages` maps a path to ``(content type, bytes)``;
    :attr:`status` forces an answer for a path (a list is answered in turn, e.g.
    ``[503]`` once, then the page); :attr:`delay` holds a path's answers back.
    """

    def __init__(self, rate: int = 96) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.status: dict[str, list[int]] = {}
        self.delay: dict[str, float] = {}
        """Path → seconds to wait before every answer (a server that hangs)."""
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._rate = rate
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.other = f"http://localhost:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.load()

    def load(self, hundesteuer_lastmod: str = "2025-01-10") -> None:
        """(Re)load the fixtures and the generated files."""
        for path in FIXTURES.rglob("*"):
            if path.is_file():
                self.set_page("/" + path.relative_to(FIXTURES).as_posix(), path.read_text("utf-8"))
        self.set_page("/stadt/sitemap-seiten.xml", self._template(
            (FIXTURES / "stadt" / "sitemap-seiten.xml").read_text("utf-8"),
            hundesteuer_lastmod=hundesteuer_lastmod,
        ))  # fmt: skip
        self.pages["/stadt/dokumente/gebuehrensatzung.pdf"] = (
            _TYPES[".pdf"],
            gebuehrensatzung_pdf(),
        )
        self.pages["/stadt/dokumente/antrag-sondernutzung.docx"] = (
            _TYPES[".docx"],
            sondernutzung_docx(),
        )

    def _template(self, text: str, hundesteuer_lastmod: str = "2025-01-10") -> str:
        return (
            text.replace("{{BASE}}", self.base)
            .replace("{{OTHER}}", self.other)
            .replace("{{RATE}}", str(self._rate))
            .replace("{{HUNDESTEUER_LASTMOD}}", hundesteuer_lastmod)
        )

    def set_page(self, path: str, text: str) -> None:
        """Serve ``text`` (a template) at ``path``, gzipped if the path ends in ``.gz``."""
        suffix = Path(path).suffix
        body = self._template(text).encode()
        if suffix == ".gz":
            body = gzip.compress(body, mtime=0)
        self.pages[path] = (_TYPES.get(suffix, "text/plain"), body)

    def set_rate(self, rate: int) -> None:
        """Change the dog tax on the Hundesteuer page (a changed page)."""
        self._rate = rate
        source = (FIXTURES / "stadt" / "buergerservice" / "hundesteuer.html").read_text("utf-8")
        self.set_page("/stadt/buergerservice/hundesteuer.html", source)

    def full_gets(self, path: str) -> int:
        """:returns: how often ``path`` was answered with its whole body (200)."""
        return sum(1 for r in self.requests if r.path == path and r.status == 200)

    def paths(self) -> set[str]:
        """:returns: every path requested (on any host name)."""
        return {r.path for r in self.requests}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                time.sleep(server.delay.get(path, 0.0))
                status, headers, body = server._answer(path, self.headers)
                with server._lock:
                    server.requests.append(
                        Request(
                            at=time.monotonic(),
                            path=path,
                            host=self.headers.get("Host", ""),
                            status=status,
                            user_agent=self.headers.get("User-Agent", ""),
                        )
                    )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _answer(self, path: str, headers: object) -> tuple[int, dict[str, str], bytes]:
        get = getattr(headers, "get")  # noqa: B009 - http.client.HTTPMessage
        with self._lock:
            forced = self.status.get(path)
            if forced:
                code = forced.pop(0)
                return code, {"Retry-After": "0"} if code == 503 else {}, b"Fehler"
            page = self.pages.get(path + "index.html" if path.endswith("/") else path)
        if page is None:
            return 404, {"Content-Type": "text/html"}, b"<h1>Seite nicht gefunden</h1>"
        content_type, body = page
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        answer = {"Content-Type": content_type, "ETag": etag, "Last-Modified": LAST_MODIFIED}
        if get("If-None-Match") == etag:
            return 304, answer, b""
        return 200, answer, body

    def __enter__(self) -> WebsiteServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
