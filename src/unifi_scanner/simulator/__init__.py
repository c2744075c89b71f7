"""The simulated UniFi controller: the independent oracle the client is tested against.

Built from ``docs/UNIFI_API.md`` alone; it imports nothing of ours but :mod:`unifi_scanner.errors`.
"""

from __future__ import annotations

from unifi_scanner.simulator.app import create_app
from unifi_scanner.simulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    FAULT_KINDS,
    EndpointFault,
    FaultKind,
    Faults,
    Flavour,
    GeneratorSpec,
    SimulatorConfig,
    generated_config,
)
from unifi_scanner.simulator.control import CONTROL_PREFIX
from unifi_scanner.simulator.feed import Feed
from unifi_scanner.simulator.generator import EventGenerator
from unifi_scanner.simulator.routes_classic import EVENT_LIMIT
from unifi_scanner.simulator.scenarios import SCENARIOS, load_scenario
from unifi_scanner.simulator.server import SimulatorServer, run_forever
from unifi_scanner.simulator.site import Site, build_site
from unifi_scanner.simulator.state import SimulatorState
from unifi_scanner.simulator.websocket import envelope

__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "EVENT_LIMIT",
    "FAULT_KINDS",
    "SCENARIOS",
    "EndpointFault",
    "EventGenerator",
    "FaultKind",
    "Faults",
    "Feed",
    "Flavour",
    "GeneratorSpec",
    "SimulatorConfig",
    "SimulatorServer",
    "SimulatorState",
    "Site",
    "build_site",
    "create_app",
    "envelope",
    "generated_config",
    "load_scenario",
    "run_forever",
]
