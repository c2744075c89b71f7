"""The v2 system-log keys of Network 9/10 (and the Alarm Manager's, which are the same names).

Each name (its version suffix ``_2``/``_V2``/``_V3`` removed) has an action from
:mod:`.actions` and a family. A name with ``classic=True`` is rewritten by the normaliser to its
classic twin ``EVT_<family>_<action>`` (``{D}``: the family comes from the device's model), so
the rules see one vocabulary; the others keep their v2 key. Keys starting with one of
:data:`V2_PREFIXES` are understood by their prefix (``THREAT_BLOCKED_KNOWN_SOURCE_CLIENT``), so
a new suffix needs no code change. Sources and confidence: ``docs/v2-system-log.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["V2_NAMES", "V2_PREFIXES", "V2Name", "bare_name"]

DEVICE_FAMILY: Final = "{D}"


@dataclass(frozen=True, slots=True, kw_only=True)
class V2Name:
    """One v2 system-log name.

    Attributes:
        name: the name without its version suffix (``CLIENT_ROAMED``).
        action: the action it means (an :data:`~.actions.ACTIONS` name).
        family: the family code, or ``{D}``: from the device's model.
        classic: the normaliser rewrites the key to ``EVT_<family>_<action>``.
        confidence: ``verified`` (captured rows), ``seen`` (the name on a live controller),
            ``fixture`` (a test fixture of another project) or ``unverified`` (no public source:
            the simulator's own name).
        source: the references of ``docs/v2-system-log.md``.
    """

    name: str
    action: str
    family: str
    classic: bool = False
    confidence: str = "seen"
    source: str = ""


def _twin(name: str, family: str, action: str, confidence: str, source: str) -> V2Name:
    return V2Name(
        name=name, action=action, family=family, classic=True, confidence=confidence, source=source
    )


def _own(name: str, family: str, action: str, confidence: str, source: str) -> V2Name:
    return V2Name(name=name, action=action, family=family, confidence=confidence, source=source)


_D = DEVICE_FAMILY

V2_NAMES: Final[Mapping[str, V2Name]] = MappingProxyType(
    {
        n.name: n
        for n in (
            # Clients: rows captured from Network 9/10 controllers.
            _twin("CLIENT_CONNECTED_WIRELESS", "WU", "Connected", "verified", "S4, S5, R1"),
            _twin("CLIENT_DISCONNECTED_WIRELESS", "WU", "Disconnected", "verified", "S5, R1, R8"),
            _twin("CLIENT_ROAMED", "WU", "Roam", "verified", "S3, S4, S5"),
            _twin("CLIENT_CONNECTED_WIRED", "LU", "Connected", "verified", "S5, R8"),
            _twin("CLIENT_DISCONNECTED_WIRED", "LU", "Disconnected", "verified", "S4, S5, R1"),
            _own("CLIENT_IP_CONFLICT", "LU", "IpConflict", "seen", "S8, R8"),
            _own("CLIENT_IP_CONFLICT_BULK", "LU", "IpConflict", "seen", "S8"),
            # UniFi devices.
            _twin("DEVICE_UNREACHABLE", _D, "Lost_Contact", "seen", "S8, R8"),
            _twin("DEVICE_UNREACHABLE_WITH_DOWNLINKS", _D, "Lost_Contact", "seen", "S8"),
            _twin("DEVICE_RECONNECTED", _D, "Connected", "seen", "S8"),
            _twin("DEVICE_RECONNECTED_WITH_DOWNLINKS", _D, "Connected", "seen", "S8"),
            _own("DEVICE_RECONNECTED_SEVERAL_TIMES", _D, "ReconnectedSeveralTimes", "seen", "S8"),
            _twin("DEVICE_ADOPTED", _D, "Adopted", "seen", "S8"),
            _twin("DEVICE_DISCOVERED", _D, "DiscoveredPending", "seen", "S8"),
            _twin("ROGUE_AP_DETECTED", "AP", "DetectRogueAP", "fixture", "S9"),
            _own("PORT_TRANSMISSION_ERRORS", "SW", "PortTransmissionErrors", "seen", "S8"),
            _own("AP_CLIENT_PACKET_LOSS", "AP", "ClientPacketLoss", "seen", "S5"),
            # The simulator's own names: no public source shows these entries.
            _twin("DEVICE_RESTARTED", _D, "RestartedUnknown", "unverified", "-"),
            _twin("DEVICE_UPDATED", _D, "Upgraded", "unverified", "-"),
            _twin("DEVICE_UPGRADED", _D, "Upgraded", "unverified", "-"),
            _twin("POE_BUDGET_EXCEEDED", "SW", "PoeOverload", "unverified", "-"),
            # Internet and WAN.
            _own("NETWORK_WAN_FAILED", "GW", "WanFailed", "verified", "S8, R5, R12"),
            _own("NETWORK_WAN_FAILED_TEMPORARY", "GW", "WanFailedTemporary", "seen", "R5, R6"),
            _own("NETWORK_WAN_FAILED_MULTIPLE_TIMES", "GW", "WanFailedMultipleTimes", "seen", "S8, R5, R12"),
            _own("NETWORK_FAILED_OVER_TO_BACKUP_WAN", "GW", "FailedOverToBackup", "seen", "R5, R6"),
            _own("NETWORK_FAILED_OVER_TO_BACKUP_WAN_TEMPORARY", "GW", "FailedOverToBackup", "verified", "R5"),
            _own("NETWORK_FAILED_OVER_TO_BACKUP_LTE", "GW", "FailedOverToBackup", "seen", "S8"),
            _own("NETWORK_WAN_RESTORED", "GW", "WanRestored", "seen", "R5, R6, R12"),
            _own("NETWORK_RETURNED_FROM_BACKUP_WAN", "GW", "ReturnedFromBackup", "seen", "S8"),
            _own("NETWORK_RETURNED_FROM_BACKUP_LTE", "GW", "ReturnedFromBackup", "seen", "S8"),
            _own("ISP_HIGH_LATENCY", "GW", "IspHighLatency", "seen", "S8, R13"),
            _own("ISP_PACKET_LOSS", "GW", "IspPacketLoss", "seen", "S8, R12, R13"),
            _own("ULTE_WARNING_LIMIT_EXCEEDED", "LTE", "DataLimitWarning", "seen", "S8"),
            _own("RADIUS_SERVER_ISSUE", "AD", "RadiusServerIssue", "seen", "S8"),
            # Admins.
            _own("ADMIN_ACCESS", "AD", "AdminAccess", "verified", "S4, S9, R1"),
            _own("MADE_CHANGES_ONE_SETTING_OBJECT", "AD", "SettingsChanged", "fixture", "R8"),
            # Security: the documented keys (their prefixes cover new suffixes).
            _own("THREAT_BLOCKED", "IPS", "IpsAlert", "verified", "S6, S7, R1, R4"),
            _own("THREAT_BLOCKED_KNOWN_SOURCE_CLIENT", "IPS", "IpsAlert", "verified", "S7, R2, R4"),
            _own("THREAT_BLOCKED_KNOWN_DESTINATION_CLIENT", "IPS", "IpsAlert", "verified", "R3"),
            _own("THREAT_BLOCKED_KNOWN_SOURCE_AND_DESTINATION_CLIENTS", "IPS", "IpsAlert", "seen", "S7"),
            _own("THREAT_DETECTED", "IPS", "IpsAlert", "seen", "R7"),
            _own("THREAT_DETECTED_KNOWN_SOURCE_CLIENT", "IPS", "IpsAlert", "fixture", "R7"),
            _own("TRAFFIC_BLOCKED_KNOWN_SOURCE_CLIENT", "IPS", "TrafficBlocked", "seen", "S7, R7"),
            _own("TRAFFIC_BLOCKED_KNOWN_SOURCE_DEVICE", "IPS", "TrafficBlocked", "verified", "S7, R4"),
            _own("HONEYPOT_HIT_DETECTED_KNOWN_CLIENT", "IPS", "HoneypotHit", "verified", "R1"),
        )
    }
)  # fmt: skip
"""Every v2 system-log name public sources document, by name without its version suffix."""

V2_PREFIXES: Final[Mapping[str, V2Name]] = MappingProxyType(
    {
        "THREAT_": V2_NAMES["THREAT_BLOCKED"],
        "TRAFFIC_BLOCKED_": V2_NAMES["TRAFFIC_BLOCKED_KNOWN_SOURCE_CLIENT"],
        "HONEYPOT_": V2_NAMES["HONEYPOT_HIT_DETECTED_KNOWN_CLIENT"],
    }
)
"""Families of v2 names recognised by their prefix."""

_VERSION: Final = re.compile(r"_V?\d+$")


def bare_name(key: str) -> str:
    """A v2 key without its version suffix (``CLIENT_ROAMED_2`` → ``CLIENT_ROAMED``)."""
    return _VERSION.sub("", key)
