"""``stat/event``, ``stat/ips/event`` and ``list/alarm`` records built from a scenario.

Every MAC and name an event mentions is looked up in the scenario's device and client lists,
so events, devices and clients always agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from unifi_scanner.simulator.geo import geo_block
from unifi_scanner.simulator.templates import JsonObject, object_id

__all__ = ["Lookup", "build_events", "build_ips_events", "event_record", "ips_record", "iso_z"]

_DEVICE_PREFIX = {
    "EVT_AP_": ("ap", "AP", "wlan"),
    "EVT_SW_": ("sw", "Switch", "lan"),
    "EVT_GW_": ("gw", "Gateway", "www"),
}
_DEVICE_MSG = {
    "Lost_Contact": "{label}[{mac}] was disconnected",
    "Connected": "{label}[{mac}] was connected",
    "RestartedUnknown": "{label}[{mac}] was restarted",
    "Upgraded": '{label}[{mac}] was upgraded from "{version_from}" to "{version_to}"',
    "PoeOverload": "{label}[{mac}] PoE budget exceeded on port {port}",
    "DetectRogueAP": "{label}[{mac}] detected a rogue AP",
}


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
        self.gateway = next(d for d in devices if d["type"] == "ugw")
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


def _device_event(event: JsonObject, spec: JsonObject, look: Lookup) -> None:
    prefix = spec["key"][:7]
    field, label, subsystem = _DEVICE_PREFIX[prefix]
    device = look.devices[spec["device"]]
    event.update({field: device["mac"], f"{field}_name": device["name"], "subsystem": subsystem})
    for extra in ("version_from", "version_to", "port"):
        if extra in spec:
            event[extra] = spec[extra]
    template = _DEVICE_MSG.get(spec["key"][7:], "{label}[{mac}] " + spec["key"][7:])
    event["msg"] = template.format(
        label=label,
        mac=device["mac"],
        **{k: spec.get(k, "") for k in ("version_from", "version_to", "port")},
    )


def _wireless_event(event: JsonObject, spec: JsonObject, look: Lookup, ssid: str) -> None:
    client = look.clients[spec["client"]]
    mac = client["mac"]
    event.update({"user": mac, "hostname": client["name"], "ssid": ssid, "subsystem": "wlan"})
    key = spec["key"]
    if key == "EVT_WU_Roam":
        ap_from, ap_to = look.devices[spec["ap_from"]], look.devices[spec["ap_to"]]
        radio_from, radio_to = spec.get("radio_from", "na"), spec.get("radio_to", "na")
        ch_from = look.radio_channel(ap_from["name"], radio_from)
        ch_to = look.radio_channel(ap_to["name"], radio_to)
        event.update(
            {"ap_from": ap_from["mac"], "ap_to": ap_to["mac"], "channel_from": str(ch_from)}
        )
        event.update({"channel_to": str(ch_to), "radio_from": radio_from, "radio_to": radio_to})
        event["msg"] = (
            f"User[{mac}] roams from AP[{ap_from['mac']}] to AP[{ap_to['mac']}] "
            f'from "channel {ch_from}'
            f'({radio_from})" to "channel {ch_to}({radio_to})"'
        )
        return
    ap = look.devices[spec.get("ap", client.get("ap", ""))]
    radio = client.get("radio", "na")
    event["ap"] = ap["mac"]
    if key == "EVT_WU_Disconnected":
        duration, size = int(spec.get("duration", 1084)), int(spec.get("bytes", 846_171))
        event.update({"duration": duration, "bytes": size})
        event["msg"] = (
            f'User[{mac}] disconnected from "{ssid}" '
            f"({duration // 60}m {duration % 60}s connected, "
            f"{size / 1024:.2f}K bytes, last AP[{ap['mac']}])"
        )
        return
    channel = look.radio_channel(ap["name"], radio)
    event.update({"radio": radio, "channel": str(channel)})
    event["msg"] = (
        f'User[{mac}] has connected to AP[{ap["mac"]}] with SSID "{ssid}" '
        f'on "channel {channel}({radio})"'
    )


def _wired_event(event: JsonObject, spec: JsonObject, look: Lookup) -> None:
    client = look.clients[spec["client"]]
    network = client.get("network", "Default")
    event.update(
        {"user": client["mac"], "hostname": client["name"], "network": network, "subsystem": "lan"}
    )
    if spec["key"].endswith("Disconnected"):
        duration = int(spec.get("duration", 5))
        event.update({"duration": duration, "bytes": int(spec.get("bytes", 0))})
        event["msg"] = (
            f"User['{client['mac']}'] disconnected from \"{network}\" "
            f"({duration}s connected, 0.00 bytes)"
        )
    else:
        event["msg"] = f"User['{client['mac']}'] has connected to {network}"


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
    if key[:7] in _DEVICE_PREFIX:
        _device_event(event, spec, look)
    elif key.startswith(("EVT_WU_", "EVT_WG_")):
        _wireless_event(event, spec, look, site.get("ssid", "Office"))
    elif key.startswith(("EVT_LU_", "EVT_LG_")):
        _wired_event(event, spec, look)
    else:
        event.update({"subsystem": spec.get("subsystem", "lan"), "msg": spec.get("msg", key)})
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
