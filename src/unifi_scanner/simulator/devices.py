"""``stat/device`` records built from a scenario's compact description."""

from __future__ import annotations

from unifi_scanner.simulator.events import GATEWAY_TYPES
from unifi_scanner.simulator.templates import JsonObject, object_id, template

__all__ = ["build_devices"]

_BOOT_SECONDS = 86_400 * 12
# Types without a template of their own start from the nearest one: consoles and next-gen
# gateways from the gateway's, a building bridge from an access point's, a Cloud Key and an LTE
# backup from a switch's and an access point's (their own blocks are left out).
_TEMPLATE_OF = {"udm": "ugw", "uxg": "ugw", "ucg": "ugw", "ubb": "uap", "uck": "usw", "ulte": "uap"}
_CLASS_3_MAX_W = 7.0


def _serial(mac: str) -> str:
    return mac.replace(":", "").upper()


def _common(
    spec: JsonObject, site_id: str, now_s: int, by_name: dict[str, JsonObject]
) -> JsonObject:
    kind = spec["type"]
    record = template(f"device_{_TEMPLATE_OF.get(kind, kind)}")
    up = spec.get("state", 1) == 1
    uptime = int(spec.get("uptime", _BOOT_SECONDS)) if up else 0
    record.update(
        {
            "_id": object_id(site_id, "device", spec["mac"]),
            "_uptime": uptime,
            "adopted": True,
            "board_rev": 7,
            "cfgversion": object_id("cfg", spec["mac"])[:16],
            "known_cfgversion": object_id("cfg", spec["mac"])[:16],
            "device_id": object_id(site_id, "device", spec["mac"]),
            "inform_ip": "192.168.1.1",
            "inform_url": "http://unifi:8080/inform",
            "ip": spec["ip"],
            "connect_request_ip": spec["ip"],
            "connect_request_port": "36424",
            "last_seen": now_s - (int(spec.get("offline_for", 0)) if not up else 5),
            "next_heartbeat_at": now_s + 25,
            "considered_lost_at": now_s + 80,
            "next_interval": 25,
            "led_override": "default",
            "license_state": "registered",
            "mac": spec["mac"],
            "model": spec["model"],
            "name": spec["name"],
            "outdoor_mode_override": "default",
            "required_version": "4.0.0",
            "serial": _serial(spec["mac"]),
            "site_id": site_id,
            "start_connected_millis": (now_s - uptime) * 1000,
            "start_disconnected_millis": (now_s - uptime) * 1000 - 6000,
            "state": spec.get("state", 1),
            "syslog_key": object_id("syslog", spec["mac"]),
            "x_authkey": object_id("authkey", spec["mac"]),
            "x_inform_authkey": object_id("inform", spec["mac"]),
            "x_ssh_hostkey_fingerprint": object_id("ssh", spec["mac"])[:20],
            "type": kind,
            "upgradable": "upgrade_to" in spec,
            "upgrade_to_firmware": spec.get("upgrade_to", ""),
            "uptime": uptime,
            "version": spec["version"],
            "x_aes_gcm": True,
            "x_has_ssh_hostkey": True,
            "config_network": {"ip": spec["ip"], "type": "dhcp"},
            "system-stats": {
                "cpu": spec.get("cpu", "4.2") if up else "",
                "mem": spec.get("mem", "31.5") if up else "",
                "uptime": str(uptime),
            },
            "sys_stats": {
                "loadavg_1": "0.21",
                "loadavg_15": "0.14",
                "loadavg_5": "0.17",
                "mem_buffer": 0,
                "mem_total": 262_144_000,
                "mem_used": int(262_144_000 * float(spec.get("mem", "31.5")) / 100),
            },
        }
    )
    for key in ("rx_bytes", "tx_bytes"):
        record[key] = 40_000_000 + len(spec["name"]) * 1_000_003
    record["bytes"] = record["rx_bytes"] + record["tx_bytes"]
    if "guest_token" in record:
        record["guest_token"] = object_id("guest", spec["mac"])
    if "x_fingerprint" in record:
        record["x_fingerprint"] = object_id("fp", spec["mac"])[:22]
    parent = by_name.get(spec.get("uplink", ""))
    if parent is not None and "last_uplink" in record:
        record["last_uplink"] = {"uplink_mac": parent["mac"]}
        if kind == "uap":
            record["last_uplink"]["uplink_remote_port"] = spec.get("uplink_port", 1)
    if "temps" in spec:  # the legacy USG shape: {"Board (CPU)": "72 C"}
        record["temps"] = dict(spec["temps"])
    return record


def _uplink(spec: JsonObject, parent: JsonObject | None) -> JsonObject:
    uplink = template("device_usw")["uplink"] if spec["type"] not in GATEWAY_TYPES else {}
    uplink.update(
        {
            "full_duplex": True,
            "ip": spec["ip"],
            "mac": spec["mac"],
            "max_speed": 1000,
            "name": "eth0",
            "netmask": "255.255.255.0",
            "num_port": spec.get("ports", 2),
            "speed": 1000,
            "type": "wire",
            "up": spec.get("state", 1) == 1,
            "uplink_mac": parent["mac"] if parent else "",
            "uplink_remote_port": spec.get("uplink_port", 1),
            "rx_bytes": 1_200_000,
            "tx_bytes": 3_400_000,
        }
    )
    if spec["type"] == "uap":
        uplink.pop("media", None)
        uplink["max_vlan"] = 96
    else:
        uplink["media"] = "GE"
    return uplink


def _switch(record: JsonObject, spec: JsonObject, clients: list[JsonObject]) -> None:
    draw = {int(port): float(watts) for port, watts in spec.get("poe", [])}
    wired = {c["port"]: c["name"] for c in clients if c.get("switch") == spec["name"]}
    ports = []
    for idx in range(1, int(spec.get("ports", 8)) + 1):
        port = template("port_switch")
        watts = draw.get(idx, 0.0)
        is_uplink = idx == spec.get("uplink_local_port", 1)
        up = is_uplink or idx in draw or idx in wired
        port.update(
            {
                "port_idx": idx,
                "name": spec.get("port_names", {}).get(str(idx), f"Port {idx}"),
                "up": up,
                "enable": True,
                "speed": 1000 if up else 0,
                "full_duplex": up,
                "media": "GE",
                "is_uplink": is_uplink,
                "stp_state": "forwarding" if up else "disabled",
                "op_mode": "switch",
                "autoneg": True,
                "dot1x_mode": "unknown",
                "dot1x_status": "disabled",
                "portconf_id": object_id("portconf", "all"),
                "port_poe": bool(spec.get("poe_budget")),
                "poe_caps": 7 if spec.get("poe_budget") else 0,
                "poe_enable": watts > 0,
                "poe_good": watts > 0,
                "poe_mode": "auto" if spec.get("poe_budget") else "off",
                "poe_class": "Class 4"
                if watts > _CLASS_3_MAX_W
                else ("Class 3" if watts > 0 else "Unknown"),
                "poe_power": f"{watts:.2f}",
                "poe_voltage": "53.12" if watts else "0.00",
                "poe_current": f"{watts / 0.05312:.2f}" if watts else "0.00",
                "rx_errors": int(spec.get("rx_errors", {}).get(str(idx), 0)),
                "speed_caps": 1048623,
                "stp_pathcost": 20000 if up else 0,
                "satisfaction": 100,
            }
        )
        ports.append(port)
    record["port_table"] = ports
    record["total_max_power"] = int(spec.get("poe_budget", 0))
    record["general_temperature"] = spec.get("general_temperature", 41)
    record["has_temperature"] = True
    record["overheating"] = bool(spec.get("overheating", False))
    record["has_fan"] = bool(spec.get("has_fan", False))
    record["fan_level"] = int(spec.get("fan_level", 0))
    record["architecture"] = "armv7l"
    record["kernel_version"] = "3.6.5"
    record["stp_priority"] = "32768"
    record["stp_version"] = "rstp"
    record["satisfaction"] = 100
    record["switch_caps"] = {
        "feature_caps": 1022,
        "max_aggregate_sessions": 6,
        "max_mirror_sessions": 1,
    }
    record["ethernet_table"] = [{"mac": spec["mac"], "name": "eth0", "num_port": len(ports)}]


def _access_point(record: JsonObject, spec: JsonObject, clients: list[JsonObject]) -> None:
    up = spec.get("state", 1) == 1
    mine = [c for c in clients if c.get("ap") == spec["name"]] if up else []
    channels = spec.get("channels", [6, 44])
    radios, stats = [], []
    for name, radio, channel in (("wifi0", "ng", channels[0]), ("wifi1", "na", channels[1])):
        entry = template("radio")
        entry.update(
            {
                "name": name,
                "radio": radio,
                "channel": channel,
                "ht": "20" if radio == "ng" else "40",
            }
        )
        entry.update({"max_txpower": 22, "min_txpower": 6, "nss": 2, "tx_power_mode": "auto"})
        radios.append(entry)
        count = sum(1 for c in mine if c.get("radio", "na") == radio)
        stat = template("radio_stats")
        stat.update(
            {
                "name": name,
                "radio": radio,
                "channel": channel,
                "cu_total": int(spec.get("cu_total", 18)),
                "cu_self_rx": 9,
                "cu_self_tx": 4,
                "num_sta": count,
                "user-num_sta": count,
                "satisfaction": 96 if count else -1,
                "state": "RUN",
                "tx_power": 17,
            }
        )
        stats.append(stat)
    record["radio_table"] = radios
    record["radio_table_stats"] = stats
    for key in ("num_sta", "user-num_sta", "user-wlan-num_sta"):
        record[key] = len(mine)
    record["satisfaction"] = 95 if mine else -1
    record["has_temperature"] = False
    record["architecture"] = "mips"
    record["kernel_version"] = "4.4.153"
    record["port_table"] = [
        template("port_ap") | {"port_idx": 1, "name": "Main", "up": up, "speed": 1000}
    ]
    record["ethernet_table"] = [{"mac": spec["mac"], "name": "eth0", "num_port": 1}]


def _gateway(
    record: JsonObject, spec: JsonObject, site: JsonObject, clients: list[JsonObject]
) -> None:
    record["temperatures"] = [
        {"name": name, "type": kind, "value": float(value)}
        for name, kind, value in spec.get("temperatures", [])
    ]
    record["storage"] = [
        {
            "mount_point": "/persistent",
            "name": "Backup",
            "size": 2_040_000_000,
            "type": "eMMC",
            "used": 150_000_000,
        }
    ]
    wan_ip = site["wan_ip"]
    wan = template("device_ugw")["wan1"] | {
        "enable": True,
        "full_duplex": True,
        "gateway": site.get("wan_gateway", "203.0.113.1"),
        "ifname": "eth0",
        "ip": wan_ip,
        "mac": spec["mac"],
        "name": "wan",
        "netmask": "255.255.255.0",
        "speed": 1000,
        "type": "wire",
        "up": True,
        "dns": ["1.1.1.1"],
        "max_speed": 1000,
    }
    record["wan1"] = wan
    record["wan2"] = template("device_ugw")["wan2"] | {
        "ifname": "eth2",
        "name": "wan2",
        "type": "wire",
    }
    record["last_wan_ip"] = wan_ip
    record["last_wan_status"] = {"WAN": "online", "WAN2": "unplugged"}
    record["uplink"] = template("device_ugw")["uplink"] | {
        "enable": True,
        "full_duplex": True,
        "gateways": [wan["gateway"]],
        "ip": wan_ip,
        "latency": int(spec.get("latency", 9)),
        "drops": int(spec.get("drops", 1)),
        "mac": spec["mac"],
        "max_speed": 1000,
        "name": "eth0",
        "nameservers": ["1.1.1.1"],
        "netmask": "255.255.255.0",
        "num_port": 1,
        "speed": 1000,
        "speedtest_status": "Idle",
        "type": "wire",
        "up": True,
        "uptime": record["uptime"],
    }
    monitors = [
        {"availability": 100.0, "latency_average": 9, "target": target, "type": "icmp"}
        for target in ("ping.example.net", "one.one.one.one")
    ]
    record["uptime_stats"] = {"WAN": {"monitors": monitors}}
    record["port_table"] = [
        template("port_gateway")
        | {
            "enable": True,
            "ifname": "eth0",
            "ip": wan_ip,
            "mac": spec["mac"],
            "name": "wan",
            "up": True,
        }
        | {
            "dns": ["1.1.1.1"],
            "full_duplex": True,
            "gateway": wan["gateway"],
            "netmask": "255.255.255.0",
            "speed": 1000,
        },
    ]
    record["ethernet_table"] = [{"mac": spec["mac"], "name": "eth0", "num_port": 1}]
    for key in ("num_sta", "user-num_sta"):
        record[key] = len(clients)
    record["num_desktop"] = sum(1 for c in clients if c.get("kind") == "desktop")
    record["num_mobile"] = sum(1 for c in clients if c.get("kind") == "mobile")
    record["num_handheld"] = 0
    record["usg_caps"] = 786_431
    record["speedtest-status-saved"] = True


def build_devices(
    site: JsonObject, devices: list[JsonObject], clients: list[JsonObject], now_s: int
) -> list[JsonObject]:
    """Build the ``stat/device`` records of a scenario.

    Args:
        site: the scenario's ``site`` block (``id``, ``wan_ip``…).
        devices: the scenario's compact device descriptions.
        clients: the scenario's compact client descriptions (for counts and switch ports).
        now_s: the clock, epoch seconds.

    Returns:
        One record per device, shaped like a controller's.
    """
    by_name = {spec["name"]: spec for spec in devices}
    records = []
    for spec in devices:
        record = _common(spec, site["id"], now_s, by_name)
        parent = by_name.get(spec.get("uplink", ""))
        kind = spec["type"]
        if kind == "usw":
            _switch(record, spec, clients)
        elif kind in {"uap", "ubb"}:
            _access_point(record, spec, clients)
        elif kind in GATEWAY_TYPES:
            _gateway(record, spec, site, clients)
        else:  # a Cloud Key or an LTE backup: one port, no radios
            for block in ("radio_table", "radio_table_stats", "vap_table", "port_table"):
                record.pop(block, None)
            record["port_table"] = [
                template("port_ap") | {"port_idx": 1, "name": "Main", "up": True, "speed": 1000}
            ]
        if kind not in GATEWAY_TYPES:
            record["uplink"] = _uplink(spec, parent)
            record["gateway_mac"] = next(
                (d["mac"] for d in devices if d["type"] in GATEWAY_TYPES), ""
            )
        records.append(record)
    return records
