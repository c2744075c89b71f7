"""Scenario names and their compact site descriptions (JSON under ``data/scenarios/``)."""

from __future__ import annotations

from typing import Any

from unifi_scanner.simulator.generator import generate_busy_office
from unifi_scanner.simulator.templates import JsonObject, load_json

__all__ = ["SCENARIOS", "load_scenario"]

_FILES = ("demo", "quiet-home", "under-attack", "failing-hardware")
_GENERATED = ("busy-office",)

SCENARIOS: tuple[str, ...] = (*_FILES, *_GENERATED)
"""Every scenario name the simulator knows; ``demo`` is the default."""


def load_scenario(name: str, *, seed: int = 1) -> JsonObject:
    """The compact description of a scenario.

    Args:
        name: one of :data:`SCENARIOS`.
        seed: the seed for generated scenarios (``busy-office``); ignored for the others.

    Returns:
        The scenario: ``site``, ``controller``, ``devices``, ``clients``, ``events``, ``ips``.

    Raises:
        ValueError: the name is not a known scenario.
    """
    if name in _GENERATED:
        return generate_busy_office(seed=seed)
    if name not in _FILES:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    spec: dict[str, Any] = load_json(f"scenarios/{name}.json")
    return spec
