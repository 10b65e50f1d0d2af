"""What every page shares: settings, the search service, the language and the user."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from search.service import SearchService
from search.settings import Settings, load_settings
from ui.auth import User

# One process serves every browser session, each in its own thread; the search service
# and the embedded indexes are used by one of them at a time (an admin's sync included).
_INDEX_LOCK = threading.Lock()


@st.cache_resource
def settings() -> Settings:
    """:returns: the settings, read once per process."""
    return load_settings()


@st.cache_resource
def _service() -> SearchService:
    # the embedded vector index admits one process: leave it to ingestion between searches
    return SearchService(settings(), hold_vector_store=False)


@st.cache_resource
def _document_service() -> SearchService:
    # "more from this document": one document, many passages
    base = settings()
    search = base.search.model_copy(update={"passages_per_document": 20})
    return SearchService(base.model_copy(update={"search": search}), hold_vector_store=False)


@contextmanager
def search_service(*, one_document: bool = False) -> Iterator[SearchService]:
    """The shared search service, for this thread alone while the block runs."""
    with _INDEX_LOCK:
        yield _document_service() if one_document else _service()


@contextmanager
def index_writer() -> Iterator[None]:
    """Hold the indexes for an admin's change; searches wait, and see it afterwards."""
    with _INDEX_LOCK:
        try:
            yield
        finally:
            # fresh services open the changed indexes from disk
            for cached in (_service, _document_service):
                cached().close()
                cached.clear()


def language() -> str:
    """:returns: the interface language chosen in the sidebar."""
    chosen = st.session_state.get("language")
    return chosen if chosen in ("de", "en") else settings().language


def current_user() -> User | None:
    """:returns: the user the entry page identified for this run."""
    user = st.session_state.get("_user")
    return user if isinstance(user, User) else None


def set_current_user(user: User | None) -> None:
    """Remember the user identified for this run (set by the entry page only)."""
    st.session_state["_user"] = user


def require_admin() -> User:
    """:returns: the user when they are an admin; otherwise refuse and stop the page."""
    from ui.auth import may_administer
    from ui.i18n import t

    user = current_user()
    if user is None or not may_administer(user):
        st.error(t(language(), "forbidden"), icon=":material/lock:")
        st.stop()
    return user
