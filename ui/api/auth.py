"""Who is calling the API: decided here from the request, never taken from its body.

In order:

1. ``Authorization: Bearer <key>`` (or ``X-API-Key: <key>``):
   - the interface's key (``service.client_key_env``): the interface has authenticated
     its user (OIDC login, proxy or the developer's choice) and names them in
     ``X-Auskunft-User`` / ``X-Auskunft-Groups``;
   - an API key of a machine client: its own name and groups;
   - anything else is refused (401).
2. ``access.mode = "header"``: the trusted reverse proxy's user and group headers; a
   request without them is refused.
3. ``access.mode = "dev"``: the same headers if sent, else ``access.dev_user`` with
   ``access.dev_groups`` (development only: every response says so in a header).
4. ``access.mode = "oidc"``: people log in at the interface; a direct API call brings an
   API key, or a bearer token (JWT) signed by the provider's keys
   (``access.oidc_jwks_url``; ``oidc_issuer`` and ``oidc_audience`` checked when set),
   whose user and groups claim say who calls.

Admins are members of ``access.admin_group`` (or keys made with admin rights).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

import jwt

from ingest.application import Caller
from search.api_keys import ApiKeyStore
from search.core.settings import Settings
from ui.api.problems import Problem
from ui.auth import split_groups, user_from_claims
from ui.client import client_key

USER_HEADER = "X-Auskunft-User"
GROUPS_HEADER = "X-Auskunft-Groups"
DEV_MODE_HEADER = "X-Auskunft-Dev-Mode"


def _token(headers: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = headers.get("x-api-key", "").strip()
    return key or None


def _named(settings: Settings, name: str, groups: tuple[str, ...]) -> Caller:
    return Caller(name=name, groups=groups, is_admin=settings.access.admin_group in groups)


class CallerResolver:
    """Decides who a request comes from.

    :param settings: the settings (access mode and header names).
    :param keys: the API keys.
    """

    def __init__(self, settings: Settings, keys: ApiKeyStore) -> None:
        self.settings = settings
        self.keys = keys
        self._client_key = client_key(settings)
        self._jwks: jwt.PyJWKClient | None = None

    def _from_token(self, token: str) -> Caller:
        """The user of an OpenID Connect token signed by the configured provider."""
        access = self.settings.access
        if self._jwks is None:
            # keys are fetched from the provider the admin configured, and cached
            self._jwks = jwt.PyJWKClient(str(access.oidc_jwks_url), cache_keys=True, timeout=10)
        try:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"],
                audience=access.oidc_audience,
                issuer=access.oidc_issuer,
                options={"verify_aud": access.oidc_audience is not None, "require": ["exp"]},
            )
        except jwt.PyJWTError as exc:
            raise Problem("unauthenticated", f"token refused: {exc}") from exc
        user = user_from_claims(access, {**claims, "is_logged_in": True})
        if user is None:
            raise Problem("unauthenticated", "the token names no user")
        return Caller(name=user.name, groups=user.groups, is_admin=user.is_admin)

    def __call__(self, headers: Mapping[str, str]) -> Caller:
        """:param headers: the request headers (lower-case names, as Starlette gives them).

        :returns: the caller.
        :raises Problem: ``unauthenticated`` when nobody can be identified.
        """
        access = self.settings.access
        token = _token(headers)
        if token is not None:
            if self._client_key and hmac.compare_digest(token, self._client_key):
                name = headers.get(USER_HEADER.lower(), "").strip()
                if not name:
                    raise Problem("unauthenticated", "the interface named no user")
                return _named(self.settings, name, split_groups(headers.get(GROUPS_HEADER.lower())))
            key = self.keys.verify(token)
            if key is not None:
                return Caller(name=f"key:{key.name}", groups=key.groups, is_admin=key.admin)
            if access.mode == "oidc" and access.oidc_jwks_url and token.count(".") == 2:
                return self._from_token(token)
            raise Problem("unauthenticated", "unknown or revoked key")
        if access.mode in ("header", "dev"):
            name = headers.get(access.user_header.lower(), "").strip()
            if name:
                raw = headers.get(access.groups_header.lower())
                return _named(self.settings, name, split_groups(raw, access.groups_separator))
            if access.mode == "dev":
                return _named(self.settings, access.dev_user, tuple(access.dev_groups))
        raise Problem("unauthenticated")
