"""Admin: the audit log of searches and answers, filtered, with JSONL and CSV export."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import streamlit as st

from ui.date_field import date_field
from ui.i18n import DISPLAY_ZONE, local_time, t
from ui.session import client, language, require_admin, service_errors

SHOWN = 200


def _row(lang: str, record: dict[str, Any]) -> dict[str, object]:
    return {
        t(lang, "audit_time"): local_time(str(record["time"]), seconds=True),
        t(lang, "audit_user"): record["user"],
        t(lang, "audit_kind"): t(lang, f"audit_kind_{record['kind']}"),
        t(lang, "audit_query"): record["query"],
        t(lang, "audit_chunks"): len(record.get("chunks") or []),
        t(lang, "audit_model"): record.get("model") or "–",
        t(lang, "audit_flags"): ", ".join(record.get("flags") or []) or "–",
        t(lang, "audit_answer"): (record.get("answer") or "")[:200],
    }


def render() -> None:
    """Render the audit page (admins only)."""
    require_admin()
    lang = language()
    st.title(t(lang, "nav_audit"))
    st.caption(t(lang, "audit_intro"))
    left, right = st.columns(2)
    user = left.text_input(t(lang, "audit_user"), key="audit-user").strip() or None
    with right:
        day = date_field(t(lang, "audit_since"), "audit-since", lang)
    since = datetime.combine(day, time.min, tzinfo=DISPLAY_ZONE) if isinstance(day, date) else None
    service = client()
    with service_errors():
        records = service.audit_records(since=since, user=user, limit=SHOWN)
        jsonl = service.audit_export("jsonl", since=since, user=user)
        table = service.audit_export("csv", since=since, user=user)
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
