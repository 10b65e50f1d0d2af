"""Admin: what is indexed, how big it is, and which documents failed (with a retry)."""

from __future__ import annotations

import streamlit as st

from ingest.indexer import Indexer, data_dir_bytes, index_status
from ingest.sources import SourceRegistry
from search.errors import AuskunftError
from ui.i18n import t
from ui.session import index_writer, language, require_admin, settings


def human_bytes(size: int) -> str:
    """:returns: ``1.5 MB`` and the like."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - the loop returns


def _retry(doc_id: str) -> None:
    lang = language()
    try:
        with st.spinner(t(lang, "retrying")), index_writer(), Indexer(settings()) as indexer:
            report = SourceRegistry(indexer.catalog).retry(doc_id, indexer)
    except AuskunftError as exc:
        st.error(t(lang, "error", error=exc))
        return
    if report.failed:
        st.warning(t(lang, "retry_failed", error=report.failures[0]["error"]))
    else:
        st.success(t(lang, "retry_ok"))


def render() -> None:
    """Render the status page (admins only)."""
    require_admin()
    lang = language()
    st.title(t(lang, "nav_status"))
    with st.spinner(t(lang, "loading")):
        status = index_status(settings())
        size = data_dir_bytes(settings())
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
            st.markdown(f"**{name}** · `{failure['reason']}` · {failure['source']}")
            st.caption(failure["error"] or "")
            retry_key = f"retry-{failure['doc_id']}"
            if st.button(t(lang, "retry"), key=retry_key, icon=":material/replay:"):
                _retry(failure["doc_id"])
