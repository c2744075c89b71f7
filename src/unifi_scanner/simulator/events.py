"""``stat/event``, ``stat/ips/event`` and ``list/alarm`` records built from a scenario.

Every MAC and name an event mentions is looked up in the scenario's device and client lists,
so events, devices and clients always agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from unifi_scanner.simulator.geo import geo_block
from unifi_scanner.simulator.templates import JsonObject, object_id
from unifi_scanner.simulator.vocabulary import (
    ALSO_GATEWAY,
    DEFAULTS,
    DEVICE_SUBJECTS,
    message_format,
    parameters,
)

__all__ = [
    "GATEWAY_TYPES",
    "Lookup",
    "build_events",
    "build_ips_events",
    "event_record",
    "ips_record",
    "iso_z",
]

GATEWAY_TYPES = frozenset({"ugw", "udm", "uxg", "ucg"})
"""Device types that route the site (one of them is the site's gateway)."""

_SUBSYSTEM = {"AP": "wlan", "BB": "wlan", "CF": "wlan", "HS": "wlan", "WC": "wlan", "WG": "wlan"}
# Message parameters that name a UniFi device: they carry its MAC, their *_name its name.
_DEVICE_PARAMS = frozenset({"ap", "sw", "gw", "xg", "bb", "lte", "dev", "ap_from", "ap_to"})
# Message parameters that name a client: they carry its MAC.
_CLIENT_PARAMS = frozenset({"user", "guest", "client"})
_CLIENT_CONNECTIONS = tuple(
    f"EVT_{f}_{a}" for f in ("WU", "WG") for a in ("Connected", "Disconnected", "Roam")
)


def iso_z(ms: int) -> str:
    """Format epoch milliseconds as the controller's ``datetime`` (``2026-01-02T03:04:05Z``).

    Args:
        ms: epoch milliseconds.

    Returns:
        The ISO-8601 UTC string with a ``Z`` suffix and whole seconds.
    """
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Lookup:
    """Name → compact description of the scenario's devices and clients.

    Args:
        devices: the scenario's device descriptions.
        clients: the scenario's client descriptions.
    """

    def __init__(self, devices: list[JsonObject], clients: list[JsonObject]) -> None:
        self.devices = {d["name"]: d for d in devices}
        self.clients = {c["name"]: c for c in clients}
        self.by_ip = {c["ip"]: c for c in clients} | {d["ip"]: d for d in devices}
        self.gateway = next(d for d in devices if d["type"] in GATEWAY_TYPES)
        self.device_by_mac = {d["mac"]: d for d in devices}
        self.client_by_mac = {c["mac"]: c for c in clients}

    def radio_channel(self, ap_name: str, radio: str) -> int:
        """The channel ``ap_name`` uses on ``radio`` (``ng`` or ``na``)."""
        channels = self.devices[ap_name].get("channels", [6, 44])
        return int(channels[0 if radio == "ng" else 1])


def _base(spec: JsonObject, site_id: str, now_ms: int, index: int) -> JsonObject:
    time_ms = now_ms - int(float(spec["ago"]) * 60_000) - index % 997
    return {
        "_id": object_id(site_id, "event", index, spec["key"]),
        "key": spec["key"],
        "site_id": site_id,
        "time": time_ms,
        "datetime": iso_z(time_ms),
    }


def _subject(family: str, device: JsonObject) -> str:
    field, style = DEVICE_SUBJECTS[family]
    del field
    return style.format(mac=device["mac"])


def _name_device(event: JsonObject, field: str, device: JsonObject) -> None:
    """``field`` = the device's MAC, with its name beside it as real events carry it."""
    event[field] = device["mac"]
    event[f"{field}_name"] = device["name"]
    event[f"{field}_model"] = device["model"]
    event[f"{field}_displayName"] = device["name"]


def _device_event(event: JsonObject, spec: JsonObject, look: Lookup) -> None:
    """Any device family's event, shaped as real controllers send it.

    Its MAC in the family's field, names beside it, the message in the controller's words with
    the key's parameters.
    """
    key: str = spec["key"]
    family = key[4:].partition("_")[0]
    device = look.devices[spec["device"]]
    field = DEVICE_SUBJECTS[family][0] if family in DEVICE_SUBJECTS else "ap"
    _name_device(event, field, device)
    if family in ALSO_GATEWAY:  # consoles and next-gen gateways also name themselves as gw
        event["gw"] = device["mac"]
        event["gw_displayName"] = device["name"]
    event["subsystem"] = _SUBSYSTEM.get(family, "lan")
    event["is_negative"] = bool(spec.get("negative", False))
    values = _values(spec, key, look, event)
    text = message_format(key) or "{S} " + key
    subject = _subject(family, device) if family in DEVICE_SUBJECTS else device["mac"]
    event["msg"] = text.format(S=subject, M=device["mac"], **values)


def _values(spec: JsonObject, key: str, look: Lookup, event: JsonObject) -> dict[str, object]:
    """Each message parameter's value (the spec's, else the default) and its event field."""
    values: dict[str, object] = {}
    for name in parameters(key):
        if name in _DEVICE_PARAMS:
            other = look.devices[spec.get(name, spec.get("device", ""))]
            if name not in event:
                _name_device(event, name, other)
            values[name] = other["mac"]
        elif name in _CLIENT_PARAMS:
            client = look.clients[spec["client"]]
            event[name] = client["mac"]
            event["hostname"] = client["name"]
            values[name] = client["mac"]
        else:
            value = spec.get(name, DEFAULTS[name])
            event[name] = value
            values[name] = value
    return values


def _other_event(event: JsonObject, spec: JsonObject, look: Lookup) -> None:
    """An admin, hotspot, client-block, wireless-uplink or stream event."""
    key: str = spec["key"]
    family = key[4:].partition("_")[0]
    event["subsystem"] = spec.get("subsystem", _SUBSYSTEM.get(family, "lan"))
    values = _values(spec, key, look, event)
    if key == "EVT_AD_ScheduleUpgradeFailedNotFound" and "device" in spec:
        values["mac"] = event["mac"] = look.devices[spec["device"]]["mac"]
    text = message_format(key)
    event["msg"] = text.format(**values) if text else spec.get("msg", key)
    if family == "AD":
        event["is_admin"] = True


def _wireless_event(event: JsonObject, spec: JsonObject, look: Lookup, ssid: str) -> None:
    client = look.clients[spec["client"]]
    mac = client["mac"]
    guest = spec["key"].startswith("EVT_WG_")
    field, label = ("guest", "Guest") if guest else ("user", "User")
    event.update({field: mac, "hostname": client["name"], "ssid": ssid, "subsystem": "wlan"})
    key = spec["key"]
    if key.endswith("RoamRadio"):
        ap = look.devices[spec.get("ap", client.get("ap", ""))]
        ch_from, ch_to = look.radio_channel(ap["name"], "ng"), look.radio_channel(ap["name"], "na")
        event.update({"ap": ap["mac"], "ap_name": ap["name"], "radio_from": "ng", "radio_to": "na"})
        event.update({"channel_from": str(ch_from), "channel_to": str(ch_to)})
        event["msg"] = (
            f'{label}[{mac}] roams from "channel {ch_from}(ng)" to "channel {ch_to}(na)" '
            f"at AP[{ap['mac']}]"
        )
        return
    if key.endswith("Roam"):
        ap_from, ap_to = look.devices[spec["ap_from"]], look.devices[spec["ap_to"]]
        radio_from, radio_to = spec.get("radio_from", "na"), spec.get("radio_to", "na")
        ch_from = look.radio_channel(ap_from["name"], radio_from)
        ch_to = look.radio_channel(ap_to["name"], radio_to)
        event.update(
            {"ap_from": ap_from["mac"], "ap_to": ap_to["mac"], "channel_from": str(ch_from)}
        )
        event.update({"channel_to": str(ch_to), "radio_from": radio_from, "radio_to": radio_to})
        event["msg"] = (
            f"{label}[{mac}] roams from AP[{ap_from['mac']}] to AP[{ap_to['mac']}] "
            f'from "channel {ch_from}'
            f'({radio_from})" to "channel {ch_to}({radio_to})"'
        )
        return
    ap = look.devices[spec.get("ap", client.get("ap", ""))]
    radio = client.get("radio", "na")
    event["ap"] = ap["mac"]
    if key.endswith("Disconnected"):
        duration, size = int(spec.get("duration", 1084)), int(spec.get("bytes", 846_171))
        event.update({"duration": duration, "bytes": size})
        event["msg"] = (
            f'{label}[{mac}] disconnected from "{ssid}" '
            f"({duration // 60}m {duration % 60}s connected, "
            f"{size / 1024:.2f}K bytes, last AP[{ap['mac']}])"
        )
        return
    channel = look.radio_channel(ap["name"], radio)
    event.update({"radio": radio, "channel": str(channel)})
    event["msg"] = (
        f'{label}[{mac}] has connected to AP[{ap["mac"]}] with SSID "{ssid}" '
        f'on "channel {channel}({radio})"'
    )


def _wired_event(event: JsonObject, spec: JsonObject, look: Lookup) -> None:
    client = look.clients[spec["client"]]
    network = client.get("network", "Default")
    field, label = ("guest", "Guest") if spec["key"].startswith("EVT_LG_") else ("user", "User")
    event.update(
        {field: client["mac"], "hostname": client["name"], "network": network, "subsystem": "lan"}
    )
    if spec["key"].endswith("Disconnected"):
        duration = int(spec.get("duration", 5))
        event.update({"duration": duration, "bytes": int(spec.get("bytes", 0))})
        event["msg"] = (
            f"{label}['{client['mac']}'] disconnected from \"{network}\" "
            f"({duration}s connected, 0.00 bytes)"
        )
    else:
        event["msg"] = f"{label}['{client['mac']}'] has connected to {network}"


def build_events(
    site: JsonObject, specs: list[JsonObject], look: Lookup, now_ms: int
) -> list[JsonObject]:
    """Build the scenario's non-IPS ``stat/event`` items, newest first.

    Args:
        site: the scenario's ``site`` block.
        specs: compact event descriptions (``key``, ``ago`` minutes, ``device``/``client``…).
        look: the scenario's devices and clients by name.
        now_ms: the clock, epoch milliseconds.

    Returns:
        Event records shaped like the controller's.
    """
    events = []
    for index, spec in enumerate(specs):
        base = _base(spec, site["id"], now_ms, index)
        events.append(event_record(spec, site, look, time_ms=base["time"], event_id=base["_id"]))
    return sorted(events, key=lambda e: e["time"], reverse=True)


def event_record(
    spec: JsonObject, site: JsonObject, look: Lookup, *, time_ms: int, event_id: str
) -> JsonObject:
    """Build one non-IPS ``stat/event`` item from a compact description.

    Args:
        spec: ``key`` plus ``device`` or ``client`` (and ``ap_from``/``ap_to``…) by name.
        site: the scenario's ``site`` block.
        look: the scenario's devices and clients by name.
        time_ms: the event's time, epoch milliseconds.
        event_id: its ``_id``.

    Returns:
        The event record shaped like the controller's.
    """
    key: str = spec["key"]
    event: JsonObject = {
        "_id": event_id,
        "key": key,
        "site_id": site["id"],
        "time": time_ms,
        "datetime": iso_z(time_ms),
    }
    if key.startswith(_CLIENT_CONNECTIONS):
        _wireless_event(event, spec, look, site.get("ssid", "Office"))
    elif key.startswith(("EVT_LU_", "EVT_LG_")):
        _wired_event(event, spec, look)
    elif "device" in spec and key[4:].partition("_")[0] in DEVICE_SUBJECTS:
        _device_event(event, spec, look)
    else:
        _other_event(event, spec, look)
    event.update(spec.get("fields", {}))
    return event


def ips_record(
    spec: JsonObject, site: JsonObject, look: Lookup, *, time_ms: int, event_id: str, index: int
) -> JsonObject:
    """Build one IPS alert (``stat/ips/event`` item, also a ``stat/event`` item).

    Args:
        spec: ``signature``, ``sid``, ``category``, ``catname``, ``direction``, ``remote_ip``…
        site: the scenario's ``site`` block.
        look: the scenario's devices and clients by name.
        time_ms: the alert's time, epoch milliseconds.
        event_id: its ``_id``.
        index: a number unique to the alert (makes ``flow_id`` and ``unique_alertid``).

    Returns:
        The alert record.
    """
    gateway = look.gateway
    base: JsonObject = {"_id": event_id, "time": time_ms, "datetime": iso_z(time_ms)}
    outbound = spec.get("direction") == "outbound"
    inside = look.clients[spec["client"]] if "client" in spec else None
    src_ip = inside["ip"] if outbound and inside else spec["remote_ip"]
    dest_ip = spec["remote_ip"] if outbound else (inside["ip"] if inside else site["wan_ip"])
    src_port, dest_port = int(spec.get("src_port", 51413)), int(spec.get("dest_port", 443))
    remote_geo = geo_block(spec.get("country", "NL"), spec.get("asn", "AS64500 Example Transit"))
    ts = base["time"] // 1000
    record: JsonObject = {
        "_id": base["_id"],
        "archived": bool(spec.get("archived", False)),
        "timestamp": ts,
        "flow_id": 1_500_000_000_000_000 + index * 7_777 + ts % 100_000,
        "in_iface": "eth1" if outbound else "eth0",
        "event_type": "alert",
        "src_ip": src_ip,
        "src_mac": inside["mac"] if outbound and inside else gateway["mac"],
        "src_port": src_port,
        "dest_ip": dest_ip,
        "dst_mac": gateway["mac"] if outbound else (inside["mac"] if inside else gateway["mac"]),
        "dest_port": dest_port,
        "proto": spec.get("proto", "TCP"),
        "tx_id": 0,
        "app_proto": spec.get("app_proto", "failed"),
        "host": gateway["mac"],
        "usgip": site["wan_ip"],
        "unique_alertid": f"{1_000_000_000 + index * 31_337}-{iso_z(base['time'])}",
        "srcipCountry": False if outbound else remote_geo["country_code"],
        "dstipCountry": remote_geo["country_code"] if outbound else False,
        "usgipCountry": site.get("country", "DE"),
        "srcipGeo": [] if outbound else remote_geo,
        "dstipGeo": remote_geo if outbound else False,
        "usgipGeo": geo_block(
            site.get("country", "DE"), site.get("asn", "AS64501 Example Broadband")
        ),
        "srcipASN": "" if outbound else spec.get("asn", "AS64500 Example Transit"),
        "dstipASN": spec.get("asn", "AS64500 Example Transit") if outbound else "",
        "usgipASN": site.get("asn", "AS64501 Example Broadband"),
        "catname": spec["catname"],
        "inner_alert_action": spec.get("action", "blocked"),
        "inner_alert_gid": 1,
        "inner_alert_signature_id": int(spec["sid"]),
        "inner_alert_rev": int(spec.get("rev", 3)),
        "inner_alert_signature": spec["signature"],
        "inner_alert_category": spec["category"],
        "inner_alert_severity": int(spec.get("severity", 2)),
        "key": "EVT_IPS_IpsAlert",
        "subsystem": "www",
        "site_id": site["id"],
        "time": base["time"],
        "datetime": base["datetime"],
    }
    record["msg"] = (
        f"IPS Alert {record['inner_alert_severity']}: {spec['category']}. "
        f"Signature {spec['signature']}. "
        f"From: {src_ip}:{src_port}, to: {dest_ip}:{dest_port}, protocol: {record['proto']}"
    )
    return record


def build_ips_events(
    site: JsonObject, specs: list[JsonObject], look: Lookup, now_ms: int
) -> list[JsonObject]:
    """Build the scenario's IPS alerts (``EVT_IPS_IpsAlert``), newest first.

    A spec with ``repeat: n`` yields ``n`` alerts ``spread`` minutes apart (default 7).

    Args:
        site: the scenario's ``site`` block.
        specs: compact alert descriptions (``signature``, ``sid``, ``direction``, ``remote_ip``…).
        look: the scenario's devices and clients by name.
        now_ms: the clock, epoch milliseconds.

    Returns:
        IPS records shaped like the controller's ``stat/ips/event`` items.
    """
    records: list[JsonObject] = []
    for spec in specs:
        for n in range(int(spec.get("repeat", 1))):
            shifted: dict[str, Any] = spec | {
                "ago": float(spec["ago"]) + n * float(spec.get("spread", 7))
            }
            if n and "remote_ips" in spec:
                shifted["remote_ip"] = spec["remote_ips"][n % len(spec["remote_ips"])]
            index = len(records)
            base = _base(shifted | {"key": "EVT_IPS_IpsAlert"}, site["id"], now_ms, 10_000 + index)
            records.append(
                ips_record(
                    shifted, site, look, time_ms=base["time"], event_id=base["_id"], index=index
                )
            )
    return sorted(records, key=lambda e: e["time"], reverse=True)
