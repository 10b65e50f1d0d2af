"""*Vorgänge*: the council office's cases by deadline (overdue ones marked), and a new
case from a pasted inquiry or its file (PDF, DOCX, ODT, text)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui.client import ServiceClient
from ui.date_field import date_field
from ui.i18n import t
from ui.relations_view import day
from ui.session import client, language, service_errors
from ui.views import case as case_view

UPLOAD_TYPES = ["pdf", "docx", "odt", "txt"]
_COLUMNS = [1.3, 6, 1.2, 1.6, 1]


def page(lang: str) -> StreamlitPage:
    """:returns: the case list's page (listed in the navigation for every user)."""
    return st.Page(
        render, title=t(lang, "nav_cases"), icon=":material/assignment:", url_path="cases"
    )


def _row(lang: str, row: dict[str, Any], number: int) -> None:
    with st.container(key=f"case-row-{number}"):
        deadline, title, status, department, answered = st.columns(
            _COLUMNS, vertical_alignment="center"
        )
        due = day(row.get("deadline")) or t(lang, "case_no_deadline")
        if row.get("overdue"):
            deadline.markdown(f":red-background[**{due}** · {t(lang, 'case_overdue')}]")
        else:
            deadline.markdown(due)
        with title:
            st.page_link(
                case_view.page(lang),
                label=str(row.get("title") or row["id"]),
                query_params={"case": str(row["id"])},
                icon=":material/description:",
            )
        status.markdown(case_view.status_text(lang, str(row["status"])))
        department.markdown(html.escape(str(row.get("department") or "–")))
        answered.markdown(f"{row.get('answered', 0)}/{row.get('questions', 0)}")


def _table(lang: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info(t(lang, "cases_empty"))
        return
    header = st.columns(_COLUMNS)
    for column, key in zip(
        header,
        ("case_deadline", "case_title", "case_status", "case_department", "case_answered"),
        strict=True,
    ):
        column.markdown(f"**{t(lang, key)}**")
    for number, row in enumerate(rows, start=1):
        _row(lang, row, number)


def _create(lang: str) -> None:
    """Make the case from what the form holds and open it (a problem is said, the form
    kept)."""
    state = st.session_state
    text = str(state.get("new-case-text") or "").strip()
    upload = state.get("new-case-file")
    title = str(state.get("new-case-title") or "").strip() or None
    department = str(state.get("new-case-department") or "").strip() or None
    deadline = state.get("new-case-deadline")
    deadline = deadline if isinstance(deadline, date) else None
    if not text and upload is None:
        st.warning(t(lang, "case_create_empty"))
        return

    def make(service: ServiceClient) -> dict[str, Any]:
        if upload is not None:
            return service.upload_case(
                upload.name,
                upload.getvalue(),
                title=title,
                department=department,
                deadline=deadline,
            )
        return service.create_case(text=text, title=title, department=department, deadline=deadline)

    case_view.open_new(lang, make)


def _new_case(lang: str) -> None:
    with st.expander(t(lang, "case_new"), expanded=False, icon=":material/add:"):
        st.text_area(t(lang, "case_new_text"), key="new-case-text", height=200)
        st.file_uploader(t(lang, "case_new_file"), type=UPLOAD_TYPES, key="new-case-file")
        left, middle, right = st.columns(3)
        left.text_input(t(lang, "case_new_title"), key="new-case-title")
        middle.text_input(t(lang, "case_department"), key="new-case-department")
        with right:
            date_field(t(lang, "case_new_deadline"), "new-case-deadline", lang)
        if st.button(t(lang, "case_create"), type="primary", key="new-case-create"):
            _create(lang)


def render() -> None:
    """Render the case list with the form for a new case."""
    lang = language()
    st.title(t(lang, "nav_cases"))
    st.caption(t(lang, "cases_intro"))
    _new_case(lang)
    with service_errors():
        rows = client().cases()
    _table(lang, rows)
