"""A document at a page, by URL: ``/document?doc=<doc_id>&page=<n>`` (a link to share)."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.session import language
from ui.viewer import show_original


def render() -> None:
    """Render the document named in the URL."""
    doc_id = st.query_params.get("doc", "")
    try:
        page = int(st.query_params.get("page", "1"))
    except ValueError:
        page = 1
    if not doc_id:
        st.error(t(language(), "not_available"))
        return
    show_original(doc_id, page, key="page")
