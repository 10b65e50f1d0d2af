"""The Streamlit search page. Widgets only: every action goes through search/ or ingest/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import streamlit as st

from ingest.indexer import index_status
from search.errors import AuskunftError
from search.fields import DOC_TYPES
from search.filters import SearchFilters
from search.results import SEARCH_MODES, DocumentHit
from search.service import SearchService
from search.settings import Settings, load_settings
from ui.i18n import t

_ALLOWED_TAGS = re.compile(r"&lt;(/?)mark&gt;")


@st.cache_resource
def _settings() -> Settings:
    return load_settings()


@st.cache_resource
def _service() -> SearchService:
    # the embedded vector index admits one process: leave it to ingestion between searches
    return SearchService(_settings(), hold_vector_store=False)


def _safe_highlight(html_snippet: str) -> str:
    """Highlights are escaped text with <mark> tags; allow nothing else."""
    import html

    escaped = html.escape(
        html.unescape(html_snippet.replace("<mark>", "\x01").replace("</mark>", "\x02"))
    )
    return escaped.replace("\x01", "<mark>").replace("\x02", "</mark>")


def _local_file(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    return path if path.is_file() else None


def _result_card(hit: DocumentHit, number: int, language: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{number}. {hit.title}**")
        facts = [t(language, hit.doc_type)]
        if hit.reference:
            facts.append(hit.reference)
        if hit.date:
            facts.append(hit.date)
        facts.append(hit.source)
        st.caption(" · ".join(facts))
        best = hit.passages[0]
        st.markdown(_safe_highlight(best.highlight), unsafe_allow_html=True)
        st.markdown(f"📌 {t(language, 'citation')}: `{best.citation}`")
        if len(hit.passages) > 1:
            with st.expander(t(language, "passages")):
                for passage in hit.passages[1:]:
                    st.markdown(_safe_highlight(passage.highlight), unsafe_allow_html=True)
                    st.caption(passage.citation)
        path = _local_file(hit.uri)
        if path is not None:
            st.download_button(
                t(language, "open"),
                data=path.read_bytes(),
                file_name=path.name,
                key=f"download-{hit.doc_id}-{number}",
            )


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Auskunft", page_icon="🔎", layout="wide")
    settings = _settings()
    with st.sidebar:
        language = st.radio(
            "Sprache / Language",
            ["de", "en"],
            horizontal=True,
            index=0 if settings.language == "de" else 1,
        )
        status = index_status(settings)
        st.subheader(t(language, "status"))
        st.caption(
            t(
                language,
                "status_line",
                indexed=status["documents"]["indexed"],
                failed=status["documents"]["failed"],
                chunks=status["chunks"],
            )
        )
        st.subheader(t(language, "filters"))
        mode = st.radio(
            t(language, "mode"),
            SEARCH_MODES,
            format_func=lambda m: t(language, f"mode_{m}"),
        )
        sources = st.multiselect(t(language, "sources"), sorted(status["sources"]))
        doc_types = st.multiselect(
            t(language, "doc_types"), DOC_TYPES, format_func=lambda d: t(language, d)
        )
        date_from = st.date_input(t(language, "date_from"), value=None, format="DD.MM.YYYY")
        date_to = st.date_input(t(language, "date_to"), value=None, format="DD.MM.YYYY")
        top_k = st.slider(t(language, "top_k"), 1, 50, settings.search.top_k)

    st.title(t(language, "title"))
    st.caption(t(language, "subtitle"))
    if status["documents"]["indexed"] == 0:
        st.info(t(language, "empty_index"))
    with st.form("search"):
        query = st.text_input(t(language, "query"), help=t(language, "query_help"))
        submitted = st.form_submit_button(t(language, "search"), type="primary")
    if not (submitted or query) or not query.strip():
        return
    filters = SearchFilters(
        sources=sources or None,
        doc_types=doc_types or None,
        date_from=date_from if not isinstance(date_from, tuple) else None,
        date_to=date_to if not isinstance(date_to, tuple) else None,
    )
    try:
        with st.spinner(t(language, "searching")):
            response = _service().search(query, mode=mode, filters=filters, top_k=top_k)
    except AuskunftError as exc:
        st.error(t(language, "error", error=exc))
        return
    for notice in response.notices:
        st.info(notice)
    if not response.results:
        st.warning(t(language, "no_results"))
        return
    st.caption(t(language, "results", n=len(response.results)))
    for number, hit in enumerate(response.results, start=1):
        _result_card(hit, number, language)


main()
