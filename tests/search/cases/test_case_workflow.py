"""A case's rules without a service: transitions, the four-eyes release, the KI-Entwurf
mark, the store's versions, the reply letter's hidden sources and its files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from search.cases import workflow
from search.cases.case import NOT_RELEASED_MARK, Case, CaseQuestion, OfferedPassage, now
from search.cases.drafts import draft_answer
from search.cases.export import export
from search.cases.letter import compose
from search.cases.store import CaseStore, new_case_id
from search.core.errors import Conflict, NotFound, QueryError, Refused
from search.sql import SQLiteDatabase

DOG_TAX = OfferedPassage(
    chunk_id="d1:3",
    doc_id="d1",
    title="Drucksache 2024/0153 – Änderung der Hundesteuersatzung",
    citation="Drs. 2024/0153, Änderung der Hundesteuersatzung, S. 1",
    page_start=1,
    page_end=1,
    section="Beschlussvorschlag",
    kind="decision",
    date="2024-10-08",
    reference="2024/0153",
    text=(
        "Die Steuer für den ersten Hund steigt ab dem 1. Januar 2025 von 96 Euro auf 120 Euro. "
        "Für den zweiten Hund beträgt sie künftig 180 Euro."
    ),
)
CONFIDENTIAL = OfferedPassage(
    chunk_id="c9:1",
    doc_id="c9",
    title="DA Beurteilungen (vertraulich)",
    citation="DA Beurteilungen, Nr. 3, S. 1",
    page_start=1,
    page_end=1,
    section="Nr. 3",
    kind="rule",
    date="2023-02-01",
    reference=None,
    text="Die Note 1 darf höchstens zehn Prozent der Beurteilten eines Amtes erhalten.",
)


def _case(created_by: str = "anna") -> Case:
    case = Case(
        id=new_case_id(),
        title="Anfrage zur Hundesteuer",
        preamble="",
        justification="",
        inquiry_text="",
        origin={"kind": "text"},
        created_by=created_by,
        groups=["ratsbuero"],
        created_at=now(),
    )
    case.questions.append(CaseQuestion(id=case.take_id(), label="1.", text="Wie hoch ist sie?"))
    return case


def _answered(case: Case, user: str = "anna") -> Case:
    question = case.questions[0]
    workflow.pin(case, question.id, [DOG_TAX], user)
    workflow.set_draft(case, question.id, draft_answer(question.text, [DOG_TAX], None), user)
    workflow.edit_draft(case, question.id, "Sie beträgt 120 Euro [1].", user, accept=True)
    return case


def test_a_draft_is_marked_until_a_person_accepts_it() -> None:
    case = _case()
    question = case.questions[0]
    workflow.pin(case, question.id, [DOG_TAX], "anna")
    draft = draft_answer("Wie hoch ist die Steuer für den ersten Hund?", [DOG_TAX], None)
    assert draft.ai and draft.kind == "extractive"
    assert "120 Euro" in draft.text and "[1]" in draft.text
    assert [source.chunk_id for source in draft.sources] == ["d1:3"]
    workflow.set_draft(case, question.id, draft, "anna")
    edited = workflow.edit_draft(case, question.id, draft.text + " Geprüft.", "anna")
    assert edited.ai  # edited, not accepted: still a KI-Entwurf
    with pytest.raises(Conflict) as refused:
        workflow.submit(case, "anna")
    assert refused.value.reason == "answer_not_accepted"
    assert refused.value.details == {"number": 1}
    accepted = workflow.edit_draft(case, question.id, edited.text, "anna", accept=True)
    assert not accepted.ai and accepted.accepted_by == "anna"
    with pytest.raises(QueryError):
        workflow.edit_draft(case, question.id, "  ", "anna", accept=True)


def test_transitions_and_what_may_change_in_each_state() -> None:
    case = _answered(_case())
    with pytest.raises(Conflict) as early:
        workflow.release(case, "bernd")
    assert early.value.reason == "release_draft"
    with pytest.raises(Conflict):
        workflow.give_back(case, "bernd")
    workflow.submit(case, "anna")
    assert case.status == "review" and case.submitted_by == "anna"
    for change in (
        lambda: workflow.add_question(case, "Noch eine Frage?", "anna"),
        lambda: workflow.edit_question(case, case.questions[0].id, "Neu?", "anna"),
        lambda: workflow.edit_draft(case, case.questions[0].id, "x", "anna"),
        lambda: workflow.pin(case, case.questions[0].id, [], "anna"),
    ):
        with pytest.raises(Conflict) as locked:
            change()
        assert locked.value.reason == "not_editable_review"
    workflow.comment(case, "Bitte Quelle prüfen.", "bernd", case.questions[0].id)
    workflow.assign(case, "bernd", department="Amt 22", changes=["department"])
    workflow.give_back(case, "bernd", "Zahl prüfen")
    assert case.status == "draft"
    workflow.submit(case, "anna")
    workflow.release(case, "bernd")
    assert case.status == "released" and case.released_by == "bernd"
    with pytest.raises(Conflict):
        workflow.assign(case, "bernd", deadline="2027-01-01", changes=["deadline"])
    assert [step.action for step in case.history] == [
        "pinned", "drafted", "answer_accepted", "submitted", "commented", "assigned",
        "returned", "submitted", "released",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("releaser", "reason"),
    [
        ("anna", "four_eyes_creator"),
        ("carla", "four_eyes_submitter"),
        ("dora", "four_eyes_editor"),
    ],
)
def test_release_needs_a_second_person(releaser: str, reason: str) -> None:
    case = _answered(_case("anna"))
    workflow.edit_draft(case, case.questions[0].id, "Sie beträgt 120 Euro [1].", "dora",
                        accept=True)  # fmt: skip
    workflow.submit(case, "carla")
    with pytest.raises(Refused) as refused:
        workflow.release(case, releaser)
    assert refused.value.reason == reason
    assert not isinstance(refused.value, Conflict)
    assert case.status == "review"
    workflow.release(case, "emil")
    assert case.status == "released"


def test_questions_are_edited_added_removed_and_reordered() -> None:
    case = _case()
    first = case.questions[0].id
    second = workflow.add_question(case, "  Wer ist zuständig? ", "anna").id
    third = workflow.add_question(case, "Seit wann?", "anna", position=0).id
    assert [q.id for q in case.questions] == [third, first, second]
    assert case.question(second).text == "Wer ist zuständig?"  # type: ignore[union-attr]
    workflow.reorder(case, [first, second, third], "anna")
    with pytest.raises(QueryError):
        workflow.reorder(case, [first, second], "anna")
    workflow.remove_question(case, third, "anna")
    with pytest.raises(NotFound):
        workflow.edit_question(case, third, "Weg?", "anna")
    with pytest.raises(QueryError):
        workflow.add_question(case, "   ", "anna")


def test_who_sees_a_case() -> None:
    case = _case()
    assert workflow.can_see(case, "bernd", ["ratsbuero", "amt10"])
    assert not workflow.can_see(case, "bernd", ["amt22"])
    assert workflow.can_see(case, "anna", [])  # its creator, whatever her groups
    assert workflow.can_see(case, "root", [], is_admin=True)


def test_the_store_refuses_a_stale_write(tmp_path: Path) -> None:
    store = CaseStore(SQLiteDatabase(tmp_path / "cases.sqlite", "cases"))
    case = store.save(_case())
    first, second = store.get(case.id), store.get(case.id)
    first.title = "Erste Änderung"
    store.save(first)
    second.title = "Zweite Änderung"
    with pytest.raises(Conflict) as stale:
        store.save(second)
    assert stale.value.reason == "stale"
    assert store.get(case.id).title == "Erste Änderung"
    assert [c.id for c in store.all()] == [case.id]
    with pytest.raises(NotFound):
        store.get("nichtda")


def test_the_letter_leaves_out_what_the_viewer_may_not_see() -> None:
    case = _case()
    question = case.questions[0]
    workflow.pin(case, question.id, [DOG_TAX, CONFIDENTIAL], "anna")
    workflow.set_draft(case, question.id, draft_answer(question.text, [DOG_TAX], None), "anna")
    text = "Die Steuer beträgt 120 Euro [1]. Die Note 1 erhalten höchstens zehn Prozent [2]."
    workflow.edit_draft(case, question.id, text, "anna", accept=True)
    case.questions[0].draft.sources.append(CONFIDENTIAL)  # type: ignore[union-attr]
    everyone = compose(case, lambda doc_id: True)
    assert everyone.items[0].answer == text
    assert [s.text for s in everyone.sources] == [DOG_TAX.citation, CONFIDENTIAL.citation]
    assert everyone.remark == NOT_RELEASED_MARK and not everyone.notes
    public = compose(case, lambda doc_id: doc_id != "c9")
    assert public.items[0].answer == "Die Steuer beträgt 120 Euro [1]."
    assert [s.text for s in public.sources] == [DOG_TAX.citation]
    assert public.notes == ["1 Quelle nicht sichtbar"]
    document = export(public, "docx")
    from docx import Document

    paragraphs = [p.text for p in Document(io.BytesIO(document)).paragraphs]
    assert NOT_RELEASED_MARK in paragraphs
    assert "[1] " + DOG_TAX.citation in paragraphs
    assert not any("zehn Prozent" in p for p in paragraphs)
    assert "1 Quelle nicht sichtbar" in paragraphs
