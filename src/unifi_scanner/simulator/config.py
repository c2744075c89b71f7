"""The simulator's settings: flavour, Network version, scenario, credentials, clock and faults."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "FAULT_KINDS",
    "EndpointFault",
    "FaultKind",
    "Faults",
    "Flavour",
    "GeneratorSpec",
    "SimulatorConfig",
    "generated_config",
]

Flavour = Literal["unifi-os", "legacy"]

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "simulator-password"  # noqa: S105 - a documented, public test credential
DEFAULT_API_KEY = "sim-readonly-api-key"


def _utcnow() -> datetime:
    return datetime.now(UTC)


FaultKind = Literal[
    "latency",
    "500",
    "502",
    "503",
    "starting-up",
    "malformed-json",
    "truncated-json",
    "deep-json",
    "unexpected-shape",
    "rc-error",
    "v2-error",
    "429",
    "hang",
    "session-expiry",
    "csrf-rotation",
    "ws-drop",
    "flows-old-form",
]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))
"""Every :data:`FaultKind` (see the faults table in ``docs/simulator.md``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointFault:
    """One fault on the requests whose path ends with ``endpoint`` (see ``docs/simulator.md``).

    Args:
        kind: what goes wrong (a :data:`FaultKind`).
        endpoint: a path suffix made of whole segments (``"stat/event"``, ``"self/sites"``,
            ``"traffic-flows"``, ``"system-log/all"``, ``"events"`` for the websocket, ``*`` as
            a wildcard); ``""`` matches every request but the control endpoints.
        times: how many times it strikes before the endpoint recovers (``None``: until cleared).
        after: matching requests let through untouched first (``ws-drop``: frames sent on each
            connection before it is dropped).
        per_path: count ``after`` and ``times`` for each distinct path instead of overall.
        seconds: ``latency``: the delay (default 1); ``429``: the ``Retry-After`` value
            (default 1); ``hang``: the longest a request is held (default 300).
        every: ``csrf-rotation``: rotate the CSRF token on every ``every``-th matching request.
        message: ``rc-error``: ``meta.msg`` (default ``api.err.ServerError``); ``v2-error``:
            ``message`` (default ``Internal error``).
        status: ``rc-error`` / ``v2-error``: the HTTP status (defaults 200 and 500).
    """

    kind: FaultKind
    endpoint: str = ""
    times: int | None = None
    after: int = 0
    per_path: bool = False
    seconds: float | None = None
    every: int = 1
    message: str | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class Faults:
    """Fault switches; the initial values, flipped at run time through ``/__sim__/faults``.

    Args:
        status: answer every controller request with this HTTP status (502 or 503), or ``None``.
        starting_up: answer every controller request with 200 ``text/html`` "starting up".
        delay: seconds to wait before answering each controller request.
        malformed: endpoint names (``"stat/device"``, ``"system-log"``, ``"login"``…) whose
            reply is cut short so that it is not valid JSON.
        endpoints: per-endpoint faults, applied in order.
    """

    status: int | None = None
    starting_up: bool = False
    delay: float = 0.0
    malformed: frozenset[str] = frozenset()
    endpoints: tuple[EndpointFault, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratorSpec:
    """Scale knobs of the event generator (see ``docs/simulator.md``, "Generator").

    The generated site grows the demo office to ``devices`` devices (one gateway, about one
    switch per six devices, the rest access points) and ``clients`` clients, then generates
    ``events_per_day * days`` events spread evenly over the last ``days`` days. Event ``i`` is a
    pure function of the seed and ``i``, so any page is computed on its own and the events are
    never all held in memory.

    Args:
        devices: devices in the site, at least the demo's 6 (at most 250).
        clients: clients in the site, at least the demo's 21 (at most 60,000).
        events_per_day: generated events per day.
        days: how many days back the generated events reach (may be fractional).
        ips_share: the share of generated events that are IPS alerts (0 to 1).
        device_share: the share that are device events (restarts, lost contact, PoE).
    """

    devices: int = 37
    clients: int = 1500
    events_per_day: int = 10_000
    days: float = 1.0
    ips_share: float = 0.01
    device_share: float = 0.004

    @property
    def total(self) -> int:
        """How many events the generator produces."""
        return max(0, round(self.events_per_day * self.days))


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """How the simulated controller behaves.

    Args:
        flavour: ``"unifi-os"`` (console: ``/proxy/network`` prefix, TOKEN cookie, CSRF) or
            ``"legacy"`` (self-hosted controller: ``unifises`` cookie, no prefix).
        network: the Network application's major version. On 10, ``stat/event`` and
            ``stat/ips/event`` answer 404 and ``list/alarm`` answers 400 ``api.err.InvalidObject``.
        scenario: the name of the site model to serve (see ``SCENARIOS``).
        username: the one local account's name.
        password: its password.
        api_key: a read-only key accepted in ``X-API-KEY`` on UniFi OS instead of a session.
        now: the clock; every timestamp the simulator serves is relative to it.
        session_lifetime: how long a session (cookie) stays valid.
        login_failure_limit: failed logins allowed before the 429 rate limit starts.
        login_lockout: how long the rate limit lasts (also sent as ``Retry-After``).
        csrf_rotate_every: rotate the CSRF token after this many authenticated requests
            (``0`` never rotates).
        faults: the fault switches at start-up.
        sleep: the coroutine used for the ``delay`` fault (injected by tests).
        seed: seed for generated scenarios and the generator.
        generator: scale knobs; when set, the site is the generated one (the ``busy-office``
            model at these sizes) whatever ``scenario`` says. ``busy-office`` without it uses
            ``GeneratorSpec()``.
    """

    _: KW_ONLY
    flavour: Flavour = "unifi-os"
    network: Literal[9, 10] = 9
    scenario: str = "demo"
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    api_key: str | None = DEFAULT_API_KEY
    now: Callable[[], datetime] = _utcnow
    session_lifetime: timedelta = timedelta(hours=2)
    login_failure_limit: int = 5
    login_lockout: timedelta = timedelta(seconds=60)
    csrf_rotate_every: int = 0
    faults: Faults = field(default_factory=Faults)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    seed: int = 1
    generator: GeneratorSpec | None = None

    @property
    def prefix(self) -> str:
        """The Network application's path prefix: ``/proxy/network`` or ``""``."""
        return "/proxy/network" if self.flavour == "unifi-os" else ""


def generated_config(
    *,
    devices: int | None = None,
    clients: int | None = None,
    events_per_day: int | None = None,
    days: float | None = None,
    seed: int = 1,
    **settings: Any,  # noqa: ANN401 - any other SimulatorConfig field
) -> SimulatorConfig:
    """A :class:`SimulatorConfig` serving a generated site (``unifi-scanner simulate`` knobs).

    Args:
        devices: ``--devices`` (``None``: the ``busy-office`` size, 37).
        clients: ``--clients`` (``None``: 1,500).
        events_per_day: ``--events-per-day`` (``None``: 10,000).
        days: ``--days`` (``None``: 1).
        seed: ``--seed``.
        settings: any other :class:`SimulatorConfig` field (``flavour``, ``network``, ``now``…).

    Returns:
        The configuration, with ``scenario="busy-office"`` and ``generator`` set.
    """
    base = GeneratorSpec()
    spec = dataclasses.replace(
        base,
        devices=base.devices if devices is None else devices,
        clients=base.clients if clients is None else clients,
        events_per_day=base.events_per_day if events_per_day is None else events_per_day,
        days=base.days if days is None else days,
    )
    return SimulatorConfig(scenario="busy-office", seed=seed, generator=spec, **settings)
