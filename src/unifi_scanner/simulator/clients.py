"""``stat/sta`` records (online clients) built from a scenario's compact description."""

from __future__ import annotations

from typing import Any

from unifi_scanner.simulator.events import GATEWAY_TYPES
from unifi_scanner.simulator.templates import JsonObject, object_id, template

__all__ = ["build_clients"]


def _client(
    spec: JsonObject, site: JsonObject, by_name: dict[str, JsonObject], gw_mac: str, now_s: int
) -> JsonObject:
    wired = "switch" in spec
    record = template("client_wired" if wired else "client_wireless")
    uptime = int(spec.get("uptime", 3600 * 5))
    record.update(
        {
            "_id": object_id(site["id"], "user", spec["mac"]),
            "user_id": object_id(site["id"], "user", spec["mac"]),
            "site_id": site["id"],
            "mac": spec["mac"],
            "name": spec.get("alias", spec["name"]),
            "hostname": spec["name"],
            "ip": spec["ip"],
            "oui": spec.get("oui", "Generic"),
            "is_wired": wired,
            "is_guest": bool(spec.get("guest", False)),
            "network": spec.get("network", "Default"),
            "network_id": object_id(site["id"], "network", spec.get("network", "Default")),
            "uptime": uptime,
            "assoc_time": now_s - uptime,
            "latest_assoc_time": now_s - uptime,
            "first_seen": now_s - 86_400 * 40,
            "last_seen": now_s - 3,
            "gw_mac": gw_mac,
            "authorized": True,
            "satisfaction": int(spec.get("satisfaction", 98)),
            "device_name": spec.get("device_name", ""),
            "hostname_source": "dhcp" if "hostname_source" in record else "",
            "qos_policy_applied": True,
            "noted": "alias" in spec,
        }
    )
    if wired:
        record.update(
            {
                "sw_mac": by_name[spec["switch"]]["mac"],
                "sw_port": int(spec["port"]),
                "wired_rate_mbps": 1000,
            }
        )
        record.update({"sw_depth": 1, "_uptime_by_usw": uptime, "_uptime_by_ugw": uptime})
        record.update(
            {"_last_seen_by_usw": now_s - 3, "_last_seen_by_ugw": now_s - 3, "anomalies": -1}
        )
        record["hostname_source"] = "dhcp"
    else:
        ap = by_name[spec["ap"]]
        radio = spec.get("radio", "na")
        channel = ap.get("channels", [6, 44])[0 if radio == "ng" else 1]
        rssi = int(spec.get("rssi", 40))
        record.update(
            {
                "ap_mac": ap["mac"],
                "bssid": ap["mac"],
                "essid": spec.get("essid", site.get("ssid", "Office")),
                "channel": channel,
                "radio": radio,
                "radio_name": "wifi0" if radio == "ng" else "wifi1",
                "radio_proto": "ng" if radio == "ng" else "ac",
                "rssi": rssi,
                "signal": rssi - 96,
                "noise": -96,
                "vlan": 0,
                "blocked": False,
                "is_11r": False,
                "powersave_enabled": False,
                "use_fixedip": False,
                "fixed_ip": "",
                "sw_mac": "",
                "sw_port": 0,
                "sw_depth": -1,
                "tx_rate": 433_300,
                "rx_rate": 433_300,
                "_uptime_by_uap": uptime,
                "_last_seen_by_uap": now_s - 3,
                "_last_seen_by_ugw": now_s - 3,
                "_last_seen_by_usw": now_s - 3,
            }
        )
    record["tx_bytes"] = 10_000_000 + len(spec["name"]) * 7919
    record["rx_bytes"] = 50_000_000 + len(spec["name"]) * 104_729
    return record


def build_clients(
    site: JsonObject, devices: list[JsonObject], clients: list[JsonObject], now_s: int
) -> list[JsonObject]:
    """Build the ``stat/sta`` records (online clients) of a scenario.

    Clients attached to an access point that is offline are left out, as a controller would.

    Args:
        site: the scenario's ``site`` block.
        devices: the scenario's compact device descriptions.
        clients: the scenario's compact client descriptions.
        now_s: the clock, epoch seconds.

    Returns:
        One record per online client.
    """
    by_name: dict[str, Any] = {spec["name"]: spec for spec in devices}
    gw_mac = next((d["mac"] for d in devices if d["type"] in GATEWAY_TYPES), "")
    return [
        _client(spec, site, by_name, gw_mac, now_s)
        for spec in clients
        if spec.get("online", True)
        and by_name[str(spec.get("ap") or spec["switch"])].get("state", 1) == 1
    ]
