"""Connectivity rules: lost contact, offline states, WAN failover, isolation, restarts."""

from __future__ import annotations

import pytest

from unifi_scanner.analysis import Severity
from unifi_scanner.collect.models import DeviceState

SWITCH_MAC = "fc:ec:da:11:22:33"

LOST_CONTACT_CASES = [
    pytest.param(
        {
            "key": "EVT_SW_Lost_Contact",
            "sw": SWITCH_MAC,
            "sw_name": "Switch 16",
            "subsystem": "lan",
            "msg": "Switch[fc:ec:da:11:22:33] was disconnected",
        },
        (Severity.MEDIUM, "Switch 16", "The switch Switch 16 lost contact"),
        id="switch-named-in-payload",
    ),
    pytest.param(
        {
            "key": "EVT_AP_Lost_Contact",
            "ap": "00:00:00:00:00:0a",
            "subsystem": "wlan",
            "msg": "AP[00:00:00:00:00:0a] was disconnected",
        },
        (Severity.MEDIUM, "AP-Office", "The access point AP-Office lost contact"),
        id="ap-named-from-snapshot",
    ),
    pytest.param(
        {
            "key": "EVT_GW_Lost_Contact",
            "gw": "00:00:00:00:00:0d",
            "gw_name": "Gateway",
            "subsystem": "www",
            "msg": "Gateway[00:00:00:00:00:0c] was disconnected",
        },
        (Severity.SEVERE, "Gateway", "The gateway Gateway lost contact"),
        id="gateway-is-severe",
    ),
    pytest.param(
        {"key": "EVT_AP_Lost_Contact", "device_mac": "00:00:00:00:00:0c", "msg": "lost"},
        (Severity.SEVERE, "UDM-Pro", "The console UDM-Pro lost contact"),
        id="console-type-from-snapshot-is-severe",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), LOST_CONTACT_CASES)
def test_lost_contact(engine, build, payload, expected):
    """Lost-contact events name the device and rate a gateway severe."""
    payload = dict(payload)
    devices = [
        build.device(),
        build.device(mac="00:00:00:00:00:0c", name="UDM-Pro", model="UDMPRO", type="udm"),
    ]
    snap = build.snapshot([build.event(payload.pop("key"), **payload)], devices=devices)
    [finding] = engine.analyze(snap)
    severity, subject, title = expected
    assert (finding.rule, finding.severity, finding.subject) == (
        "device.lost_contact",
        severity,
        subject,
    )
    assert finding.title.startswith(title)
    assert len(finding.remediation) == 3
    assert all("{" not in step for step in finding.remediation)


def test_lost_contact_aggregates_per_device(engine, build):
    """Repeated drops of one switch become one finding with count and time span."""
    events = [
        build.event("EVT_SW_Lost_Contact", minutes=m, sw=SWITCH_MAC, sw_name="Switch 16")
        for m in (0, 10, 50)
    ]
    [finding] = engine.analyze(build.snapshot(events))
    assert finding.count == 3
    assert finding.first_seen == events[0].time
    assert finding.last_seen == events[2].time
    assert "3 times" in finding.title


OFFLINE_CASES = [
    (DeviceState.DISCONNECTED, "uap", Severity.MEDIUM, "is disconnected"),
    (DeviceState.HEARTBEAT_MISSED, "usw", Severity.MEDIUM, "missed heartbeats"),
    (DeviceState.ADOPTION_FAILED, "uap", Severity.MEDIUM, "could not be adopted"),
    (DeviceState.ISOLATED, "uap", Severity.MEDIUM, "isolated"),
    (DeviceState.FIRMWARE_MISMATCH, "usw", Severity.MEDIUM, "firmware"),
    (DeviceState.DISCONNECTED, "ugw", Severity.SEVERE, "is disconnected"),
    (DeviceState.HEARTBEAT_MISSED, "udm", Severity.SEVERE, "missed heartbeats"),
]


@pytest.mark.parametrize("case", OFFLINE_CASES)
def test_offline_device_states(engine, build, case):
    """Bad device states become an offline finding, severe for gateways."""
    state, device_type, severity, phrase = case
    snap = build.snapshot(devices=[build.device(name="Hall", state=state, type=device_type)])
    [finding] = engine.analyze(snap)
    assert (finding.rule, finding.severity, finding.subject) == ("device.offline", severity, "Hall")
    assert phrase in finding.title
    assert finding.first_seen == build.NOW


@pytest.mark.parametrize(
    "state", [DeviceState.CONNECTED, DeviceState.UPGRADING, DeviceState.PROVISIONING]
)
def test_healthy_states_give_no_finding(engine, build, state):
    """Connected, upgrading or provisioning devices are not offline."""
    assert engine.analyze(build.snapshot(devices=[build.device(state=state)])) == []


@pytest.mark.parametrize(
    "case",
    [
        ("EVT_GW_WANTransition", 1, "wan.failover", Severity.MEDIUM),
        ("EVT_GW_WANTransition", 12, "wan.failover", Severity.SEVERE),
        ("EVT_AP_Isolated", 1, "device.isolated", Severity.MEDIUM),
        ("EVT_SW_RestartedUnknown", 1, "device.restarted_unexpectedly", Severity.LOW),
        ("EVT_AP_RestartedUnknown", 3, "device.restarted_unexpectedly", Severity.MEDIUM),
        ("EVT_SW_Connected", 1, "device.connected", Severity.LOW),
    ],
)
def test_connectivity_events(engine, build, case):
    """WAN failover, isolation and restarts are rated by kind and count."""
    key, count, rule, severity = case
    events = [
        build.event(key, minutes=i, device_mac="00:00:00:00:00:0a", msg="x") for i in range(count)
    ]
    [finding] = engine.analyze(build.snapshot(events, devices=[build.device()]))
    assert (finding.rule, finding.severity, finding.subject, finding.count) == (
        rule,
        severity,
        "AP-Office",
        count,
    )
