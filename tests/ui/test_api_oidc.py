"""The API in OIDC mode: bearer tokens signed by the provider's keys (served as JWKS from
127.0.0.1, as a real provider would) say who calls; anything else is refused."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ingest.application import Application, Caller
from ingest.sync.sources import SourceConfig
from search.core.settings import AccessSettings, load_settings
from tests.service_server import service_in_thread

ISSUER = "https://login.stadt.example/realms/verwaltung"
AUDIENCE = "auskunft"
ADMIN = Caller("setup", ("admin",), is_admin=True)


def _key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def provider_key() -> Any:
    return _key()


@pytest.fixture(scope="module")
def jwks_url(provider_key: Any) -> Iterator[str]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider_key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    server.shutdown()


def _token(key: Any, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300, **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, jwks_url: str) -> Iterator[httpx.Client]:
    base = tmp_path_factory.mktemp("oidc")
    public, amt = base / "public", base / "amt"
    public.mkdir()
    amt.mkdir()
    (public / "merkblatt.txt").write_text(
        "Merkblatt Sperrmüll: Die Abholung von Sperrmüll wird beim Bürgerbüro beantragt.",
        encoding="utf-8",
    )
    (amt / "vermerk.txt").write_text(
        "Interner Vermerk Sperrmüll: Die Tourenplanung der Sperrmüllabfuhr ändert sich.",
        encoding="utf-8",
    )
    settings = load_settings(
        data_dir=base / "data",
        access=AccessSettings(
            mode="oidc", oidc_jwks_url=jwks_url, oidc_issuer=ISSUER, oidc_audience=AUDIENCE
        ),
    )
    with Application(settings, ingest_workers=0) as app:
        app.add_source(SourceConfig(name="public", location=str(public)))
        app.add_source(SourceConfig(name="amt", location=str(amt), access_groups=["amt70"]))
        for name in ("public", "amt"):
            assert app.wait(app.sync(name, caller=ADMIN), timeout=120).state == "done"
        with (
            service_in_thread(settings, app) as service,
            httpx.Client(base_url=f"{service.url}/api/v1", timeout=60) as client,
        ):
            yield client


def _titles(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {hit["uri"].rsplit("/", 1)[-1] for hit in response.json()["results"]}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_of_the_provider_acts_for_its_user_and_groups(
    api: httpx.Client, provider_key: Any
) -> None:
    staff = _token(provider_key, email="k.meier@stadt.example", groups=["amt70"])
    me = api.get("/me", headers=_bearer(staff)).json()
    assert me["name"] == "k.meier@stadt.example"
    assert me["groups"] == ["amt70"]
    assert me["is_admin"] is False
    found = api.get("/search", params={"q": "Sperrmüll", "mode": "keyword"}, headers=_bearer(staff))
    assert _titles(found) == {"merkblatt.txt", "vermerk.txt"}
    citizen = _token(provider_key, preferred_username="buerger")
    found = api.get(
        "/search", params={"q": "Sperrmüll", "mode": "keyword"}, headers=_bearer(citizen)
    )
    assert _titles(found) == {"merkblatt.txt"}
    assert api.get("/status", headers=_bearer(staff)).status_code == 403
    admin = _token(provider_key, sub="it-1", groups=["admin"])
    assert api.get("/status", headers=_bearer(admin)).status_code == 200


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 60},  # expired
        {"iss": "https://elsewhere.example"},  # another issuer
        {"aud": "another-app"},  # another audience
        {},  # names no user (no email, username or subject)
    ],
    ids=["expired", "issuer", "audience", "no-user"],
)
def test_tokens_that_do_not_fit_are_refused(
    api: httpx.Client, provider_key: Any, claims: dict[str, Any]
) -> None:
    base = {"email": "k.meier@stadt.example"} if claims else {}
    token = _token(provider_key, **{**base, **claims})
    refused = api.get("/search", params={"q": "Sperrmüll"}, headers=_bearer(token))
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_a_token_signed_by_another_key_and_no_token_are_refused(api: httpx.Client) -> None:
    forged = _token(_key(), email="k.meier@stadt.example", groups=["amt70", "admin"])
    assert api.get("/search", params={"q": "Sperrmüll"}, headers=_bearer(forged)).status_code == 401
    assert api.get("/search", params={"q": "Sperrmüll"}).status_code == 401
    assert api.get("/health").status_code == 200  # no login needed
