"""Fixtures shared by the connector tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.oparl_server import OParlServer


@pytest.fixture
def server() -> Iterator[OParlServer]:
    """An OParl server of twelve papers, five per page, on 127.0.0.1."""
    with OParlServer(papers=12, page_size=5) as running:
        yield running
