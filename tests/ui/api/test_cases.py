"""A whole case over HTTP on the sample corpus: an inquiry PDF uploaded, its three
questions researched, passages pinned, extractive drafts edited and accepted, review,
the release refused to the author and done by a second person, the reply exported as
DOCX and ODT and read again, every step in the audit log; bad input as problems; a
source the viewer may not see left out."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.ui.api.conftest import Service
from tests.ui.api.support import ADMIN, CONFIDENTIAL, STAFF, problem

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
AUTHOR = {"X-Forwarded-User": "r.becker", "X-Forwarded-Groups": "ratsbuero"}
REVIEWER = {"X-Forwarded-User": "s.yilmaz", "X-Forwarded-Groups": "ratsbuero,amt10"}
PERSONNEL_OFFICE = {"X-Forwarded-User": "p.klein", "X-Forwarded-Groups": "personalamt,ratsbuero"}
INQUIRY = [
    "Anfrage der Fraktion Freie Bürger Lindenbrück zur Hundesteuer",
    "",
    "Sehr geehrte Frau Bürgermeisterin Dr. Vollmer,",
    "der Stadtrat hat im November 2024 die Hundesteuer erhöht. Wir bitten um",
    "Beantwortung folgender Fragen bis zum 31.03.2026:",
    "",
    "1. Wie hoch ist die Steuer für den ersten Hund seit dem 1. Januar 2025?",
    "2. Welche Hunde sind von der Steuer befreit?",
    "3. Mit welchem Ergebnis hat der Stadtrat über die Erhöhung abgestimmt?",
    "",
    "Mit freundlichen Grüßen",
    "Jana Weber, Fraktionsvorsitzende",
]


def inquiry_pdf(lines: list[str]) -> bytes:
    """:returns: a one-page PDF with a text layer holding these lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("DejaVu", 11)
    y = 780
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    body: dict = response.json()
    return body


def _docx_text(content: bytes) -> list[str]:
    from docx import Document

    return [paragraph.text for paragraph in Document(io.BytesIO(content)).paragraphs]


def _odt_text(content: bytes) -> list[str]:
    from odfdo import Document

    body = Document(io.BytesIO(content)).body
    return [str(element.text_recursive) for element in body.children]


def test_a_whole_case_from_inquiry_to_released_reply(api: httpx.Client) -> None:
    created = api.post(
        "/cases/upload",
        files={"file": ("Anfrage_Hundesteuer.pdf", inquiry_pdf(INQUIRY), "application/pdf")},
        data={"department": "Amt 22"},
        headers=AUTHOR,
    )
    case = _ok(created, 201)
    case_id = case["id"]
    assert created.headers["location"] == f"/api/v1/cases/{case_id}"
    assert case["title"] == "Anfrage der Fraktion Freie Bürger Lindenbrück zur Hundesteuer"
    assert case["status"] == "draft" and case["status_label"] == "Entwurf"
    assert case["deadline"] == "2026-03-31" and case["department"] == "Amt 22"
    assert case["origin"] == {"kind": "upload", "filename": "Anfrage_Hundesteuer.pdf"}
    questions = case["questions"]
    assert [q["label"] for q in questions] == ["1.", "2.", "3."]
    assert questions[1]["text"] == "Welche Hunde sind von der Steuer befreit?"

    # the case list: by deadline, this one overdue; others do not see it
    listed = _ok(api.get("/cases", headers=REVIEWER))
    mine = next(row for row in listed if row["id"] == case_id)
    assert mine["overdue"] is True and mine["questions"] == 3 and mine["answered"] == 0
    deadlines = [row["deadline"] or "9999" for row in listed]
    assert deadlines == sorted(deadlines)
    assert all(row["id"] != case_id for row in _ok(api.get("/cases", headers=STAFF)))
    problem(api.get(f"/cases/{case_id}", headers=STAFF), 404)

    # questions edited, one added and removed, the order changed and changed back
    q1, q2, q3 = (q["id"] for q in questions)
    edited = _ok(
        api.patch(
            f"/cases/{case_id}/questions/{q3}",
            json={"text": "Wie hat der Stadtrat über die Erhöhung der Hundesteuer abgestimmt?"},
            headers=AUTHOR,
        )
    )
    assert edited["questions"][2]["text"].startswith("Wie hat der Stadtrat")
    added = _ok(
        api.post(
            f"/cases/{case_id}/questions", json={"text": "Wer ist zuständig?"}, headers=AUTHOR
        ),
        201,
    )
    extra = added["questions"][-1]["id"]
    order = _ok(
        api.put(f"/cases/{case_id}/questions", json={"order": [extra, q1, q2, q3]}, headers=AUTHOR)
    )
    assert [q["id"] for q in order["questions"]] == [extra, q1, q2, q3]
    removed = _ok(api.delete(f"/cases/{case_id}/questions/{extra}", headers=AUTHOR))
    assert [q["id"] for q in removed["questions"]] == [q1, q2, q3]

    # research each question, pin its two best passages, draft from them
    priority = {"reply": 0, "decision": 1, "rule": 2, "other": 3}
    for question_id in (q1, q2, q3):
        researched = _ok(
            api.post(f"/cases/{case_id}/questions/{question_id}/research", headers=AUTHOR)
        )
        offered = next(q for q in researched["questions"] if q["id"] == question_id)["offered"]
        assert 2 <= len(offered) <= 10
        assert all(p["chunk_id"] and p["doc_id"] and p["citation"] for p in offered)
        kinds = [priority[p["kind"]] for p in offered]
        assert kinds == sorted(kinds)
        pins = [p["chunk_id"] for p in offered[:2]]
        pinned = _ok(
            api.put(
                f"/cases/{case_id}/questions/{question_id}/pins",
                json={"chunk_ids": pins},
                headers=AUTHOR,
            )
        )
        question = next(q for q in pinned["questions"] if q["id"] == question_id)
        assert [p["chunk_id"] for p in question["pinned"]] == pins
        drafted = _ok(api.post(f"/cases/{case_id}/questions/{question_id}/draft", headers=AUTHOR))
        draft = next(q for q in drafted["questions"] if q["id"] == question_id)["draft"]
        assert draft["kind"] == "extractive" and draft["ai"] is True
        assert draft["mark"] == "KI-Entwurf"
        assert "[1]" in draft["text"]
        assert {s["chunk_id"] for s in draft["sources"]} <= set(pins)

    # Q1's draft names the amount of the amendment in force
    case = _ok(api.get(f"/cases/{case_id}", headers=AUTHOR))
    first = case["questions"][0]
    assert "120" in first["draft"]["text"], first["draft"]["text"]

    # not yet accepted: no review; exported, it is a KI-Entwurf
    refused = problem(api.post(f"/cases/{case_id}/submit", headers=AUTHOR), 409)
    assert refused["reason"] == "answer_not_accepted" and "Frage 1" in refused["detail"]
    draft_letter = api.get(f"/cases/{case_id}/export", params={"format": "docx"}, headers=AUTHOR)
    assert "KI-Entwurf – nicht freigegeben" in _docx_text(draft_letter.content)

    # a person edits and accepts each answer
    answers = {}
    for question in case["questions"]:
        text = question["draft"]["text"] + " Die Verwaltung hat dies geprüft."
        answers[question["id"]] = text
        accepted = _ok(
            api.put(
                f"/cases/{case_id}/questions/{question['id']}/draft",
                json={"text": text, "accept": True},
                headers=AUTHOR,
            )
        )
        shown = next(q for q in accepted["questions"] if q["id"] == question["id"])["draft"]
        assert shown["ai"] is False and shown["mark"] == ""
    _ok(
        api.post(
            f"/cases/{case_id}/comments",
            json={"text": "Bitte Zahlen prüfen.", "question_id": q1},
            headers=REVIEWER,
        ),
        201,
    )
    assigned = _ok(
        api.patch(
            f"/cases/{case_id}",
            json={"department": "Amt 22 – Steuern", "deadline": "2027-01-15"},
            headers=REVIEWER,
        )
    )
    assert assigned["deadline"] == "2027-01-15" and assigned["overdue"] is False

    # review: the author may not release; the reviewer returns, then releases
    review = _ok(api.post(f"/cases/{case_id}/submit", headers=AUTHOR))
    assert review["status_label"] == "in Prüfung" and review["may_release"] is False
    locked = problem(
        api.patch(f"/cases/{case_id}/questions/{q1}", json={"text": "Neu?"}, headers=AUTHOR), 409
    )
    assert "in Prüfung" in locked["detail"]
    four_eyes = problem(api.post(f"/cases/{case_id}/release", headers=AUTHOR), 403)
    assert four_eyes["reason"] == "four_eyes_creator"
    assert "Vier-Augen-Prinzip" in four_eyes["detail"]
    returned = _ok(
        api.post(f"/cases/{case_id}/return", json={"note": "Quelle zu Frage 2?"}, headers=REVIEWER)
    )
    assert returned["status"] == "draft"
    _ok(api.post(f"/cases/{case_id}/submit", headers=AUTHOR))
    assert _ok(api.get(f"/cases/{case_id}", headers=REVIEWER))["may_release"] is True
    released = _ok(api.post(f"/cases/{case_id}/release", headers=REVIEWER))
    assert released["status_label"] == "freigegeben" and released["released_by"] == "s.yilmaz"
    problem(api.post(f"/cases/{case_id}/release", headers=REVIEWER), 409)

    # the reply as DOCX and as ODT, opened again
    letters = {}
    for fmt, read in (("docx", _docx_text), ("odt", _odt_text)):
        response = api.get(f"/cases/{case_id}/export", params={"format": fmt}, headers=REVIEWER)
        assert response.status_code == 200, response.text
        assert f"antwort-{case_id}.{fmt}" in response.headers["content-disposition"]
        letters[fmt] = read(response.content)
    for fmt, lines in letters.items():
        text = "\n".join(lines)
        assert lines[0] == case["title"], fmt
        assert "KI-Entwurf – nicht freigegeben" not in text, fmt
        assert any(line.startswith("Freigegeben von s.yilmaz am ") for line in lines), fmt
        position = [lines.index(question["text"]) for question in released["questions"]]
        assert position == sorted(position), fmt
        for question in released["questions"]:
            answer = lines[lines.index(question["text"]) + 1]
            assert answer.endswith("Die Verwaltung hat dies geprüft."), (fmt, answer)
        sources = lines[lines.index("Quellen") + 1 :]
        assert sources and all(line.startswith(f"[{n}] ") for n, line in enumerate(sources, 1))
        assert any("S. " in line for line in sources), sources
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", text.split("Quellen")[0])}
        assert cited and cited <= set(range(1, len(sources) + 1)), fmt
    assert letters["docx"] == letters["odt"]

    # every step in the audit log, with user and time
    exported = api.get("/audit", params={"format": "jsonl"}, headers=ADMIN).text
    records = [json.loads(line) for line in exported.splitlines()]
    steps = [
        (r["mode"], r["user"]) for r in records if r["kind"] == "case" and r["query"] == case_id
    ]
    for step in [
        ("create", "r.becker"),
        ("question_edited", "r.becker"),
        ("question_added", "r.becker"),
        ("questions_reordered", "r.becker"),
        ("question_removed", "r.becker"),
        ("researched", "r.becker"),
        ("pinned", "r.becker"),
        ("drafted", "r.becker"),
        ("exported", "r.becker"),
        ("answer_accepted", "r.becker"),
        ("commented", "s.yilmaz"),
        ("assign", "s.yilmaz"),
        ("submitted", "r.becker"),
        ("released_refused", "r.becker"),
        ("returned", "s.yilmaz"),
        ("released", "s.yilmaz"),
        ("exported", "s.yilmaz"),
    ]:
        assert step in steps, step
    assert all(r["time"] for r in records if r["kind"] == "case")
    drafted = next(r for r in records if r["query"] == case_id and r["mode"] == "drafted")
    assert drafted["chunks"] and all(c["content_hash"] for c in drafted["chunks"])


def test_a_source_the_viewer_may_not_see_is_left_out(api: httpx.Client, service: Service) -> None:
    confidential = service.doc_ids[CONFIDENTIAL]
    public = service.doc_ids["Hundesteuersatzung_2017.pdf"]
    text = "Anfrage zu Beurteilungen\n\n1. Wie oft werden Beschäftigte regelmäßig beurteilt?"
    case = _ok(api.post("/cases", json={"text": text}, headers=PERSONNEL_OFFICE), 201)
    case_id, question_id = case["id"], case["questions"][0]["id"]
    researched = _ok(
        api.post(f"/cases/{case_id}/questions/{question_id}/research", headers=PERSONNEL_OFFICE)
    )
    offered = researched["questions"][0]["offered"]
    secret = next(p for p in offered if p["doc_id"] == confidential)
    own = api.get(f"/documents/{public}/text", headers=AUTHOR).json()["parts"][0]
    _ok(
        api.put(
            f"/cases/{case_id}/questions/{question_id}/pins",
            json={"chunk_ids": [secret["chunk_id"], own["chunk_id"]]},
            headers=PERSONNEL_OFFICE,
        )
    )
    _ok(api.post(f"/cases/{case_id}/questions/{question_id}/draft", headers=PERSONNEL_OFFICE))

    seen = _ok(api.get(f"/cases/{case_id}", headers=AUTHOR))
    assert seen["hidden"] == 1 and seen["notice"] == "1 Quelle nicht sichtbar"
    question = seen["questions"][0]
    assert [p["doc_id"] for p in question["pinned"]] == [public]
    assert all(p["doc_id"] != confidential for p in question["offered"])
    assert any(source.get("hidden") for source in question["draft"]["sources"])
    assert secret["text"][:60] not in json.dumps(seen, ensure_ascii=False)
    letter = api.get(f"/cases/{case_id}/export", params={"format": "odt"}, headers=AUTHOR)
    lines = _odt_text(letter.content)
    assert "1 Quelle nicht sichtbar" in lines
    assert all(secret["text"][:40] not in line for line in lines)
    refused = problem(
        api.put(
            f"/cases/{case_id}/questions/{question_id}/draft",
            json={"text": "Anders.", "accept": True},
            headers=AUTHOR,
        ),
        403,
    )
    assert refused["reason"] == "hidden_sources"
    full = _ok(api.get(f"/cases/{case_id}", headers=PERSONNEL_OFFICE))
    assert full["hidden"] == 0 and full["notice"] == ""


def test_a_case_from_an_indexed_document(api: httpx.Client, service: Service) -> None:
    doc_id = service.doc_ids["Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf"]
    case = _ok(api.post("/cases", json={"doc_id": doc_id}, headers=AUTHOR), 201)
    assert case["origin"] == {"kind": "document", "doc_id": doc_id}
    assert case["reference"].endswith("2024/0153")
    problem(api.post("/cases", json={"doc_id": service.doc_ids[CONFIDENTIAL]}, headers=AUTHOR), 404)


@pytest.mark.parametrize(
    ("filename", "content", "status"),
    [
        ("leer.txt", b"   \n", 422),
        ("kaputt.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50, 422),
        ("tabelle.xlsx", b"PK\x03\x04" + b"\x00" * 200, 415),
        ("riesig.txt", b"Frage? " * (3 * 2**20), 413),
    ],
)
def test_unreadable_uploads_are_problems(
    api: httpx.Client, filename: str, content: bytes, status: int
) -> None:
    response = api.post("/cases/upload", files={"file": (filename, content)}, headers=AUTHOR)
    problem(response, status)


def test_bad_input_and_unknown_cases_are_problems(api: httpx.Client, tmp_path: Path) -> None:
    problem(api.post("/cases", json={"text": "   "}, headers=AUTHOR), 422)
    problem(api.post("/cases", json={}, headers=AUTHOR), 422)
    problem(api.get("/cases/nichtda", headers=AUTHOR), 404)
    case = _ok(
        api.post("/cases", json={"text": "Anfrage\n\n1. Was gilt?\n2. Seit wann?"}, headers=AUTHOR),
        201,
    )
    case_id = case["id"]
    problem(api.patch(f"/cases/{case_id}/questions/999", json={"text": "x?"}, headers=AUTHOR), 404)
    problem(api.post(f"/cases/{case_id}/questions/999/draft", headers=AUTHOR), 404)
    problem(api.post(f"/cases/{case_id}/questions", json={"text": "  "}, headers=AUTHOR), 422)
    problem(api.put(f"/cases/{case_id}/questions", json={"order": [1]}, headers=AUTHOR), 400)
    problem(api.patch(f"/cases/{case_id}", json={}, headers=AUTHOR), 422)
    first = case["questions"][0]["id"]
    nothing = problem(api.post(f"/cases/{case_id}/questions/{first}/draft", headers=AUTHOR), 409)
    assert nothing["reason"] == "nothing_pinned"
    problem(api.post(f"/cases/{case_id}/release", headers=REVIEWER), 409)
    problem(api.post(f"/cases/{case_id}/return", headers=REVIEWER), 409)
    problem(api.get(f"/cases/{case_id}/export", params={"format": "pdf"}, headers=AUTHOR), 422)


def test_the_client_speaks_the_cases_api(service: Service) -> None:
    """Every case method of :class:`ui.client.ServiceClient`, as the interface will call
    them, with the service's errors as the library's."""
    from search.core.errors import DocumentTooLarge, NotFound
    from ui.client import Identity, PermissionDenied, ServiceClient, StateConflict

    def client(user: str) -> ServiceClient:
        identity = Identity(user=user, groups=("ratsbuero",))
        return ServiceClient(service.settings, service.url, identity)

    with client("r.becker") as author, client("s.yilmaz") as reviewer:
        text = "Anfrage zur Hundesteuer\n\n1. Wie hoch ist die Steuer für den ersten Hund?"
        case = author.create_case(text=text, department="Amt 22")
        case_id, first = case["id"], case["questions"][0]["id"]
        uploaded = author.upload_case(
            "anfrage.pdf", inquiry_pdf(INQUIRY), title="Hundesteuer", deadline=date(2027, 3, 1)
        )
        assert uploaded["title"] == "Hundesteuer" and len(uploaded["questions"]) == 3
        assert uploaded["deadline"] == "2027-03-01"
        with pytest.raises(DocumentTooLarge):
            author.upload_case("riesig.txt", b"Frage? " * (3 * 2**20))
        second = author.add_question(case_id, "Seit wann gilt sie?")["questions"][-1]["id"]
        author.edit_question(case_id, second, "Seit wann gilt der neue Satz?")
        assert [
            q["id"] for q in author.reorder_questions(case_id, [second, first])["questions"]
        ] == [second, first]
        author.remove_question(case_id, second)
        offered = author.research_question(case_id, first)["questions"][0]["offered"]
        author.pin_passages(case_id, first, [offered[0]["chunk_id"]])
        drafted = author.draft_answer(case_id, first)["questions"][0]["draft"]
        assert drafted["mark"] == "KI-Entwurf"
        author.edit_answer(case_id, first, drafted["text"], accept=True)
        reviewer.comment_case(case_id, "Passt.", question_id=first)
        assert reviewer.update_case(case_id, {"deadline": "2027-02-01"})["deadline"] == "2027-02-01"
        author.submit_case(case_id)
        with pytest.raises(PermissionDenied, match="Vier-Augen-Prinzip"):
            author.release_case(case_id)
        reviewer.return_case(case_id, "Bitte Datum ergänzen.")
        author.submit_case(case_id)
        assert reviewer.release_case(case_id)["status"] == "released"
        with pytest.raises(StateConflict):
            reviewer.release_case(case_id)
        content, name = reviewer.export_case(case_id, "odt")
        assert name == f"antwort-{case_id}.odt"
        assert any(line.startswith("Freigegeben von s.yilmaz") for line in _odt_text(content))
        assert case_id in {row["id"] for row in reviewer.cases()}
        assert reviewer.case(case_id)["released_by"] == "s.yilmaz"
    with (
        ServiceClient(
            service.settings, service.url, Identity(user="x", groups=("amt22",))
        ) as other,
        pytest.raises(NotFound),
    ):
        other.case(case_id)
