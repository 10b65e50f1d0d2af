"""The answer above the search results: a streamed AI draft when an LLM is configured,
else the extract; clickable citations, the draft label, flagged sentences marked.

Also records searches and answers in the audit log, as the user the entry page identified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

from search import answers
from search.answers import Answer, AnswerSentence
from search.audit import AuditLog
from search.drafting import AnswerDrafter
from search.errors import AuskunftError
from search.filters import SearchFilters
from search.results import SearchResponse
from ui.i18n import t
from ui.session import current_user, language, settings

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")
_CITATION = re.compile(r"\\\[(\d{1,3})\\\]")


@st.cache_resource
def _drafter() -> AnswerDrafter:
    return AnswerDrafter(settings())


@st.cache_resource
def audit_log() -> AuditLog:
    """:returns: the audit log (opened once per process; retention purged then)."""
    return AuditLog.from_settings(settings())


def _user_name() -> str:
    user = current_user()
    return user.name if user else "unknown"


def record_search(response: SearchResponse, filters: SearchFilters, groups: Sequence[str]) -> None:
    """Record a search of the current user (with the access groups it was filtered by)."""
    try:
        audit_log().record_search(
            _user_name(), response, replace(filters, access_groups=list(groups))
        )
    except AuskunftError as exc:
        st.error(t(language(), "audit_failed", error=exc))


def _escaped(text: str) -> str:
    """Model output is shown as text: no markdown links, images or HTML of its own."""
    return _CITATION.sub(r"**[\1]**", _MARKDOWN.sub(r"\\\1", text))


def _sentence(sentence: AnswerSentence, lang: str) -> None:
    if not sentence.flags:
        st.markdown(_escaped(sentence.text))
        return
    reasons = "; ".join(t(lang, f"flag_{flag}") for flag in sentence.flags)
    st.markdown(f"⚠ :orange-background[{_escaped(sentence.text)}]")
    st.caption(t(lang, "flagged_because", reasons=reasons))


def _remember(key: str, value: object) -> None:
    st.session_state[key] = value


def _show(answer: Answer, lang: str) -> None:
    if answers.LLM_UNAVAILABLE in answer.flags:
        st.warning(t(lang, "llm_unavailable", error=answer.error or ""), icon=":material/error:")
    title = "answer_title" if answer.kind == "generated" else "summary_title"
    st.subheader(t(lang, title))
    if answer.kind == "generated":
        st.info(answer.label(lang), icon=":material/smart_toy:")
    else:
        st.caption(answer.label(lang))
        if not _drafter().has_llm:
            st.caption(t(lang, "no_llm"))
    if answers.INJECTION_IN_PASSAGES in answer.flags:
        st.caption(t(lang, "injection_notice"))
    if not answer.sentences:
        st.write(t(lang, "not_answered"))
    for sentence in answer.sentences:
        _sentence(sentence, lang)
    cited = answer.cited
    if cited:
        st.caption(t(lang, "answer_sources"))
    for source in cited:
        st.button(
            f"[{source.number}] {source.citation}",
            key=f"answer-source-{source.number}",
            type="tertiary",
            icon=":material/description:",
            on_click=_remember,
            args=("_viewer", (source.doc_id, source.page_start, source.text)),
        )


def render(response: SearchResponse, filters: SearchFilters, groups: Sequence[str]) -> None:
    """Show the answer to a search (drafting and recording it on first sight).

    :param response: the search response shown below.
    :param filters: the filters of the search.
    :param groups: the access groups the search was filtered by.
    """
    if not response.results:
        return
    lang = language()
    key = repr((response.query, response.mode, filters, list(groups), response.to_dict()))
    cache: dict[str, Answer] = st.session_state.setdefault("_answers", {})
    with st.container(border=True, key="answer-panel"):
        if key not in cache:
            drafter = _drafter()
            if drafter.has_llm:
                placeholder = st.empty()
                with placeholder.container():
                    st.caption(t(lang, "answer_drafting"))
                    stream = drafter.stream(response.query, response)
                    st.write_stream(iter(stream))
                placeholder.empty()
                answer = stream.answer
            else:
                answer = drafter.summary(response.query, response)
            if len(cache) > 20:
                cache.clear()
            cache[key] = answer
            try:
                audit_log().record_answer(
                    _user_name(), response, replace(filters, access_groups=list(groups)), answer
                )
            except AuskunftError as exc:
                st.error(t(lang, "audit_failed", error=exc))
        _show(cache[key], lang)
