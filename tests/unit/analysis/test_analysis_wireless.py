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


def _setup(build, events):
    devices = [build.device(), build.device(mac=HALL, name="AP-Hall")]
    return build.snapshot(events, devices=devices, clients=[build.client()])


def test_flapping_client_is_reported_alone(engine, build):
    """A client roaming 10 or more times an hour gets its own medium finding naming its APs."""
    events = [build.event("EVT_WU_Roam", minutes=i, **_roam(i)) for i in range(34)]
    [finding] = engine.analyze(_setup(build, events))
    assert (finding.rule, finding.severity, finding.subject) == (
        "client.roaming",
        Severity.MEDIUM,
        "iPhone-Anna",
    )
    assert finding.title == "iPhone-Anna roamed 34 times between AP-Hall and AP-Office"
    assert ANNA not in finding.title + finding.explanation


@pytest.mark.parametrize(
    ("count", "spacing_min", "example"),
    [
        pytest.param(3, 60, "iPhone-Anna roamed 3 times (1.5 per hour)", id="few-roams"),
        pytest.param(1, 1, "iPhone-Anna roamed once (1.0 per hour)", id="single-roam"),
        pytest.param(9, 1, "iPhone-Anna roamed 9 times (9.0 per hour)", id="just-below"),
    ],
)
def test_routine_roaming_is_one_site_finding(engine, build, count, spacing_min, example):
    """Roaming below 10 an hour folds into one low 'all clients' finding with examples."""
    events = [build.event("EVT_WU_Roam", minutes=i * spacing_min, **_roam(i)) for i in range(count)]
    [finding] = engine.analyze(_setup(build, events))
    assert (finding.rule, finding.severity, finding.subject, finding.count) == (
        "client.roaming",
        Severity.LOW,
        "all clients",
        count,
    )
    assert finding.title == f"1 client(s) roamed {count} time(s) between access points"
    assert finding.examples == (f"{example} between AP-Hall and AP-Office",)
    assert "iPhone-Anna" in finding.explanation
    assert finding.remediation == ()


def test_flapping_and_routine_clients_are_split(engine, build):
    """A flapping client is reported alone; the others are counted in the summary only."""
    events = [build.event("EVT_WU_Roam", minutes=i, **_roam(i)) for i in range(12)]
    for n in range(3):
        events += [
            build.event(
                "EVT_WU_Roam", minutes=i * 30, **{**_roam(i), "user": f"aa:00:00:00:00:0{n}"}
            )
            for i in range(4)
        ]
    findings = engine.analyze(_setup(build, events))
    assert [(f.severity, f.subject, f.count) for f in findings] == [
        (Severity.MEDIUM, "iPhone-Anna", 12),
        (Severity.LOW, "all clients", 12),
    ]
    assert findings[1].title == "3 client(s) roamed 12 time(s) between access points"


def test_roam_radio_counts_with_roams_and_names_the_ap(engine, build):
    """Band changes on one AP join the same client's roaming count."""
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
    # not in the snapshot and no name in the payload: shown by MAC
    assert finding.examples[0].startswith(f"{ANNA} roamed 2 times")
    assert "AP-Office" in finding.examples[0]


def test_client_display_name_comes_from_any_event(engine, build):
    """A client known by MAC in one event and by hostname in another is counted once, by name."""
    events = [
        build.event("EVT_WU_Connected", user=ANNA, ssid="Home"),
        build.event(
            "EVT_WU_Disconnected", minutes=1, user=ANNA, hostname="anna-phone", ssid="Home"
        ),
    ]
    [finding] = engine.analyze(build.snapshot(events))
    assert (finding.rule, finding.subject, finding.count) == (
        "client.connections",
        "all clients",
        2,
    )
    assert finding.title == "1 client(s) connected or disconnected 2 time(s)"
    assert finding.examples == (
        "anna-phone connected or disconnected 2 times (connected (1), disconnected (1))",
    )


@pytest.mark.parametrize(
    ("count", "spacing_min", "alone"),
    [(10, 5, True), (30, 2, True), (9, 1, False), (20, 30, False)],
)
def test_connection_flapping_threshold(engine, build, count, spacing_min, alone):
    """From 10 connects or disconnects an hour a client is reported alone as medium."""
    keys = ("EVT_WU_Connected", "EVT_WU_Disconnected")
    events = [
        build.event(keys[i % 2], minutes=i * spacing_min, user=ANNA, ssid="Home")
        for i in range(count)
    ]
    [finding] = engine.analyze(build.snapshot(events, clients=[build.client()]))
    if alone:
        assert (finding.severity, finding.subject) == (Severity.MEDIUM, "iPhone-Anna")
        assert finding.title == f"iPhone-Anna connected or disconnected {count} times"
        assert finding.remediation
    else:
        assert (finding.severity, finding.subject) == (Severity.LOW, "all clients")


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
    """Wireless clients below -70 dBm are counted in a poor-signal finding naming their AP."""
    client = build.client(signal=signal, rssi=rssi, ap_mac=OFFICE, essid="Home")
    findings = engine.analyze(build.snapshot(devices=[build.device()], clients=[client]))
    assert [f.rule for f in findings] == (["client.poor_signal"] if poor else [])
    if poor:
        assert findings[0].subject == "wireless clients"
        assert findings[0].severity is Severity.LOW  # one client is never medium
        assert findings[0].examples[0].startswith("iPhone-Anna: ")
        assert "AP-Office" in findings[0].examples[0]
        assert "Poor" in findings[0].explanation


def _clients(build, signals):
    return [
        build.client(mac=f"00:00:00:00:01:{i:02x}", name=f"dev-{i}", signal=dbm, ap_mac=OFFICE)
        for i, dbm in enumerate(signals)
    ]


def test_poor_signal_lists_the_weakest_first(engine, build):
    """One finding counts Poor and Fair clients and names the weakest three with AP and dBm."""
    clients = _clients(build, [-72, -90, -45, -65, -80, -75])
    [finding] = engine.analyze(build.snapshot(devices=[build.device()], clients=clients))
    assert finding.title == "4 Wi-Fi client(s) have a poor signal; the weakest is dev-1 (-90 dBm)"
    assert finding.examples == (
        "dev-1: -90 dBm through AP-Office on the Wi-Fi",
        "dev-4: -80 dBm through AP-Office on the Wi-Fi",
        "dev-5: -75 dBm through AP-Office on the Wi-Fi",
    )
    assert "4 of 6 Wi-Fi clients" in finding.explanation
    assert "1 more a Fair one" in finding.explanation
    assert finding.remediation


@pytest.mark.parametrize(
    ("poor", "good", "severity"),
    [
        (5, 15, Severity.MEDIUM),
        (5, 16, Severity.LOW),
        (4, 0, Severity.LOW),
        (50, 10, Severity.MEDIUM),
    ],
)
def test_poor_signal_is_medium_for_a_large_share(engine, build, poor, good, severity):
    """Medium when at least 5 clients and a quarter of the wireless clients are Poor."""
    clients = _clients(build, [-80] * poor + [-50] * good)
    [finding] = engine.analyze(build.snapshot(devices=[build.device()], clients=clients))
    assert finding.severity is severity


def test_wired_clients_have_no_signal_finding(engine, build):
    """A wired client is never reported for signal."""
    client = build.client(is_wired=True, signal=-90)
    assert engine.analyze(build.snapshot(clients=[client])) == []
