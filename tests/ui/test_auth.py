"""Who the interface thinks the user is, in each access mode, without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.core.settings import AccessSettings, Settings, load_settings
from ui.auth import (
    dev_user,
    may_administer,
    split_groups,
    user_from_claims,
    user_from_headers,
)

ACCESS = AccessSettings(mode="header", admin_group="auskunft-admin")


def test_access_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUSKUNFT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUSKUNFT_ACCESS__MODE", "header")
    monkeypatch.setenv("AUSKUNFT_ACCESS__ADMIN_GROUP", "it-admins")
    monkeypatch.setenv("AUSKUNFT_ACCESS__GROUPS_HEADER", "X-Remote-Groups")
    access = load_settings().access
    assert access.mode == "header"
    assert access.admin_group == "it-admins"
    assert access.groups_header == "X-Remote-Groups"
    assert access.user_header == "X-Forwarded-User"


def test_default_mode_is_dev() -> None:
    assert AccessSettings().mode == "dev"


def test_header_user_with_groups_any_capitalisation() -> None:
    user = user_from_headers(
        ACCESS, {"x-forwarded-user": "m.schubert", "X-FORWARDED-GROUPS": "amt22, personalamt,"}
    )
    assert user is not None
    assert user.name == "m.schubert"
    assert user.groups == ("amt22", "personalamt")
    assert not user.is_admin
    assert user.role == "staff"
    assert not may_administer(user)


def test_header_admin_by_group() -> None:
    user = user_from_headers(
        ACCESS, {"X-Forwarded-User": "it", "X-Forwarded-Groups": "auskunft-admin"}
    )
    assert user is not None and user.is_admin and may_administer(user)


def test_header_without_user_is_nobody() -> None:
    assert user_from_headers(ACCESS, {"X-Forwarded-Groups": "auskunft-admin"}) is None
    assert user_from_headers(ACCESS, {"X-Forwarded-User": "  "}) is None
    assert not may_administer(None)


def test_header_names_and_separator_from_settings() -> None:
    access = AccessSettings(
        mode="header",
        user_header="Remote-User",
        groups_header="Remote-Groups",
        groups_separator=";",
    )
    user = user_from_headers(access, {"Remote-User": "a", "Remote-Groups": "admin;amt30"})
    assert user is not None
    assert user.groups == ("admin", "amt30")
    assert user.is_admin


def test_oidc_claims() -> None:
    access = AccessSettings(mode="oidc", groups_claim="roles")
    claims = {"is_logged_in": True, "email": "k.vollmer@lindenbrueck.example", "roles": ["admin"]}
    user = user_from_claims(access, claims)
    assert user is not None
    assert user.name == "k.vollmer@lindenbrueck.example"
    assert user.is_admin and user.mode == "oidc"
    assert user_from_claims(access, {"is_logged_in": False}) is None
    staff = user_from_claims(access, {"sub": "123", "roles": "amt22,amt30"})
    assert staff is not None and staff.groups == ("amt22", "amt30") and not staff.is_admin


def test_dev_user_defaults_and_choice() -> None:
    access = AccessSettings()
    default = dev_user(access, None, None)
    assert default.name == "entwickler" and default.is_admin and default.mode == "dev"
    staff = dev_user(access, "anna", "amt22")
    assert staff.name == "anna" and staff.groups == ("amt22",) and not staff.is_admin
    nobody = dev_user(access, "", "")
    assert nobody.name == "entwickler" and nobody.groups == ()


def test_search_groups_add_the_groups_everyone_has(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    user = user_from_headers(
        ACCESS, {"X-Forwarded-User": "p", "X-Forwarded-Groups": "personalamt,public"}
    )
    assert user is not None
    assert user.search_groups(settings) == ["personalamt", "public"]


def test_split_groups() -> None:
    assert split_groups(None) == ()
    assert split_groups(" a , b ,a") == ("a", "b")
    assert split_groups(["x", "", "y"]) == ("x", "y")
