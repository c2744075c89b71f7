"""The generated site: the demo office grown to any number of devices and clients.

Devices are one gateway, about one switch per six devices and access points for the rest; new
switches hang off the core switch, new access points and wired clients off the new switches.
Every name, MAC and address follows from an index, so the site is the same on every build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.simulator.templates import JsonObject, load_json

if TYPE_CHECKING:
    from unifi_scanner.simulator.config import GeneratorSpec

__all__ = ["MAX_CLIENTS", "MAX_DEVICES", "generated_scenario", "site_sizes"]

MAX_DEVICES = 250
"""The most devices a generated site has."""
MAX_CLIENTS = 60_000
"""The most clients a generated site has."""

_SWITCH_PORTS = 16
_APS_PER_SWITCH = 7  # ports 2..8; ports 9..16 take wired clients
_OUIS = ("Apple", "Samsung", "Dell", "Lenovo", "Google", "HP", "Intel", "Xiaomi")


def site_sizes(spec: GeneratorSpec) -> tuple[int, int, int, int]:
    """The generated site's sizes: (access points, switches, gateways, clients).

    Sizes below the demo office's (6 devices, 21 clients) are raised to it; sizes above
    :data:`MAX_DEVICES` / :data:`MAX_CLIENTS` are lowered to them.
    """
    demo: JsonObject = load_json("scenarios/demo.json")
    devices = min(max(spec.devices, len(demo["devices"])), MAX_DEVICES)
    clients = min(max(spec.clients, len(demo["clients"])), MAX_CLIENTS)
    switches = max(2, devices // 6)
    return devices - 1 - switches, switches, 1, clients


def _mac(group: int, n: int) -> str:
    return f"02:00:5e:{group:02x}:{n >> 8:02x}:{n & 0xFF:02x}"


def _add_switches(spec: JsonObject, count: int) -> list[JsonObject]:
    added: list[JsonObject] = []
    core = next(d for d in spec["devices"] if d["name"] == "Switch-Core")
    free_core_ports = list(range(14, _SWITCH_PORTS + 1))
    for n in range(count):
        uplink, port = (
            ("Switch-Core", free_core_ports[n])
            if n < len(free_core_ports)
            else (
                added[n - len(free_core_ports)]["name"],
                _SWITCH_PORTS,
            )
        )
        switch: JsonObject = {
            "name": f"Switch-Floor{n + 1}",
            "type": "usw",
            "model": "US16P150",
            "mac": _mac(0x11, n + 1),
            "ip": f"192.168.1.{30 + n}",
            "version": "6.6.61.15220",
            "uplink": uplink,
            "uplink_port": port,
            "ports": _SWITCH_PORTS,
            "poe_budget": 150,
            "general_temperature": 48 + n % 5,
            "cpu": "8.5",
            "mem": "41.0",
            "poe": [],
            "port_names": {},
        }
        if uplink == "Switch-Core":
            core["port_names"][str(port)] = switch["name"]
        added.append(switch)
    spec["devices"].extend(added)
    return added


def _add_aps(spec: JsonObject, count: int, switches: list[JsonObject]) -> None:
    for n in range(count):
        switch = switches[n // _APS_PER_SWITCH % len(switches)]
        port = 2 + n % _APS_PER_SWITCH
        name = f"AP-Floor{n // _APS_PER_SWITCH + 1}-{n % _APS_PER_SWITCH + 1}"
        spec["devices"].append(
            {
                "name": name,
                "type": "uap",
                "model": "U7PG2",
                "mac": _mac(0x12, n + 1),
                "ip": f"192.168.1.{60 + n}",
                "version": "6.6.77.15402",
                "uplink": switch["name"],
                "uplink_port": port,
                "channels": [(1, 6, 11)[n % 3], (36, 44, 149, 157)[n % 4]],
                "cu_total": 15 + n % 30,
            }
        )
        switch["poe"].append([port, round(6.5 + (n % 7) * 0.9, 1)])
        switch["port_names"][str(port)] = name


def _add_clients(spec: JsonObject, count: int, switches: list[JsonObject]) -> None:
    aps = [d["name"] for d in spec["devices"] if d["type"] == "uap" and d.get("state", 1) == 1]
    wired_ports = [(s["name"], p) for s in switches for p in range(9, _SWITCH_PORTS)]
    for n in range(count):
        client: JsonObject = {
            "name": f"client-{n:05d}",
            "mac": _mac(0x30, n),
            "ip": f"10.{20 + n // 62_500}.{n // 250 % 250}.{n % 250 + 2}",
            "oui": _OUIS[n % len(_OUIS)],
        }
        if n % 25 == 0 and wired_ports:
            switch, port = wired_ports.pop()
            client |= {"switch": switch, "port": port, "kind": "desktop"}
        else:
            client |= {
                "ap": aps[n * 7 % len(aps)],
                "rssi": 15 + n * 13 % 36,
                "radio": "ng" if n % 3 == 0 else "na",
                "kind": "mobile" if n % 2 else "desktop",
            }
        spec["clients"].append(client)


def generated_scenario(spec: GeneratorSpec) -> JsonObject:
    """The compact description of the generated site (the demo office, grown).

    Args:
        spec: the scale knobs.

    Returns:
        A scenario like ``data/scenarios/*.json``: the demo's devices, clients, events and IPS
        alerts, plus the added devices and clients.
    """
    scenario: JsonObject = load_json("scenarios/demo.json")
    scenario["name"] = "busy-office"
    scenario["description"] = "A large office; most of its events come from the generator."
    aps, switches, _gateways, clients = site_sizes(spec)
    demo_aps = sum(1 for d in scenario["devices"] if d["type"] == "uap")
    demo_switches = sum(1 for d in scenario["devices"] if d["type"] == "usw")
    added = _add_switches(scenario, switches - demo_switches)
    _add_aps(scenario, aps - demo_aps, added or [scenario["devices"][1]])
    _add_clients(scenario, clients - len(scenario["clients"]), added)
    return scenario
