"""The classic event keys the controller is known to send, per family (data only).

``CATALOGUE`` is the controller's own catalogue: every ``EVT_*`` key its web UI has a message
for (189 keys, from the UI's locale file). ``SEEN`` are keys real controllers sent that the
catalogue lacks (quoted in public issue threads). Each key is ``EVT_<family>_<action>``; how it
is treated comes from the action (:mod:`.actions`), so this list documents the vocabulary and
lets a test prove that every key is understood, while a key missing here is still understood
when its family and action are known.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["CATALOGUE", "CLASSIC_KEYS", "SEEN"]

_DEVICE_LIFE: Final = (
    "Adopted", "AutoReadopted", "Connected", "Deleted", "DiscoveredPending", "Lost_Contact",
    "Restarted", "RestartedUnknown", "RestartProc", "Upgraded", "UpgradeScheduled",
    "FirmwareCheckFailed", "FirmwareDownloadFailed", "HostKeyMismatch",
)  # fmt: skip
_LICENCES: Final = (
    "EliteDeviceChanged", "EliteDeviceRevoke", "EliteDeviceOffline",
    "LicenseChanged", "LicenseInvalid", "LicenseValid",
)  # fmt: skip

CATALOGUE: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "AD": (
            "AutoBackupFailedCloudKeySDCardNotFound", "GuestAuthorizedFor", "GuestExtended",
            "GuestUnauthorized", "HDUsableSpace", "HotspotOpLogin", "Login", "LoginFailed",
            "MicroSDUsableSpace", "PaymentRefunded", "UpdateAvailable", "VoucherCreated",
            "VoucherDeleted", "VouchersDeleted",
        ),
        "AP": (
            *_DEVICE_LIFE, *_LICENCES, "ARPCacheTimeoutNoDevice", "ChannelChanged", "Configured",
            "DetectRogueAP", "Isolated", "MulticastBlockNoDevice", "MinRateNGAutoOptimized",
            "MulticastBlockAutoEnabled", "No2GHzByOuiAutoEnabled", "PossibleInterference",
            "RadarDetected", "RediscoveredPending", "RollUpgrade", "PlanFinished", "WiFiUXIncreased",
        ),
        "BB": (
            *_DEVICE_LIFE, "RediscoveredPending", "Configured", "ChannelChanged",
            "PossibleInterference", "RollUpgrade", "LicenseChanged", "LinkRadioChanged",
        ),
        "CF": ("VwireSet", "VwireUnset"),
        "DM": (
            "CommitError", "Connected", "Lost_Contact", "RestartedUnknown", "Upgraded",
            "UpgradeScheduled",
        ),
        "GW": (
            *_DEVICE_LIFE, *_LICENCES, "CommitError", "DhcpPoolExhausted", "DhcpPoolNearExhausted",
            "IpReputationAlert", "IPSUpdateError", "NetworkAutoScaled", "NetworkAutoScaleFailed",
            "WANTransition",
        ),
        "HS": ("AuthedByNoAuth", "AuthedByPassword", "PaymentProcessed", "VoucherUsed"),
        "IPS": ("IpsAlert",),
        "LC": ("Blocked", "Unblocked"),
        "LG": ("Connected", "Disconnected"),
        "LTE": (
            "ConnectedToLte", "NotConnectedToLte", "NotConnectedToLte_Alert", "RegisteredToLte",
            "NotRegisteredToLte", "NotRegisteredToLte_Alert", "Adopted", "AutoReadopted",
            "Connected", "DiscoveredPending", "Deleted", "HardLimitUsed", "HardLimitCutoff",
            "Threshold",
        ),
        "LU": ("Connected", "Disconnected"),
        "PA": ("IncorrectStreamConfiguration", "ScheduledStreamFailed", "StreamSkippedDevices"),
        "SW": (
            *_DEVICE_LIFE, *_LICENCES, "DetectRogueDHCP", "LoopDetected", "Overheat",
            "PoeOverload", "PoeDisconnect", "StpPortBlocking",
        ),
        "USP": (
            "RpsPortPowerDelivering", "RpsOutOfBudget", "RpsPortOverload",
            "RpsPowerDeniedByPsuOverload", "RpsPortErrorBlocked", "OutletPowerCycle",
        ),
        "WC": ("Blocked", "Unblocked"),
        "WG": (
            "AuthorizationEnded", "AuthorizationEndedByQuota", "Connected", "Disconnected", "Roam",
            "RoamRadio",
        ),
        "WU": ("Connected", "Disconnected", "Roam", "RoamRadio"),
        "XG": (
            "Adopted", "AutoReadopted", "CommitError", "Connected", "Deleted", "DiscoveredPending",
            "Lost_Contact", "OutletPowerCycle", "RestartedUnknown", "Upgraded", "UpgradeScheduled",
        ),
    }
)  # fmt: skip
"""The controller's own event catalogue: family → its actions."""

SEEN: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "AP": ("UpgradeFailed",),  # home-assistant/core#96463
        "AD": ("ScheduleUpgradeFailedNotFound",),  # Kane610/aiounifi#234
    }
)
"""Keys real controllers sent that the catalogue lacks: family → actions."""

CLASSIC_KEYS: Final = tuple(
    f"EVT_{family}_{action}"
    for table in (CATALOGUE, SEEN)
    for family, actions in table.items()
    for action in actions
)
"""Every known classic key, catalogue first."""
