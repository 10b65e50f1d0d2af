"""Showing an original document: a PDF page as an image, or the passage, and the file."""

from __future__ import annotations

from typing import Any

import streamlit as st

from search.errors import AuskunftError, NotFound
from ui.i18n import t
from ui.session import client, language, service_errors


def show_original(doc_id: str, page: int | None, passage_text: str = "", key: str = "") -> None:
    """Render the document at a page (PDF) or the passage (other formats), with a
    download of the original and page navigation.

    :param doc_id: the document.
    :param page: the cited page (1-based) or ``None``.
    :param passage_text: shown for formats without pages.
    :param key: distinguishes several viewers on one page.
    """
    lang = language()
    service = client()
    try:
        with service_errors():
            document = service.document(doc_id)
            data, media_type, filename = service.original(doc_id)
    except NotFound:
        st.error(t(lang, "not_available"))
        return
    title = document.get("title") or document.get("filename") or doc_id
    st.markdown(f"**{title}**")
    if media_type == "application/pdf" and document.get("page_count"):
        _pdf_pages(document, page or 1, key)
    elif passage_text:
        st.caption(t(lang, "passage_only"))
        st.text(passage_text)
    st.download_button(
        t(lang, "open"),
        data=data,
        file_name=filename,
        mime=media_type,
        key=f"download-original-{key}-{doc_id}",
        icon=":material/download:",
        on_click="ignore",
    )


def _pdf_pages(document: dict[str, Any], cited: int, key: str) -> None:
    lang = language()
    doc_id = str(document["doc_id"])
    count = int(document.get("page_count") or 1)
    state = f"viewer-page-{key}-{doc_id}"
    if state not in st.session_state:
        st.session_state[state] = min(max(cited, 1), count)
    current = int(st.session_state[state])
    left, middle, right = st.columns([1, 3, 1])
    if left.button("◀", key=f"{state}-prev", disabled=current <= 1, help=t(lang, "prev_page")):
        current -= 1
    if right.button("▶", key=f"{state}-next", disabled=current >= count, help=t(lang, "next_page")):
        current += 1
    st.session_state[state] = current
    middle.markdown(t(lang, "page_of", page=current, count=count))
    try:
        with st.spinner(t(lang, "rendering")):
            png = client().page_image(doc_id, current)
    except AuskunftError as exc:
        st.error(t(lang, "error", error=exc))
        return
    label = t(lang, "page_of", page=current, count=count)
    title = document.get("title") or doc_id
    st.image(png, caption=label, width="stretch", alt=f"{title} – {label}")
