"""One real service for the API tests: uvicorn on 127.0.0.1 in a thread of this process,
``access.mode = "header"`` (every request names its caller as a reverse proxy would), over
a data directory of six public sample papers and the Personalamt's confidential
instruction, both ingested through the API itself (``POST /sources?sync=true``).

The service is shared by the modules of this folder (one ingestion for all of them); tests
that change it (sources, keys) use their own names and clean up. The test comparing the
endpoints called with the OpenAPI paths runs last.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from search.core.settings import AccessSettings, ServiceSettings, Settings, load_settings
from tests.service_server import service_in_thread
from tests.ui.api.support import (
    ADMIN,
    CORPUS,
    PUBLIC_FILES,
    PUBLIC_SOURCE,
    RESTRICTED_FILE,
    RESTRICTED_SOURCE,
    Recorder,
    wait_job,
)

HERE = Path(__file__).parent
COVERAGE_TEST = "test_endpoints.py"
INTERFACE_KEY_ENV = "AUSKUNFT_TEST_INTERFACE_KEY"
INTERFACE_KEY = "interface-key-for-tests-only-0123456789"


@dataclass(frozen=True)
class Service:
    """The running service and what the tests need to know about its data."""

    url: str
    settings: Settings
    base: Path
    doc_ids: dict[str, str]
    """Document id by file name."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the endpoint coverage test after every other test of this folder."""
    last = [item for item in items if item.path.name == COVERAGE_TEST]
    if last:
        items[:] = [item for item in items if item.path.name != COVERAGE_TEST] + last


def _copy(files: list[str], target: Path) -> Path:
    target.mkdir(parents=True)
    for name in files:
        shutil.copy2(CORPUS / name, target / Path(name).name)
    return target


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    """What the tests' clients called."""
    return Recorder()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, recorder: Recorder) -> Iterator[Service]:
    base = tmp_path_factory.mktemp("api")
    public = _copy(PUBLIC_FILES, base / "oeffentlich")
    restricted = _copy([RESTRICTED_FILE], base / "personalamt")
    settings = load_settings(
        data_dir=base / "data",
        access=AccessSettings(mode="header"),
        service=ServiceSettings(client_key_env=INTERFACE_KEY_ENV),
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv(INTERFACE_KEY_ENV, INTERFACE_KEY)
        with (
            service_in_thread(settings) as running,
            httpx.Client(
                base_url=f"{running.url}/api/v1",
                timeout=120,
                event_hooks={"response": [recorder]},
            ) as client,
        ):
            sources = [
                (PUBLIC_SOURCE, public, [], len(PUBLIC_FILES)),
                (RESTRICTED_SOURCE, restricted, ["personalamt"], 1),
            ]
            for name, folder, groups, expected in sources:
                added = client.post(
                    "/sources",
                    params={"sync": "true"},
                    json={"name": name, "location": str(folder), "access_groups": groups},
                    headers=ADMIN,
                )
                assert added.status_code == 201, added.text
                assert added.headers["location"] == f"/api/v1/sources/{name}"
                job = wait_job(client, added.json()["job"]["id"], ADMIN)
                assert job["state"] == "done", job
                assert job["report"]["indexed"] == expected, job["report"]
            with closing(sqlite3.connect(settings.catalog_path)) as catalog:
                doc_ids = dict(catalog.execute("SELECT filename, doc_id FROM documents"))
            yield Service(url=running.url, settings=settings, base=base, doc_ids=doc_ids)


@pytest.fixture(scope="session")
def api(service: Service, recorder: Recorder) -> Iterator[httpx.Client]:
    """A client of ``/api/v1`` (absolute URLs reach ``/mcp``); every answer is recorded."""
    with httpx.Client(
        base_url=f"{service.url}/api/v1", timeout=120, event_hooks={"response": [recorder]}
    ) as client:
        yield client
