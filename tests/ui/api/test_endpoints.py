"""Every endpoint of the OpenAPI document was called by some test of this folder (this
module runs last: see conftest)."""

from __future__ import annotations

import httpx

from tests.ui.api.conftest import Service


def test_every_endpoint_was_called(api: httpx.Client, service: Service) -> None:
    """Runs last (conftest): a new endpoint without a test fails here."""
    recorder = api.event_hooks["response"][0]
    spec = httpx.get(f"{service.url}/api/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
        if not recorder.answered(method.upper(), path)
    ]
    assert not missing, missing
