"""One consistent site model per scenario; every endpoint answers from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unifi_scanner.simulator.clients import build_clients
from unifi_scanner.simulator.devices import build_devices
from unifi_scanner.simulator.events import GATEWAY_TYPES, Lookup, build_events, build_ips_events
from unifi_scanner.simulator.feed import Feed, Generated
from unifi_scanner.simulator.generator import EventGenerator
from unifi_scanner.simulator.templates import JsonObject, object_id, template
from unifi_scanner.simulator.v2records import build_flows, build_system_log

if TYPE_CHECKING:
    from collections.abc import Callable

    from unifi_scanner.simulator.config import GeneratorSpec

__all__ = ["Site", "build_site"]

_VERSIONS = {9: "9.0.114", 10: "10.0.160"}


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the simulated controller serves for one site, built once from a scenario.

    Attributes:
        name: the site's short name (``default``).
        site_id: its ``_id``.
        self_sites: ``self/sites`` items.
        sysinfo: ``stat/sysinfo`` items.
        health: ``stat/health`` items.
        devices: ``stat/device`` items.
        clients: ``stat/sta`` items.
        events: ``stat/event`` items (IPS alerts included), newest first.
        ips_events: ``stat/ips/event`` items, newest first.
        alarms: ``list/alarm`` items, newest first.
        settings: ``rest/setting`` / ``get/setting`` items.
        system_log: v2 ``system-log`` entries, newest first.
        flows: v2 ``traffic-flows`` IPS flows, newest first.
        status_meta: the ``meta`` of ``/status``.
        generator: the event generator whose events join ``events``, ``system_log``,
            ``ips_events`` and ``flows`` in the feeds (the lists hold the scenario's own only).
    """

    name: str
    site_id: str
    self_sites: list[JsonObject]
    sysinfo: list[JsonObject]
    health: list[JsonObject]
    devices: list[JsonObject]
    clients: list[JsonObject]
    events: list[JsonObject]
    ips_events: list[JsonObject]
    alarms: list[JsonObject]
    settings: list[JsonObject]
    system_log: list[JsonObject]
    flows: list[JsonObject]
    status_meta: JsonObject
    generator: EventGenerator | None = None

    def event_feed(self) -> Feed:
        """``stat/event`` items (IPS alerts included), scenario and generated, newest first."""
        gen = self.generator
        return Feed(self.events, "time", _all(gen, gen.event) if gen else None)

    def system_log_feed(self) -> Feed:
        """v2 ``system-log`` entries, scenario and generated, newest first."""
        gen = self.generator
        return Feed(self.system_log, "timestamp", _all(gen, gen.system_log) if gen else None)

    def ips_feed(self) -> Feed:
        """``stat/ips/event`` items, scenario and generated, newest first."""
        gen = self.generator
        return Feed(self.ips_events, "time", _ips(gen, gen.ips_event) if gen else None)

    def flow_feed(self) -> Feed:
        """v2 ``traffic-flows`` IPS flows, scenario and generated, newest first."""
        gen = self.generator
        return Feed(self.flows, "time", _ips(gen, gen.flow) if gen else None)


def _all(gen: EventGenerator, build: Callable[[int], JsonObject]) -> Generated:
    return Generated(range(gen.total), gen.time_ms, build, gen.index_range)


def _ips(gen: EventGenerator, build: Callable[[int], JsonObject]) -> Generated:
    return Generated(
        range(gen.ips_total),
        lambda ordinal: gen.time_ms(gen.ips_index(ordinal)),
        build,
        lambda low, high: gen.ips_range(gen.index_range(low, high)),
    )


def _sysinfo(spec: JsonObject, network: int, now_s: int) -> JsonObject:
    controller = spec["controller"]
    version = _VERSIONS[network]
    record = template("sysinfo")
    record.update(
        {
            "anonymous_controller_id": object_id("controller", spec["site"]["id"]),
            "build": f"atag_{version}_{network}042",
            "console_display_version": controller.get("console_version", "4.1.13"),
            "data_retention_days": 90,
            "hostname": controller["hostname"],
            "name": controller["hostname"],
            "https_port": 443,
            "inform_port": 8080,
            "portal_http_port": 8880,
            "ip_addrs": [spec["site"]["wan_ip"]],
            "previous_version": f"{network}.0.100",
            "timezone": controller.get("timezone", "Europe/Berlin"),
            "ubnt_device_type": controller.get("device_type", "UCGMAX"),
            "udm_version": controller.get("console_version", "4.1.13") + ".2024",
            "update_available": bool(controller.get("update_available", False)),
            "uptime": now_s % 1_000_000 + 86_400,
            "version": version,
            "debug_device": "warn",
            "debug_mgmt": "warn",
            "debug_sdn": "warn",
            "debug_system": "warn",
            "debug_setting_preference": "auto",
            "live_chat": "super-only",
            "store_enabled": "super-only",
        }
    )
    return record


def _health(
    spec: JsonObject, devices: list[JsonObject], clients: list[JsonObject]
) -> list[JsonObject]:
    def count(kind: str, state: int | None = None) -> int:
        return sum(
            1 for d in devices if d["type"] == kind and (state is None or d["state"] == state)
        )

    gateway = next(d for d in devices if d["type"] in GATEWAY_TYPES)
    wireless = sum(1 for c in clients if not c["is_wired"])
    wired = len(clients) - wireless
    controller = spec["controller"]
    ap_down, sw_down = count("uap", 0), count("usw", 0)
    latency = int(controller.get("latency", 9))
    return [
        {
            "subsystem": "wlan",
            "num_user": wireless,
            "num_guest": 0,
            "num_iot": 0,
            "tx_bytes-r": 1200,
            "rx_bytes-r": 900,
        }
        | {
            "status": "warning" if ap_down else "ok",
            "num_ap": count("uap"),
            "num_adopted": count("uap"),
        }
        | {"num_disabled": 0, "num_disconnected": ap_down, "num_pending": 0},
        {
            "subsystem": "wan",
            "num_gw": 1,
            "num_adopted": 1,
            "num_disconnected": 0,
            "num_pending": 0,
            "status": "ok",
        }
        | {
            "wan_ip": spec["site"]["wan_ip"],
            "gateways": [],
            "netmask": "255.255.255.0",
            "nameservers": [],
        }
        | {
            "num_sta": len(clients),
            "tx_bytes-r": 34000,
            "rx_bytes-r": 19000,
            "gw_mac": gateway["mac"],
        }
        | {
            "gw_name": gateway["name"],
            "gw_system-stats": gateway["system-stats"],
            "gw_version": gateway["version"],
        }
        | {
            "isp_name": controller.get("isp_name", "Example ISP"),
            "isp_organization": "Example ISP GmbH",
        }
        | {
            "uptime_stats": {
                "WAN": gateway["uptime_stats"]["WAN"]
                | {"availability": 100.0, "latency_average": latency}
            }
        },
        {
            "subsystem": "www",
            "status": "ok",
            "tx_bytes-r": 34000,
            "rx_bytes-r": 19000,
            "latency": latency,
        }
        | {
            "uptime": gateway["uptime"],
            "drops": gateway["uplink"]["drops"],
            "xput_up": 48.5,
            "xput_down": 245.0,
        }
        | {
            "speedtest_status": "Success",
            "speedtest_lastrun": gateway["last_seen"] - 3600,
            "speedtest_ping": latency,
        }
        | {"gw_mac": gateway["mac"]},
        {
            "subsystem": "lan",
            "lan_ip": None,
            "status": "warning" if sw_down else "ok",
            "num_user": wired,
        }
        | {"num_guest": 0, "num_iot": 0, "tx_bytes-r": 0, "rx_bytes-r": 0, "num_sw": count("usw")}
        | {"num_adopted": count("usw"), "num_disconnected": sw_down, "num_pending": 0},
        {
            "subsystem": "vpn",
            "status": "unknown",
            "remote_user_enabled": False,
            "site_to_site_enabled": False,
            "site_to_site_num_active": 0,
            "site_to_site_num_inactive": 0,
            "site_to_site_rx_bytes": 0,
            "site_to_site_tx_bytes": 0,
            "site_to_site_rx_packets": 0,
            "site_to_site_tx_packets": 0,
        },
    ]


def _settings(spec: JsonObject) -> list[JsonObject]:
    site_id = spec["site"]["id"]
    ips = spec.get("ips_settings", {})
    return [
        {"_id": object_id(site_id, "setting", "ips"), "key": "ips", "site_id": site_id}
        | {
            "ips_mode": ips.get("ips_mode", "ips"),
            "enabled_categories": ips.get("categories", ["emerging-malware"]),
        }
        | {
            "dns_filtering": bool(ips.get("dns_filtering", False)),
            "honeypot_enabled": bool(ips.get("honeypot", False)),
        }
        | {
            "suppression": {
                "alerts": list(ips.get("silenced", [])),
                "whitelist": list(ips.get("allow", [])),
            },
            "enabled_networks": [],
        },
        {
            "_id": object_id(site_id, "setting", "mgmt"),
            "key": "mgmt",
            "site_id": site_id,
            "auto_upgrade": False,
        },
        {
            "_id": object_id(site_id, "setting", "country"),
            "key": "country",
            "site_id": site_id,
            "code": 276,
        },
    ]


def build_site(
    spec: JsonObject,
    *,
    network: int,
    now_s: int,
    generator: GeneratorSpec | None = None,
    seed: int = 1,
) -> Site:
    """Build every endpoint's records from one scenario description.

    Args:
        spec: the scenario (see ``data/scenarios/*.json``).
        network: the Network major version (9 or 10); decides the reported version.
        now_s: the clock, epoch seconds.
        generator: scale knobs of generated events to add (none by default).
        seed: the generator's seed.

    Returns:
        The site.
    """
    site = spec["site"]
    look = Lookup(spec["devices"], spec["clients"])
    look.by_ip[site["wan_ip"]] = look.gateway
    devices = build_devices(site, spec["devices"], spec["clients"], now_s)
    clients = build_clients(site, spec["devices"], spec["clients"], now_s)
    events = build_events(site, spec.get("events", []), look, now_s * 1000)
    alerts = build_ips_events(site, spec.get("ips", []), look, now_s * 1000)
    lost = [e | {"archived": False} for e in events if e["key"].endswith("_Lost_Contact")]
    alarms = sorted(alerts + lost, key=lambda a: a["time"], reverse=True)
    meta: dict[str, Any] = {"rc": "ok", "up": True, "uuid": object_id("uuid", site["id"])}
    if network < 10:  # noqa: PLR2004 - absent on Network 10
        meta["server_version"] = _VERSIONS[network]
    return Site(
        name=site["name"],
        site_id=site["id"],
        self_sites=[
            {"_id": site["id"], "name": site["name"], "desc": site.get("desc", "Default")}
            | {"attr_hidden_id": site["name"], "attr_no_delete": True, "role": "admin"}
        ],
        sysinfo=[_sysinfo(spec, network, now_s)],
        health=_health(spec, devices, clients),
        devices=devices,
        clients=clients,
        events=sorted(events + alerts, key=lambda e: e["time"], reverse=True),
        ips_events=alerts,
        alarms=alarms,
        settings=_settings(spec),
        system_log=build_system_log(events, alerts, look),
        flows=build_flows(alerts, look),
        status_meta=meta,
        generator=EventGenerator(generator, seed=seed, site=site, look=look, now_ms=now_s * 1000)
        if generator is not None
        else None,
    )
