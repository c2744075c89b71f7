"""CyberSecure: the protection the gateway really has, and what enhanced signatures caught.

An enricher (it runs after analysis on the scan's own IPS settings and alerts; no credentials,
no network). See ``docs/integrations/cybersecure.md``.
"""

from __future__ import annotations

from unifi_scanner.integrations.cybersecure.integration import BADGE, NAME, CyberSecureEnricher
from unifi_scanner.integrations.cybersecure.protection import Protection, protection_findings, read
from unifi_scanner.integrations.cybersecure.render import CyberSecureSectionRenderer
from unifi_scanner.integrations.cybersecure.signatures import SignatureSource, source_of

__all__ = [
    "BADGE",
    "NAME",
    "CyberSecureEnricher",
    "CyberSecureSectionRenderer",
    "Protection",
    "SignatureSource",
    "protection_findings",
    "read",
    "source_of",
]
