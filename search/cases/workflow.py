"""The rules of a case: who sees it, what may change in which state, and the review.

::

    Entwurf (draft) ──submit──▶ in Prüfung (review) ──release──▶ freigegeben (released)
          ▲                          │
          └────────return────────────┘

- **Content** (questions, pins, drafts, title) changes only in *Entwurf*. Assignment
  (department, deadline) changes until the release; comments are always possible.
- **Submit** needs every question to have an answer a person has accepted (no
  *KI-Entwurf* goes to review).
- **Release needs a second person** (four-eyes): it is refused to whoever created the
  case, submitted it for review, or last edited or accepted one of its answers.
- **Visibility**: a case is visible to its creator, to callers sharing any access group
  with the creator (their groups without the defaults every user has), and to admins.

Every function here is pure: it changes the :class:`Case` it is given, or raises
:class:`Refused` / :class:`Conflict` with a reason the API says in German.
"""

from __future__ import annotations

from collections.abc import Sequence

from search.cases.case import Case, CaseQuestion, Comment, Draft, OfferedPassage, Step, now
from search.core.errors import Conflict, NotFound, QueryError, Refused

MAX_QUESTION_CHARS = 4000


def can_see(case: Case, user: str, groups: Sequence[str], *, is_admin: bool = False) -> bool:
    """:returns: whether a caller (name, and their own groups without the defaults every
    user has) may see the case: its creator, admins, and whoever shares a group with the
    creator."""
    return is_admin or user == case.created_by or bool(set(case.groups) & set(groups))


def _step(case: Case, action: str, user: str, note: str = "") -> None:
    case.history.append(Step(action=action, user=user, time=now(), note=note))


def ensure_editable(case: Case) -> None:
    """:raises Conflict: unless the case is a draft (*Entwurf*)."""
    if case.status != "draft":
        msg = f"Case {case.id} is {case.status}; only a draft can be changed"
        raise Conflict(msg, f"not_editable_{case.status}")


def question(case: Case, question_id: int) -> CaseQuestion:
    """:returns: a question of the case.

    :raises NotFound: when the case has no such question.
    """
    found = case.question(question_id)
    if found is None:
        msg = f"Case {case.id} has no question {question_id}"
        raise NotFound(msg)
    return found


def _clean(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        msg = "The question is empty"
        raise QueryError(msg)
    if len(cleaned) > MAX_QUESTION_CHARS:
        msg = f"The question is longer than {MAX_QUESTION_CHARS} characters"
        raise QueryError(msg)
    return cleaned


def add_question(
    case: Case, text: str, user: str, *, label: str = "", position: int | None = None
) -> CaseQuestion:
    """Add a question (at ``position``, 0-based; default last).

    :raises Conflict: unless the case is a draft.
    :raises QueryError: for an empty question.
    """
    ensure_editable(case)
    added = CaseQuestion(id=case.take_id(), label=label, text=_clean(text))
    where = len(case.questions) if position is None else max(0, position)
    case.questions.insert(where, added)
    _step(case, "question_added", user, f"Frage {added.id}")
    return added


def edit_question(case: Case, question_id: int, text: str, user: str) -> CaseQuestion:
    """Change a question's text (its research and pins stay until researched again).

    :raises Conflict: unless the case is a draft.
    :raises NotFound: for an unknown question.
    """
    ensure_editable(case)
    found = question(case, question_id)
    found.text = _clean(text)
    _step(case, "question_edited", user, f"Frage {question_id}")
    return found


def remove_question(case: Case, question_id: int, user: str) -> None:
    """Remove a question with its research, pins and answer.

    :raises Conflict: unless the case is a draft.
    :raises NotFound: for an unknown question.
    """
    ensure_editable(case)
    case.questions.remove(question(case, question_id))
    _step(case, "question_removed", user, f"Frage {question_id}")


def reorder(case: Case, order: Sequence[int], user: str) -> None:
    """Put the questions in this order (every question id once).

    :raises Conflict: unless the case is a draft.
    :raises QueryError: when ``order`` is not the case's question ids.
    """
    ensure_editable(case)
    if sorted(order) != sorted(q.id for q in case.questions):
        msg = "The order must name every question of the case once"
        raise QueryError(msg)
    by_id = {q.id: q for q in case.questions}
    case.questions = [by_id[question_id] for question_id in order]
    _step(case, "questions_reordered", user)


def set_offered(case: Case, question_id: int, offered: list[OfferedPassage]) -> CaseQuestion:
    """Keep what research offered for a question (pins stay).

    :raises Conflict: unless the case is a draft.
    """
    ensure_editable(case)
    found = question(case, question_id)
    found.offered = offered
    found.researched_at = now()
    return found


def pin(case: Case, question_id: int, passages: list[OfferedPassage], user: str) -> CaseQuestion:
    """Set the passages pinned for a question, in this order.

    :raises Conflict: unless the case is a draft.
    """
    ensure_editable(case)
    found = question(case, question_id)
    found.pinned = passages
    _step(case, "pinned", user, f"Frage {question_id}: {len(passages)} Quellen")
    return found


def set_draft(case: Case, question_id: int, draft: Draft, user: str) -> CaseQuestion:
    """Put a new AI draft (or a person's text) as the question's answer.

    :raises Conflict: unless the case is a draft.
    """
    ensure_editable(case)
    found = question(case, question_id)
    draft.created_by = user
    draft.created_at = now()
    found.draft = draft
    _step(case, "drafted", user, f"Frage {question_id}: {draft.kind}")
    return found


def edit_draft(
    case: Case, question_id: int, text: str, user: str, *, accept: bool = False
) -> Draft:
    """A person's edit of a question's answer; ``accept`` takes the *KI-Entwurf* mark
    off (the person vouches for the text). A question without a draft gets a manual one
    (no sources).

    :raises Conflict: unless the case is a draft.
    :raises QueryError: when an empty answer is accepted.
    """
    ensure_editable(case)
    found = question(case, question_id)
    cleaned = text.strip()
    if accept and not cleaned:
        msg = "An empty answer cannot be accepted"
        raise QueryError(msg)
    draft = found.draft
    if draft is None:
        draft = Draft(text="", kind="manual", sources=[], created_by=user, created_at=now())
        found.draft = draft
    stamp = now()
    if cleaned != draft.text:
        draft.text = cleaned
        draft.sentences = []  # the checked sentences were of the AI's text
    draft.edited_by, draft.edited_at = user, stamp
    if accept:
        draft.ai = False
        draft.accepted_by, draft.accepted_at = user, stamp
    else:
        draft.ai = True
        draft.accepted_by = draft.accepted_at = None
    _step(case, "answer_accepted" if accept else "answer_edited", user, f"Frage {question_id}")
    return draft


def assign(
    case: Case,
    user: str,
    *,
    department: str | None = None,
    deadline: str | None = None,
    title: str | None = None,
    changes: Sequence[str] = (),
) -> None:
    """Assign the case to a department, set its deadline, or retitle it (the fields
    named in ``changes``; ``None`` clears department or deadline).

    :raises Conflict: once released (and for a new title, unless a draft).
    """
    if case.status == "released":
        msg = f"Case {case.id} is released"
        raise Conflict(msg, "not_editable_released")
    if "title" in changes:
        ensure_editable(case)
        if not title or not title.strip():
            msg = "The title is empty"
            raise QueryError(msg)
        case.title = " ".join(title.split())
    if "department" in changes:
        case.department = department
    if "deadline" in changes:
        case.deadline = deadline
    _step(case, "assigned", user, ", ".join(changes))


def comment(case: Case, text: str, user: str, question_id: int | None = None) -> Comment:
    """Add a comment to the case or one question (in any state).

    :raises NotFound: for an unknown question.
    :raises QueryError: for an empty comment.
    """
    if question_id is not None:
        question(case, question_id)
    if not text.strip():
        msg = "The comment is empty"
        raise QueryError(msg)
    added = Comment(
        id=case.take_id(), user=user, time=now(), text=text.strip(), question_id=question_id
    )
    case.comments.append(added)
    _step(case, "commented", user)
    return added


def submit(case: Case, user: str) -> None:
    """Send the case for review (*Entwurf* → *in Prüfung*).

    :raises Conflict: unless a draft, when it has no question, or when a question has no
        answer a person accepted.
    """
    if case.status != "draft":
        msg = f"Case {case.id} is {case.status}, not a draft"
        raise Conflict(msg, f"submit_{case.status}")
    if not case.questions:
        msg = f"Case {case.id} has no questions"
        raise Conflict(msg, "no_questions")
    for number, item in enumerate(case.questions, start=1):
        if item.draft is None or item.draft.ai or not item.draft.text:
            msg = f"Question {number} of case {case.id} has no accepted answer"
            raise Conflict(msg, "answer_not_accepted", number=number)
    case.status = "review"
    case.submitted_by, case.submitted_at = user, now()
    _step(case, "submitted", user)


def give_back(case: Case, user: str, note: str = "") -> None:
    """Return the case to its authors (*in Prüfung* → *Entwurf*), e.g. with a note.

    :raises Conflict: unless under review.
    """
    if case.status != "review":
        msg = f"Case {case.id} is {case.status}, not under review"
        raise Conflict(msg, f"return_{case.status}")
    case.status = "draft"
    _step(case, "returned", user, note)


def four_eyes_refusal(case: Case, user: str) -> Refused | None:
    """:returns: why ``user`` may not release the case, or ``None`` when they may."""
    if user == case.created_by:
        return Refused(f"{user} created case {case.id}", "four_eyes_creator", user=user)
    if user == case.submitted_by:
        return Refused(f"{user} submitted case {case.id}", "four_eyes_submitter", user=user)
    for number, item in enumerate(case.questions, start=1):
        draft = item.draft
        if draft is not None and user in (draft.edited_by, draft.accepted_by):
            msg = f"{user} edited the answer to question {number} of case {case.id}"
            return Refused(msg, "four_eyes_editor", user=user, number=number)
    return None


def release(case: Case, user: str) -> None:
    """Release the reply (*in Prüfung* → *freigegeben*), by a second person.

    :raises Conflict: unless under review.
    :raises Refused: when ``user`` created or submitted the case or edited an answer.
    """
    if case.status != "review":
        msg = f"Case {case.id} is {case.status}, not under review"
        raise Conflict(msg, f"release_{case.status}")
    refusal = four_eyes_refusal(case, user)
    if refusal is not None:
        raise refusal
    case.status = "released"
    case.released_by, case.released_at = user, now()
    _step(case, "released", user)
