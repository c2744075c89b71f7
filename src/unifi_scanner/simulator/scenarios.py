"""Scenario names and their compact site descriptions (JSON under ``data/scenarios/``)."""

from __future__ import annotations

from typing import Any

from unifi_scanner.simulator.config import GeneratorSpec
from unifi_scanner.simulator.sitegen import generated_scenario
from unifi_scanner.simulator.templates import JsonObject, load_json
from unifi_scanner.simulator.vocabulary import FAMILY_TYPES, KEYS, parameters

__all__ = ["SCENARIOS", "load_scenario"]

_FILES = (
    "demo",
    "quiet-home",
    "under-attack",
    "failing-hardware",
    "console-trouble",
    "every-event",
)
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
    if spec.get("every_key"):
        spec["events"] = [*spec["events"], *every_key(spec)]
    return spec


_WIRED_FAMILIES = frozenset({"LU", "LG", "LC"})
_GUEST_FAMILIES = frozenset({"WG", "LG", "HS"})


def every_key(scenario: JsonObject) -> list[JsonObject]:
    """One event spec for every classic key the simulator knows (IPS alerts aside).

    Each key goes to the first device of a type its family uses (a client for client keys),
    one minute apart, so a scenario can show the whole vocabulary.

    Args:
        scenario: a scenario with a device for every family and wired, wireless and guest
            clients.

    Returns:
        The event specs.
    """
    devices, clients = scenario["devices"], scenario["clients"]
    aps = [d["name"] for d in devices if d["type"] == "uap"]
    specs: list[JsonObject] = []
    for family, actions in KEYS.items():
        if family == "IPS":
            continue
        for action in actions:
            spec: JsonObject = {"key": f"EVT_{family}_{action}", "ago": 5 + len(specs)}
            if family in FAMILY_TYPES:
                types = FAMILY_TYPES[family]
                model = "USPRPS" if family == "USP" else None
                spec["device"] = next(
                    d["name"]
                    for d in devices
                    if d["type"] in types and (model is None or d["model"] == model)
                )
            if family == "CF" or action == "Roam":
                spec |= {"ap_from": aps[0], "ap_to": aps[1]}
            if family not in {"AD", "PA", "CF", *FAMILY_TYPES} or "guest" in parameters(
                spec["key"]
            ):
                spec["client"] = _client_for(family, clients)
            if spec["key"] == "EVT_AD_ScheduleUpgradeFailedNotFound":
                spec["device"] = aps[0]
            specs.append(spec)
    return specs


def _client_for(family: str, clients: list[JsonObject]) -> str:
    wired = family in _WIRED_FAMILIES
    guest = family in _GUEST_FAMILIES
    for client in clients:
        if ("switch" in client) == wired and bool(client.get("guest")) == guest:
            return str(client["name"])
    return str(next(c for c in clients if ("switch" in c) == wired)["name"])
