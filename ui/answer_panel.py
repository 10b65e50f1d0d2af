"""The answer above the search results: a streamed AI draft when an LLM is configured,
else the extract; clickable citations, the draft label, flagged sentences marked.

The service drafts, checks and records the answer (audit log, as the user the entry page
identified); this panel shows it as it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import streamlit as st

from search import answers
from search.answers import Answer, AnswerSentence
from search.core.errors import AuskunftError
from search.filters import SearchFilters
from search.results import SearchResponse
from ui.i18n import flag_text, t
from ui.session import client, language

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")
_CITATION = re.compile(r"\\\[(\d{1,3})\\\]")


def _escaped(text: str, marked: list[str] | None = None) -> str:
    """Model output is shown as text: no markdown links, images or HTML of its own.

    :param marked: words of the text to show in bold (claims no source states).
    """
    escaped = _MARKDOWN.sub(r"\\\1", text)
    for words in marked or []:
        pattern = re.escape(_MARKDOWN.sub(r"\\\1", words))
        # not inside a citation \[1\]
        escaped = re.sub(rf"(?<![\w\[])({pattern})(?!\w|\\\])", r"**\1**", escaped, count=1)
    return _CITATION.sub(r"**[\1]**", escaped)


def show_sentence(sentence: AnswerSentence, lang: str) -> None:
    """Show one sentence of an answer, its citations in bold; a flagged one marked, with
    why (the words no cited source states in bold)."""
    if not sentence.flags:
        st.markdown(_escaped(sentence.text))
        return
    reasons = "; ".join(flag_text(lang, flag) for flag in sentence.flags)
    if sentence.unsupported:
        words = ", ".join(f"„{words}“" for words in sentence.unsupported)
        reasons += " – " + t(lang, "unsupported_words", words=words)
    st.markdown(f"⚠ :orange-background[{_escaped(sentence.text, sentence.unsupported)}]")
    st.caption(t(lang, "flagged_because", reasons=reasons))


def _remember(key: str, value: object) -> None:
    st.session_state[key] = value


def _show(answer: Answer, lang: str) -> None:
    if answers.LLM_UNAVAILABLE in answer.flags:
        notice = f"{t(lang, 'llm_unavailable')} ({answer.error or ''})"
        st.warning(notice, icon=":material/error:")
    title = "answer_title" if answer.kind == "generated" else "summary_title"
    st.subheader(t(lang, title))
    if answer.kind == "generated":
        st.info(answer.label(lang), icon=":material/smart_toy:")
    else:
        st.caption(answer.label(lang))
        if not client().me().get("has_llm"):
            st.caption(t(lang, "no_llm"))
    if answers.INJECTION_IN_PASSAGES in answer.flags:
        st.caption(t(lang, "injection_notice"))
    if not answer.sentences:
        st.write(t(lang, "not_answered"))
    for sentence in answer.sentences:
        show_sentence(sentence, lang)
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
            args=("_viewer", (source.doc_id, source.page_start, source.text, source.chunk_id)),
        )


def render(response: SearchResponse, filters: SearchFilters) -> None:
    """Show the answer to a search (the service drafts and records it on first sight).

    :param response: the search response shown below.
    :param filters: the filters of the search.
    """
    if not response.results:
        return
    lang = language()
    service = client()
    key = repr((response.query, response.mode, filters, service.identity, response.to_dict()))
    cache: dict[str, Answer] = st.session_state.setdefault("_answers", {})
    with st.container(border=True, key="answer-panel"):
        if key not in cache:
            try:
                answer = _draft(service, response, filters, lang)
            except AuskunftError as exc:
                st.error(t(lang, "error", error=exc))
                return
            if len(cache) > 20:
                cache.clear()
            cache[key] = answer
        _show(cache[key], lang)


def _draft(service: Any, response: SearchResponse, filters: SearchFilters, lang: str) -> Answer:
    """Ask the service for the answer and show the draft's text as it streams in."""
    events = service.answer_events(
        response.query, mode=response.mode, filters=filters, top_k=len(response.results)
    )
    final: Answer | None = None
    placeholder = st.empty()

    def pieces() -> Iterator[str]:
        nonlocal final
        for event, data in events:
            if event == "delta":
                yield data
            elif event == "answer":
                final = data

    with placeholder.container():
        st.caption(t(lang, "answer_drafting"))
        st.write_stream(pieces())
    placeholder.empty()
    if final is None:
        msg = "the service ended the answer early"
        raise AuskunftError(msg)
    return final
