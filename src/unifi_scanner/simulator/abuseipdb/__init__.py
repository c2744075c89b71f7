"""A local AbuseIPDB API for the threat-intelligence integration's tests and the demo."""

from __future__ import annotations

from unifi_scanner.simulator.abuseipdb.server import (
    ABUSEIPDB_CONTROL_PREFIX,
    DEFAULT_ABUSEIPDB_KEY,
    AbuseIpdbConfig,
    AbuseIpdbFaults,
    AbuseIpdbServer,
    AbuseIpdbState,
    create_abuseipdb_app,
)

__all__ = [
    "ABUSEIPDB_CONTROL_PREFIX",
    "DEFAULT_ABUSEIPDB_KEY",
    "AbuseIpdbConfig",
    "AbuseIpdbFaults",
    "AbuseIpdbServer",
    "AbuseIpdbState",
    "create_abuseipdb_app",
]
