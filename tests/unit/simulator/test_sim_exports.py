"""The simulator's public names and its independence from the client."""

from __future__ import annotations

import ast
from pathlib import Path

from unifi_scanner import simulator


def test_all_matches_exports():
    """__all__ has no duplicates, every name exists, and every public non-module name is listed."""
    assert len(set(simulator.__all__)) == len(simulator.__all__)
    assert all(hasattr(simulator, name) for name in simulator.__all__)
    public = {
        name
        for name, value in vars(simulator).items()
        if not name.startswith("_")
        and not isinstance(value, type(simulator))
        and name != "annotations"
    }
    assert public == set(simulator.__all__)


def test_imports_nothing_of_ours_but_errors():
    """No simulator module imports unifi_scanner outside the simulator itself and errors."""
    root = Path(simulator.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                ours = name == "unifi_scanner" or name.startswith("unifi_scanner.")
                allowed = name == "unifi_scanner.errors" or name.startswith(
                    "unifi_scanner.simulator"
                )
                if ours and not allowed:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_scenarios_listed():
    """SCENARIOS names demo first and the six hand-written scenarios plus busy-office."""
    assert simulator.SCENARIOS[0] == "demo"
    assert set(simulator.SCENARIOS) == {
        "demo",
        "quiet-home",
        "under-attack",
        "failing-hardware",
        "console-trouble",
        "every-event",
        "busy-office",
    }
