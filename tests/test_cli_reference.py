"""docs/cli.md is the commands' own help, regenerated with cog; it must not be stale."""

from __future__ import annotations

from pathlib import Path

from cogapp import Cog

REFERENCE = Path(__file__).parents[1] / "docs" / "cli.md"


def _check(path: Path) -> int:
    """:returns: cog's exit status for ``cog --check path`` (0: up to date), run in-process."""
    return Cog().main(["cog", "--check", str(path)])


def test_cli_reference_is_up_to_date() -> None:
    assert _check(REFERENCE) == 0, "docs/cli.md is out of date: run .venv/bin/cog -r docs/cli.md"


def test_a_stale_reference_is_noticed(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    text = REFERENCE.read_text(encoding="utf-8")
    stale.write_text(text.replace("Show this message and exit.", "Show help.", 1), "utf-8")
    assert _check(stale) != 0
