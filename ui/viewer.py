"""Showing an original document where a passage is cited: a PDF at its page with the
passage highlighted, any other format read whole and scrolled to the passage; with a
link to the same place and the original file to download."""

from __future__ import annotations

from typing import Any

import streamlit as st

from search.core.errors import AuskunftError, NotFound
from ui.i18n import t
from ui.reader import document_link, page_view, text_html, text_view
from ui.relations_view import relations_section
from ui.session import client, language, service_errors

PAGE_IMAGE_WIDTH = 1400
"""Pixels of a page image: sharp at the widths the zoom offers in a dialog."""


def show_original(
    doc_id: str,
    page: int | None,
    passage_text: str = "",
    key: str = "",
    chunk_id: str | None = None,
) -> None:
    """Render the document at a page (PDF) or whole (other formats) with the cited passage
    highlighted, a download of the original and page navigation.

    :param doc_id: the document.
    :param page: the cited page (1-based) or ``None``.
    :param passage_text: the passage, to find it when no ``chunk_id`` is known.
    :param key: distinguishes several viewers on one page.
    :param chunk_id: the cited passage (a chunk of the document).
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
    relations_section(doc_id)
    if media_type == "application/pdf" and document.get("page_count"):
        _pdf_pages(document, page or 1, chunk_id, key)
    else:
        _whole_text(doc_id, chunk_id, passage_text, key)
    st.download_button(
        t(lang, "open"),
        data=data,
        file_name=filename,
        mime=media_type,
        key=f"download-original-{key}-{doc_id}",
        icon=":material/download:",
        on_click="ignore",
    )


def _labels(lang: str) -> dict[str, str]:
    names = ("zoom_in", "zoom_out", "copy_link", "link", "link_copied")
    return {name: t(lang, name) for name in names}


def _pdf_pages(document: dict[str, Any], cited: int, chunk_id: str | None, key: str) -> None:
    lang = language()
    doc_id = str(document["doc_id"])
    count = int(document.get("page_count") or 1)
    state = f"viewer-page-{key}-{doc_id}-{cited}-{chunk_id}"
    if state not in st.session_state:
        st.session_state[state] = min(max(cited, 1), count)
    current = int(st.session_state[state])
    left, middle, right = st.columns([1, 3, 1])
    if left.button("◀", key=f"{state}-prev", disabled=current <= 1, help=t(lang, "prev_page")):
        current -= 1
    if right.button("▶", key=f"{state}-next", disabled=current >= count, help=t(lang, "next_page")):
        current += 1
    st.session_state[state] = current
    label = t(lang, "page_of", page=current, count=count)
    middle.markdown(label)
    with st.spinner(t(lang, "rendering")):
        try:
            png = client().page_image(doc_id, current, width=PAGE_IMAGE_WIDTH)
        except AuskunftError as exc:
            st.error(t(lang, "error", error=exc))
            return
        try:  # a scanned page is read by OCR on its first view
            words = client().page_words(doc_id, current, passage=chunk_id)
        except AuskunftError as exc:  # the page without its words is still worth seeing
            st.caption(t(lang, "no_text_layer", error=exc))
            words = {}
    if chunk_id and not words.get("highlights") and current == cited:
        st.caption(t(lang, "passage_not_marked"))
    title = document.get("title") or doc_id
    page_view(
        png,
        words,
        alt=f"{title} – {label}",
        link=document_link(doc_id, current, chunk_id),
        labels=_labels(lang),
        key=f"reader-{key}-{doc_id}",
    )


def _cited_part(parts: list[dict[str, Any]], chunk_id: str | None, text: str) -> str | None:
    """:returns: the chunk id of the cited passage: the given one, else the passage whose
    text is the cited text."""
    if chunk_id and any(part.get("chunk_id") == chunk_id for part in parts):
        return chunk_id
    wanted = " ".join(text.split())
    for part in parts:
        if wanted and wanted in " ".join(str(part.get("text", "")).split()):
            return str(part.get("chunk_id"))
    return None


def _whole_text(doc_id: str, chunk_id: str | None, passage_text: str, key: str) -> None:
    lang = language()
    try:
        with st.spinner(t(lang, "loading")):
            parts = list(client().document_text(doc_id).get("parts", []))
    except AuskunftError as exc:
        st.error(t(lang, "error", error=exc))
        return
    if not parts:
        if passage_text:
            st.caption(t(lang, "passage_only"))
            st.text(passage_text)
        return
    cited = _cited_part(parts, chunk_id, passage_text)
    st.caption(t(lang, "whole_document"))
    text_view(
        text_html(parts, cited, lambda page: t(lang, "page_marker", page=page)),
        link=document_link(doc_id, passage=cited),
        labels=_labels(lang),
        key=f"reader-{key}-{doc_id}",
    )
