"""The entry of the Streamlit interface: language, login, navigation.

Widgets only: every action goes through search/ or ingest/. Pages are in ``ui/views/``
(not ``pages/``: Streamlit would serve such a folder's files as pages of their own to a
first visitor who opens a page's URL directly);
admin pages refuse non-admins themselves, so opening their URL directly does not help.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

from ui import auth, page_frame
from ui.i18n import t
from ui.session import language, set_current_user, settings
from ui.views import admin_audit, admin_sources, admin_status, case, cases, document, search


def _identify() -> auth.User | None:
    """Identify the user in the configured mode; render the login or refusal if needed."""
    access = settings().access
    lang = language()
    if access.mode == "oidc":
        if not st.user.is_logged_in:
            st.title(t(lang, "title"))
            st.info(t(lang, "login_needed"))
            st.button(
                t(lang, "login"), type="primary", on_click=st.login, args=[access.oidc_provider]
            )
            return None
        return auth.user_from_claims(access, st.user.to_dict())
    if access.mode == "header":
        user = auth.user_from_headers(access, dict(st.context.headers))
        if user is None:
            st.error(t(lang, "no_proxy_user", header=access.user_header))
        return user
    with st.sidebar.expander(t(lang, "dev_user"), expanded=False):
        name = st.text_input(t(lang, "dev_name"), value=access.dev_user, key="dev_name")
        groups = st.text_input(
            t(lang, "dev_groups"),
            value=", ".join(access.dev_groups),
            key="dev_groups",
            help=t(lang, "dev_groups_help", admin=access.admin_group),
        )
    return auth.dev_user(access, name, groups)


def _sidebar_user(user: auth.User) -> None:
    lang = language()
    with st.sidebar:
        role = t(lang, f"role_{user.role}")
        groups = ", ".join(user.groups) or "–"
        st.caption(t(lang, "signed_in_as", name=user.name, role=role, groups=groups))
        if user.mode == "oidc":
            st.button(t(lang, "logout"), on_click=st.logout)


def main() -> None:
    """Render the frame and run the chosen page."""
    st.set_page_config(page_title="Auskunft", page_icon="🔎", layout="wide")
    with st.sidebar:
        st.radio(
            "Sprache / Language",
            ["de", "en"],
            horizontal=True,
            key="language",
            index=0 if settings().language == "de" else 1,
        )
    lang = language()
    page_frame.render(lang)
    if settings().access.mode == "dev":
        st.warning(t(lang, "dev_banner"), icon=":material/construction:")
    user = _identify()
    set_current_user(user)
    if user is None:
        st.stop()
    _sidebar_user(user)
    admin = auth.may_administer(user)
    # admin pages are registered for everyone (so their URL answers with a refusal rather
    # than silently showing the search page) but listed for admins only
    hidden_unless_admin: Literal["visible", "hidden"] = "visible" if admin else "hidden"
    pages = [
        st.Page(
            search.render,
            title=t(lang, "nav_search"),
            icon=":material/search:",
            url_path="search",
            default=True,
        ),
        st.Page(
            document.render, title=t(lang, "nav_document"), url_path="document", visibility="hidden"
        ),
        cases.page(lang),
        case.page(lang),
        st.Page(
            admin_status.render,
            title=t(lang, "nav_status"),
            icon=":material/monitoring:",
            url_path="admin_status",
            visibility=hidden_unless_admin,
        ),
        st.Page(
            admin_sources.render,
            title=t(lang, "nav_sources"),
            icon=":material/folder_open:",
            url_path="admin_sources",
            visibility=hidden_unless_admin,
        ),
        st.Page(
            admin_audit.render,
            title=t(lang, "nav_audit"),
            icon=":material/receipt_long:",
            url_path="admin_audit",
            visibility=hidden_unless_admin,
        ),
    ]
    st.navigation(pages).run()


main()
