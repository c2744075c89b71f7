"""The Cloudflare integration: WAF events, Zero Trust DNS blocks and tunnel health.

The model for every integration: settings in one section (``config.CloudflareSettings``), the
SDK loaded only when configured, errors classified in ``client``, one module per part, findings
computed from the section data, and a renderer of its own (``render``).
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final

from unifi_scanner.errors import IntegrationMisconfiguredError
from unifi_scanner.integrations.base import IntegrationResult
from unifi_scanner.integrations.cloudflare.client import (
    ACCOUNT_ANALYTICS,
    NAME,
    TUNNEL_READ,
    MissingPermissionError,
    open_api,
)
from unifi_scanner.integrations.cloudflare.discovery import discover
from unifi_scanner.integrations.cloudflare.dns import read_dns
from unifi_scanner.integrations.cloudflare.findings import findings_of, spikes
from unifi_scanner.integrations.cloudflare.render import CloudflareSectionRenderer
from unifi_scanner.integrations.cloudflare.tunnels import read_tunnels
from unifi_scanner.integrations.cloudflare.waf import MAX_ADDRESSES, WafTally, read_zone
from unifi_scanner.integrations.outcome import misconfigured_finding

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    import httpx

    from unifi_scanner.config import CloudflareSettings, Settings
    from unifi_scanner.integrations.base import FetchWindow
    from unifi_scanner.integrations.cloudflare.client import CloudflareApi
    from unifi_scanner.integrations.cloudflare.discovery import Scope

__all__ = ["CloudflareIntegration"]

_TOP: Final = 10
_MAX_ADDRESSES: Final = 200


class CloudflareIntegration:
    """Cloudflare's view of the edge: what its WAF stopped, what Gateway DNS blocked, tunnels.

    Args:
        settings: the scanner's settings (``settings.cloudflare`` is this one's section).
        transport: an httpx transport instead of the network (unit tests).
    """

    name: ClassVar[str] = NAME
    display_name: ClassVar[str] = "Cloudflare"
    section_renderer: ClassVar[CloudflareSectionRenderer] = CloudflareSectionRenderer()
    settle_s: ClassVar[float] = 300.0
    """Cloudflare's analytics show an event a few minutes late: windows end this long ago."""

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._section: CloudflareSettings | None = getattr(settings, "cloudflare", None)
        self._transport = transport
        if self.is_configured():
            # The SDK and the resources it loads lazily take ~0.8 s to import: do it now, not
            # inside the runner's loop watchdog (a synchronous step over 0.25 s fails the run).
            import cloudflare.resources.accounts  # noqa: PLC0415
            import cloudflare.resources.user  # noqa: PLC0415
            import cloudflare.resources.zero_trust  # noqa: PLC0415
            import cloudflare.resources.zones  # noqa: F401, PLC0415

    def is_configured(self) -> bool:
        """True when the section has an API token."""
        return self._section is not None and self._section.api_token is not None

    def validate_config(self) -> str | None:
        """Name what is missing when the section is only partly set."""
        section = self._section
        if section is None:
            return None
        if section.api_token is None:
            return (
                "Cloudflare: UNIFI_CLOUDFLARE_API_TOKEN (or UNIFI_CLOUDFLARE_API_TOKEN_FILE) is "
                "not set, though other Cloudflare settings are; the integration does not run"
            )
        if not (section.waf or section.dns or section.tunnels):
            return "Cloudflare: waf, dns and tunnels are all switched off; nothing to read"
        return None

    @property
    def settings(self) -> CloudflareSettings:
        """This integration's settings section (only when configured)."""
        if self._section is None:
            raise IntegrationMisconfiguredError("Cloudflare is not configured", integration=NAME)
        return self._section

    async def fetch(self, window: FetchWindow) -> IntegrationResult:
        """Read every enabled part for ``window``.

        A part the token may not read is left out with a finding that names the permission;
        when every part is refused, the whole section is.

        Args:
            window: the period to read.

        Returns:
            The section's data, findings and the outside addresses seen.

        Raises:
            IntegrationMisconfiguredError: the token is refused or may read nothing.
        """
        section = self.settings
        token = section.api_token.get_secret_value() if section.api_token else ""
        async with open_api(
            token,
            base_url=section.base_url,
            timeout_s=section.timeout_s,
            now=lambda: window.end + timedelta(seconds=self.settle_s),
            transport=self._transport,
        ) as api:
            scope = await discover(api, section)
            return await self._read(api, scope, window)

    async def _read(
        self, api: CloudflareApi, scope: Scope, window: FetchWindow
    ) -> IntegrationResult:
        section = self.settings
        tally = WafTally(section.max_events)
        data: dict[str, Any] = {
            "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
            "accounts": [account.name for account in scope.accounts],
            "notes": list(scope.notes),
        }
        refused: list[MissingPermissionError] = []
        parts: list[tuple[str, bool, Callable[[], Awaitable[dict[str, Any]]]]] = [
            ("tunnels", section.tunnels, lambda: read_tunnels(api, scope.accounts)),
            ("dns", section.dns, lambda: read_dns(api, scope.accounts, window)),
            ("waf", section.waf, lambda: self._waf(api, scope, window, tally)),
        ]
        for key, enabled, read in parts:
            if not enabled:
                data[key] = {"skipped": "switched off in the settings"}
                continue
            try:
                data[key] = await read()
            except MissingPermissionError as err:
                refused.append(err)
                data[key] = {"skipped": str(err)}
        problems = [str(err) for err in refused]
        blind = [] if scope.accounts else [key for key, on, _ in parts[:2] if on]
        if blind:
            problems.append(
                "the API token sees no Cloudflare account, so tunnels and Gateway DNS cannot be "
                f"read (they need {TUNNEL_READ} and {ACCOUNT_ANALYTICS} on the account)"
            )
        wanted = sum(1 for _, on, _ in parts if on)
        if problems and len(refused) + len(blind) == wanted:
            raise IntegrationMisconfiguredError(
                "Cloudflare: " + "; ".join(problems), integration=NAME
            )
        problems += [f"the zone {zone} is not visible to the API token" for zone in scope.missing]
        findings = list(findings_of(data, section))
        if problems:
            message = "Cloudflare: " + "; ".join(problems)
            error = IntegrationMisconfiguredError(message, integration=NAME)
            findings.append(misconfigured_finding(NAME, self.display_name, error))
        return IntegrationResult(
            name=NAME,
            success=not problems,
            data=data,
            error="; ".join(problems) if problems else None,
            findings=tuple(findings),
            addresses=_addresses(tally),
        )

    async def _waf(
        self, api: CloudflareApi, scope: Scope, window: FetchWindow, tally: WafTally
    ) -> dict[str, Any]:
        zones = [await read_zone(api, zone, window, tally) for zone in scope.zones]
        clients = heapq.nsmallest(
            _TOP,
            tally.clients.items(),
            key=lambda item: (-item[1].stopped, -item[1].total, item[0]),
        )
        return {
            "events": len(tally.seen),
            **{kind: tally.classes.get(kind, 0) for kind in _CLASSES},
            "zones": zones,
            "by_action": _top(tally.actions.most_common(_TOP), "action"),
            "by_source": _top(tally.sources.most_common(_TOP), "source"),
            "top_rules": [
                {
                    "rule": rule,
                    "description": tally.rule_names.get(rule) or None,
                    "source": source,
                    "count": count,
                }
                for (rule, source), count in tally.rules.most_common(_TOP)
            ],
            "top_sources": [
                {
                    "ip": ip,
                    "country": client.country,
                    "asn": client.asn,
                    "stopped": client.stopped,
                    "total": client.total,
                    "zones": dict(client.zones.most_common(5)),
                    "top_host": _first(client.hosts),
                    "top_path": _first(client.paths),
                }
                for ip, client in clients[:_TOP]
            ],
            "top_hosts": _top(tally.hosts.most_common(_TOP), "host"),
            "top_paths": [
                {"host": host, "path": path, "count": count}
                for (host, path), count in tally.paths.most_common(_TOP)
            ],
            "spikes": spikes(tally.hourly, _covered(zones), self.settings),
            "notes": [*tally.notes, *_unlisted(tally)],
        }


_CLASSES: Final = ("blocked", "challenged", "passed", "allowed", "logged")


def _top(items: list[tuple[str, int]], key: str) -> list[dict[str, Any]]:
    return [{key: name, "count": count} for name, count in items]


def _first(counter: Any) -> str | None:  # noqa: ANN401 (a Counter of str)
    common = counter.most_common(1)
    return str(common[0][0]) if common else None


def _unlisted(tally: WafTally) -> list[str]:
    if not tally.unlisted:
        return []
    return [
        (
            f"{tally.unlisted:,} events came from beyond the first {MAX_ADDRESSES:,} addresses: "
            "they are in the totals, not in the per-address counts"
        )
    ]


def _covered(zones: list[dict[str, Any]]) -> dict[str, tuple[datetime, datetime]]:
    """Each zone read completely, with its period (cut or refused zones are left out)."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for zone in zones:
        complete = not any("lower bound" in note for note in zone.get("notes") or [])
        if complete and zone.get("from") and zone.get("to"):
            spans[zone["name"]] = (
                datetime.fromisoformat(zone["from"]),
                datetime.fromisoformat(zone["to"]),
            )
    return spans


def _addresses(tally: WafTally) -> dict[str, str]:
    """The addresses whose requests Cloudflare stopped (only those: a visitor is no attacker)."""
    stopped = [(ip, c) for ip, c in tally.clients.items() if c.stopped]
    ranked = heapq.nlargest(_MAX_ADDRESSES, stopped, key=lambda item: item[1].stopped)
    lines: dict[str, str] = {}
    for ip, client in ranked:
        zones = ", ".join(client.zones)
        path = _first(client.paths)
        mostly = f" (mostly {path})" if path else ""
        lines[ip] = f"{client.stopped} requests to {zones} stopped by the WAF{mostly}"
    return lines
