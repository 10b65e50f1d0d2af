"""Admin: what is indexed, how big it is, and which documents failed (with a retry)."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from ui.i18n import reason_text, t
from ui.session import client, language, require_admin, service_errors


def human_bytes(size: int) -> str:
    """:returns: ``1.5 MB`` and the like."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - the loop returns


def follow(job: dict[str, Any], label: str) -> dict[str, Any]:
    """Show a job of the service with a progress bar until it ends (the service does the
    work; other users' searches go on meanwhile).

    :returns: the finished job.
    """
    bar = st.progress(0.0, text=label)
    while not job.get("finished"):
        time.sleep(0.5)
        job = client().job(int(job["id"]))
        share, text = job_progress(job, label, language())
        bar.progress(share, text=text)
    bar.empty()
    return job


def job_progress(job: dict[str, Any], label: str, lang: str) -> tuple[float, str]:
    """:returns: how far a job is (0–1) and the line that says so: files done of the
    files to look at, and while a scanned file is read, its pages done of its pages."""
    seen = sum(job.get("counts", {}).values())
    total = job.get("total")
    ocr = job.get("ocr")
    share = seen
    text = f"{label} ({t(lang, 'files_done', done=seen, total=total) if total else seen})"
    if ocr and ocr.get("pages_total"):
        done, pages = int(ocr["pages_done"]), int(ocr["pages_total"])
        share += min(done / pages, 1.0)  # the file being read counts by its pages
        name = str(ocr["uri"]).rsplit("/", 1)[-1]
        text += " · " + t(lang, "ocr_pages", name=name, done=done, total=pages)
    return (min(share / total, 1.0) if total else 0.0), text


def _retry(doc_id: str) -> None:
    lang = language()
    with service_errors():
        job = follow(client().retry(doc_id), t(lang, "retrying"))
    report = job.get("report") or {}
    if job["state"] != "done" or report.get("failed"):
        failures = report.get("failures") or [{"error": job.get("error") or ""}]
        st.warning(t(lang, "retry_failed", error=failures[0]["error"]))
    else:
        st.success(t(lang, "retry_ok"))


def render() -> None:
    """Render the status page (admins only)."""
    require_admin()
    lang = language()
    st.title(t(lang, "nav_status"))
    with service_errors(), st.spinner(t(lang, "loading")):
        status = client().status(disk=True)
    size = int(status.get("disk_bytes", 0))
    counts = status["documents"]
    columns = st.columns(5)
    columns[0].metric(t(lang, "status_indexed"), counts.get("indexed", 0))
    columns[1].metric(t(lang, "status_failed"), counts.get("failed", 0))
    columns[2].metric(t(lang, "status_indexing"), counts.get("indexing", 0))
    columns[3].metric(t(lang, "chunks"), status["chunks"])
    columns[4].metric(t(lang, "disk_use"), human_bytes(size))
    st.caption(
        t(lang, "data_dir_model", path=status["data_dir"], model=status["embedding_model"] or "–")
    )
    st.subheader(t(lang, "per_source"))
    rows = [
        {t(lang, "source"): source, **{t(lang, f"status_{k}"): n for k, n in by_status.items()}}
        for source, by_status in sorted(status["sources"].items())
    ]
    if rows:
        st.table(rows)
    else:
        st.info(t(lang, "empty_index"))
    st.subheader(t(lang, "failures"))
    if not status["failures"]:
        st.success(t(lang, "no_failures"))
    for index, failure in enumerate(status["failures"]):
        with st.container(border=True, key=f"failure-{index}"):
            name = failure["uri"].rsplit("/", 1)[-1]
            reason = reason_text(lang, failure["reason"])
            st.markdown(f"**{name}** · {reason} · {failure['source']}")
            if failure["error"]:
                st.caption(t(lang, "technical", error=failure["error"]))
            retry_key = f"retry-{failure['doc_id']}"
            if st.button(t(lang, "retry"), key=retry_key, icon=":material/replay:"):
                _retry(failure["doc_id"])
