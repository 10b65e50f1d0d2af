"""Fixtures shared by the test packages."""

from tests.postgres import postgres_url, state_url

__all__ = ["postgres_url", "state_url"]
