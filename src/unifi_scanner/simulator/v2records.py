"""Network 10 records: v2 ``system-log`` entries and ``traffic-flows`` IPS flows.

They are derived from the same classic events and IPS alerts, so both API generations describe
one site. Key names and entry shapes follow ``docs/v2-system-log.md``: client and threat entries
copy captured rows; ``DEVICE_RESTARTED``, ``DEVICE_UPDATED``, ``POE_BUDGET_EXCEEDED`` and
``THREAT_DETECTED_V3`` are the simulator's own (unverified) names.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from unifi_scanner.simulator.templates import JsonObject, object_id
from unifi_scanner.simulator.vocabulary import DEVICE_SUBJECTS, message_format

if TYPE_CHECKING:
    from unifi_scanner.simulator.events import Lookup

__all__ = [
    "SYSTEM_LOG_CATEGORIES",
    "SYSTEM_LOG_CLASSES",
    "build_flows",
    "build_system_log",
    "system_log_entry",
]

SYSTEM_LOG_CATEGORIES = frozenset(
    {
        "SECURITY",
        "UNIFI_DEVICES",
        "SOFTWARE_UPDATES",
        "VPN",
        "POWER",
        "UNIFI_ETHERNET_PORTS",
        "CLIENT_DEVICES",
        "UNKNOWN",
        "AUDIT",
        "INTERNET_AND_WAN",
    }
)

# class → the categories it shows (None = every category)
SYSTEM_LOG_CLASSES: dict[str, frozenset[str] | None] = {
    "all": None,
    "critical": None,
    "device-alert": frozenset(
        {"UNIFI_DEVICES", "POWER", "UNIFI_ETHERNET_PORTS", "INTERNET_AND_WAN"}
    ),
    "next-ai-alert": frozenset(),
    "vpn-alert": frozenset({"VPN"}),
    "admin-activity": frozenset({"AUDIT"}),
    "update-alert": frozenset({"SOFTWARE_UPDATES"}),
    "client-alert": frozenset({"CLIENT_DEVICES"}),
    "threat-alert": frozenset({"SECURITY"}),
    "triggers": frozenset(),
}

# Names and shapes follow docs/v2-system-log.md. Real entries carry the versioned name in `key`
# (CLIENT_ROAMED_2) and the bare one in `event` (CLIENT_ROAMED).
# classic suffix → (v2 key, category, severity, title, message with placeholders)
_DEVICE_KEYS: dict[str, tuple[str, str, str, str, str]] = {
    # DEVICE_UNREACHABLE / DEVICE_RECONNECTED: key names seen on live controllers; the
    # category, severity, title and message are this simulator's guesses.
    "Lost_Contact": (
        "DEVICE_UNREACHABLE",
        "UNIFI_DEVICES",
        "HIGH",
        "Device Unreachable",
        "{DEVICE} is unreachable.",
    ),
    "Connected": (
        "DEVICE_RECONNECTED",
        "UNIFI_DEVICES",
        "LOW",
        "Device Reconnected",
        "{DEVICE} reconnected.",
    ),
    # Unverified: no public source names these three; they are the simulator's own.
    "RestartedUnknown": (
        "DEVICE_RESTARTED",
        "UNIFI_DEVICES",
        "MEDIUM",
        "Device Restarted",
        "{DEVICE} restarted.",
    ),
    "Upgraded": (
        "DEVICE_UPDATED",
        "SOFTWARE_UPDATES",
        "LOW",
        "Device Updated",
        "{DEVICE} was updated from {VERSION_FROM} to {VERSION_TO}.",
    ),
    "PoeOverload": (
        "POE_BUDGET_EXCEEDED",
        "POWER",
        "HIGH",
        "PoE Overload",
        "{DEVICE} exceeded its PoE budget on port {PORT}.",
    ),
    # Key names seen on live controllers (no published payload); the rest is ours.
    "Adopted": (
        "DEVICE_ADOPTED",
        "UNIFI_DEVICES",
        "LOW",
        "Device Adopted",
        "{DEVICE} was adopted.",
    ),
    "DiscoveredPending": (
        "DEVICE_DISCOVERED",
        "UNIFI_DEVICES",
        "LOW",
        "Device Discovered",
        "{DEVICE} was discovered and is waiting for adoption.",
    ),
}
# A test fixture of another project shows this row (docs/v2-system-log.md, S9).
_ROGUE_AP = (
    "ROGUE_AP_DETECTED_V2",
    "UNIFI_DEVICES",
    "MEDIUM",
    "WiFi Impersonation Detected",
    (
        "{NEAREST_AP} detected a third-party AP broadcasting {ESSID} on channel {CHANNEL} with a "
        "signal strength of {RSSI}."
    ),
)
# Where no public source shows the v2 name of a classic key, the simulator sends the classic key
# itself (its own convention): the category by family.
_CATEGORY = {
    "AD": "AUDIT",
    "USP": "POWER",
    "LTE": "INTERNET_AND_WAN",
    "HS": "CLIENT_DEVICES",
    "WC": "CLIENT_DEVICES",
    "LC": "CLIENT_DEVICES",
    "WG": "CLIENT_DEVICES",
    "PA": "UNKNOWN",
}
_DEVICE_FIELDS = ("ap", "sw", "gw", "xg", "dm", "bb", "lte", "dev", "usp")
_PARAMETER_NAMES = {"S": "DEVICE", "M": "DEVICE"}
# Verified: key, event, category, subcategory, target, type, title and message templates are
# those of captured rows (the wired ones' subcategory is a guess).
_CLIENT_KEYS: dict[str, tuple[str, str, str, str]] = {
    "EVT_WU_Connected": (
        "CLIENT_CONNECTED_WIRELESS_2",
        "MONITORING_WIFI",
        "WiFi Client Connected",
        "{CLIENT} connected to {WLAN} on {DEVICE}.",
    ),
    "EVT_WU_Disconnected": (
        "CLIENT_DISCONNECTED_WIRELESS_2",
        "MONITORING_WIFI",
        "WiFi Client Disconnected",
        "{CLIENT} disconnected from {WLAN} on {DEVICE}.",
    ),
    "EVT_WU_Roam": (
        "CLIENT_ROAMED_2",
        "MONITORING_WIFI",
        "WiFi Client Roamed",
        "{CLIENT} roamed from {DEVICE_FROM} to {DEVICE_TO}.",
    ),
    "EVT_LU_Connected": (
        "CLIENT_CONNECTED_WIRED_2",
        "MONITORING_WIRED",
        "Wired Client Connected",
        "{CLIENT} connected to {NETWORK}.",
    ),
    "EVT_LU_Disconnected": (
        "CLIENT_DISCONNECTED_WIRED_2",
        "MONITORING_WIRED",
        "Wired Client Disconnected",
        "{CLIENT} disconnected from {NETWORK}.",
    ),
}
# Guests: no source shows a guest-specific v2 key, so they share the user ones.
_CLIENT_KEYS |= {
    "EVT_WG_Connected": _CLIENT_KEYS["EVT_WU_Connected"],
    "EVT_WG_Disconnected": _CLIENT_KEYS["EVT_WU_Disconnected"],
    "EVT_LG_Connected": _CLIENT_KEYS["EVT_LU_Connected"],
    "EVT_LG_Disconnected": _CLIENT_KEYS["EVT_LU_Disconnected"],
}
# The one device row a public source shows (a fixture) files devices under SYSTEM_DEVICES.
_DEVICE_SUBCATEGORY = "SYSTEM_DEVICES"
_SEVERITY = {1: "HIGH", 2: "MEDIUM", 3: "LOW"}
_FORMATTER = string.Formatter()
_RISK = {1: "high", 2: "medium", 3: "low"}


def _device_param(device: dict[str, Any]) -> JsonObject:
    return {
        "id": device["mac"],
        "name": device["name"],
        "ip": device["ip"],
        "model": device["model"],
    }


def _value(text: object) -> JsonObject:
    """A scalar parameter (``RADIO_BAND``, ``PORT``…): real entries wrap it as ``{"name": …}``."""
    return {"id": str(text), "name": str(text)}


def _event_name(v2_key: str) -> str:
    """The bare name real entries carry in ``event`` (``CLIENT_ROAMED_2`` → ``CLIENT_ROAMED``)."""
    head, _, tail = v2_key.rpartition("_")
    return head if head and tail.lstrip("V").isdigit() else v2_key


def _device_row(
    row: tuple[str, str, str, str, str], kind: str, parameters: JsonObject
) -> JsonObject:
    """A device entry from its (key, category, severity, title, message) row."""
    v2_key, category, severity, title, message = row
    return {
        "key": v2_key,
        "category": category,
        "subcategory": _DEVICE_SUBCATEGORY,
        "severity": severity,
        "target": "DEVICE",
        "type": kind,
        "title_raw": title,
        "message_raw": message,
        "parameters": parameters,
    }


def _device_entry(event: JsonObject, action: str, device: JsonObject) -> JsonObject:
    params: JsonObject = {"DEVICE": _device_param(device)}
    for name in ("version_from", "version_to", "port"):
        if name in event:
            params[name.upper()] = _value(event[name])
    return _device_row(_DEVICE_KEYS[action], "DEVICE_CONNECTION", params)


def _rogue_entry(event: JsonObject, device: JsonObject) -> JsonObject:
    params = {
        "NEAREST_AP": _device_param(device),
        "ESSID": _value(event.get("essid", "")),
        "MAC": _value(event.get("mac", "")),
        "CHANNEL": _value(event.get("channel", "44")),
        "RSSI": _value("-67 dBm"),
    }
    return _device_row(_ROGUE_AP, "ROGUE_ACCESS_POINT", params)


def _classic_entry(event: JsonObject, look: Lookup, device: JsonObject | None) -> JsonObject:
    """A classic key no public source gives a v2 name for: sent under its classic key.

    The message becomes a v2 template (``{DEVICE}``, ``{PORT}``…) with the key's parameters as
    v2 parameter objects, so an entry carries everything the classic event did.
    """
    key: str = event["key"]
    family = key[4:].partition("_")[0]
    params: JsonObject = {}
    if device is not None:
        params["DEVICE"] = _device_param(device)
    text = message_format(key)
    message = event.get("msg", key)
    if text is not None:
        names = [name for _, name, _, _ in _FORMATTER.parse(text) if name]
        message = text.format(**{n: "{" + _PARAMETER_NAMES.get(n, n.upper()) + "}" for n in names})
        for name in names:
            if name in _PARAMETER_NAMES or name not in event:
                continue
            mac = event[name]
            if name in _DEVICE_FIELDS or name in {"ap_from", "ap_to"}:
                other = look.device_by_mac.get(mac)
                params[name.upper()] = _device_param(other) if other else _value(mac)
            elif name in {"user", "guest", "client"} and mac in look.client_by_mac:
                params[name.upper()] = _client_param(look.client_by_mac[mac])
            else:
                params[name.upper()] = _value(event[name])
    category = "UNIFI_DEVICES" if device is not None else _CATEGORY.get(family, "UNKNOWN")
    return {
        "key": key,
        "category": category,
        "subcategory": _DEVICE_SUBCATEGORY if device is not None else "UNKNOWN",
        "severity": "HIGH" if event.get("is_negative") else "LOW",
        "target": "DEVICE" if device is not None else "SYSTEM",
        "type": "DEVICE_CONNECTION" if device is not None else "SYSTEM",
        "title_raw": key,
        "message_raw": message,
        "parameters": params,
    }


def _client_param(client: JsonObject) -> JsonObject:
    return {
        "id": client["mac"],
        "name": client["name"],
        "hostname": client["name"],
        "ip": client["ip"],
    }


def _client_entry(event: JsonObject, look: Lookup) -> JsonObject:
    v2_key, subcategory, title, message = _CLIENT_KEYS[event["key"]]
    client = look.client_by_mac[event.get("user") or event["guest"]]
    params: JsonObject = {"CLIENT": _client_param(client)}
    if "ap_from" in event:
        params["DEVICE_FROM"] = _device_param(look.device_by_mac[event["ap_from"]])
        params["DEVICE_TO"] = _device_param(look.device_by_mac[event["ap_to"]])
        params["PREVIOUS_RADIO_BAND"] = _value(event.get("radio_from", ""))
        params["RADIO_BAND"] = _value(event.get("radio_to", ""))
    if "ap" in event:
        params["DEVICE"] = _device_param(look.device_by_mac[event["ap"]])
    if "ssid" in event:
        params["WLAN"] = {"id": object_id("wlan", event["ssid"]), "name": event["ssid"]}
    if "network" in event:
        params["NETWORK"] = {"id": object_id("network", event["network"]), "name": event["network"]}
    return {
        "key": v2_key,
        "category": "CLIENT_DEVICES",
        "subcategory": subcategory,
        "severity": "LOW",
        "target": "CLIENT",
        "type": "CLIENT_CONNECTION",
        "title_raw": title,
        "message_raw": message,
        "parameters": params,
    }


def _event_device(event: JsonObject, look: Lookup) -> JsonObject | None:
    """The device a classic event is about.

    Its family's own field first (a console's ``dm`` before the ``gw`` it also carries), then
    any device field.
    """
    family = event["key"][4:].partition("_")[0]
    own = DEVICE_SUBJECTS[family][0] if family in DEVICE_SUBJECTS else None
    for field in (own, *_DEVICE_FIELDS):
        if field and field in event and event[field] in look.device_by_mac:
            device: JsonObject = look.device_by_mac[event[field]]
            return device
    return None


def _entry(event: JsonObject, look: Lookup) -> JsonObject:
    key: str = event["key"]
    action = key[4:].partition("_")[2]
    device = _event_device(event, look)
    fields: JsonObject
    if key in _CLIENT_KEYS:
        fields = _client_entry(event, look)
    elif device is not None and action in _DEVICE_KEYS:
        fields = _device_entry(event, action, device)
    elif device is not None and key == "EVT_AP_DetectRogueAP":
        fields = _rogue_entry(event, device)
    else:
        fields = _classic_entry(event, look, device)
    return {
        "id": object_id("system-log", event["_id"]),
        "event": _event_name(fields["key"]),
        "status": "NEW",
        "timestamp": event["time"],
        "show_on_dashboard": fields["severity"] in {"HIGH", "VERY_HIGH"},
        **fields,
    }


def _threat_entry(alert: JsonObject, look: Lookup) -> JsonObject:
    blocked = alert["inner_alert_action"] == "blocked"
    severity = _SEVERITY.get(alert["inner_alert_severity"], "LOW")
    gateway = look.gateway
    return {
        "id": object_id("system-log", alert["_id"]),
        # THREAT_BLOCKED_V3 is a real key; THREAT_DETECTED_V3 (detect-only mode) is unverified.
        "key": "THREAT_BLOCKED_V3" if blocked else "THREAT_DETECTED_V3",
        "category": "SECURITY",
        "subcategory": "SECURITY_INTRUSION_PREVENTION",
        "event": "THREAT_BLOCKED" if blocked else "THREAT_DETECTED",
        "severity": severity,
        "status": "NEW",
        "type": "THREAT_DETECTION_AND_PREVENTION",
        "target": "GATEWAY",
        "timestamp": alert["time"],
        "title_raw": "Threat Blocked" if blocked else "Threat Detected",
        "message_raw": "{SRC_IP} to {DST_IP}: {SIGNATURE}. Action by {DEVICE}.",
        "parameters": {
            "SRC_IP": {"id": alert["src_ip"], "name": alert["src_ip"], "ip": alert["src_ip"]},
            "DST_IP": {"id": alert["dest_ip"], "name": alert["dest_ip"], "ip": alert["dest_ip"]},
            "SIGNATURE": {
                "id": str(alert["inner_alert_signature_id"]),
                "name": alert["inner_alert_signature"],
            },
            "DEVICE": _device_param(gateway),
        },
        "show_on_dashboard": severity in {"HIGH", "VERY_HIGH"},
    }


def build_system_log(
    events: list[JsonObject], alerts: list[JsonObject], look: Lookup
) -> list[JsonObject]:
    """Build v2 ``system-log`` entries from the classic events and IPS alerts, newest first.

    Args:
        events: the scenario's classic (non-IPS) events.
        alerts: the scenario's IPS alerts.
        look: the scenario's devices and clients by name.

    Returns:
        Entries shaped like ``system-log/{class}`` items.
    """
    entries = [_entry(e, look) for e in events] + [_threat_entry(a, look) for a in alerts]
    return sorted(entries, key=lambda e: e["timestamp"], reverse=True)


def system_log_entry(record: JsonObject, look: Lookup) -> JsonObject:
    """The v2 ``system-log`` entry for one classic event or IPS alert.

    Args:
        record: a ``stat/event`` item (``EVT_IPS_IpsAlert`` items become ``THREAT_*_V3``).
        look: the scenario's devices and clients.

    Returns:
        The entry.
    """
    if record["key"] == "EVT_IPS_IpsAlert":
        return _threat_entry(record, look)
    return _entry(record, look)


def _endpoint(ip: str, port: int, mac: str, look: Lookup, region: str | bool) -> JsonObject:  # noqa: FBT001
    known = look.by_ip.get(ip)
    inside = known is not None
    return {
        "id": object_id("endpoint", ip),
        "ip": ip,
        "port": port,
        "mac": mac,
        "region": region if isinstance(region, str) else "",
        "client_name": known["name"] if known else "",
        "client_oui": known.get("oui", "") if known else "",
        "network_name": known.get("network", "Default") if known else "",
        "network_id": object_id("network", known.get("network", "Default")) if known else "",
        "zone_name": "Internal" if inside else "External",
        "zone_id": object_id("zone", "Internal" if inside else "External"),
    }


def build_flows(alerts: list[JsonObject], look: Lookup) -> list[JsonObject]:
    """Build v2 ``traffic-flows`` IPS flows from the IPS alerts, newest first.

    Args:
        alerts: the scenario's IPS alerts.
        look: the scenario's devices and clients by name.

    Returns:
        Flows with ``action``, ``risk``, ``direction``, ``source``/``destination`` and ``ips``.
    """
    flows = []
    for alert in alerts:
        outbound = alert["src_ip"] in look.by_ip
        severity = alert["inner_alert_severity"]
        flows.append(
            {
                "id": object_id("flow", alert["_id"]),
                "action": alert["inner_alert_action"],
                "risk": _RISK.get(severity, "low"),
                "direction": "outgoing" if outbound else "incoming",
                "protocol": alert["proto"],
                "service": alert["app_proto"].upper()
                if alert["app_proto"] != "failed"
                else "UNKNOWN",
                "time": alert["time"],
                "flow_start_time": alert["time"] - 1500,
                "count": 1,
                "policy_type": "INTRUSION_PREVENTION",
                "source": _endpoint(
                    alert["src_ip"],
                    alert["src_port"],
                    alert["src_mac"],
                    look,
                    alert["srcipCountry"],
                ),
                "destination": _endpoint(
                    alert["dest_ip"],
                    alert["dest_port"],
                    alert["dst_mac"],
                    look,
                    alert["dstipCountry"],
                ),
                "ips": {
                    "advanced_information": alert["msg"].split(" From:")[0],
                    "signature_id": alert["inner_alert_signature_id"],
                    "signature": alert["inner_alert_signature"],
                    "category_name": alert["inner_alert_category"],
                    "ips_category": alert["catname"]
                    if isinstance(alert["catname"], str)
                    else alert["catname"][0],
                    "severity": severity,
                },
            }
        )
    return flows
