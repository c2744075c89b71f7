"""Dependencies run one way along the pipeline (docs/architecture.md, "who may import whom")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[3] / "src" / "unifi_scanner"

# package -> the other unifi_scanner modules it may import (private top-level helpers included)
ALLOWED = {
    "vocabulary": set(),
    "simulator": {"errors"},
    "state": {"errors"},
    "controller": {"errors", "config", "_retry_after", "_json"},
    "collect": {"controller", "state", "errors", "vocabulary", "_addresses", "_gc", "_json"},
    "analysis": {"collect", "vocabulary", "_addresses", "_gc"},
    "integrations": {
        "state",
        "collect",
        "analysis",
        "config",
        "errors",
        "_retry_after",
        "_addresses",
        "_untrusted",
    },
    "history": {"analysis"},
    "reports": {"analysis", "collect", "integrations", "history", "errors", "_untrusted"},
    "delivery": {
        "reports",
        "state",
        "analysis",
        "collect",
        "errors",
        "_retry_after",
        "_untrusted",
        "__about__",
    },
}


def _imports(path: Path) -> set[str]:
    """The unifi_scanner sub-packages a module imports (top-level name after the root)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "unifi_scanner" and len(parts) > 1:
                found.add(parts[1])
            if isinstance(node, ast.ImportFrom) and name == "unifi_scanner":
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    """Each package imports only itself and the packages below it."""
    problems = []
    for path in sorted((SRC / package).rglob("*.py")):
        extra = _imports(path) - {package} - ALLOWED[package]
        if extra:
            problems.append(f"{path.relative_to(SRC)} imports {sorted(extra)}")
    assert problems == []


def test_the_simulator_never_reads_the_clients_tables():
    """The simulator (the oracle) defines its own vocabulary: no vocabulary or analysis import."""
    for path in (SRC / "simulator").rglob("*.py"):
        assert not {"vocabulary", "analysis", "collect", "controller"} & _imports(path), path
