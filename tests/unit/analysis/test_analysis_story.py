"""One story per device and per client: every part about one subject in one finding (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from unifi_scanner.analysis import Aggregate, Engine, Finding, Severity
from unifi_scanner.analysis.story import MAX_STEPS, MAX_TIMELINE, tell
from unifi_scanner.collect.models import DeviceState, EventSource, Temperature

SWITCH = {"sw": "00:00:00:00:00:0b", "sw_name": "Switch 16", "device_mac": "00:00:00:00:00:0b"}
PHONE = "00:00:00:00:00:01"


def _part(rule, severity, *, count=1, title=None, steps=(), examples=(), badges=()):
    return Finding(
        rule=rule,
        severity=severity,
        title=title or f"{rule} happened",
        explanation=f"Because of {rule}.",
        remediation=tuple(steps),
        subject="Switch 16",
        count=count,
        first_seen=datetime(2026, 1, 5, 9, tzinfo=UTC),
        last_seen=datetime(2026, 1, 5, 10, tzinfo=UTC),
        examples=tuple(examples),
        badges=tuple(badges),
    )


def test_one_part_is_told_as_it_is_with_its_rule_as_parts():
    """A single part keeps its text; only ``parts`` is added."""
    part = _part("poe.overload", Severity.MEDIUM)
    told = tell([part])
    assert told.title == part.title
    assert told.parts == ("poe.overload",)


def test_the_lead_is_the_most_severe_then_what_is_wrong_now():
    """Severity first; among equals the lead order (offline before lost contact), then count."""
    parts = [
        _part("device.lost_contact", Severity.MEDIUM, count=9),
        _part("device.offline", Severity.MEDIUM),
        _part("device.firmware_upgradable", Severity.LOW, count=20),
    ]
    told = tell(parts)
    assert told.rule == "device.offline"
    assert told.parts == ("device.offline", "device.lost_contact", "device.firmware_upgradable")
    assert told.title == "device.offline happened (and 2 more about it)"
    assert told.count == 30
    assert told.severity is Severity.MEDIUM
    severe = tell([*parts, _part("device.temperature", Severity.SEVERE)])
    assert severe.rule == "device.temperature"


def test_steps_of_low_parts_are_left_out_and_repeats_removed():
    """The lead's steps, then the other medium or severe parts' new steps, at most MAX_STEPS."""
    told = tell(
        [
            _part("poe.overload", Severity.MEDIUM, steps=("a", "b")),
            _part("device.restarted_unexpectedly", Severity.MEDIUM, count=2, steps=("b", "c")),
            _part("device.firmware_upgradable", Severity.LOW, steps=("z",)),
            _part("device.cpu_high", Severity.MEDIUM, steps=tuple("defghij")),
        ]
    )
    assert told.remediation[:3] == ("a", "b", "c")
    assert "z" not in told.remediation
    assert len(told.remediation) == MAX_STEPS


def test_the_timeline_is_every_example_in_time_order_and_bounded():
    """Examples of all parts are merged in time order; only the latest MAX_TIMELINE stay."""
    lines = [f"2026-01-05 {h:02d}:00 UTC: event {h}" for h in range(12)]
    told = tell(
        [
            _part("poe.overload", Severity.MEDIUM, examples=lines[1::2]),
            _part("device.lost_contact", Severity.MEDIUM, examples=lines[0::2]),
        ]
    )
    assert list(told.examples) == lines[-MAX_TIMELINE:]


def test_a_device_story_from_events_and_statistics(engine, build):
    """Lost contact (events) and offline now (stat/device) about one AP are one finding."""
    events = [
        build.event("EVT_AP_Lost_Contact", minutes=m, device_mac="00:00:00:00:00:0a", msg="x")
        for m in (0, 30)
    ]
    device = build.device(state=DeviceState.DISCONNECTED)
    [finding] = engine.analyze(build.snapshot(events, devices=[device]))
    assert finding.rule == "device.offline"
    assert set(finding.parts) == {"device.offline", "device.lost_contact"}
    assert finding.subject == "AP-Office"


def test_two_devices_with_one_name_are_not_merged(engine, build):
    """Stories are keyed by MAC: two switches both called Switch keep their own findings."""
    events = [
        build.event("EVT_SW_PoeOverload", device_mac=mac, sw_name="Switch", port=1, msg="x")
        for mac in ("00:00:00:00:00:21", "00:00:00:00:00:22")
    ]
    findings = engine.analyze(build.snapshot(events))
    assert [f.subject for f in findings] == ["Switch", "Switch"]
    assert findings[0].fingerprint != findings[1].fingerprint, "two findings, two fingerprints"
    for finding in findings:
        assert "00:00:00:00:00:2" not in finding.fingerprint, "a named device's MAC stays out"
        assert Finding.from_dict(finding.to_dict()) == finding


def test_a_fingerprint_survives_a_rename(engine, build):
    """The key stands for the MAC: the same switch under a new name keeps its fingerprint."""

    def fingerprint(name: str) -> str:
        event = build.event(
            "EVT_SW_PoeOverload", device_mac="00:00:00:00:00:21", sw_name=name, port=1, msg="x"
        )
        [finding] = engine.analyze(build.snapshot([event]))
        assert finding.subject == name
        return finding.fingerprint

    assert fingerprint("Switch") == fingerprint("Switch-Lobby")


def test_a_client_story_joins_flapping_and_an_infection(engine, build):
    """An infected laptop that also flaps is one finding, led by the infection."""
    flapping = [
        build.event("EVT_WU_Connected", minutes=i * 2, user=PHONE, hostname="Laptop-Kai")
        for i in range(25)
    ]
    alerts = [
        build.event(
            "EVT_IPS_IpsAlert",
            minutes=5,
            event_source=EventSource.IPS,
            src_ip="192.168.1.42",
            src_mac=PHONE,
            dest_ip="45.1.2.3",
            inner_alert_signature="ET MALWARE Win32/Example CnC Checkin",
            inner_alert_action="allowed",
        )
    ]
    clients = [build.client(mac=PHONE, name="Laptop-Kai", ip="192.168.1.42")]
    [finding] = engine.analyze(build.snapshot(flapping + alerts, clients=clients))
    assert (finding.rule, finding.severity, finding.subject) == (
        "ips.inside_threat",
        Severity.SEVERE,
        "Laptop-Kai",
    )
    assert set(finding.parts) == {"ips.inside_threat", "client.connections"}


def test_stories_are_told_after_a_merge_of_worker_aggregates(build):
    """Two parts made in two workers' aggregates still become one finding."""
    engine = Engine(now=lambda: build.NOW)
    hot = build.device(name="Switch 16", mac=SWITCH["sw"], type="usw",
                       temperatures=(Temperature(name="CPU", celsius=75.0),))  # fmt: skip
    snapshot = build.snapshot(devices=[hot])
    first = engine.aggregate(
        snapshot, [build.event("EVT_SW_PoeOverload", port=3, msg="x", **SWITCH)]
    )
    second = engine.aggregate(
        snapshot, [build.event("EVT_SW_Lost_Contact", minutes=9, msg="x", **SWITCH)]
    )
    merged = Aggregate()
    merged.merge(first)
    merged.merge(second)
    [finding] = engine.conclude(snapshot, merged)
    assert set(finding.parts) == {"device.temperature", "poe.overload", "device.lost_contact"}
