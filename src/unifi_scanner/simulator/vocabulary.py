"""The simulator's own event vocabulary: every classic key it can send, and how it writes it.

This is the simulator's data, written from ``../shared/docs/UNIFI_API.md``, the controller's
event catalogue and real events quoted in public issue threads (never from the client's tables:
the simulator is the oracle the client is tested against). A test compares every message
format here with the catalogue's template for the key.

A message format uses ``{S}`` for the subject as the controller writes it (``Switch[<mac>]``),
``{M}`` for the subject's bare MAC and ``{param}`` for the key's parameters. Where real
controllers write differently from the catalogue, real events win (see :data:`REAL_DEVIATIONS`).
"""

from __future__ import annotations

import string
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ALSO_GATEWAY",
    "DEFAULTS",
    "DEVICE_SUBJECTS",
    "FAMILY_TYPES",
    "KEYS",
    "REAL_DEVIATIONS",
    "message_format",
    "parameters",
]

DEVICE_SUBJECTS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "AP": ("ap", "AP[{mac}]"),
        "SW": ("sw", "Switch[{mac}]"),
        "GW": ("gw", "Gateway[{mac}]"),
        "XG": ("xg", "Gateway[{mac}]"),  # real UXG events say Gateway[…], not NeXt-Gen Gateway
        "DM": ("dm", "{mac}"),  # real console events start with the bare MAC
        "BB": ("bb", "Bridge [{mac}]"),
        "LTE": ("lte", "UniFi LTE[{mac}]"),
        "USP": ("sw", "Plug {mac}"),  # a real RPS event names the power supply in sw/sw_name
    }
)
"""Device family → (the field that carries the device's MAC, how messages write it)."""

ALSO_GATEWAY: Final = frozenset({"DM", "XG"})
"""Families whose events also name the device in ``gw``/``gw_displayName`` (real events do)."""

FAMILY_TYPES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "AP": ("uap", "udm"),
        "SW": ("usw",),
        "GW": ("ugw", "udm", "uxg"),
        "XG": ("uxg",),
        "DM": ("udm", "uck"),
        "BB": ("ubb",),
        "LTE": ("ulte",),
        "USP": ("usw",),  # smart power devices report as switches (USP-PDU-Pro, USP-RPS)
    }
)
"""Device family → the ``stat/device`` types whose events use it (a console's built-in AP and
its gateway part send AP and GW events)."""

# Action → message format, shared by every device family that has the action.
_DEVICE_MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Adopted": "{S} was adopted by {admin}",
        "AutoReadopted": "{S} was automatically readopted",
        "Configured": "{S} was configured",
        "Connected": "{S} was connected",
        "Deleted": "{S} was deleted by {admin}",
        "DiscoveredPending": "{S} was discovered and waiting for adoption",
        "RediscoveredPending": "{S} was rediscovered and waiting for adoption",
        "Lost_Contact": "{S} was disconnected",
        "Restarted": "{S} was restarted by {admin}",
        "RestartedUnknown": "{S} was restarted",
        "RestartProc": "{S} {proc} exited with code {exit_status} and restarted by {caller}",
        "Upgraded": '{S} was upgraded from "{version_from}" to "{version_to}"',
        "UpgradeScheduled": "{S} was scheduled for update by {admin}",
        "UpgradeFailed": "{S} upgrade failed",
        "FirmwareCheckFailed": "{S} update failed: firmware check failed (error: {rc})",
        "FirmwareDownloadFailed": (
            "{S} update failed: download failed (error: curl:{curl_rc}, http:{http_rc})"
        ),
        "HostKeyMismatch": "{S} failed SSH host key verification",
        "CommitError": "{S} configuration commit error. Error message: {commit_errors}",
        "LicenseChanged": "{S} license has changed to {license}",
        "LicenseInvalid": "{S} has invalid license",
        "LicenseValid": "{S} has valid license",
        "EliteDeviceChanged": "{S} Elite License has been updated",
        "EliteDeviceRevoke": "{S} Elite License was revoked",
        "EliteDeviceOffline": "{S} is offline more than 8h",
        "Isolated": "{S} became isolated",
        "ChannelChanged": '{S} changed the channel from "{channel_from}" to "{channel_to}"',
        "PossibleInterference": "{S} was encountering some interference on channel {channel}",
        "RadarDetected": "{S} detected radar on channel {radar_channel} ({freq} MHz)",
        "RollUpgrade": "Rolling Update has been triggered by {admin}",
        "LinkRadioChanged": '{S} changed the radio from  "{radio_from}" to "{radio_to}"',
        "LoopDetected": "{S} loop detected on port {port}",
        "Overheat": "{S} is overheating",
        "PoeOverload": "{S} PoE is overloading on port {port}",
        "PoeDisconnect": "{S} PoE disconnected on port {port}",
        "StpPortBlocking": "{S} port {port} blocked by STP protocol",
        "DetectRogueDHCP": "{S} detected rogue DHCP server {ip} [{mac}] on port {port} VLAN {vlan}",
        "DetectRogueAP": "Rogue Access Point {essid} [{mac}] was detected",
        "WANTransition": "{S} WAN iface [{iface}] transition to state [{state}]",
        "OutletPowerCycle": "{S} - outlet {outlet} has been restarted",
        "DhcpPoolExhausted": (
            '{M} DHCP pool for Network "{network_name}" is exhausted, turn on auto-scaling to '
            "resolve this issue"
        ),
        "DhcpPoolNearExhausted": (
            '{M} DHCP pool for Network "{network_name}" is nearing exhaustion, turn on '
            "auto-scaling to resolve this issue"
        ),
        "NetworkAutoScaled": '{M} Network "{network_name}" has been auto-scaled',
        "NetworkAutoScaleFailed": (
            '{M} DHCP pool for Network "{network_name}" is exhausted but couldn’t be auto-scaled '  # noqa: RUF001 - the controller's own apostrophe
            "due to conflicting {reason}"
        ),
        # No template in the catalogue: the simulator's own wording.
        "IpReputationAlert": "{S} IP reputation alert",
        "IPSUpdateError": "{S} could not update its IPS signatures",
        "ARPCacheTimeoutNoDevice": "{S} suggests changing the ARP cache timeout",
        "MinRateNGAutoOptimized": "{S} optimised its 2.4 GHz minimum data rate",
        # Wi-Fi optimisation notices (the access point that raised them is in ap/ap_name).
        "MulticastBlockNoDevice": (
            'Enable multicast blocking for SSID "{ssid}" and add your network\'s router to the '
            "excepted devices list"
        ),
        "MulticastBlockAutoEnabled": 'Multicast blocking for SSID "{ssid}" was automatically enabled',
        "No2GHzByOuiAutoEnabled": (
            'Connecting high performance clients to 5 GHz only for SSID "{ssid}" was '
            "automatically enabled"
        ),
        "PlanFinished": "{trigger}: plan {radio} {action}: {fitness_before} => {fitness_after} Mbit/s",
        "WiFiUXIncreased": "{trigger}: WiFi Experience increased from {wifi_ux_before} to {wifi_ux_after}",
    }
)

# Keys whose message is their own (not the family's action format).
_KEY_MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "EVT_AP_RestartedUnknown": "{S} was restarted ({duration} connected, {num_sta} clients)",
        "EVT_BB_RestartedUnknown": "{S} was restarted ({duration} connected, {num_sta} clients)",
        "EVT_BB_FirmwareCheckFailed": "Bridge[{M}] update failed: firmware check failed (error: {rc})",
        "EVT_LTE_ConnectedToLte": "[{M}] is connected to UniFi LTE",
        "EVT_LTE_NotConnectedToLte": "[{M}] is not connected to UniFi LTE",
        "EVT_LTE_NotConnectedToLte_Alert": "[{M}] is not connected to UniFi LTE",
        "EVT_LTE_RegisteredToLte": "[{M}] is registered to UniFi LTE",
        "EVT_LTE_NotRegisteredToLte": "[{M}] is not registered to UniFi LTE",
        "EVT_LTE_NotRegisteredToLte_Alert": "[{M}] is not registered to UniFi LTE",
        "EVT_LTE_HardLimitUsed": (
            "UniFi LTE[{dev}] has exceeded its {softlimit} LTE data limit by {excess}. It has "
            "{hard_data_left} left before being disabled for this billing period. This limit can "
            "be increased in the device configuration panel."
        ),
        "EVT_LTE_HardLimitCutoff": (
            "UniFi LTE[{dev}] has exceeded its {softlimit} LTE data limit by {excess}. It has "
            "reached the cutoff limit and has been disabled for the rest of this billing period. "
            "To re-enable this device, increase the data limit in the device configuration panel."
        ),
        "EVT_LTE_Threshold": (
            "UniFi LTE[{dev}] has used {used} of {softlimit} LTE data for the billing period. "
            "This limit can be adjusted in the device configuration panel."
        ),
        "EVT_USP_RpsPortPowerDelivering": (
            "RPS is delivering power on port {port}. Connected device has internal power supply "
            "failure or loss of an AC"
        ),
        "EVT_USP_RpsOutOfBudget": (
            "RPS out of power budget. Available power is less than required power on the port "
            "{port}"
        ),
        "EVT_USP_RpsPortOverload": "RPS is overloading or short circuit on port {port}",
        "EVT_USP_RpsPowerDeniedByPsuOverload": "RPS is denied power by PSU overloading on port {port}",
        "EVT_USP_RpsPortErrorBlocked": "RPS blocked port {port} by critical error",
        "EVT_USP_OutletPowerCycle": "Plug {ap} - outlet {outlet} has been restarted",
        "EVT_CF_VwireSet": "Wireless uplink is configured between AP[{ap_from}] and AP[{ap_to}]",
        "EVT_CF_VwireUnset": "Wireless uplink between AP[{ap_from}] and AP[{ap_to}] is disconnected",
        "EVT_AD_AutoBackupFailedCloudKeySDCardNotFound": (
            "Auto backup is skipped because SD card is not installed"
        ),
        "EVT_AD_GuestAuthorizedFor": "Guest[{guest}] is authorized by {admin} for {minutes} minutes",
        "EVT_AD_GuestExtended": "Guest[{guest}]'s authorization is extended by {admin}",
        "EVT_AD_GuestUnauthorized": "Guest[{guest}] is unauthorized by {admin}",
        "EVT_AD_HDUsableSpace": (
            "The UniFi Controller data partition is nearly full. Only {usable_bytes} of "
            "{total_bytes} free"
        ),
        "EVT_AD_HotspotOpLogin": "Hotspot operator {admin} log in",
        "EVT_AD_Login": "Admin {admin} log in from {ip}",
        "EVT_AD_LoginFailed": "Admin {admin} login failed",
        "EVT_AD_MicroSDUsableSpace": (
            "The UniFi Controller Micro SD card nearly full. Only {usable_bytes} of {total_bytes} "
            "free"
        ),
        "EVT_AD_PaymentRefunded": "Payment from {name}, ${amount}, is refunded by {admin}",
        "EVT_AD_UpdateAvailable": "A new version ({version}) of UniFi Controller is available",
        "EVT_AD_VoucherCreated": "{admin} created {num} {use} voucher(s)",
        "EVT_AD_VoucherDeleted": "Voucher[{code}] was deleted",
        "EVT_AD_VouchersDeleted": "{count} vouchers were deleted",
        "EVT_AD_ScheduleUpgradeFailedNotFound": "Device {mac} not found for firmware upgrade",
        "EVT_HS_AuthedByNoAuth": "Guest[{guest}] is authorized by no authentication",
        "EVT_HS_AuthedByPassword": "Guest[{guest}] is authorized by password",
        "EVT_HS_PaymentProcessed": (
            "Payment from Guest[{guest}] ({name}), ${amount} is processed through {method}"
        ),
        "EVT_HS_VoucherUsed": "Voucher[{code}] was used by Guest[{guest}]",
        "EVT_WC_Blocked": "Client[{client}] is blocked by {admin}",
        "EVT_WC_Unblocked": "Client[{client}] is unblocked by {admin}",
        "EVT_LC_Blocked": "Client[{client}] is blocked by {admin}",
        "EVT_LC_Unblocked": "Client[{client}] is unblocked by {admin}",
        "EVT_WG_AuthorizationEnded": "Guest[{guest}] has become unauthorized",
        "EVT_WG_AuthorizationEndedByQuota": "Guest[{guest}] has become unauthorized (quota reached)",
        "EVT_PA_IncorrectStreamConfiguration": "Incorrect scheduled stream configuration {name}",
        "EVT_PA_ScheduledStreamFailed": "Scheduled task {name} failed",
        "EVT_PA_StreamSkippedDevices": "Stream {name} skipped devices: {devices}",
    }
)

REAL_DEVIATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Upgraded": "real events say 'was upgraded from' where the catalogue says 'was updated from'",
        "XG": "real UXG events write the gateway as Gateway[…], the catalogue NeXt-Gen Gateway[…]",
        "EVT_AD_VouchersDeleted": "the catalogue's template is an ICU plural; controllers send the rendered text",
    }
)
"""Where the simulator follows real events rather than the catalogue's templates."""

_LIFE: Final = (
    "Adopted", "AutoReadopted", "Connected", "Deleted", "DiscoveredPending", "Lost_Contact",
    "Restarted", "RestartedUnknown", "RestartProc", "Upgraded", "UpgradeScheduled",
    "FirmwareCheckFailed", "FirmwareDownloadFailed", "HostKeyMismatch",
)  # fmt: skip
_LICENCE: Final = (
    "EliteDeviceChanged", "EliteDeviceRevoke", "EliteDeviceOffline",
    "LicenseChanged", "LicenseInvalid", "LicenseValid",
)  # fmt: skip

KEYS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "AP": (
            *_LIFE, *_LICENCE, "ARPCacheTimeoutNoDevice", "ChannelChanged", "Configured",
            "DetectRogueAP", "Isolated", "MulticastBlockNoDevice", "MinRateNGAutoOptimized",
            "MulticastBlockAutoEnabled", "No2GHzByOuiAutoEnabled", "PossibleInterference",
            "RadarDetected", "RediscoveredPending", "RollUpgrade", "PlanFinished",
            "WiFiUXIncreased", "UpgradeFailed",
        ),
        "SW": (
            *_LIFE, *_LICENCE, "DetectRogueDHCP", "LoopDetected", "Overheat", "PoeOverload",
            "PoeDisconnect", "StpPortBlocking",
        ),
        "GW": (
            *_LIFE, *_LICENCE, "CommitError", "DhcpPoolExhausted", "DhcpPoolNearExhausted",
            "IpReputationAlert", "IPSUpdateError", "NetworkAutoScaled", "NetworkAutoScaleFailed",
            "WANTransition",
        ),
        "XG": (
            "Adopted", "AutoReadopted", "CommitError", "Connected", "Deleted", "DiscoveredPending",
            "Lost_Contact", "OutletPowerCycle", "RestartedUnknown", "Upgraded", "UpgradeScheduled",
        ),
        "DM": (
            "CommitError", "Connected", "Lost_Contact", "RestartedUnknown", "Upgraded",
            "UpgradeScheduled",
        ),
        "BB": (
            *_LIFE, "RediscoveredPending", "Configured", "ChannelChanged", "PossibleInterference",
            "RollUpgrade", "LicenseChanged", "LinkRadioChanged",
        ),
        "LTE": (
            "ConnectedToLte", "NotConnectedToLte", "NotConnectedToLte_Alert", "RegisteredToLte",
            "NotRegisteredToLte", "NotRegisteredToLte_Alert", "Adopted", "AutoReadopted",
            "Connected", "DiscoveredPending", "Deleted", "HardLimitUsed", "HardLimitCutoff",
            "Threshold",
        ),
        "USP": (
            "RpsPortPowerDelivering", "RpsOutOfBudget", "RpsPortOverload",
            "RpsPowerDeniedByPsuOverload", "RpsPortErrorBlocked", "OutletPowerCycle",
        ),
        "CF": ("VwireSet", "VwireUnset"),
        "AD": (
            "AutoBackupFailedCloudKeySDCardNotFound", "GuestAuthorizedFor", "GuestExtended",
            "GuestUnauthorized", "HDUsableSpace", "HotspotOpLogin", "Login", "LoginFailed",
            "MicroSDUsableSpace", "PaymentRefunded", "UpdateAvailable", "VoucherCreated",
            "VoucherDeleted", "VouchersDeleted", "ScheduleUpgradeFailedNotFound",
        ),
        "HS": ("AuthedByNoAuth", "AuthedByPassword", "PaymentProcessed", "VoucherUsed"),
        "WC": ("Blocked", "Unblocked"),
        "LC": ("Blocked", "Unblocked"),
        "WU": ("Connected", "Disconnected", "Roam", "RoamRadio"),
        "WG": (
            "AuthorizationEnded", "AuthorizationEndedByQuota", "Connected", "Disconnected", "Roam",
            "RoamRadio",
        ),
        "LU": ("Connected", "Disconnected"),
        "LG": ("Connected", "Disconnected"),
        "PA": ("IncorrectStreamConfiguration", "ScheduledStreamFailed", "StreamSkippedDevices"),
        "IPS": ("IpsAlert",),
    }
)  # fmt: skip
"""Every classic key the simulator sends, by family (the catalogue's and a few seen live)."""

DEFAULTS: Final[Mapping[str, object]] = MappingProxyType(
    {
        "admin": "Admin[admin]",
        "proc": "hostapd",
        "exit_status": "139",
        "caller": "init",
        "version_from": "6.6.55.15189",
        "version_to": "6.6.65.15248",
        "rc": "2",
        "curl_rc": "28",
        "http_rc": "0",
        "commit_errors": "invalid configuration",
        "license": "Elite",
        "channel_from": "36",
        "channel_to": "44",
        "channel": "44",
        "radar_channel": "52",
        "freq": "5260",
        "radio_from": "5GHz",
        "radio_to": "60GHz",
        "port": 8,
        "ip": "192.168.1.250",
        "mac": "02:00:5e:66:00:01",
        "vlan": 1,
        "essid": "Free-WiFi",
        "iface": "eth9",
        "state": "active",
        "outlet": 1,
        "network_name": "Guests",
        "reason": "subnet",
        "ssid": "Office",
        "trigger": "Scheduled",
        "radio": "5G",
        "action": "applied",
        "fitness_before": "410",
        "fitness_after": "465",
        "wifi_ux_before": "78",
        "wifi_ux_after": "91",
        "duration": "6h 12m",
        "num_sta": "14",
        "softlimit": "10 GB",
        "excess": "1.2 GB",
        "hard_data_left": "2 GB",
        "used": "9.1 GB",
        "minutes": "480",
        "name": "Opening announcement",
        "amount": "5",
        "method": "card",
        "code": "4821937365",
        "num": "1",
        "use": "single-use",
        "count": "3",
        "version": "9.0.114",
        "usable_bytes": "1.2 GB",
        "total_bytes": "32 GB",
        "devices": "Speaker-Hall",
    }
)
"""A value for every parameter a message uses; a scenario's event spec overrides any of them."""

_FORMATTER: Final = string.Formatter()


def message_format(key: str) -> str | None:
    """The message format of a classic key.

    ``None`` for a key the simulator writes elsewhere (client connections and roams, IPS alerts).
    """
    if key in _KEY_MESSAGES:
        return _KEY_MESSAGES[key]
    family, _, action = key[4:].partition("_")
    if family in DEVICE_SUBJECTS or family == "CF":
        return _DEVICE_MESSAGES.get(action)
    return None


def parameters(key: str) -> tuple[str, ...]:
    """The parameters a key's message uses, besides its subject (``S``/``M``)."""
    text = message_format(key)
    if text is None:
        return ()
    names = (name for _, name, _, _ in _FORMATTER.parse(text) if name)
    return tuple(dict.fromkeys(n for n in names if n not in {"S", "M"}))
