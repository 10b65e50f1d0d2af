"""The interface is a client of the service: none of its modules opens a store, the
catalog, the audit log or the model itself (only the CLI, which works in-process when no
service runs, and the API, which is the service, may)."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
SERVER_SIDE = (
    "ingest",
    "search.service",
    "search.stores",
    "search.audit",
    "search.answers.drafting",
    "search.backends",
    "search.embedders",
    "connectors",
)
ALLOWED = {"client.py"}  # the HTTP client itself


def _interface_modules() -> list[Path]:
    modules = [p for p in UI.rglob("*.py") if "api" not in p.relative_to(UI).parts]
    return [p for p in modules if not p.name.startswith("cli") and p.name not in ALLOWED]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_interface_imports_nothing_that_opens_the_index() -> None:
    modules = _interface_modules()
    assert any(path.name == "session.py" for path in modules)
    offending = {
        f"{path.relative_to(UI)}: {name}"
        for path in modules
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in SERVER_SIDE)
    }
    assert not offending, sorted(offending)


def test_the_client_imports_nothing_that_opens_the_index() -> None:
    banned = [name for name in _imports(UI / "client.py") if name.split(".")[0] == "ingest"]
    assert banned == []
