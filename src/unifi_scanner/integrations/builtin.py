"""The built-in integrations: the one hard-coded list (no plugin discovery).

Each built-in lives in its own package (``cloudflare/``, ``cybersecure/``); add its class here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from unifi_scanner.integrations.cloudflare import CloudflareIntegration
from unifi_scanner.integrations.cybersecure import CyberSecureEnricher
from unifi_scanner.integrations.threatintel import ThreatIntelEnricher

if TYPE_CHECKING:
    from unifi_scanner.integrations.registry import IntegrationClass

__all__ = ["BUILTIN_INTEGRATIONS"]

BUILTIN_INTEGRATIONS: Final[tuple[IntegrationClass, ...]] = (
    CloudflareIntegration,
    CyberSecureEnricher,
    ThreatIntelEnricher,
)
