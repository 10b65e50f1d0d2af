"""Admin: the audit log of searches and answers, filtered, with JSONL and CSV export."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

import streamlit as st

from search.audit import AuditRecord
from search.errors import AuskunftError
from ui.answer_panel import audit_log
from ui.i18n import t
from ui.session import language, require_admin

SHOWN = 200


def _row(lang: str, record: AuditRecord) -> dict[str, object]:
    return {
        t(lang, "audit_time"): record.time[:19].replace("T", " "),
        t(lang, "audit_user"): record.user,
        t(lang, "audit_kind"): t(lang, f"audit_kind_{record.kind}"),
        t(lang, "audit_query"): record.query,
        t(lang, "audit_chunks"): len(record.chunks),
        t(lang, "audit_model"): record.model or "–",
        t(lang, "audit_flags"): ", ".join(record.flags) or "–",
        t(lang, "audit_answer"): (record.answer or "")[:200],
    }


def _export(fmt: str, since: datetime | None, user: str | None) -> str:
    out = io.StringIO()
    audit_log().export(out, fmt, since=since, user=user)
    return out.getvalue()


def render() -> None:
    """Render the audit page (admins only)."""
    require_admin()
    lang = language()
    st.title(t(lang, "nav_audit"))
    st.caption(t(lang, "audit_intro"))
    left, right = st.columns(2)
    user = left.text_input(t(lang, "audit_user"), key="audit-user").strip() or None
    day = right.date_input(t(lang, "audit_since"), value=None, key="audit-since")
    since = datetime.combine(day, time.min, tzinfo=UTC) if isinstance(day, date) else None
    try:
        records = audit_log().records(since=since, user=user, limit=SHOWN)
        jsonl = _export("jsonl", since, user)
        table = _export("csv", since, user)
    except AuskunftError as exc:
        st.error(t(lang, "error", error=exc))
        return
    first, second, _ = st.columns([1, 1, 3])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    first.download_button(
        t(lang, "audit_export_jsonl"),
        jsonl,
        file_name=f"auskunft-audit-{stamp}.jsonl",
        mime="application/x-ndjson",
        icon=":material/download:",
    )
    second.download_button(
        t(lang, "audit_export_csv"),
        table,
        file_name=f"auskunft-audit-{stamp}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    if not records:
        st.info(t(lang, "audit_empty"))
        return
    st.caption(t(lang, "audit_shown", n=len(records)))
    st.table([_row(lang, record) for record in records])
