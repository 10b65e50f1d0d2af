"""A real OParl 1.1 server on 127.0.0.1, built from the recorded Karlsruhe export.

It serves a System, one Body and paginated external lists (papers, meetings,
organizations, persons, legislative terms, files) of a deterministic subset of the real
export in ``../shared/data/corpora/oparl-karlsruhe``. Files are PDFs generated with
reportlab from their real text (the ``karlsruhe_anfragen`` evaluation corpus holds the text
of nearly every file, by file number) or, where that is missing, from the paper's subject.

Tests change it in process (:meth:`OParlServer.add_paper`, :meth:`modify_paper`,
:meth:`delete_paper`, :meth:`remove_paper`, :meth:`delete_file`, :meth:`detach_file`,
:meth:`move_file`, :meth:`make_non_public`, :meth:`set_result`) and switch on the
quirks of real servers (:class:`Quirks`): 404 for an empty list, bare arrays, single
objects for arrays, control characters, slow answers, 500s and garbage for some objects.
"""

from __future__ import annotations

import copy
import functools
import gzip
import hashlib
import io
import json
import re
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
KARLSRUHE = DATA / "corpora" / "oparl-karlsruhe"
TEXTS = DATA / "eval" / "karlsruhe_anfragen" / "corpus.jsonl.gz"
SPEC = DATA / "corpora" / "oparl-spec"
RECORDED = "https://web1.karlsruhe.de/oparl"
SCHEMA = "https://schema.oparl.org/1.1/"
TEXT_CHARS = 2500
"""Text per generated PDF: enough for real passages, little to embed."""
_ID_IN_LINE = re.compile(r'"_id":\s*"[^"]*?-(\d+)"')


@dataclass
class Quirks:
    """Misbehaviour to switch on, as real council information systems show it."""

    empty_list_404: bool = False
    """An empty list answers 404 instead of an empty page."""
    bare_array_lists: set[str] = field(default_factory=set)
    """Lists (``organizations``, ``meetings``) served as a bare JSON array."""
    single_objects: bool = False
    """A paper with one file or one consultation sends the object, not an array."""
    control_chars: bool = False
    """Control characters in strings and between tokens."""
    slow: dict[str, float] = field(default_factory=dict)
    """Path → seconds to wait before answering (once; then quickly)."""
    fail: dict[str, int] = field(default_factory=dict)
    """Path → how many times to answer 500 first (-1: always)."""
    broken_after: dict[str, int] = field(default_factory=dict)
    """Path → how many answers it gives before it answers 500 for good (a list that breaks
    off after its first pages)."""
    garbage: set[str] = field(default_factory=set)
    """Paths answered with something that is not JSON."""
    garbage_in_list: set[str] = field(default_factory=set)
    """Paper ids replaced by a broken object in the paper list."""
    missing_lists: set[str] = field(default_factory=set)
    """Body lists not offered (``agendaItem``: an OParl 1.0 server, or a lazy 1.1 one)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def _export() -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """:returns: meetings by id, papers and organizations of the export (read once)."""
    with gzip.open(KARLSRUHE / "meetings.jsonl.gz", "rt", encoding="utf-8") as lines:
        meetings = {(m := json.loads(line))["id"]: m for line in lines}
    with gzip.open(KARLSRUHE / "papers.jsonl.gz", "rt", encoding="utf-8") as lines:
        papers = [json.loads(line) for line in lines]
    organizations = json.loads((KARLSRUHE / "organizations.json").read_text())
    return meetings, papers, organizations


@functools.cache
def _pdf(text: str, title: str) -> bytes:
    return make_pdf(text, title)


_TEXT_CACHE: dict[str, str | None] = {}


def _texts(numbers: set[str]) -> dict[str, str]:
    """:returns: the real text of the files with these numbers, where the corpus has it."""
    missing = numbers - set(_TEXT_CACHE)
    if missing and TEXTS.is_file():
        _TEXT_CACHE.update(dict.fromkeys(missing))
        with gzip.open(TEXTS, "rt", encoding="utf-8") as lines:
            for line in lines:
                match = _ID_IN_LINE.search(line[:120])
                if match and match.group(1) in missing:
                    _TEXT_CACHE[match.group(1)] = json.loads(line)["text"]
    return {number: text for number in numbers if (text := _TEXT_CACHE.get(number))}


def make_pdf(text: str, title: str) -> bytes:
    """:returns: a PDF with a text layer: the title, then the text, wrapped."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    lines = [title, ""] + [
        row for paragraph in text.split("\n") for row in textwrap.wrap(paragraph, 90) or [""]
    ]
    for start in range(0, len(lines), 55):
        pdf.setFont("Helvetica", 10)
        y = 800
        for row in lines[start : start + 55]:
            pdf.drawString(40, y, row.encode("cp1252", errors="replace").decode("cp1252"))
            y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class OParlServer:
    """The recorded Karlsruhe system, served on a random port of 127.0.0.1.

    :param papers: how many papers of the export to serve (deterministic choice: papers
        with consultations in meetings that have results, at most two files each).
    :param page_size: objects per list page.
    """

    def __init__(self, papers: int = 12, page_size: int = 5) -> None:
        self.page_size = page_size
        self.quirks = Quirks()
        self.requests: Counter[str] = Counter()
        self.downloads: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.oparl = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self._http.server_port}/oparl"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self.objects: dict[str, dict[str, Any]] = {}
        self.papers: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.organizations: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.pdfs: dict[str, bytes] = {}
        self._load(papers)

    # -- building from the export ------------------------------------------------------

    def _rewrite(self, value: Any) -> Any:
        return json.loads(json.dumps(value).replace(RECORDED, self.base))

    def _load(self, count: int) -> None:
        meetings, papers, organizations = _export()
        items = {
            item["id"]: item
            for meeting in meetings.values()
            for item in meeting.get("agendaItem", [])
        }
        chosen = []
        for paper in papers:
            consultations = paper.get("consultation", [])
            if paper.get("deleted") or not 1 <= len(paper.get("auxiliaryFile", [])) <= 2:
                continue
            decided = [items.get(c.get("agendaItem"), {}) for c in consultations]
            if not any(item.get("result") for item in decided):
                continue
            if paper["modified"] > _now():
                continue
            chosen.append(paper)
        chosen.sort(key=lambda paper: hashlib.sha256(paper["id"].encode()).hexdigest())
        chosen = sorted(chosen[:count], key=lambda paper: paper["id"])
        needed = {c.get("meeting") for paper in chosen for c in paper.get("consultation", [])}
        for meeting_id in sorted(needed & set(meetings)):
            meeting = self._rewrite(meetings[meeting_id])
            self.meetings[meeting["id"]] = meeting
        for organization in organizations:
            organization = self._rewrite(organization)
            self.organizations[organization["id"]] = organization
        numbers = {
            file["id"].rsplit("/", 1)[1] for paper in chosen for file in paper["auxiliaryFile"]
        }
        texts = _texts(numbers)
        for paper in chosen:
            paper = self._rewrite(paper)
            self.papers[paper["id"]] = paper
            for file in paper["auxiliaryFile"]:
                text = texts.get(file["id"].rsplit("/", 1)[1])
                self._add_file(file, text or f"{paper['name']}\n\n{file['name']}")
        self._index()

    def _add_file(self, file: dict[str, Any], text: str) -> None:
        self.files[file["id"]] = file
        self.pdfs[urlparse(file["accessUrl"]).path] = _pdf(text[:TEXT_CHARS], file["name"])
        self.pdfs[urlparse(file["downloadUrl"]).path] = self.pdfs[urlparse(file["accessUrl"]).path]

    def _index(self) -> None:
        """Every object by its path, embedded ones included."""
        self.objects = {}
        for obj in [*self.papers.values(), *self.meetings.values(), *self.organizations.values()]:
            self.objects[urlparse(obj["id"]).path] = obj
        for meeting in self.meetings.values():
            for item in meeting.get("agendaItem", []):
                self.objects[urlparse(item["id"]).path] = item
        for paper in self.papers.values():
            for consultation in paper.get("consultation", []):
                self.objects[urlparse(consultation["id"]).path] = consultation
        for file in self.files.values():
            self.objects[urlparse(file["id"]).path] = file

    # -- the System and the Body -------------------------------------------------------

    @property
    def system_url(self) -> str:
        """:returns: the URL of the System object."""
        return f"{self.base}/system"

    @property
    def body_id(self) -> str:
        """:returns: the id of the one body."""
        return f"{self.base}/bodies/0001"

    def system(self) -> dict[str, Any]:
        """:returns: the System object."""
        return {
            "id": self.system_url,
            "type": f"{SCHEMA}System",
            "oparlVersion": SCHEMA,
            "body": f"{self.base}/bodies",
            "name": "Ratsinformationssystem Karlsruhe (Aufzeichnung)",
            "vendor": "https://auskunft.example/recorded-karlsruhe",
            "product": "https://auskunft.example/oparl-test-server",
            "created": "2016-10-12T09:08:36+02:00",
            "modified": "2026-01-01T00:00:00+01:00",
        }

    def body(self) -> dict[str, Any]:
        """:returns: the Body object with its external lists."""
        body = self.body_id
        lists = {
            "organization": f"{body}/organizations",
            "person": f"{body}/persons",
            "meeting": f"{body}/meetings",
            "paper": f"{body}/papers",
            "agendaItem": f"{body}/agendaitems",
            "legislativeTermList": f"{body}/legislativeterms",
            "file": f"{body}/files",
        }
        return {
            "id": body,
            "type": f"{SCHEMA}Body",
            "system": self.system_url,
            "name": "Stadt Karlsruhe",
            "shortName": "Karlsruhe",
            **{key: url for key, url in lists.items() if key not in self.quirks.missing_lists},
            "legislativeTerm": [],
            "created": "2016-10-12T09:08:36+02:00",
            "modified": "2026-01-01T00:00:00+01:00",
        }

    # -- changes -----------------------------------------------------------------------

    def add_paper(self, paper_id: str | None = None) -> dict[str, Any]:
        """Publish a new paper with one file (a copy of the export's first served paper
        under a new number).

        :returns: the new paper.
        """
        with self._lock:
            template = next(iter(self.papers.values()))
            number = str(90000 + len(self.papers))
            paper = copy.deepcopy(template)
            paper["id"] = paper_id or f"{self.body_id}/papers/vo/{number}"
            paper["reference"] = f"2026/{number}"
            paper["name"] = "Neubau einer Fahrradgarage am Hauptbahnhof Süd"
            paper["created"] = paper["modified"] = _now()
            file = dict(paper["auxiliaryFile"][0])
            file["id"] = f"{self.body_id}/files/{number}"
            file["accessUrl"] = f"{self.body_id}/downloadfiles/a/{number}.pdf"
            file["downloadUrl"] = f"{self.body_id}/downloadfiles/{number}.pdf"
            file["fileName"] = f"{number}.pdf"
            file["name"] = "Beschlussvorlage Fahrradgarage"
            file["modified"] = _now()
            paper["auxiliaryFile"] = [file]
            for consultation in paper.get("consultation", []):
                consultation["id"] = f"{consultation['id']}-{number}"
                consultation["paper"] = paper["id"]
            self._add_file(
                file,
                "Die Stadt errichtet am Hauptbahnhof Süd eine Fahrradgarage mit 1.200 "
                "Stellplätzen. Die Kosten betragen 3,1 Millionen Euro.",
            )
            self.papers[paper["id"]] = paper
            self._index()
            return paper

    def modify_paper(self, paper_id: str, name: str) -> None:
        """Rename a paper (its ``modified`` moves on)."""
        with self._lock:
            self.papers[paper_id]["name"] = name
            self.papers[paper_id]["modified"] = _now()

    def delete_paper(self, paper_id: str) -> None:
        """Soft-delete a paper: it stays in the list as ``deleted: true``."""
        with self._lock:
            old = self.papers[paper_id]
            self.papers[paper_id] = {
                "id": paper_id,
                "type": f"{SCHEMA}Paper",
                "body": self.body_id,
                "created": old["created"],
                "modified": _now(),
                "deleted": True,
            }
            self._index()

    def remove_paper(self, paper_id: str) -> None:
        """Remove a paper for good, as servers do that do not keep deleted objects."""
        with self._lock:
            del self.papers[paper_id]
            self._index()

    def detach_file(self, paper_id: str, file_id: str) -> None:
        """Take a file off a paper (the paper's ``modified`` moves on; the file stays)."""
        with self._lock:
            paper = self.papers[paper_id]
            paper["auxiliaryFile"] = [f for f in paper["auxiliaryFile"] if f["id"] != file_id]
            paper["modified"] = _now()

    def move_file(self, file_id: str) -> dict[str, Any]:
        """Serve a file under new URLs (the old ones answer 404); its paper is modified.

        :returns: the file.
        """
        with self._lock:
            file = self.files[file_id]
            for key in ("accessUrl", "downloadUrl"):
                old = file[key]
                file[key] = old.replace("/downloadfiles/", "/downloadfiles/moved/")
                self.pdfs[urlparse(file[key]).path] = self.pdfs.pop(urlparse(old).path)
            file["modified"] = _now()
            for paper in self.papers.values():
                if any(f["id"] == file_id for f in paper.get("auxiliaryFile", [])):
                    paper["modified"] = _now()
            return file

    def delete_file(self, file_id: str) -> None:
        """Soft-delete a file; its paper's ``modified`` stays (only the file list says so)."""
        with self._lock:
            file = self.files[file_id]
            file["deleted"] = True
            file["modified"] = _now()
            for paper in self.papers.values():
                paper["auxiliaryFile"] = [
                    f for f in paper.get("auxiliaryFile", []) if f["id"] != file_id
                ]

    def make_non_public(self, paper_id: str, resolution: str | None = None) -> None:
        """Mark the agenda items of a paper's consultations non-public."""
        with self._lock:
            for consultation in self.papers[paper_id].get("consultation", []):
                item = self.objects.get(urlparse(consultation.get("agendaItem", "")).path)
                if item is not None:
                    item["public"] = False
                    if resolution:
                        item["resolutionText"] = resolution
                    item["modified"] = _now()
            self.papers[paper_id]["modified"] = _now()

    def set_result(
        self, paper_id: str, result: str, *, touch_meeting: bool = True
    ) -> dict[str, Any]:
        """Record a new result on the agenda item of a paper's latest consultation, as
        servers do after a session: the item's ``modified`` moves on (and its meeting's,
        with ``touch_meeting``), the paper's does not.

        :returns: the agenda item.
        """
        with self._lock:
            items = list(self.agenda_items(paper_id))
            meetings = [self.objects.get(urlparse(item["meeting"]).path) for item in items]
            latest = max(
                zip(items, meetings, strict=True),
                key=lambda pair: ((pair[1] or {}).get("start") or "", bool(pair[0].get("result"))),
            )
            item, meeting = latest
            item["result"] = result
            item["modified"] = _now()
            if touch_meeting and meeting is not None:
                meeting["modified"] = _now()
            return item

    def papers_consulted_in(self, item_id: str) -> list[str]:
        """:returns: the papers consulted under an agenda item."""
        return [
            paper["id"]
            for paper in self.papers.values()
            if any(c.get("agendaItem") == item_id for c in paper.get("consultation", []))
        ]

    def agenda_items(self, paper_id: str) -> Iterator[dict[str, Any]]:
        """:returns: the agenda items where the paper was consulted."""
        for consultation in self.papers[paper_id].get("consultation", []):
            item = self.objects.get(urlparse(consultation.get("agendaItem", "")).path)
            if item is not None:
                yield item

    # -- lists -------------------------------------------------------------------------

    def list_objects(self, kind: str, since: str | None) -> list[Any] | None:
        """:returns: the objects of an external list, ``None`` for an unknown list."""
        source: dict[str, list[Any]] = {
            "papers": list(self.papers.values()),
            "meetings": list(self.meetings.values()),
            "organizations": list(self.organizations.values()),
            "persons": [],
            "legislativeterms": [],
            "files": list(self.files.values()),
            "agendaitems": [
                item for meeting in self.meetings.values() for item in meeting.get("agendaItem", [])
            ],
        }
        if kind not in source:
            return None
        objects = source[kind]
        if since:
            moment = datetime.fromisoformat(since.replace(" ", "+"))
            objects = [o for o in objects if datetime.fromisoformat(o["modified"]) >= moment]
        if kind == "papers":
            objects = [
                {"id": o["id"], "name": 17, "consultation": "kaputt", "date": []}
                if o["id"] in self.quirks.garbage_in_list
                else o
                for o in objects
            ]
        return objects

    def page(self, kind: str, query: dict[str, list[str]]) -> Any:
        """:returns: one page of a list, as the quirks say, or ``None`` (404)."""
        since = query.get("modified_since", [None])[0]
        objects = self.list_objects(kind, since)
        if objects is None or (not objects and self.quirks.empty_list_404):
            return None
        if kind in self.quirks.bare_array_lists:
            return objects
        number = int(query.get("page", ["1"])[0])
        start = (number - 1) * self.page_size
        data = objects[start : start + self.page_size]
        url = f"{self.body_id}/{kind}"
        params = {"modified_since": since} if since else {}
        links = {"first": f"{url}?{urlencode({**params, 'page': 1})}"}
        if start + self.page_size < len(objects):
            links["next"] = f"{url}?{urlencode({**params, 'page': number + 1})}"
        if self.quirks.single_objects:
            data = [self._singled(obj) for obj in data]
        return {
            "data": data,
            "pagination": {
                "totalElements": len(objects),
                "elementsPerPage": self.page_size,
                "currentPage": number,
                "totalPages": max(1, -(-len(objects) // self.page_size)),
            },
            "links": links,
        }

    @staticmethod
    def _singled(obj: dict[str, Any]) -> dict[str, Any]:
        obj = dict(obj)
        for key in ("auxiliaryFile", "consultation", "underDirectionOf"):
            if isinstance(obj.get(key), list) and len(obj[key]) == 1:
                obj[key] = obj[key][0]
        return obj

    # -- running -----------------------------------------------------------------------

    def start(self) -> OParlServer:
        """Start serving in a thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> OParlServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer
    protocol_version = "HTTP/1.1"
    # one write per answer, no Nagle: keep-alive requests are not held by delayed ACKs
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, *_args: Any) -> None:  # quiet test output
        pass

    @property
    def oparl(self) -> OParlServer:
        return self.server.oparl  # type: ignore[attr-defined]

    def _send(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value: Any) -> None:
        body = json.dumps(value, ensure_ascii=False)
        if self.oparl.quirks.control_chars:
            body = body.replace('"name": "', '"name": "\x01\x0b').replace(", ", ",\x02 ", 3)
        self._send(200, body.encode(), "application/json; charset=utf-8")

    def do_GET(self) -> None:
        server = self.oparl
        url = urlparse(self.path)
        path = url.path
        with server._lock:
            server.requests[path] += 1
            quirks = server.quirks
            delay = quirks.slow.pop(path, 0.0)
            failing = quirks.fail.get(path, 0)
            if failing > 0:
                quirks.fail[path] = failing - 1
            answers = quirks.broken_after.get(path)
            if answers is not None:
                if answers > 0:
                    quirks.broken_after[path] = answers - 1
                else:
                    failing = -1
        if delay:
            time.sleep(delay)
        if failing:
            self._send(500, b"Internal Server Error", "text/plain")
            return
        if path in quirks.garbage:
            self._send(200, b"<html><body>Wartungsarbeiten \x00{", "application/json")
            return
        with server._lock:
            answer = self._answer(server, path, parse_qs(url.query))
        if answer is None:
            self._send(404, b'{"error": "not found"}', "application/json")
        elif isinstance(answer, bytes):
            self._file(server, path, answer)
        else:
            self._json(answer)

    def _answer(self, server: OParlServer, path: str, query: dict[str, list[str]]) -> Any:
        base = urlparse(server.base).path
        body = urlparse(server.body_id).path
        if path == f"{base}/system":
            return server.system()
        if path == f"{base}/bodies":
            return {"data": [server.body()], "links": {}}
        if path == body:
            return server.body()
        if path.startswith(f"{body}/downloadfiles/"):
            return server.pdfs.get(path)
        if path.startswith(f"{body}/") and path.count("/") == body.count("/") + 1:
            return server.page(path.rsplit("/", 1)[1], query)
        return copy.deepcopy(server.objects.get(path))

    def _file(self, server: OParlServer, path: str, content: bytes) -> None:
        etag = '"' + hashlib.sha256(content).hexdigest()[:16] + '"'
        modified = format_datetime(datetime(2025, 3, 3, 13, 30, tzinfo=UTC), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            with server._lock:
                server.not_modified[path] += 1
            self._send(304, b"", "application/pdf", {"ETag": etag, "Last-Modified": modified})
            return
        with server._lock:
            server.downloads[path] += 1
        self._send(200, content, "application/pdf", {"ETag": etag, "Last-Modified": modified})
