"""Scenario data: one consistent site per scenario, and the demo's required situations."""

from __future__ import annotations

import dataclasses

import pytest

from unifi_scanner.simulator import SCENARIOS, GeneratorSpec, build_site, load_scenario

NOW_S = 1_772_452_800
MAC_FIELDS = ("ap", "sw", "gw", "ap_from", "ap_to")


@pytest.fixture(name="demo", scope="module")
def demo_fixture():
    return build_site(load_scenario("demo"), network=9, now_s=NOW_S)


@pytest.mark.parametrize("name", SCENARIOS)
def test_event_macs_match_devices_and_clients(name):
    """Every device and client MAC an event names exists in the device or client description."""
    spec = load_scenario(name)
    site = build_site(spec, network=9, now_s=NOW_S)
    device_macs = {d["mac"] for d in site.devices}
    client_macs = {c["mac"] for c in spec["clients"]}
    for event in site.events:
        for field in MAC_FIELDS:
            if field in event:
                assert event[field] in device_macs, (name, event["key"], field)
        if "user" in event:
            assert event["user"] in client_macs, (name, event["key"])
    for client in site.clients:
        assert client.get("ap_mac", "") in device_macs | {""}
        assert client.get("sw_mac", "") in device_macs | {""}


@pytest.mark.parametrize("name", SCENARIOS)
def test_events_are_within_a_day_of_the_clock(name):
    """Event times are relative to the injected clock (the last 24 hours, none in the future)."""
    site = build_site(load_scenario(name), network=9, now_s=NOW_S)
    assert all(NOW_S * 1000 - 86_400_000 <= e["time"] <= NOW_S * 1000 for e in site.events)


def test_same_clock_same_site():
    """Building a scenario twice at the same time gives identical records."""
    spec = GeneratorSpec(events_per_day=2000)

    def build(seed):
        return build_site(
            load_scenario("busy-office", generator=spec),
            network=10,
            now_s=NOW_S,
            generator=spec,
            seed=seed,
        )

    first, second, other = build(3), build(3), build(4)
    assert dataclasses.replace(first, generator=None) == dataclasses.replace(second, generator=None)
    assert list(first.system_log_feed()) == list(second.system_log_feed())
    assert list(other.system_log_feed()) != list(first.system_log_feed())


def test_unknown_scenario():
    """An unknown scenario name raises ValueError naming the choices."""
    with pytest.raises(ValueError, match="demo"):
        load_scenario("nope")


def test_demo_offline_ap_with_lost_contact(demo):
    """The demo has a disconnected AP (state 0) and an EVT_AP_Lost_Contact naming it."""
    offline = [d for d in demo.devices if d["type"] == "uap" and d["state"] == 0]
    assert len(offline) == 1
    lost = [e for e in demo.events if e["key"] == "EVT_AP_Lost_Contact"]
    assert [e["ap"] for e in lost] == [offline[0]["mac"]]
    assert any(a["key"] == "EVT_AP_Lost_Contact" and not a["archived"] for a in demo.alarms)


def test_demo_ips_inbound_noise_and_outbound_c2(demo):
    """Blocked inbound ET DROP noise plus an outbound ET MALWARE alert from an inside client."""
    inbound = [a for a in demo.ips_events if a["inner_alert_signature"].startswith("ET DROP")]
    assert inbound
    assert all(a["inner_alert_action"] == "blocked" for a in inbound)
    outbound = [a for a in demo.ips_events if a["inner_alert_signature"].startswith("ET MALWARE")]
    client_ips = {c["ip"]: c["mac"] for c in demo.clients}
    assert outbound
    assert all(client_ips[a["src_ip"]] == a["src_mac"] for a in outbound)
    ids = {a["_id"] for a in demo.ips_events}
    assert ids <= {e["_id"] for e in demo.events}
    assert ids & {a["_id"] for a in demo.alarms}
    assert {f["direction"] for f in demo.flows} == {"incoming", "outgoing"}


def test_demo_roams(demo):
    """Several EVT_WU_Roam events move a client between two different APs."""
    roams = [e for e in demo.events if e["key"] == "EVT_WU_Roam"]
    assert len(roams) >= 3
    assert all(e["ap_from"] != e["ap_to"] for e in roams)


def test_demo_switch_near_poe_budget_and_hot_device(demo):
    """One switch draws over 85 % of its PoE budget; one device is overheating."""
    ratios = [
        sum(float(p["poe_power"]) for p in d["port_table"]) / d["total_max_power"]
        for d in demo.devices
        if d["type"] == "usw" and d["total_max_power"]
    ]
    assert any(0.85 <= r < 1 for r in ratios)
    assert any(d.get("overheating") for d in demo.devices)


def test_demo_offline_ap_clients_are_gone(demo):
    """Clients of the offline AP are not in stat/sta; the others are."""
    offline = next(d["mac"] for d in demo.devices if d["state"] == 0)
    assert all(c.get("ap_mac") != offline for c in demo.clients)
    assert 15 <= len(demo.clients) <= 25


def test_quiet_home_has_legacy_temps():
    """quiet-home's gateway also carries the legacy USG temps shape."""
    site = build_site(load_scenario("quiet-home"), network=9, now_s=NOW_S)
    gateway = next(d for d in site.devices if d["type"] == "ugw")
    assert gateway["temps"]["Board (CPU)"].endswith(" C")
