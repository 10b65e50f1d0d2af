"""*Vorgang*: one case, ``/case?case=<id>``: its details, each question with its research,
pinned sources and answer (a *KI-Entwurf* until a person accepts it), comments, review
with four eyes and the reply letter as DOCX or ODT.

Every button is a callback that asks the service and keeps what it said (a refusal in
German, as the service words it) for the place it belongs to; the page then draws the
case as the service returns it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from search.core.errors import AuskunftError, NotFound
from ui.client import ServiceClient
from ui.date_field import date_field
from ui.i18n import local_time, t
from ui.relations_view import day, escaped
from ui.session import client, language, service_errors
from ui.views import case_question
from ui.views.case_steps import act, message, text_of


def page(lang: str) -> StreamlitPage:
    """:returns: the page of one case (hidden: it is opened from the case list)."""
    return st.Page(render, title=t(lang, "nav_case"), url_path="case", visibility="hidden")


def open_new(lang: str, make: Callable[[ServiceClient], dict[str, Any]]) -> None:
    """Make a case at the service (``make`` asks for it) and open its page; a problem is
    said where the request was made."""
    try:
        with st.spinner(t(lang, "case_creating")):
            created = make(client())
    except AuskunftError as exc:
        st.error(t(lang, "case_failed", error=exc), icon=":material/error:")
        return
    st.switch_page(page(lang), query_params={"case": str(created["id"])})


def status_text(lang: str, status: str) -> str:
    """:returns: a case's status in words (*Entwurf*, *in Prüfung*, *freigegeben*)."""
    return t(lang, f"case_status_{status}")


# -- actions (button callbacks; a question's are in case_question) ---------------------


def _save_facts(case_id: str) -> None:
    deadline = st.session_state.get(f"case-deadline-{case_id}")
    changes = {
        "title": text_of(f"case-title-{case_id}") or None,
        "department": text_of(f"case-department-{case_id}") or None,
        "deadline": deadline.isoformat() if isinstance(deadline, date) else None,
    }
    act("facts", lambda service: service.update_case(case_id, changes))


def _add_question(case_id: str) -> None:
    text = text_of(f"case-add-question-{case_id}")
    if text:
        act("questions", lambda service: service.add_question(case_id, text))
        st.session_state[f"case-add-question-{case_id}"] = ""


def _comment(case_id: str, choices: dict[str, int | None]) -> None:
    text = text_of(f"case-comment-{case_id}")
    question_id = choices.get(str(st.session_state.get(f"case-comment-on-{case_id}")))
    if text:
        act(
            "comments",
            lambda service: service.comment_case(case_id, text, question_id=question_id),
        )
        st.session_state[f"case-comment-{case_id}"] = ""


def _return(case_id: str) -> None:
    note = text_of(f"case-return-note-{case_id}")
    act("review", lambda service: service.return_case(case_id, note))


# -- drawing -------------------------------------------------------------------------------


def _header(lang: str, case: dict[str, Any]) -> None:
    from ui.views import cases

    st.page_link(cases.page(lang), label=t(lang, "case_back"), icon=":material/arrow_back:")
    st.title(str(case["title"] or case["id"]))
    facts = [f"**{t(lang, 'case_status')}:** {status_text(lang, str(case['status']))}"]
    due = day(case.get("deadline")) or t(lang, "case_no_deadline")
    if case.get("overdue"):
        due = f":red-background[{due} · {t(lang, 'case_overdue')}]"
    facts.append(f"**{t(lang, 'case_deadline')}:** {due}")
    facts.append(f"**{t(lang, 'case_department')}:** {escaped(case.get('department') or '–')}")
    if case.get("reference"):
        facts.append(escaped(str(case["reference"])))
    st.markdown(" · ".join(facts))
    st.caption(
        t(lang, "case_created_by", user=case["created_by"], time=local_time(case["created_at"]))
    )
    if case.get("notice"):
        st.info(str(case["notice"]), icon=":material/visibility_off:")


def _facts(lang: str, case: dict[str, Any]) -> None:
    """Title, department and deadline, changeable until the release."""
    case_id = str(case["id"])
    if case["status"] == "released":
        return
    with st.expander(t(lang, "case_facts"), icon=":material/edit:"):
        deadline_key = f"case-deadline-{case_id}"
        if deadline_key not in st.session_state and case.get("deadline"):
            st.session_state[deadline_key] = date.fromisoformat(str(case["deadline"]))
        st.text_input(t(lang, "case_title"), value=str(case["title"]), key=f"case-title-{case_id}")
        left, right = st.columns(2)
        left.text_input(
            t(lang, "case_department"),
            value=str(case.get("department") or ""),
            key=f"case-department-{case_id}",
        )
        with right:
            date_field(t(lang, "case_deadline"), deadline_key, lang)
        st.button(t(lang, "case_save"), key="case-save", on_click=_save_facts, args=(case_id,))
    message("facts")
    if case.get("inquiry_text"):
        with st.expander(t(lang, "case_inquiry"), icon=":material/mail:"):
            st.text(str(case["inquiry_text"]))


def _questions(lang: str, case: dict[str, Any]) -> None:
    st.header(t(lang, "case_questions"))
    message("questions")
    for number, question in enumerate(case["questions"], start=1):
        case_question.render(lang, case, question, number)
    if case["status"] != "draft":
        st.caption(t(lang, "case_locked", status=status_text(lang, str(case["status"]))))
        return
    case_id = str(case["id"])
    field, button = st.columns([5, 1], vertical_alignment="bottom")
    field.text_input(t(lang, "case_question_add"), key=f"case-add-question-{case_id}")
    button.button(
        t(lang, "case_question_add_button"),
        key="case-add-question",
        icon=":material/add:",
        on_click=_add_question,
        args=(case_id,),
    )


def _comments(lang: str, case: dict[str, Any]) -> None:
    case_id = str(case["id"])
    st.header(t(lang, "case_comments"))
    labels = {
        int(q["id"]): t(lang, "case_question", label=q.get("label") or f"{n}.")
        for n, q in enumerate(case["questions"], start=1)
    }
    comments = case.get("comments") or []
    if not comments:
        st.caption(t(lang, "case_comments_none"))
    for comment in comments:
        about = labels.get(int(comment["question_id"])) if comment.get("question_id") else None
        head = f"{comment['user']}, {local_time(comment['time'])}"
        st.markdown(
            f"**{escaped(head)}**{' · ' + about if about else ''}  \n"
            f"{escaped(str(comment['text']))}"
        )
    choices: dict[str, int | None] = {t(lang, "case_comment_case"): None}
    choices.update({label: question_id for question_id, label in labels.items()})
    text, on = st.columns([4, 2])
    text.text_input(t(lang, "case_comment"), key=f"case-comment-{case_id}")
    on.selectbox(t(lang, "case_comment_on"), list(choices), key=f"case-comment-on-{case_id}")
    st.button(
        t(lang, "case_comment_button"),
        key="case-comment",
        icon=":material/comment:",
        on_click=_comment,
        args=(case_id, choices),
    )
    message("comments")


def _review(lang: str, case: dict[str, Any]) -> None:
    case_id, status = str(case["id"]), str(case["status"])
    st.header(t(lang, "case_review"))
    st.caption(t(lang, "case_four_eyes"))
    if case.get("submitted_by") and status != "draft":
        st.caption(
            t(
                lang,
                "case_submitted_by",
                user=case["submitted_by"],
                time=local_time(case.get("submitted_at")),
            )
        )
    if case.get("released_by"):
        st.success(
            t(
                lang,
                "case_released_by",
                user=case["released_by"],
                time=local_time(case.get("released_at")),
            ),
            icon=":material/verified:",
        )
    if status == "review":
        st.text_input(t(lang, "case_return_note"), key=f"case-return-note-{case_id}")
    submit, give_back, release, _ = st.columns([1, 1, 1, 2])
    submit.button(
        t(lang, "case_submit"),
        key="case-submit",
        icon=":material/send:",
        disabled=status != "draft",
        on_click=act,
        args=("review", lambda service: service.submit_case(case_id)),
    )
    give_back.button(
        t(lang, "case_return"),
        key="case-return",
        icon=":material/undo:",
        disabled=status != "review",
        on_click=_return,
        args=(case_id,),
    )
    release.button(
        t(lang, "case_release"),
        key="case-release",
        type="primary",
        icon=":material/verified:",
        disabled=status != "review",
        on_click=act,
        args=("review", lambda service: service.release_case(case_id)),
    )
    message("review")


def _export(lang: str, case: dict[str, Any]) -> None:
    """Download buttons of the reply letter; it is made when one is clicked."""
    case_id = str(case["id"])
    service = client()
    st.header(t(lang, "case_export"))
    columns = st.columns([1, 1, 4])
    for column, fmt, mime in (
        (
            columns[0],
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (columns[1], "odt", "application/vnd.oasis.opendocument.text"),
    ):
        column.download_button(
            t(lang, f"case_export_{fmt}"),
            _letter(service, case_id, fmt),
            file_name=f"antwort-{case_id}.{fmt}",
            mime=mime,
            key=f"case-export-{fmt}",
            icon=":material/download:",
            help=t(lang, "case_export_help"),
            on_click="ignore",
        )


def _letter(service: ServiceClient, case_id: str, fmt: str) -> Callable[[], bytes]:
    def make() -> bytes:
        return service.export_case(case_id, fmt)[0]

    return make


def _step_text(lang: str, action: str) -> str:
    """:returns: a step of the case's history in words; an unknown one as it is."""
    key = f"case_step_{action}"
    said = t(lang, key)
    return action if said == key else said


def _history(lang: str, case: dict[str, Any]) -> None:
    steps = case.get("history") or []
    if not steps:
        return
    with st.expander(t(lang, "case_history"), icon=":material/history:"):
        st.table(
            [
                {
                    t(lang, "audit_time"): local_time(step["time"]),
                    t(lang, "audit_user"): step["user"],
                    t(lang, "audit_kind"): _step_text(lang, str(step["action"])),
                    "": step.get("note") or "",
                }
                for step in steps
            ]
        )


def render() -> None:
    """Render the case named in the URL (``?case=<id>``)."""
    lang = language()
    case_id = st.query_params.get("case", "")
    if not case_id:
        st.info(t(lang, "case_missing"))
        return
    with service_errors():
        try:
            case = client().case(case_id)
        except NotFound:  # or not visible to this user: the same to them
            st.warning(t(lang, "case_not_found"), icon=":material/search_off:")
            return
    _header(lang, case)
    _facts(lang, case)
    _questions(lang, case)
    _comments(lang, case)
    _review(lang, case)
    _export(lang, case)
    _history(lang, case)
