"""Showing an original document: a PDF page as an image, or the passage, and the file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ingest.originals import Original, open_original, render_pdf_page
from search.errors import AuskunftError
from ui.i18n import t
from ui.session import current_user, language, settings


@st.cache_data(max_entries=64, show_spinner=False)
def _page_png(path: str, page: int, mtime: float) -> bytes:
    del mtime  # part of the cache key: a changed file is rendered again
    return render_pdf_page(Path(path), page)


def show_original(doc_id: str, page: int | None, passage_text: str = "", key: str = "") -> None:
    """Render the document at a page (PDF) or the passage (other formats), with a
    download of the original and page navigation.

    :param doc_id: the document.
    :param page: the cited page (1-based) or ``None``.
    :param passage_text: shown for formats without pages.
    :param key: distinguishes several viewers on one page.
    """
    lang = language()
    user = current_user()
    groups = user.search_groups(settings()) if user else []
    try:
        original = open_original(settings(), doc_id, groups)
    except AuskunftError:
        st.error(t(lang, "not_available"))
        return
    st.markdown(f"**{original.title}**")
    if original.is_pdf and original.page_count:
        _pdf_pages(original, page or 1, key)
    elif passage_text:
        st.caption(t(lang, "passage_only"))
        st.text(passage_text)
    st.download_button(
        t(lang, "open"),
        data=original.path.read_bytes(),
        file_name=original.filename,
        mime=original.media_type,
        key=f"download-original-{key}-{doc_id}",
        icon=":material/download:",
        on_click="ignore",
    )


def _pdf_pages(original: Original, cited: int, key: str) -> None:
    lang = language()
    count = original.page_count or 1
    state = f"viewer-page-{key}-{original.doc_id}"
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
    with st.spinner(t(lang, "rendering")):
        png = _page_png(str(original.path), current, original.path.stat().st_mtime)
    label = t(lang, "page_of", page=current, count=count)
    st.image(png, caption=label, width="stretch", alt=f"{original.title} – {label}")
