"""The simulated controller: ``demo`` scans it once, ``simulate`` serves it in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import structlog

from unifi_scanner.app._signals import stop_on_signals
from unifi_scanner.app.scan import ScanOutcome, run_once
from unifi_scanner.app.wiring import utc_now
from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from unifi_scanner.config import Settings
    from unifi_scanner.integrations import IntegrationRegistry

__all__ = ["run_demo", "simulate"]

_log = structlog.get_logger(__name__)


async def run_demo(
    settings: Settings,
    *,
    scenario: str = "demo",
    flavour: Literal["unifi-os", "legacy"] = "unifi-os",
    network: int = 9,
    now: Callable[[], datetime] = utc_now,
    registry: IntegrationRegistry | None = None,
) -> ScanOutcome:
    """Start the simulated controller on loopback (TLS, throw-away CA) and scan it once.

    A local Cloudflare API and a local AbuseIPDB API start next to it and the Cloudflare and
    threat-intelligence integrations are pointed at them, so the demo report has their
    sections. The demo keeps no state between runs: every demo shows the whole scenario.
    """
    from pydantic import SecretStr  # noqa: PLC0415

    from unifi_scanner.config import AbuseIpdbSettings, CloudflareSettings  # noqa: PLC0415
    from unifi_scanner.simulator import SimulatorConfig, SimulatorServer  # noqa: PLC0415
    from unifi_scanner.simulator.abuseipdb import (  # noqa: PLC0415
        AbuseIpdbConfig,
        AbuseIpdbServer,
    )
    from unifi_scanner.simulator.cloudflare import (  # noqa: PLC0415
        CloudflareConfig,
        CloudflareServer,
    )

    if network not in {9, 10}:
        raise ConfigError("network must be 9 or 10", (("network", "option", "not 9 or 10"),))
    generation: Literal[9, 10] = 10 if network == 10 else 9  # noqa: PLR2004
    config = SimulatorConfig(flavour=flavour, network=generation, scenario=scenario, now=now)
    with tempfile.TemporaryDirectory(prefix="unifi-scanner-demo-") as tmp:
        async with (
            SimulatorServer(config, tls=True) as server,
            CloudflareServer(CloudflareConfig(now=now)) as cloudflare,
            AbuseIpdbServer(AbuseIpdbConfig(now=now)) as abuseipdb,
        ):
            demo_settings = settings.model_copy(
                update={
                    "cloudflare": CloudflareSettings(
                        api_token=SecretStr(cloudflare.token), base_url=cloudflare.base_url
                    ),
                    "abuseipdb": AbuseIpdbSettings(
                        api_key=SecretStr(abuseipdb.key), base_url=abuseipdb.base_url
                    ),
                    "host": server.host,
                    "port": server.port,
                    "flavour": flavour,
                    "username": config.username,
                    "password": SecretStr(config.password),
                    "api_key": None,
                    "site": "default",
                    "verify_ssl": True,
                    "ca_bundle": server.ca_pem_path,
                    "tls_fingerprint": None,
                    "state_path": Path(tmp) / "state.sqlite3",
                }
            )
            outcomes = await run_once(demo_settings, now=now, registry=registry)
    return outcomes[0]


async def simulate(
    *,
    host: str,
    port: int,
    scenario: str,
    flavour: Literal["unifi-os", "legacy"],
    network: int,
    tls: bool,
    announce: Callable[[str], object] = print,
    username: str | None = None,
    password: str | None = None,
    devices: int | None = None,
    clients: int | None = None,
    events_per_day: int | None = None,
    days: float | None = None,
    seed: int = 1,
    allow_remote: bool = False,
    cloudflare: bool = False,
    abuseipdb: bool = False,
) -> None:
    """Serve the simulated controller in the foreground until cancelled or asked to stop.

    SIGINT (Ctrl-C), SIGTERM and SIGHUP stop it cleanly: the server shuts down and its temporary
    directory (the throw-away CA and the server's private key) is removed.
    Binds loopback only, unless ``host`` names another address and ``allow_remote`` is set.
    Any of ``devices``, ``clients``, ``events_per_day``, ``days`` serves the generated site
    (``simulator.generated_config``) instead of ``scenario``. ``cloudflare`` also serves the
    local Cloudflare API (its ``demo`` scenario) on another port of the same host; ``abuseipdb``
    the local AbuseIPDB API.

    Raises:
        ConfigError: ``network`` is not 9 or 10, or ``host`` is not loopback without
            ``allow_remote``.
    """
    import ipaddress  # noqa: PLC0415

    from unifi_scanner.simulator import (  # noqa: PLC0415
        CONTROL_PREFIX,
        DEFAULT_PASSWORD,
        DEFAULT_USERNAME,
        SimulatorConfig,
        SimulatorServer,
        generated_config,
    )

    if network not in {9, 10}:
        raise ConfigError("network must be 9 or 10", (("network", "option", "not 9 or 10"),))
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allow_remote:
        message = (
            f"refusing to serve the simulator on {host}: it has a public password and an "
            "unauthenticated control endpoint; bind 127.0.0.1, or add --allow-remote"
        )
        raise ConfigError(message, (("host", "option", "not loopback without --allow-remote"),))
    generation: Literal[9, 10] = 10 if network == 10 else 9  # noqa: PLR2004
    user, secret = username or DEFAULT_USERNAME, password or DEFAULT_PASSWORD
    if all(knob is None for knob in (devices, clients, events_per_day, days)):
        config = SimulatorConfig(
            flavour=flavour,
            network=generation,
            scenario=scenario,
            username=user,
            password=secret,
            seed=seed,
        )
    else:
        config = generated_config(
            devices=devices,
            clients=clients,
            events_per_day=events_per_day,
            days=days,
            seed=seed,
            flavour=flavour,
            network=generation,
            username=user,
            password=secret,
        )
        if (spec := config.generator) is not None:
            scenario = (
                f"generated: {spec.devices} devices, {spec.clients} clients, "
                f"{spec.total} events over {spec.days:g} days, seed {seed}"
            )
    stop = asyncio.Event()
    with stop_on_signals(asyncio.get_running_loop(), stop) as received:
        async with contextlib.AsyncExitStack() as stack:
            server = await stack.enter_async_context(
                SimulatorServer(config, tls=tls, host=host, port=port)
            )
            announce(
                f"Simulated UniFi controller ({flavour}, Network {network}, scenario {scenario})"
            )
            announce(f"  URL:      {server.base_url}")
            announce(f"  login:    {config.username} / {config.password}")
            if config.api_key:
                announce(f"  API key:  {config.api_key}")
            if server.ca_pem_path is not None:
                announce(f"  CA:       {server.ca_pem_path}  (UNIFI_CA_BUNDLE)")
                announce(f"  SHA-256:  {server.cert_fingerprint}  (UNIFI_TLS_FINGERPRINT)")
            announce(f"  faults:   {server.base_url}{CONTROL_PREFIX}/faults  (no authentication)")
            await _serve_extras(
                stack,
                host=host,
                seed=seed,
                cloudflare=cloudflare,
                abuseipdb=abuseipdb,
                announce=announce,
            )
            announce("Press Ctrl-C to stop.")
            await stop.wait()
    _log.info("simulator stopped", signal=received[0].name if received else None)


async def _serve_extras(
    stack: contextlib.AsyncExitStack,
    *,
    host: str,
    seed: int,
    cloudflare: bool,
    abuseipdb: bool,
    announce: Callable[[str], object],
) -> None:
    """Start the local Cloudflare and AbuseIPDB APIs asked for, and say where they are."""
    from unifi_scanner.simulator.abuseipdb import AbuseIpdbConfig, AbuseIpdbServer  # noqa: PLC0415
    from unifi_scanner.simulator.cloudflare import CloudflareConfig, CloudflareServer  # noqa: PLC0415

    if cloudflare:
        api = await stack.enter_async_context(
            CloudflareServer(CloudflareConfig(seed=seed), host=host)
        )
        announce("Local Cloudflare API (scenario demo)")
        announce(f"  URL:      {api.base_url}  (UNIFI_CLOUDFLARE_BASE_URL)")
        announce(f"  token:    {api.token}  (UNIFI_CLOUDFLARE_API_TOKEN)")
        announce(f"  faults:   {api.control_url}/faults  (no authentication)")
    if abuseipdb:
        ti = await stack.enter_async_context(AbuseIpdbServer(AbuseIpdbConfig(seed=seed), host=host))
        announce("Local AbuseIPDB API")
        announce(f"  URL:      {ti.base_url}  (UNIFI_ABUSEIPDB_BASE_URL)")
        announce(f"  key:      {ti.key}  (UNIFI_ABUSEIPDB_API_KEY)")
        announce(f"  faults:   {ti.control_url}/faults  (no authentication)")
