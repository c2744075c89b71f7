"""Real controller captures through the default rules."""

from __future__ import annotations

import pytest

from unifi_scanner.analysis import Severity
from unifi_scanner.collect.models import EventSource

pytestmark = pytest.mark.fixtures


def _summary(findings):
    return {(f.rule, f.severity, f.subject, f.count) for f in findings}


def test_composed_stat_event(engine, build, load_capture):
    """The capture gives a severe malware alert and one story for the switch (issue 10).

    Its drop (medium) leads; its restart, upgrade and return are parts of it.
    """
    items = load_capture("composed_stat_event.json")["data"]
    findings = engine.analyze(build.snapshot([build.event_from_item(i) for i in items]))
    assert _summary(findings) == {
        ("ips.inside_threat", Severity.SEVERE, "192.168.1.199 (00:50:b6:96:76:6e)", 1),
        ("device.lost_contact", Severity.MEDIUM, "Switch 16", 4),
        ("client.connections", Severity.LOW, "all clients", 6),
    }
    assert findings[0].rule == "ips.inside_threat"
    switch = next(f for f in findings if f.subject == "Switch 16")
    assert set(switch.parts) == {
        "device.lost_contact",
        "device.restarted_unexpectedly",
        "device.firmware_upgraded",
        "device.connected",
    }
    assert "Switch 16 was updated from 4.0.66.10832 to 4.3.13.11253." in switch.explanation
    assert all("fc:ec:da" not in line for line in switch.examples)


def test_composed_stat_event_names_clients_from_the_snapshot(engine, build, load_capture):
    """With stat/sta clients present, the infected host is named, not shown by IP or MAC."""
    items = load_capture("composed_stat_event.json")["data"]
    clients = [build.client(mac="00:50:b6:96:76:6e", name="Office-PC", ip="192.168.1.199")]
    findings = engine.analyze(
        build.snapshot([build.event_from_item(i) for i in items], clients=clients)
    )
    assert findings[0].subject == "Office-PC"
    assert "00:50:b6:96:76:6e" not in findings[0].title + findings[0].explanation


def test_composed_stat_ips_event(engine, build, load_capture):
    """Both real IPS alerts are triaged: outbound malware severe, unblocked Spamhaus medium."""
    items = load_capture("composed_stat_ips_event.json")["data"]
    events = [build.event_from_item(i, EventSource.IPS) for i in items]
    findings = engine.analyze(build.snapshot(events))
    assert _summary(findings) == {
        ("ips.inside_threat", Severity.SEVERE, "192.168.1.199 (00:50:b6:96:76:6e)", 1),
        (
            "ips.inbound_detected",
            Severity.MEDIUM,
            "Traffic from known-bad networks (Spamhaus DROP list)",
            1,
        ),
    }
    inbound = findings[1]
    assert "196.196.244.84 (SE)" in inbound.explanation
    assert set(inbound.badges) == {"detected only", "inbound"}


def test_unpoller_ids_item(engine, build, load_capture):
    """The unpoller stat/ips/event item is an unblocked inbound Spamhaus alert."""
    [item] = load_capture("unpoller_example_ids.json")
    [finding] = engine.analyze(build.snapshot([build.event_from_item(item, EventSource.IPS)]))
    assert (finding.rule, finding.severity) == ("ips.inbound_detected", Severity.MEDIUM)
    assert "Spamhaus" in finding.explanation


def test_composed_list_alarm(engine, build, load_capture):
    """Alarms go through the same rules as events."""
    items = load_capture("composed_list_alarm.json")["data"]
    events = [build.event_from_item(i, EventSource.ALARM) for i in items]
    assert {f.rule for f in engine.analyze(build.snapshot(events))} == {
        "ips.inbound_detected",
        "device.lost_contact",
    }


def test_websocket_event_frames(engine, build, load_capture):
    """Websocket `events` frames carry the same items and give the same findings."""
    frames = load_capture("aiounifi_ws_messages.json").values()
    items = [i for f in frames if f["meta"]["message"] == "events" for i in f["data"]]
    events = [build.event_from_item(i, EventSource.WEBSOCKET) for i in items]
    findings = engine.analyze(build.snapshot(events))
    assert {f.rule for f in findings} == {"device.lost_contact", "client.connections"}
    switch = next(f for f in findings if f.rule == "device.lost_contact")
    assert set(switch.parts) == {
        "device.lost_contact",
        "device.restarted_unexpectedly",
        "device.firmware_upgraded",
        "device.connected",
    }


def test_trek_e_threat_blocked_v3(engine, build, load_capture):
    """The v2 threat document (parameters objects) is a blocked inbound threat."""
    doc = load_capture("trek-e_synthetic_samples.json")["mongo_ace_alert_threat_blocked_v3"][
        "value"
    ]
    event = build.event_from_item(doc, EventSource.SYSTEM_LOG)
    [finding] = engine.analyze(build.snapshot([event]))
    assert (finding.rule, finding.severity) == ("ips.inbound_blocked", Severity.LOW)
    assert "130.12.180.122" in finding.explanation


def test_aiounifi_stat_device(engine, build, load_capture):
    """The five real devices: a busy switch and four firmware updates, nothing offline or hot."""
    devices = [build.device_from_raw(d) for d in load_capture("aiounifi_stat_device.json")["data"]]
    findings = engine.analyze(build.snapshot(devices=devices))
    assert _summary(findings) == {
        ("device.cpu_high", Severity.MEDIUM, "Switch 16", 2),  # and its firmware update
        ("device.firmware_upgradable", Severity.LOW, "USG", 1),
        ("device.firmware_upgradable", Severity.LOW, "Switch 8", 1),
        ("device.firmware_upgradable", Severity.LOW, "ACCESS POINT AC PRO", 1),
    }
    busy = findings[0]
    assert busy.parts == ("device.cpu_high", "device.firmware_upgradable")
    assert "A firmware update is available for Switch 16." in busy.explanation


@pytest.mark.parametrize(
    "name", ["unpoller_example_usw.json", "unpoller_example_ugw.json", "unpoller_example_uap.json"]
)
def test_unpoller_devices_are_healthy(engine, build, load_capture, name):
    """The unpoller device examples are connected, cool and within PoE budget."""
    device = build.device_from_raw(load_capture(name))
    assert engine.analyze(build.snapshot(devices=[device])) == []


def test_hot_switch_from_capture_shape(engine, build, load_capture):
    """A real switch over its PoE budget and temperature gives one finding, led by the heat."""
    raw = dict(
        load_capture("unpoller_example_usw.json"), general_temperature=78, total_max_power=50
    )
    [finding] = engine.analyze(build.snapshot(devices=[build.device_from_raw(raw)]))
    assert (finding.rule, finding.severity) == ("device.temperature", Severity.MEDIUM)
    assert finding.parts == ("device.temperature", "device.poe_budget")


def test_aiounifi_stat_sta_clients(engine, build, load_capture):
    """The real wireless client at -61 dBm is not flagged; a weaker copy of it is."""
    raw = load_capture("aiounifi_stat_sta.json")["data"]
    clients = [
        build.client(
            mac=c["mac"],
            name=c.get("name") or c.get("hostname"),
            is_wired=c["is_wired"],
            ap_mac=c.get("ap_mac"),
            rssi=c.get("rssi"),
            signal=c.get("signal"),
            essid=c.get("essid"),
        )
        for c in raw
    ]
    assert engine.analyze(build.snapshot(clients=clients)) == []
    weak = build.client(
        mac="00:00:00:00:00:02", name="Garden-Cam", signal=-82, ap_mac="80:2a:a8:00:01:02"
    )
    [finding] = engine.analyze(build.snapshot(clients=[*clients, weak]))
    assert (finding.rule, finding.subject) == ("client.poor_signal", "wireless clients")
    assert finding.examples[0].startswith("Garden-Cam: -82 dBm")
