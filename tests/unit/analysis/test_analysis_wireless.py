"""Wireless rules: roaming, connections, radar, interference, channels, weak signal."""

from __future__ import annotations

import pytest

from unifi_scanner.analysis import Severity

ANNA = "00:00:00:00:00:01"
OFFICE = "00:00:00:00:00:0a"
HALL = "00:00:00:00:00:0b"


def _roam(i):
    a, b = (OFFICE, HALL) if i % 2 else (HALL, OFFICE)
    return {
        "user": ANNA,
        "ap_from": a,
        "ap_to": b,
        "channel_from": "36",
        "channel_to": 6,
        "radio_from": "na",
        "radio_to": "ng",
        "subsystem": "wlan",
        "ssid": "Home",
        "msg": f"User[{ANNA}] roams from AP[{a}] to AP[{b}]",
    }


ROAM_CASES = [
    pytest.param(
        (3, 60, Severity.LOW, "iPhone-Anna roamed 3 times between AP-Hall and AP-Office"),
        id="few-roams-low",
    ),
    pytest.param(
        (34, 1, Severity.MEDIUM, "iPhone-Anna roamed 34 times between AP-Hall and AP-Office"),
        id="flapping-medium",
    ),
    pytest.param(
        (1, 1, Severity.LOW, "iPhone-Anna roamed once between AP-Hall and AP-Office"),
        id="single-roam",
    ),
]


@pytest.mark.parametrize("case", ROAM_CASES)
def test_roaming(engine, build, case):
    """Roams aggregate per client, naming APs, and many per hour read as flapping."""
    count, spacing_min, severity, title = case
    events = [build.event("EVT_WU_Roam", minutes=i * spacing_min, **_roam(i)) for i in range(count)]
    devices = [build.device(), build.device(mac=HALL, name="AP-Hall")]
    snap = build.snapshot(events, devices=devices, clients=[build.client()])
    [finding] = engine.analyze(snap)
    assert (finding.rule, finding.severity, finding.subject) == (
        "client.roaming",
        severity,
        "iPhone-Anna",
    )
    assert finding.title == title
    assert ANNA not in finding.title + finding.explanation


def test_roam_radio_counts_with_roams_and_names_the_ap(engine, build):
    """Band changes on one AP join the same client's roaming finding."""
    events = [
        build.event("EVT_WU_Roam", **_roam(0)),
        build.event(
            "EVT_WU_RoamRadio",
            minutes=5,
            user=ANNA,
            ap=OFFICE,
            channel_from="6",
            channel_to="36",
            radio_from="ng",
            radio_to="na",
        ),
    ]
    snap = build.snapshot(events, devices=[build.device(), build.device(mac=HALL, name="AP-Hall")])
    [finding] = engine.analyze(snap)
    assert finding.count == 2
    assert finding.subject == ANNA  # not in the snapshot and no name in the payload
    assert "AP-Office" in finding.title


def test_client_display_name_comes_from_any_event(engine, build):
    """A client known by MAC in one event and by hostname in another is one named finding."""
    events = [
        build.event("EVT_WU_Connected", user=ANNA, ssid="Home"),
        build.event(
            "EVT_WU_Disconnected", minutes=1, user=ANNA, hostname="anna-phone", ssid="Home"
        ),
    ]
    [finding] = engine.analyze(build.snapshot(events))
    assert (finding.rule, finding.subject, finding.count) == ("client.connections", "anna-phone", 2)


@pytest.mark.parametrize(
    "case",
    [
        ("EVT_AP_RadarDetected", 1, "wifi.radar_detected", Severity.LOW),
        ("EVT_AP_RadarDetected", 5, "wifi.radar_detected", Severity.MEDIUM),
        ("EVT_AP_PossibleInterference", 2, "wifi.interference", Severity.LOW),
        ("EVT_AP_PossibleInterference", 10, "wifi.interference", Severity.MEDIUM),
        ("EVT_AP_ChannelChanged", 1, "wifi.channel_changed", Severity.LOW),
    ],
)
def test_radio_events(engine, build, case):
    """Radar, interference and channel changes are per AP and escalate with count."""
    key, count, rule, severity = case
    events = [build.event(key, minutes=i, ap=OFFICE, channel_to="44") for i in range(count)]
    [finding] = engine.analyze(build.snapshot(events, devices=[build.device()]))
    assert (finding.rule, finding.severity, finding.subject) == (rule, severity, "AP-Office")


@pytest.mark.parametrize(
    ("signal", "rssi", "poor"),
    [
        (-45, None, False),
        (-58, None, False),
        (-69, None, False),
        (-71, None, True),
        (-85, None, True),
        (None, 35, False),  # rssi 35 is about -60 dBm
        (None, 15, True),  # rssi 15 is about -80 dBm
        (None, None, False),
    ],
)
def test_poor_signal(engine, build, signal, rssi, poor):
    """Wireless clients below -70 dBm get a low poor-signal finding naming their AP."""
    client = build.client(signal=signal, rssi=rssi, ap_mac=OFFICE, essid="Home")
    findings = engine.analyze(build.snapshot(devices=[build.device()], clients=[client]))
    assert [f.rule for f in findings] == (["client.poor_signal"] if poor else [])
    if poor:
        assert findings[0].subject == "iPhone-Anna"
        assert "AP-Office" in findings[0].explanation
        assert "Poor" in findings[0].explanation


def test_wired_clients_have_no_signal_finding(engine, build):
    """A wired client is never reported for signal."""
    client = build.client(is_wired=True, signal=-90)
    assert engine.analyze(build.snapshot(clients=[client])) == []
