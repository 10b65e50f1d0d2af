"""One question of a case on the case page: its text, research (the offered passages with
kind, date, Drucksache, citation and validity, each to pin), the pinned sources and the
answer (a *KI-Entwurf* with its flagged sentences until a person accepts it)."""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from search.answers import AnswerSentence
from ui.answer_panel import show_sentence
from ui.i18n import flag_text, local_time, t
from ui.relations_view import day, escaped, superseded_note
from ui.views.case_steps import act, message, text_of


def _save_question(case_id: str, question_id: int, key: str) -> None:
    text = text_of(key)
    act(f"q{question_id}", lambda service: service.edit_question(case_id, question_id, text))


def _pin(case_id: str, question_id: int, chunk_ids: list[str]) -> None:
    act(f"q{question_id}", lambda service: service.pin_passages(case_id, question_id, chunk_ids))


def _accept(case_id: str, question_id: int, key: str) -> None:
    text = text_of(key)
    act(
        f"q{question_id}",
        lambda service: service.edit_answer(case_id, question_id, text, accept=True),
    )


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
        is_pinned = chunk_id in pinned
        button.button(
            t(lang, "case_unpin" if is_pinned else "case_pin"),
            key=f"{'unpin' if is_pinned else 'pin'}-{key}",
            icon=":material/keep_off:" if is_pinned else ":material/keep:",
            disabled=question.get("_locked", False),
            on_click=_pin,
            args=(
                case_id,
                int(question["id"]),
                [c for c in pinned if c != chunk_id] if is_pinned else [*pinned, chunk_id],
            ),
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


def _reorder(case_id: str, order: list[int]) -> None:
    act("questions", lambda service: service.reorder_questions(case_id, order))


def _moved(case: dict[str, Any], number: int, step: int) -> list[int]:
    """:returns: the question ids with question ``number`` moved ``step`` places, or none
    when that place does not exist."""
    order = [int(q["id"]) for q in case["questions"]]
    index, target = number - 1, number - 1 + step
    if not 0 <= target < len(order):
        return []
    order[index], order[target] = order[target], order[index]
    return order


def _order_buttons(lang: str, case: dict[str, Any], number: int, key: str) -> None:
    """*Nach oben* / *Nach unten*: the question's place in the reply."""
    up, down = st.columns(2)
    for column, step, name, icon in (
        (up, -1, "case_question_up", ":material/arrow_upward:"),
        (down, 1, "case_question_down", ":material/arrow_downward:"),
    ):
        order = _moved(case, number, step)
        column.button(
            t(lang, name),
            key=f"{key}-{'up' if step < 0 else 'down'}",
            icon=icon,
            type="tertiary",
            disabled=not order,
            on_click=_reorder,
            args=(str(case["id"]), order),
        )


def render(lang: str, case: dict[str, Any], question: dict[str, Any], number: int) -> None:
    """Draw question ``number`` of the case (its content locked unless the case is a draft)."""
    case_id, question_id = str(case["id"]), int(question["id"])
    locked = case["status"] != "draft"
    question["_locked"] = locked
    question["_label"] = question.get("label") or f"{number}."
    key = f"question-{number}"
    with st.container(border=True, key=key):
        heading, moves = st.columns([3, 1], vertical_alignment="center")
        heading.subheader(t(lang, "case_question", label=question["_label"]))
        if not locked and len(case["questions"]) > 1:
            with moves:
                _order_buttons(lang, case, number, key)
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
        message(f"q{question_id}")
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
                on_click=act,
                args=(
                    "questions",
                    lambda service: service.remove_question(case_id, question_id),
                ),
            )
            research.button(
                t(lang, "case_research_again" if question.get("offered") else "case_research"),
                key=f"{key}-research",
                icon=":material/travel_explore:",
                on_click=act,
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
                on_click=act,
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
