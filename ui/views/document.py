"""A document at a cited place, by URL: ``/document?doc=<doc_id>&page=<n>&passage=<chunk_id>``
(the link the reader copies: the same page with the same passage highlighted)."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.session import language
from ui.viewer import show_original


def render() -> None:
    """Render the document named in the URL."""
    doc_id = st.query_params.get("doc", "")
    try:
        page: int | None = int(st.query_params.get("page", ""))
    except ValueError:
        page = None
    if not doc_id:
        st.error(t(language(), "not_available"))
        return
    show_original(doc_id, page, key="page", chunk_id=st.query_params.get("passage") or None)
