"""Fixtures shared by the test packages.

Only fixtures whose copies were the same in several modules live here; a module that
needs other contents (a folder of its own files, an indexed corpus) keeps its own fixture
of that name, which wins over these.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from search.core.settings import Settings
from tests.postgres import postgres_url, state_url

if TYPE_CHECKING:
    from tests.connectors.website_server import WebsiteServer
    from tests.llm_replay import ReplayServer

__all__ = ["llm", "postgres_url", "settings", "site", "state_url"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with an empty data directory of the test's own."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def site() -> Iterator[WebsiteServer]:
    """The fixture city website (``tests/connectors/website_server.py``) on 127.0.0.1."""
    from tests.connectors.website_server import WebsiteServer

    with WebsiteServer() as server:
        yield server


@pytest.fixture(scope="module")
def llm() -> Iterator[ReplayServer]:
    """The replaying LLM server (``tests/llm_replay.py``) on 127.0.0.1, one per module."""
    from tests.llm_replay import replay_server

    with replay_server() as running:
        yield running


SLOW_IN_DEFAULT = frozenset(
    {
        # each has a cheaper sibling in the default run (`make test-all` runs these too)
        "tests/ingest/sync/test_faults.py::test_kill_9_at_random_moments_of_a_sync[queue-3]",
        "tests/ingest/sync/test_pool.py::test_killed_worker_is_replaced_and_its_document_prepared_again",
        "tests/test_linsengericht.py::test_subset_with_scans_is_indexed_and_dog_tax_found",
        "tests/ui/test_service_crash.py::"
        "test_kill_9_during_a_sync_then_restart_loses_and_duplicates_nothing",
    }
)
"""Tests marked ``slow`` here, to keep the default run within its time budget: the queue
path's kill test (the direct path's and test_queue's kill tests stay), the pool's
replacement of a killed worker (its recording of the death stays), the Linsengericht scans
(the sample corpus's scans stay), the service crash (the scale-out tests stay)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid in SLOW_IN_DEFAULT:
            item.add_marker(pytest.mark.slow)
