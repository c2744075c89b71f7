"""``unifi-scanner check``: log in, detect the controller, probe every endpoint a scan uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from unifi_scanner.app.wiring import controller_client, http_client, utc_now
from unifi_scanner.collect import Collector

if TYPE_CHECKING:
    from collections.abc import Callable

    from unifi_scanner.config import Settings

__all__ = ["CheckResult", "check"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``unifi-scanner check`` found out."""

    base_url: str
    flavour: str
    version: str | None
    sites: tuple[str, ...]
    endpoints: tuple[tuple[str, str], ...]
    ok: bool


async def check(settings: Settings, *, now: Callable[[], datetime] = utc_now) -> CheckResult:
    """Log in, detect flavour and version, and probe every endpoint the scan would use."""
    async with http_client(settings) as http, controller_client(settings, http) as client:
        collector = Collector(client, now=now, lookback=timedelta(hours=1))
        collection = await collector.collect()
        snapshot = collection.snapshot
        sites = tuple(site.get("name", "?") for site in await client.sites())
        base_url = f"https://{settings.host}:{client.port}"
    endpoints = tuple(
        (probe.name, "ok" if probe.ok else probe.detail or f"answered {probe.status}")
        for probe in collection.probes
    )
    return CheckResult(
        base_url=base_url,
        flavour=snapshot.controller.flavour.value,
        version=snapshot.controller.version,
        sites=sites,
        endpoints=endpoints,
        ok=any(probe.ok for probe in collection.probes),
    )
