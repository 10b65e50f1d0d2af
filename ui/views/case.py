"""*Vorgang*: one case, ``/case?case=<id>``: its details, each question with its research,
pinned sources and answer (a *KI-Entwurf* until a person accepts it), comments, review
with four eyes and the reply letter as DOCX or ODT.

Every button is a callback that asks the service and keeps what it said (a refusal in
German, as the service words it) for the place it belongs to; the page then draws the
case as the service returns it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from search.answers import AnswerSentence
from search.errors import AuskunftError, NotFound
from ui.answer_panel import show_sentence
from ui.client import ServiceClient
from ui.date_field import date_field
from ui.i18n import flag_text, local_time, t
from ui.relations_view import day, escaped, superseded_note
from ui.session import client, language, service_errors

_MESSAGES = "_case-messages"


def page(lang: str) -> StreamlitPage:
    """:returns: the page of one case (hidden: it is opened from the case list)."""
    return st.Page(render, title=t(lang, "nav_case"), url_path="case", visibility="hidden")


def status_text(lang: str, status: str) -> str:
    """:returns: a case's status in words (*Entwurf*, *in Prüfung*, *freigegeben*)."""
    return t(lang, f"case_status_{status}")


# -- actions (button callbacks) ------------------------------------------------------------


def _act(place: str, action: Callable[[ServiceClient], object]) -> None:
    """Run one step at the service; keep its refusal (or error) for ``place``."""
    messages: dict[str, str] = st.session_state.setdefault(_MESSAGES, {})
    messages.pop(place, None)
    try:
        action(client())
    except AuskunftError as exc:
        messages[place] = str(exc)


def _message(place: str) -> None:
    """Show what the service said to the last step at ``place`` (once)."""
    said = st.session_state.get(_MESSAGES, {}).pop(place, None)
    if said:
        st.error(said, icon=":material/block:")


def _text(key: str) -> str:
    return str(st.session_state.get(key) or "").strip()


def _save_facts(case_id: str) -> None:
    deadline = st.session_state.get(f"case-deadline-{case_id}")
    changes = {
        "title": _text(f"case-title-{case_id}") or None,
        "department": _text(f"case-department-{case_id}") or None,
        "deadline": deadline.isoformat() if isinstance(deadline, date) else None,
    }
    _act("facts", lambda service: service.update_case(case_id, changes))


def _save_question(case_id: str, question_id: int, key: str) -> None:
    text = _text(key)
    _act(f"q{question_id}", lambda service: service.edit_question(case_id, question_id, text))


def _add_question(case_id: str) -> None:
    text = _text(f"case-add-question-{case_id}")
    if text:
        _act("questions", lambda service: service.add_question(case_id, text))
        st.session_state[f"case-add-question-{case_id}"] = ""


def _pin(case_id: str, question_id: int, chunk_ids: list[str]) -> None:
    _act(f"q{question_id}", lambda service: service.pin_passages(case_id, question_id, chunk_ids))


def _accept(case_id: str, question_id: int, key: str) -> None:
    text = _text(key)
    _act(
        f"q{question_id}",
        lambda service: service.edit_answer(case_id, question_id, text, accept=True),
    )


def _comment(case_id: str, choices: dict[str, int | None]) -> None:
    text = _text(f"case-comment-{case_id}")
    question_id = choices.get(str(st.session_state.get(f"case-comment-on-{case_id}")))
    if text:
        _act(
            "comments",
            lambda service: service.comment_case(case_id, text, question_id=question_id),
        )
        st.session_state[f"case-comment-{case_id}"] = ""


def _return(case_id: str) -> None:
    note = _text(f"case-return-note-{case_id}")
    _act("review", lambda service: service.return_case(case_id, note))


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
    _message("facts")
    if case.get("inquiry_text"):
        with st.expander(t(lang, "case_inquiry"), icon=":material/mail:"):
            st.text(str(case["inquiry_text"]))


def _passage(
    lang: str, case_id: str, question: dict[str, Any], passage: dict[str, Any], key: str
) -> None:
    """An offered passage: kind, date, Drucksache, citation, validity, text and a pin."""
    pinned = [str(p["chunk_id"]) for p in question["pinned"]]
    chunk_id = str(passage["chunk_id"])
    with st.container(border=True, key=key):
        facts = [t(lang, f"case_kind_{passage['kind']}")]
        if passage.get("date"):
            facts.append(day(str(passage["date"])))
        if passage.get("reference"):
            facts.append(str(passage["reference"]))
        st.markdown(f"**{escaped(' · '.join(facts))}** – {escaped(str(passage['title']))}")
        for note in passage.get("validity") or []:
            icon = ":material/history:" if note.startswith(("Geändert", "Ändert")) else None
            st.warning(escaped(note), icon=icon or ":material/gavel:")
        superseded_note(passage.get("superseded"))
        text = str(passage["text"])
        st.markdown(
            f'<div class="auskunft-passage">{html.escape(text[:600])}'
            f"{' …' if len(text) > 600 else ''}</div>",
            unsafe_allow_html=True,
        )
        cite, button = st.columns([5, 1], vertical_alignment="center")
        cite.caption(f"{t(lang, 'citation')}: {passage['citation']}")
        locked = question.get("_locked", False)
        if chunk_id in pinned:
            button.button(
                t(lang, "case_unpin"),
                key=f"unpin-{key}",
                icon=":material/keep_off:",
                disabled=locked,
                on_click=_pin,
                args=(case_id, int(question["id"]), [c for c in pinned if c != chunk_id]),
            )
        else:
            button.button(
                t(lang, "case_pin"),
                key=f"pin-{key}",
                icon=":material/keep:",
                disabled=locked,
                on_click=_pin,
                args=(case_id, int(question["id"]), [*pinned, chunk_id]),
            )


def _sources(lang: str, draft: dict[str, Any]) -> None:
    sources = draft.get("sources") or []
    if not sources:
        return
    st.caption(t(lang, "case_sources"))
    lines = []
    for source in sources:
        if source.get("hidden"):
            lines.append(f"[{source['number']}] {t(lang, 'case_source_hidden')}")
        else:
            lines.append(f"[{source['number']}] {source['citation']}")
    st.markdown("  \n".join(escaped(line) for line in lines))


def _draft(lang: str, case: dict[str, Any], question: dict[str, Any], key: str) -> None:
    """The answer: the KI-Entwurf's sentences with their flags, or the accepted text; its
    sources by number; a field to edit it and *Übernehmen*."""
    draft = question.get("draft")
    if not draft:
        return
    case_id, question_id = str(case["id"]), int(question["id"])
    st.markdown(f"**{t(lang, 'case_answer')}**")
    if draft.get("mark"):
        st.info(t(lang, "case_ai_mark", mark=draft["mark"]), icon=":material/smart_toy:")
        for flag in draft.get("flags") or []:
            st.caption(flag_text(lang, str(flag)))
    elif draft.get("accepted_by"):
        st.success(
            t(
                lang,
                "case_accepted",
                user=draft["accepted_by"],
                time=local_time(draft.get("accepted_at")),
            ),
            icon=":material/task_alt:",
        )
    with st.container(key=f"{key}-answer"):
        sentences = draft.get("sentences") or []
        if draft.get("mark") and sentences:
            for sentence in sentences:
                show_sentence(AnswerSentence(**sentence), lang)
        else:
            st.markdown(escaped(str(draft["text"])))
    _sources(lang, draft)
    if question.get("_locked"):
        return
    # a new draft (another text) starts the field afresh; typed text survives other steps
    field = f"answer-{case_id}-{question_id}-{abs(hash(str(draft['text'])))}"
    st.text_area(
        t(lang, "case_answer_text", label=question["_label"]),
        value=str(draft["text"]),
        key=field,
        height=160,
    )
    st.button(
        t(lang, "case_accept"),
        key=f"{key}-accept",
        type="primary",
        icon=":material/check:",
        on_click=_accept,
        args=(case_id, question_id, field),
    )


def _question(lang: str, case: dict[str, Any], question: dict[str, Any], number: int) -> None:
    case_id, question_id = str(case["id"]), int(question["id"])
    locked = case["status"] != "draft"
    question["_locked"] = locked
    question["_label"] = question.get("label") or f"{number}."
    key = f"question-{number}"
    with st.container(border=True, key=key):
        st.subheader(t(lang, "case_question", label=question["_label"]))
        text_key = f"question-text-{case_id}-{question_id}-{abs(hash(str(question['text'])))}"
        if locked:
            st.markdown(escaped(str(question["text"])))
        else:
            st.text_area(
                t(lang, "case_question_text", label=question["_label"]),
                value=str(question["text"]),
                key=text_key,
                height=80,
            )
        _message(f"q{question_id}")
        if not locked:
            save, remove, research, draft = st.columns(4)
            save.button(
                t(lang, "case_question_save"),
                key=f"{key}-save",
                icon=":material/save:",
                on_click=_save_question,
                args=(case_id, question_id, text_key),
            )
            remove.button(
                t(lang, "case_question_remove"),
                key=f"{key}-remove",
                icon=":material/delete:",
                on_click=_act,
                args=(
                    "questions",
                    lambda service: service.remove_question(case_id, question_id),
                ),
            )
            research.button(
                t(lang, "case_research_again" if question.get("offered") else "case_research"),
                key=f"{key}-research",
                icon=":material/travel_explore:",
                on_click=_act,
                args=(
                    f"q{question_id}",
                    lambda service: service.research_question(case_id, question_id),
                ),
            )
            draft.button(
                t(lang, "case_draft_again" if question.get("draft") else "case_draft"),
                key=f"{key}-draft",
                icon=":material/smart_toy:",
                disabled=not question["pinned"],
                on_click=_act,
                args=(
                    f"q{question_id}",
                    lambda service: service.draft_answer(case_id, question_id),
                ),
            )
        _pinned(lang, case_id, question, key)
        offered = question.get("offered") or []
        if offered or question.get("offered_hidden"):
            label = t(lang, "case_offered", n=len(offered))
            with st.expander(label, expanded=not question.get("draft") and not locked):
                if question.get("offered_hidden"):
                    st.caption(t(lang, "case_offered_hidden", n=question["offered_hidden"]))
                for index, passage in enumerate(offered, start=1):
                    _passage(lang, case_id, question, passage, f"{key}-offered-{index}")
        _draft(lang, case, question, key)


def _pinned(lang: str, case_id: str, question: dict[str, Any], key: str) -> None:
    pinned = question.get("pinned") or []
    if not pinned:
        if not question["_locked"]:
            st.caption(t(lang, "case_pinned_none"))
        return
    with st.container(key=f"{key}-pinned"):
        st.markdown(f"**{t(lang, 'case_pinned', n=len(pinned))}**")
        for index, passage in enumerate(pinned, start=1):
            row, button = st.columns([6, 1], vertical_alignment="center")
            row.markdown(escaped(f"{index}. {passage['citation']}"))
            button.button(
                t(lang, "case_unpin"),
                key=f"{key}-pinned-unpin-{index}",
                icon=":material/keep_off:",
                disabled=question["_locked"],
                on_click=_pin,
                args=(
                    case_id,
                    int(question["id"]),
                    [str(p["chunk_id"]) for p in pinned if p["chunk_id"] != passage["chunk_id"]],
                ),
            )


def _questions(lang: str, case: dict[str, Any]) -> None:
    st.header(t(lang, "case_questions"))
    _message("questions")
    for number, question in enumerate(case["questions"], start=1):
        _question(lang, case, question, number)
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
    _message("comments")


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
        on_click=_act,
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
        on_click=_act,
        args=("review", lambda service: service.release_case(case_id)),
    )
    _message("review")


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
