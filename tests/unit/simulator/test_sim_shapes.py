"""Key-by-key shape checks of the simulator's records against the real captures.

Every key a capture has must exist in the simulator's record with the same JSON type, so the
oracle's shapes cannot drift from the controller's. Values are our own; only shapes are compared.
"""

from __future__ import annotations

from typing import Any

import pytest

from unifi_scanner.simulator import build_site, load_scenario

pytestmark = pytest.mark.fixtures

NOW_S = 1_772_452_800

# Keys whose JSON type legitimately varies between real records (documented in docs/simulator.md).
VARIES = {
    "channel",  # an int on devices and clients, a string like "36" on some events
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def shape_problems(capture: dict[str, Any], ours: dict[str, Any], where: str = "") -> list[str]:
    problems = []
    for key, value in capture.items():
        if key not in ours:
            problems.append(f"{where}{key}: missing")
        elif key not in VARIES and value is not None and json_type(ours[key]) != json_type(value):
            problems.append(f"{where}{key}: {json_type(ours[key])} != {json_type(value)}")
    return problems


def nested_problems(capture: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> list[str]:
    """Compare the listed nested objects (``a.b``) and the first item of listed arrays (``a[]``)."""
    problems = shape_problems(capture, ours)
    for path in paths:
        cap, own = capture, ours
        for part in path.split("."):
            cap, own = cap[part.removesuffix("[]")], own[part.removesuffix("[]")]
            if part.endswith("[]"):
                assert own, f"{path}: our list is empty"
                cap, own = cap[0], own[0]
        problems += shape_problems(cap, own, f"{path}.")
    return problems


@pytest.fixture(name="site", scope="module")
def site_fixture():
    return build_site(load_scenario("demo"), network=9, now_s=NOW_S)


def by_model(site, model):
    return next(d for d in site.devices if d["model"] == model)


@pytest.mark.parametrize(
    ("capture_name", "model", "paths"),
    [
        (
            "aiounifi_device_ugw_usg3.json",
            "UGW3",
            [
                "system-stats",
                "sys_stats",
                "uplink",
                "temperatures[]",
                "storage[]",
                "wan1",
                "speedtest-status",
                "uptime_stats.WAN.monitors[]",
                "port_table[]",
                "last_wan_status",
            ],
        ),
        (
            "aiounifi_device_usw_16_poe.json",
            "US16P150",
            ["system-stats", "sys_stats", "uplink", "last_uplink", "port_table[]", "switch_caps"],
        ),
        (
            "aiounifi_device_uap_ac_pro.json",
            "U7PG2",
            [
                "system-stats",
                "sys_stats",
                "uplink",
                "last_uplink",
                "radio_table[]",
                "radio_table_stats[]",
                "port_table[]",
            ],
        ),
    ],
)
def test_device_shapes(load_capture, site, capture_name, model, paths):
    """Gateway, PoE switch and AP records carry every captured key with the captured type."""
    capture = load_capture(capture_name)
    assert nested_problems(capture, by_model(site, model), paths) == []


def test_poe_values_are_strings(site):
    """poe_power, poe_voltage and poe_current are strings like "3.24", as on a controller."""
    port = next(p for p in by_model(site, "US16P150")["port_table"] if p["poe_enable"])
    assert all(isinstance(port[k], str) for k in ("poe_power", "poe_voltage", "poe_current"))
    float(port["poe_power"])


@pytest.mark.parametrize(("index", "wired"), [(0, True), (1, False)])
def test_client_shapes(load_capture, site, index, wired):
    """Wired and wireless stat/sta records carry every captured key with the captured type."""
    capture = load_capture("aiounifi_stat_sta.json")["data"][index]
    ours = next(c for c in site.clients if c["is_wired"] is wired)
    assert shape_problems(capture, ours) == []


def best_match(capture: dict[str, Any], candidates: list[dict[str, Any]]) -> list[str]:
    """The problems of the candidate closest in shape (fewest problems)."""
    assert candidates, f"no record with key {capture.get('key')}"
    return min((shape_problems(capture, c) for c in candidates), key=len)


@pytest.mark.parametrize(
    ("capture_name", "attribute"),
    [
        ("composed_stat_event.json", "events"),
        ("composed_stat_ips_event.json", "ips_events"),
        ("composed_list_alarm.json", "alarms"),
    ],
)
def test_event_shapes_by_key(load_capture, site, capture_name, attribute):
    """Every captured event, IPS event and alarm has a record of ours with its key and shape."""
    problems = {}
    for item in load_capture(capture_name)["data"]:
        ours = [e for e in getattr(site, attribute) if e["key"] == item["key"]]
        if found := best_match(item, ours):
            problems[item["_id"] + " " + item["key"]] = found
    assert problems == {}


def test_ips_example_shape(load_capture, site):
    """The real stat/ips/event example (inbound Spamhaus) matches our inbound alerts."""
    for item in load_capture("unpoller_example_ids.json"):
        assert best_match(item, site.ips_events) == []


def test_sysinfo_shape(load_capture, site):
    """stat/sysinfo carries every captured key."""
    assert (
        shape_problems(load_capture("aiounifi_stat_sysinfo.json")["data"][0], site.sysinfo[0]) == []
    )


def test_health_shapes(load_capture, site):
    """Each stat/health subsystem carries the captured keys."""
    ours = {h["subsystem"]: h for h in site.health}
    problems = []
    for item in load_capture("unpoller_stat_health.json")["data"]:
        problems += shape_problems(item, ours[item["subsystem"]], item["subsystem"] + ".")
    assert problems == []


def test_self_sites_shape(load_capture, site):
    """self/sites items carry the captured keys."""
    assert (
        shape_problems(load_capture("aiounifi_self_sites.json")["data"][0], site.self_sites[0])
        == []
    )


async def test_login_body_shape(load_capture, make_client, credentials):
    """The UniFi OS login body carries every key of the captured user object."""
    client = make_client()
    body = (await client.post("/api/auth/login", json=credentials)).json()
    assert shape_problems(load_capture("aiounifi_login_unifios_response.json"), body) == []
