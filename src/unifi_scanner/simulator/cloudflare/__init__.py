"""The local Cloudflare API: accounts, zones, tunnels, WAF events and Gateway DNS over real HTTP.

Built from ``docs/INTEGRATIONS.md`` (§2) alone, like the simulated controller: it imports
nothing of ours but :mod:`unifi_scanner.errors` and the simulator's serving helpers. The
integration and its tests talk to it through the official ``cloudflare`` SDK.
"""

from __future__ import annotations

from unifi_scanner.simulator.cloudflare.config import (
    ACCOUNT_ANALYTICS_READ,
    ACCOUNT_SETTINGS_READ,
    CF_PERMISSIONS,
    CF_PLAN_LIMITS,
    CF_SCENARIOS,
    DEFAULT_CF_TOKEN,
    TUNNEL_READ,
    ZONE_ANALYTICS_READ,
    ZONE_READ,
    CloudflareConfig,
    CloudflareFaults,
    CloudflarePathFault,
    PlanLimits,
    TokenSpec,
)
from unifi_scanner.simulator.cloudflare.routes import API_PREFIX, CF_CONTROL_PREFIX
from unifi_scanner.simulator.cloudflare.server import CloudflareServer, create_cloudflare_app
from unifi_scanner.simulator.cloudflare.state import CloudflareState, parse_cloudflare_faults

__all__ = [
    "ACCOUNT_ANALYTICS_READ",
    "ACCOUNT_SETTINGS_READ",
    "API_PREFIX",
    "CF_CONTROL_PREFIX",
    "CF_PERMISSIONS",
    "CF_PLAN_LIMITS",
    "CF_SCENARIOS",
    "DEFAULT_CF_TOKEN",
    "TUNNEL_READ",
    "ZONE_ANALYTICS_READ",
    "ZONE_READ",
    "CloudflareConfig",
    "CloudflareFaults",
    "CloudflarePathFault",
    "CloudflareServer",
    "CloudflareState",
    "PlanLimits",
    "TokenSpec",
    "create_cloudflare_app",
    "parse_cloudflare_faults",
]
