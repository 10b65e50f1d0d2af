"""What the case page's buttons share: a step asked of the service as a callback, and
what the service said to it, kept for the place on the page it belongs to."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from search.core.errors import AuskunftError
from ui.client import ServiceClient
from ui.session import client

_MESSAGES = "_case-messages"


def act(place: str, action: Callable[[ServiceClient], object]) -> None:
    """Run one step at the service; keep its refusal (or error) for ``place``."""
    messages: dict[str, str] = st.session_state.setdefault(_MESSAGES, {})
    messages.pop(place, None)
    try:
        action(client())
    except AuskunftError as exc:
        messages[place] = str(exc)


def message(place: str) -> None:
    """Show what the service said to the last step at ``place`` (once)."""
    said = st.session_state.get(_MESSAGES, {}).pop(place, None)
    if said:
        st.error(said, icon=":material/block:")


def text_of(key: str) -> str:
    """:returns: the text a field holds (stripped; empty for none)."""
    return str(st.session_state.get(key) or "").strip()
