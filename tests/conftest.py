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

from search.settings import Settings
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
