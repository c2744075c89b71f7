"""Scenario names and their compact site descriptions (JSON under ``data/scenarios/``)."""

from __future__ import annotations

from typing import Any

from unifi_scanner.simulator.config import GeneratorSpec
from unifi_scanner.simulator.sitegen import generated_scenario
from unifi_scanner.simulator.templates import JsonObject, load_json

__all__ = ["SCENARIOS", "load_scenario"]

_FILES = ("demo", "quiet-home", "under-attack", "failing-hardware")
_GENERATED = ("busy-office",)

SCENARIOS: tuple[str, ...] = (*_FILES, *_GENERATED)
"""Every scenario name the simulator knows; ``demo`` is the default."""


def load_scenario(
    name: str,
    *,
    seed: int = 1,  # noqa: ARG001 - kept for callers; the generator takes the seed now
    generator: GeneratorSpec | None = None,
) -> JsonObject:
    """The compact description of a scenario (its site model and its own events).

    ``busy-office`` is the generated site (``generator``'s sizes, by default
    ``GeneratorSpec()``); its bulk of events comes from the generator at serving time.

    Args:
        name: one of :data:`SCENARIOS`.
        seed: unused (the generated site does not depend on it).
        generator: the sizes of the generated site.

    Returns:
        The scenario: ``site``, ``controller``, ``devices``, ``clients``, ``events``, ``ips``.

    Raises:
        ValueError: the name is not a known scenario.
    """
    if name in _GENERATED:
        return generated_scenario(generator or GeneratorSpec())
    if name not in _FILES:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    spec: dict[str, Any] = load_json(f"scenarios/{name}.json")
    return spec
