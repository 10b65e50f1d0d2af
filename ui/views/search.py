"""The search page for staff: query, mode, filters, facets, sort, cited result cards.

The query, mode, sort and filters are mirrored in the URL (``?q=…&mode=…``), so a reload
or a shared link shows the same search; everything else stays in the session.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import streamlit as st

from search.citations import CitationBuilder
from search.core import fields
from search.core.errors import AuskunftError
from search.core.fields import DOC_TYPES
from search.filters import SearchFilters
from search.results import SEARCH_MODES, DocumentHit, Passage, SearchResponse
from search.retrieval.facets import FACETS, SORT_ORDERS, Refinement, SortOrder
from ui import answer_panel
from ui.date_field import date_field, format_date
from ui.export import results_csv, results_pdf
from ui.i18n import t
from ui.relations_view import superseded_note, validity_notes
from ui.session import client, language, service_errors, settings
from ui.viewer import show_original
from ui.views import case as case_view

SORTS = SORT_ORDERS
EXPORT_LIMIT = 100
"""Documents a CSV or PDF list holds (the service's largest page)."""
MAX_CHIPS = 12
"""Chips per facet: the most frequent values (and any chosen one)."""
_PARAMS = {
    "q": "q",
    "mode": "mode",
    "sort": "sort",
    "from": "date_from",
    "to": "date_to",
    "asof": "as_of",
}
_DATES = ("date_from", "date_to", "as_of")


def safe_highlight(snippet: str) -> str:
    """:returns: the snippet as one HTML block, escaped, with only its ``<mark>`` tags
    kept; as a block, no Markdown is read in it (a passage starting "4." is no list, a
    "[x](y)" in a document no link), and line breaks stay."""
    marked = snippet.replace("<mark>", "\x01").replace("</mark>", "\x02")
    escaped = html.escape(html.unescape(marked))
    lines = escaped.replace("\x01", "<mark>").replace("\x02", "</mark>").splitlines()
    return f'<div class="auskunft-passage">{"<br>".join(line.strip() for line in lines)}</div>'


def _use_suggestion(suggestion: str) -> None:
    """Search for the suggested spelling (a callback: it runs before the query field)."""
    st.session_state["q"] = suggestion


def _passage_meta(hit: DocumentHit, passage: Passage) -> dict[str, Any]:
    return {
        fields.TITLE: hit.title,
        fields.REFERENCE: hit.reference,
        fields.DATE: hit.date,
        fields.DOC_TYPE: hit.doc_type,
        fields.SECTION: passage.section,
        fields.PAGE_START: passage.page_start,
        fields.PAGE_END: passage.page_end,
    }


def _load_query_params() -> None:
    """On a session's first run, take the search from the URL."""
    if st.session_state.get("_params_loaded"):
        return
    st.session_state["_params_loaded"] = True
    params = st.query_params
    for param, key in _PARAMS.items():
        value = params.get(param)
        if not value:
            continue
        if key in _DATES:
            try:
                st.session_state[key] = date.fromisoformat(value)
            except ValueError:
                continue
        elif (key == "mode" and value not in SEARCH_MODES) or (
            key == "sort" and value not in SORTS
        ):
            continue
        else:
            st.session_state[key] = value
    if params.get_all("source"):
        st.session_state["sources"] = params.get_all("source")
    types = [value for value in params.get_all("type") if value in DOC_TYPES]
    if types:
        st.session_state["doc_types"] = types
    if params.get("in_force") == "1":
        st.session_state["in_force_only"] = True


def _save_query_params(query: str) -> None:
    state = st.session_state
    params: dict[str, str | list[str]] = {"q": query, "mode": state.get("mode", "hybrid")}
    if state.get("sort", "relevance") != "relevance":
        params["sort"] = state["sort"]
    if state.get("sources"):
        params["source"] = list(state["sources"])
    if state.get("doc_types"):
        params["type"] = list(state["doc_types"])
    for param, key in (("from", "date_from"), ("to", "date_to"), ("asof", "as_of")):
        if isinstance(state.get(key), date):
            params[param] = state[key].isoformat()
    if state.get("in_force_only"):
        params["in_force"] = "1"
    st.query_params.from_dict(params)


def _sidebar(lang: str, sources: Sequence[str]) -> None:
    top_k = settings().search.top_k
    with st.sidebar:
        st.subheader(t(lang, "filters"))
        st.radio(t(lang, "mode"), SEARCH_MODES, key="mode", format_func=_label(lang, "mode_"))
        st.radio(t(lang, "sort"), SORTS, key="sort", format_func=_label(lang, "sort_"))
        known = sorted(set(sources) | set(st.session_state.get("sources", [])))
        st.multiselect(
            t(lang, "sources"), known, key="sources", placeholder=t(lang, "all"), select_all=False
        )
        st.multiselect(
            t(lang, "doc_types"),
            DOC_TYPES,
            key="doc_types",
            format_func=_label(lang),
            placeholder=t(lang, "all"),
            select_all=False,  # "Select all" is the same as none here, and English
        )
        date_field(t(lang, "date_from"), "date_from", lang)  # applies on Enter
        date_field(t(lang, "date_to"), "date_to", lang)
        # the Rechtsstand: what was in force on that day ranks first (empty: today)
        date_field(t(lang, "as_of"), "as_of", lang, help_text=t(lang, "as_of_help"))
        st.checkbox(
            t(lang, "in_force_only"), key="in_force_only", help=t(lang, "in_force_only_help")
        )
        st.slider(t(lang, "top_k"), 1, 50, value=top_k, key="top_k")


def _label(lang: str, prefix: str = "") -> Callable[[str], str]:
    return lambda value: t(lang, f"{prefix}{value}")


def _filters(doc_ids: Sequence[str] | None = None) -> SearchFilters:
    state = st.session_state
    date_from, date_to, as_of = state.get("date_from"), state.get("date_to"), state.get("as_of")
    return SearchFilters(
        sources=list(state.get("sources") or []) or None,
        doc_types=list(state.get("doc_types") or []) or None,
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None,
        doc_ids=list(doc_ids) if doc_ids else None,
        as_of=as_of if isinstance(as_of, date) else None,
        in_force_only=bool(state.get("in_force_only")),
    )


def _search(
    query: str,
    filters: SearchFilters,
    *,
    one_document: bool = False,
    offset: int = 0,
    refinement: Refinement | None = None,
    top_k: int | None = None,
) -> SearchResponse:
    """Search as the current user through the service.

    A repeated search is answered from the session only while the index is unchanged (the
    service's ``generation``): after an ingestion the same search asks again.
    """
    mode = st.session_state.get("mode", "hybrid")
    order = "relevance" if one_document else _order()
    if top_k is None:
        top_k = 1 if one_document else _page_size()
    service = client()
    generation = service.health().get("generation")
    key = repr(
        (query, mode, filters, top_k, offset, order, refinement, service.identity, generation)
    )
    cache: dict[str, SearchResponse] = st.session_state.setdefault("_responses", {})
    if key not in cache:
        if len(cache) > 20:
            cache.clear()
        cache[key] = service.search(
            query,
            mode=mode,
            filters=filters,
            top_k=top_k,
            offset=offset,
            order=order,
            refinement=refinement,
        )
    return cache[key]


def _order() -> SortOrder:
    chosen = st.session_state.get("sort")
    return next((order for order in SORT_ORDERS if order == chosen), "relevance")


def _page_size() -> int:
    return int(st.session_state.get("top_k", settings().search.top_k))


def _chip_label(lang: str, facet: str, counts: dict[str, int]) -> Callable[[Any], str]:
    def label(value: Any) -> str:
        shown = t(lang, value) if facet == "doc_type" else str(value)
        return f"{shown} ({counts.get(value, 0)})"

    return label


def _facet_key(facet: str, search_key: str) -> str:
    return f"facet-{facet}-{search_key}"


def _refinement(search_key: str) -> dict[str, list[str]]:
    """:returns: the facet chips chosen for this search (read before it runs: the chips
    are drawn from its answer)."""
    chosen = {
        facet: list(st.session_state.get(_facet_key(facet, search_key)) or []) for facet in FACETS
    }
    return {facet: values for facet, values in chosen.items() if values}


def _facets(lang: str, response: SearchResponse, search_key: str) -> None:
    """Facet chips with the counts of the whole match set, in the sidebar under the
    filters; choosing one searches again within the set. Each facet is a row of its own,
    so chips wrap inside the sidebar at any width."""
    shown = {facet: response.facets.get(facet, {}) for facet in FACETS}
    with st.sidebar, st.container(key="facets"):
        st.subheader(t(lang, "refine"))
        for facet, counts in shown.items():
            chosen = list(st.session_state.get(_facet_key(facet, search_key)) or [])
            if not counts and not chosen:
                continue
            options = sorted(counts, key=lambda value: (-counts[value], value))[:MAX_CHIPS]
            if facet == "year":
                options.sort(reverse=True)
            options += [value for value in chosen if value not in options]
            st.pills(
                t(lang, f"facet_{facet}"),
                options,
                selection_mode="multi",
                format_func=_chip_label(lang, facet, counts),
                key=_facet_key(facet, search_key),
            )


def _answer_panel(response: SearchResponse, filters: SearchFilters) -> None:
    """The drafted answer (LLM configured) or the extract, above the results."""
    answer_panel.render(response, filters)


@st.dialog("Dokument", width="large")
def _viewer(doc_id: str, page: int | None, text: str, chunk_id: str | None = None) -> None:
    show_original(doc_id, page, text, key="dialog", chunk_id=chunk_id)


def _open_button(hit: DocumentHit, passage: Passage, key: str) -> None:
    lang = language()
    label = (
        t(lang, "open_page", page=passage.page_start) if passage.page_start else t(lang, "open_doc")
    )
    st.button(
        label,
        key=f"open-{key}",
        icon=":material/description:",
        on_click=_remember,
        args=("_viewer", (hit.doc_id, passage.page_start, passage.text, passage.chunk_id)),
    )


def _remember(key: str, value: object) -> None:
    st.session_state[key] = value


def _open_document(doc_id: str) -> None:
    """Open another document (one a validity note names) in the reader, at its start."""
    st.session_state["_viewer"] = (doc_id, None, "", None)


def _passage(hit: DocumentHit, passage: Passage, key: str) -> None:
    lang = language()
    superseded_note(passage.superseded)
    st.markdown(safe_highlight(passage.highlight), unsafe_allow_html=True)
    st.markdown(f"**{t(lang, 'citation')}:** {html.escape(passage.citation)}")
    open_column, cite_column, _ = st.columns([1, 1, 3])
    with open_column:
        _open_button(hit, passage, key)
    with cite_column.popover(t(lang, "cite"), icon=":material/mail:"):
        st.caption(t(lang, "cite_letter"))
        # wrapped: a block that scrolls sideways cannot be reached by keyboard (WCAG 2.1.1)
        letter = CitationBuilder("de").letter_form(_passage_meta(hit, passage))
        st.code(letter, language=None, wrap_lines=True)
        st.caption(t(lang, "cite_full"))
        st.code(passage.citation, language=None, wrap_lines=True)


def _card(hit: DocumentHit, number: int, lang: str, query: str) -> None:
    with st.container(border=True, key=f"hit-{number}"):
        st.markdown(f"**{number}. {html.escape(hit.title)}**")
        facts = [t(lang, hit.doc_type)]
        if hit.reference:
            facts.append(hit.reference)
        if hit.date:
            facts.append(CitationBuilder(lang).document({fields.TITLE: "", fields.DATE: hit.date}))
        facts.append(hit.source)
        st.caption(" · ".join(fact.strip(" ()") for fact in facts if fact))
        validity_notes(
            hit.validity,
            hit.amends,
            hit.amended_by,
            key=str(number),
            open_document=_open_document,
        )
        _passage(hit, hit.passages[0], f"{number}-0")
        if len(hit.passages) > 1:
            with st.expander(t(lang, "passages")):
                for index, passage in enumerate(hit.passages[1:], start=1):
                    _passage(hit, passage, f"{number}-{index}")
        if st.session_state.get("_more") == hit.doc_id:
            _more_panel(query, hit, lang)
            return
        more, case = st.columns(2)
        more.button(
            t(lang, "more_from_doc"),
            key=f"more-{number}",
            type="tertiary",
            icon=":material/add:",
            on_click=_remember,
            args=("_more", hit.doc_id),
        )
        if hit.doc_type == "decision":  # a council paper: an inquiry may be among them
            case.button(
                t(lang, "case_from_document"),
                key=f"case-from-{number}",
                type="tertiary",
                icon=":material/assignment_add:",
                help=t(lang, "case_from_document_help"),
                on_click=_remember,
                args=("_case_from", hit.doc_id),
            )


def _case_from_document(lang: str) -> None:
    """Open the case made from the document whose *Als Anfrage-Vorgang anlegen* was
    clicked (a problem is said on the search page)."""
    doc_id = st.session_state.pop("_case_from", None)
    if doc_id:
        case_view.open_new(lang, lambda service: service.create_case(doc_id=str(doc_id)))


def _more_panel(query: str, hit: DocumentHit, lang: str) -> None:
    """More passages of one document, inside its card (where the button was)."""
    with st.container(border=True, key="more-panel"):
        try:
            with st.spinner(t(lang, "searching")):
                response = _search(query, _filters([hit.doc_id]), one_document=True)
        except AuskunftError as exc:
            st.error(t(lang, "error", error=exc))
            return
        st.markdown(f"**{html.escape(t(lang, 'more_title', title=hit.title))}**")
        shown = {passage.chunk_id for passage in hit.passages}
        more = [p for r in response.results for p in r.passages if p.chunk_id not in shown]
        if not more:
            st.caption(t(lang, "more_none"))
        for index, passage in enumerate(more):
            _passage(hit, passage, f"more-{index}")
        st.button(t(lang, "close"), key="more-close", on_click=_remember, args=("_more", None))


def _pager(lang: str, response: SearchResponse, page_key: str) -> None:
    """Where this page sits in the match set, and buttons to the pages around it."""
    size = _page_size()
    pages = max(1, math.ceil(response.total / size))
    current = response.offset // size
    first, last = response.offset + 1, response.offset + len(response.results)
    left, middle, right = st.columns([1, 3, 1], vertical_alignment="center")
    left.button(
        t(lang, "page_prev"),
        key="page-prev",
        disabled=current == 0,
        icon=":material/chevron_left:",
        on_click=_remember,
        args=(page_key, current - 1),
    )
    ranged = "results_range_capped" if response.capped else "results_range"
    middle.markdown(
        t(lang, ranged, first=first, last=last, total=response.total)
        + " · "
        + t(lang, "page_of", page=current + 1, count=pages)
    )
    right.button(
        t(lang, "page_next"),
        key="page-next",
        disabled=current + 1 >= pages,
        icon=":material/chevron_right:",
        on_click=_remember,
        args=(page_key, current + 1),
    )


def _export_hits(
    query: str, filters: SearchFilters, refinement: Refinement
) -> Callable[[], list[DocumentHit]]:
    """:returns: what fetches the first documents of the match set in the chosen order,
    for a list to file (up to :data:`EXPORT_LIMIT`); it runs when a download is clicked,
    outside the page's run, so it takes everything it needs now."""
    service, mode, order = client(), st.session_state.get("mode", "hybrid"), _order()

    def fetch() -> list[DocumentHit]:
        return service.search(
            query,
            mode=mode,
            filters=filters,
            top_k=EXPORT_LIMIT,
            order=order,
            refinement=refinement,
        ).results

    return fetch


def render() -> None:
    """Render the search page."""
    lang = language()
    _case_from_document(lang)
    _load_query_params()
    with service_errors():
        me = client().me()
    _sidebar(lang, list(me["sources"]))
    st.title(t(lang, "title"))
    st.caption(t(lang, "subtitle"))
    if me["indexed"] == 0:
        st.info(t(lang, "empty_index"))
    with st.form("search", border=False):
        query_column, button_column = st.columns([6, 1], vertical_alignment="bottom")
        query_column.text_input(t(lang, "query"), key="q", help=t(lang, "query_help"))
        button_column.form_submit_button(t(lang, "search"), type="primary", width="stretch")
    query = str(st.session_state.get("q") or "").strip()
    if not query:
        return
    _save_query_params(query)
    filters = _filters()
    search_key = str(abs(hash((query, repr(filters), st.session_state.get("mode")))))
    refinement = _refinement(search_key)
    order = _order()
    page_key = f"page-{search_key}-{abs(hash(repr((refinement, order, _page_size()))))}"
    offset = int(st.session_state.get(page_key, 0)) * _page_size()
    with service_errors(), st.spinner(t(lang, "searching")):
        response = _search(query, filters, offset=offset, refinement=refinement)
    for notice in response.notices:
        st.info(notice)
    if response.suggestion:
        st.button(
            t(lang, "did_you_mean", suggestion=response.suggestion),
            key="did-you-mean",
            type="tertiary",
            icon=":material/spellcheck:",
            on_click=_use_suggestion,
            args=(response.suggestion,),
        )
    if offset == 0:
        _answer_panel(response, filters)
    if not response.results and not refinement:
        st.warning(t(lang, "no_results"))
        return
    _facets(lang, response, search_key)
    count, csv_column, pdf_column = st.columns([4, 1, 1], vertical_alignment="center")
    counted = "results_capped" if response.capped else "results"
    count.markdown(f"**{t(lang, counted, n=response.total)}**")
    if filters.as_of:
        count.caption(t(lang, "as_of_header", date=format_date(filters.as_of)))
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    listed = _export_hits(query, filters, refinement)
    csv_column.download_button(
        t(lang, "export_csv"),
        lambda: results_csv(listed(), lang),  # made when clicked, not every run
        file_name=f"auskunft-treffer-{stamp}.csv",
        mime="text/csv",
        icon=":material/table_view:",
        key="export-csv",
        help=t(lang, "export_help", n=EXPORT_LIMIT),
    )
    pdf_column.download_button(
        t(lang, "export_pdf"),
        lambda: results_pdf(
            listed(), lang, query=query, user=str(me["name"]), when=datetime.now(UTC)
        ),
        file_name=f"auskunft-treffer-{stamp}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="export-pdf",
        help=t(lang, "export_help", n=EXPORT_LIMIT),
    )
    if not response.results:
        st.warning(t(lang, "no_results"))
        return
    for number, hit in enumerate(response.results, start=offset + 1):
        _card(hit, number, lang, query)
    if response.total > len(response.results):
        _pager(lang, response, page_key)
    viewer = st.session_state.pop("_viewer", None)
    if viewer:
        _viewer(*viewer)
