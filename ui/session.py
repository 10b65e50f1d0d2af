"""What every page shares: settings, the service client, the language and the user.

The interface is a client of the service that owns the index (``auskunft serve``): it
opens no store, holds no lock and never makes one user's search wait for another's or
for a sync. Each request names the user the entry page identified; the service applies
their groups.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from search.core.errors import AuskunftError
from search.core.settings import Settings, load_settings
from ui.auth import User
from ui.client import (
    Identity,
    PermissionDenied,
    ServiceClient,
    ServiceUnavailable,
    client_key,
)

_CLIENTS_LOCK = threading.Lock()
_CLIENTS: dict[Identity, ServiceClient] = {}
_MAX_CLIENTS = 200


@st.cache_resource
def settings() -> Settings:
    """:returns: the settings, read once per process."""
    return load_settings()


def client() -> ServiceClient:
    """:returns: a client of the service acting for the current user (one kept per user:
    its connections are reused, and it is safe across the sessions' threads).

    :raises ServiceUnavailable: when no service is configured or running.
    """
    user = current_user()
    identity = Identity(
        key=client_key(settings()),
        user=user.name if user else None,
        groups=user.groups if user else (),
    )
    with _CLIENTS_LOCK:
        found = _CLIENTS.get(identity)
        if found is None:
            if len(_CLIENTS) >= _MAX_CLIENTS:
                for old in _CLIENTS.values():
                    old.close()
                _CLIENTS.clear()
            found = ServiceClient(settings(), identity=identity)
            _CLIENTS[identity] = found
        return found


@contextmanager
def service_errors() -> Iterator[None]:
    """Show a problem with the service as one German (or English) message and stop the
    page: not reachable, refused, or an error the service reported."""
    from ui.i18n import t

    try:
        yield
    except ServiceUnavailable:
        st.error(t(language(), "service_unavailable"), icon=":material/cloud_off:")
        st.stop()
    except PermissionDenied:
        st.error(t(language(), "forbidden"), icon=":material/lock:")
        st.stop()
    except AuskunftError as exc:
        st.error(t(language(), "error", error=exc))
        st.stop()


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
