"""Rules of the code base that a reviewer would otherwise check by hand.

- A connector's capabilities are methods of :class:`connectors.base.Connector`: nothing
  asks ``hasattr(connector, …)`` or ``getattr(connector, …)``.
- ``except Exception`` (or ``BaseException`` without re-raising) appears only where a
  batch must go on or a library raises nothing narrower, with a comment saying so.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("connectors", "ingest", "search", "ui")


def _modules(packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _comments(source: str) -> dict[int, str]:
    """Line number → the comment on that line."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {tok.start[0]: tok.string for tok in tokens if tok.type == tokenize.COMMENT}


def _reraises(handler: ast.ExceptHandler) -> bool:
    return any(isinstance(node, ast.Raise) and node.exc is None for node in ast.walk(handler))


def test_broad_excepts_say_why() -> None:
    silent: list[str] = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        comments = _comments(source)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.ExceptHandler) or not isinstance(node.type, ast.Name):
                continue
            broad = node.type.id == "Exception" or (
                node.type.id == "BaseException" and not _reraises(node)
            )
            if broad and node.lineno not in comments:
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert silent == [], "except Exception without a comment saying why: " + ", ".join(silent)


def test_no_connector_capability_is_probed() -> None:
    """In the packages that use connectors: no ``hasattr`` at all, no ``getattr`` on one."""
    probes: list[str] = []
    for path in _modules(("connectors", "ingest", "ui")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("hasattr", "getattr") or not node.args:
                continue
            target = ast.unparse(node.args[0])
            if "connector" in target.lower() or node.func.id == "hasattr":
                probes.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert probes == [], "capabilities probed instead of declared: " + ", ".join(probes)
