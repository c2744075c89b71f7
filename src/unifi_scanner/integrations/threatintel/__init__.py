"""Threat intelligence: the reputation of the scan's outside addresses (AbuseIPDB).

An enricher, configured by ``UNIFI_ABUSEIPDB_API_KEY``; see ``docs/integrations/threatintel.md``.
"""

from __future__ import annotations

from unifi_scanner.integrations.threatintel.client import NAME, AbuseIpdb, Reputation
from unifi_scanner.integrations.threatintel.integration import MAX_TRACKED, ThreatIntelEnricher
from unifi_scanner.integrations.threatintel.render import ThreatIntelSectionRenderer

__all__ = [
    "MAX_TRACKED",
    "NAME",
    "AbuseIpdb",
    "Reputation",
    "ThreatIntelEnricher",
    "ThreatIntelSectionRenderer",
]
