"""Correlation: an address an integration saw and the UniFi data shows is called out twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unifi_scanner.analysis import Engine, Severity
from unifi_scanner.collect.models import (
    ControllerInfo,
    Event,
    EventSource,
    Flavour,
    Site,
    Snapshot,
    Window,
)
from unifi_scanner.integrations import (
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
    correlate,
)
from unifi_scanner.integrations.correlate import MAX_ADDRESS_FINDINGS, unifi_sightings

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def _alert(ip: str, n: int, *, action: str = "blocked", sig: str = "ET SCAN MSSQL probe") -> Event:
    return Event(
        id=f"ips-{ip}-{n}-{action}",
        key="EVT_IPS_IpsAlert",
        source=EventSource.CLASSIC,
        time=NOW - timedelta(minutes=n),
        subsystem="www",
        message=f"IPS Alert 2: Misc. From: {ip}:4444, to: 192.168.1.10:1433",
        params={
            "src_ip": ip,
            "dest_ip": "192.168.1.10",
            "inner_alert_action": action,
            "inner_alert_signature": sig,
            "inner_alert_signature_id": 2010935,
            "inner_alert_category": "Potentially Bad Traffic",
            "inner_alert_severity": 2,
            "catname": "emerging-scan",
            "srcipCountry": "CN",
        },
    )


def _snapshot(*events: Event) -> Snapshot:
    return Snapshot(
        site=Site(id="s", name="default", description="Default"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=tuple(sorted(events, key=lambda e: (e.time, e.id))),
    )


def _results(addresses: dict[str, str]) -> IntegrationResults:
    section = IntegrationSection(
        name="cloudflare",
        display_name="Cloudflare",
        success=True,
        status=IntegrationStatus.OK,
        data={"waf": {}},
        addresses=addresses,
    )
    return IntegrationResults((section,))


def test_an_address_in_both_is_called_out_in_the_findings_and_the_section():
    """The shared address gets its own finding, a badge on the IPS finding, and a section note."""
    snapshot = _snapshot(*(_alert("192.0.2.45", n) for n in range(3)), _alert("198.51.100.9", 9))
    findings = Engine(now=lambda: NOW).analyze(snapshot)
    results = _results({"192.0.2.45": "63 requests to example.com stopped by the WAF"})

    out, correlated = correlate(results, snapshot, findings)

    own = [f for f in out if f.rule == "correlation.address"]
    assert len(own) == 1
    assert own[0].subject == "192.0.2.45"
    assert own[0].count == 3
    assert own[0].severity is Severity.LOW  # every alert was blocked
    assert "Cloudflare" in own[0].title
    assert any("63 requests to example.com" in line for line in own[0].evidence)
    badged = [f for f in out if "also seen by Cloudflare" in f.badges and f.rule != own[0].rule]
    assert badged, "the IPS finding naming the address carries the badge"
    section = correlated.sections[0]
    assert set(section.correlated) == {"192.0.2.45"}
    assert "3 IPS alerts" in section.correlated["192.0.2.45"]
    assert "all blocked" in section.correlated["192.0.2.45"]
    assert section.as_dict()["correlated"] == dict(section.correlated)


def test_an_alert_only_detected_makes_the_shared_address_medium():
    """Traffic the gateway did not block raises the shared-address finding to medium."""
    snapshot = _snapshot(_alert("203.0.113.7", 1, action="allowed"), _alert("203.0.113.7", 2))
    out, _ = correlate(_results({"203.0.113.7": "12 requests"}), snapshot, ())
    (finding,) = out
    assert finding.severity is Severity.MEDIUM
    assert "1 blocked" in finding.explanation


def test_nothing_changes_when_no_address_is_shared():
    """Addresses the UniFi data never shows leave findings and sections as they were."""
    snapshot = _snapshot(_alert("192.0.2.45", 1))
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    results = _results({"198.51.100.200": "5 requests"})
    out, same = correlate(results, snapshot, findings)
    assert out == findings
    assert same is results


def test_an_address_prefix_is_not_a_match():
    """192.0.2.4 is not 192.0.2.45: addresses match whole."""
    snapshot = _snapshot(_alert("192.0.2.45", 1))
    assert unifi_sightings(snapshot.events, ["192.0.2.4"]) == {}
    findings = Engine(now=lambda: NOW).analyze(snapshot)
    out, _ = correlate(_results({"192.0.2.4": "x"}), snapshot, findings)
    assert not any(b.startswith("also seen") for f in out for b in f.badges)


def test_findings_are_bounded_and_the_rest_counted():
    """Many shared addresses give at most MAX_ADDRESS_FINDINGS findings; the rest are counted."""
    ips = [f"198.51.100.{i}" for i in range(1, 12)]
    snapshot = _snapshot(*(_alert(ip, i) for i, ip in enumerate(ips)))
    out, results = correlate(_results(dict.fromkeys(ips, "seen")), snapshot, ())
    own = [f for f in out if f.rule == "correlation.address"]
    assert len(own) == MAX_ADDRESS_FINDINGS
    assert any("6 more addresses appear in both" in line for line in own[-1].evidence)
    assert len(results.sections[0].correlated) == len(ips)


def test_firewall_blocks_count_as_other_events():
    """A v2 firewall block naming the address is counted, as a non-IPS event."""
    block = Event(
        id="fw-1",
        key="TRAFFIC_BLOCKED_UNKNOWN_SOURCE",
        source=EventSource.SYSTEM_LOG,
        time=NOW - timedelta(minutes=5),
        params={"src_ip": "192.0.2.45", "dest_ip": "192.168.1.2"},
    )
    sightings = unifi_sightings(_snapshot(block).events, ["192.0.2.45"])
    assert sightings["192.0.2.45"].other == 1
    assert sightings["192.0.2.45"].alerts == 0
    assert "1 other event" in sightings["192.0.2.45"].describe()


def test_the_gateways_own_address_is_never_called_an_attacker():
    """The WAN address (the owner visiting their own site puts it at Cloudflare) never counts."""
    import dataclasses

    from unifi_scanner.collect.models import Device, DeviceState

    wan = "203.0.113.7"
    gateway = Device(
        mac="00:00:00:00:00:01",
        name="Gateway",
        model="UDMPRO",
        type="udm",
        state=DeviceState.CONNECTED,
        raw={"wan1": {"ip": wan}},
    )
    from_wan = Event(
        id="fw-wan",
        key="TRAFFIC_BLOCKED_UNKNOWN_SOURCE",
        source=EventSource.SYSTEM_LOG,
        time=NOW - timedelta(minutes=5),
        params={"src_ip": wan, "dest_ip": "192.168.1.2"},
    )
    snapshot = _snapshot(from_wan, _alert("192.0.2.45", 1))
    results = _results({wan: "3 requests stopped"})
    assert unifi_sightings(snapshot.events, [wan])  # without knowing it is ours, it would match
    mine = dataclasses.replace(snapshot, devices=(gateway,))
    out, correlated = correlate(results, mine, ())
    assert not [f for f in out if f.rule == "correlation.address"]
    assert not correlated.sections[0].correlated


def test_a_blocked_traffic_flow_is_correlated_by_its_remote_end():
    """v2 traffic flows keep their ends under source/destination; the outside one counts."""
    flow = Event(
        id="flow-1",
        key="TRAFFIC_FLOW",
        source=EventSource.TRAFFIC_FLOW,
        time=NOW - timedelta(minutes=3),
        params={
            "action": "blocked",
            "source": {"ip": "192.0.2.45", "port": 5555},
            "destination": {"ip": "192.168.1.20", "port": 22},
        },
    )
    sightings = unifi_sightings(_snapshot(flow).events, ["192.0.2.45"])
    assert sightings["192.0.2.45"].total == 1


def test_a_failed_sources_old_addresses_are_not_correlated():
    """A section showing its last good data (stale): those addresses are not this period's."""
    import dataclasses

    snapshot = _snapshot(_alert("192.0.2.45", 1))
    (section,) = _results({"192.0.2.45": "63 requests"}).sections
    stale = dataclasses.replace(
        section,
        success=False,
        status=IntegrationStatus.FAILED,
        stale_since=NOW - timedelta(hours=6),
    )
    results = IntegrationResults((stale,))
    out, same = correlate(results, snapshot, ())
    assert out == ()
    assert same is results


def test_one_address_in_two_spellings_is_one_address():
    """Cloudflare writes 2001:DB8::45, the alert 2001:db8:0::45: the same address, correlated."""
    snapshot = _snapshot(_alert("2001:db8:0::45", 1))
    out, correlated = correlate(_results({"2001:DB8::45": "9 requests"}), snapshot, ())
    (finding,) = out
    assert finding.subject == "2001:db8::45"
    assert set(correlated.sections[0].correlated) == {"2001:DB8::45"}
