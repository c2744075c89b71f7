"""Deterministic generated scenarios (``busy-office``): many clients and thousands of events."""

from __future__ import annotations

import random

from unifi_scanner.simulator.templates import JsonObject, load_json

__all__ = ["generate_busy_office"]

_CLIENT_EVENTS = ("EVT_WU_Connected", "EVT_WU_Disconnected", "EVT_WU_Roam")


def generate_busy_office(*, seed: int = 1, clients: int = 120, events: int = 4200) -> JsonObject:
    """A busy office built on the demo's devices: many clients, more events than one page holds.

    ``events`` defaults to more than ``stat/event``'s 3000 limit, so paging and ``meta.count``
    are exercised. The same seed always gives the same scenario.

    Args:
        seed: the random seed.
        clients: how many wireless clients to add.
        events: how many client events to add (spread over the last 24 hours).

    Returns:
        The scenario description.
    """
    rng = random.Random(seed)  # noqa: S311 - not for security
    spec: JsonObject = load_json("scenarios/demo.json")
    spec["name"] = "busy-office"
    spec["description"] = "The demo office with many clients and more events than one page holds."
    aps = [d["name"] for d in spec["devices"] if d["type"] == "uap" and d.get("state", 1) == 1]
    for n in range(clients):
        spec["clients"].append(
            {
                "name": f"device-{n:03d}",
                "mac": f"02:00:5e:30:{n // 256:02x}:{n % 256:02x}",
                "ip": f"192.168.2.{n + 10}",
                "ap": rng.choice(aps),
                "rssi": rng.randint(12, 50),
                "oui": rng.choice(("Apple", "Samsung", "Dell", "Lenovo", "Google")),
                "radio": rng.choice(("ng", "na", "na")),
            }
        )
    generated = []
    for _ in range(events):
        client = spec["clients"][-rng.randint(1, clients)]
        key = rng.choice(_CLIENT_EVENTS)
        item: JsonObject = {
            "key": key,
            "ago": round(rng.uniform(1, 1439), 2),
            "client": client["name"],
        }
        if key == "EVT_WU_Roam":
            ap_from, ap_to = rng.sample(aps, 2)
            item |= {"ap_from": ap_from, "ap_to": ap_to}
        generated.append(item)
    spec["events"].extend(generated)
    return spec
