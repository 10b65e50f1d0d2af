"""Who is using the interface: the user, their groups and their role.

Three modes (``access.mode`` in the settings, see :class:`search.core.settings.AccessSettings`):

- ``oidc``: Streamlit's built-in OpenID Connect login (``st.login``, ``st.user``); the
  groups come from a claim of the ID token.
- ``header``: a trusted reverse proxy authenticates and passes user and groups in headers.
- ``dev``: no login, for development; every page says so and the sidebar picks the user.

The functions without ``st`` in their signature decide; the ``st`` glue only gathers
their inputs, so the decisions are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from search.core.settings import AccessSettings, Settings


@dataclass(frozen=True, slots=True)
class User:
    """The person using the interface.

    :param name: login name (or e-mail).
    :param groups: their groups, as the identity provider or proxy named them.
    :param is_admin: member of the admin group.
    :param mode: how they were identified (``dev``, ``header``, ``oidc``).
    """

    name: str
    groups: tuple[str, ...]
    is_admin: bool
    mode: str

    @property
    def role(self) -> str:
        """:returns: ``admin`` or ``staff``."""
        return "admin" if self.is_admin else "staff"

    def search_groups(self, settings: Settings) -> list[str]:
        """:returns: the access groups every search of this user is filtered by: their
        groups plus the groups every user has (``search.default_access_groups``)."""
        groups = [*self.groups, *settings.search.default_access_groups]
        return list(dict.fromkeys(groups))


def split_groups(value: str | Iterable[str] | None, separator: str = ",") -> tuple[str, ...]:
    """:returns: groups from a header value or a claim (a string or a list), cleaned."""
    if value is None:
        return ()
    items = value.split(separator) if isinstance(value, str) else [str(v) for v in value]
    return tuple(dict.fromkeys(item.strip() for item in items if item and item.strip()))


def make_user(access: AccessSettings, name: str, groups: Sequence[str], mode: str) -> User:
    """:returns: the user with their role decided by ``access.admin_group``."""
    clean = tuple(groups)
    return User(name=name, groups=clean, is_admin=access.admin_group in clean, mode=mode)


def user_from_headers(access: AccessSettings, headers: Mapping[str, str]) -> User | None:
    """The user a trusted reverse proxy names.

    :param access: the access settings (header names).
    :param headers: the request headers (any capitalisation).
    :returns: the user, or ``None`` when the proxy named nobody.
    """
    lower = {key.lower(): value for key, value in headers.items()}
    name = (lower.get(access.user_header.lower()) or "").strip()
    if not name:
        return None
    groups = split_groups(lower.get(access.groups_header.lower()), access.groups_separator)
    return make_user(access, name, groups, "header")


def user_from_claims(access: AccessSettings, claims: Mapping[str, Any]) -> User | None:
    """The user of an OpenID Connect login.

    :param access: the access settings (groups claim).
    :param claims: the ID token's claims (``st.user``).
    :returns: the user, or ``None`` when not logged in.
    """
    if not claims.get("is_logged_in", True):
        return None
    name = str(
        claims.get("email") or claims.get("preferred_username") or claims.get("sub") or ""
    ).strip()
    if not name:
        return None
    raw = claims.get(access.groups_claim)
    return make_user(access, name, split_groups(raw), "oidc")


def dev_user(access: AccessSettings, name: str | None, groups: str | None) -> User:
    """The user a developer picked in the sidebar (defaults from the settings).

    :param access: the access settings (``dev_user``, ``dev_groups``).
    :param name: the name typed, if any.
    :param groups: the groups typed, comma-separated, if any (``""`` means none).
    :returns: the user.
    """
    chosen = (name or "").strip() or access.dev_user
    chosen_groups = access.dev_groups if groups is None else split_groups(groups)
    return make_user(access, chosen, chosen_groups, "dev")


def may_administer(user: User | None) -> bool:
    """:returns: whether the admin pages are open to this user."""
    return user is not None and user.is_admin
