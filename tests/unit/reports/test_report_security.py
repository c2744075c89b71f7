"""The Security section: the IPS alerts in numbers, counted in the analysis' one pass."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from unifi_scanner.analysis import Engine, Threats, parse_alert
from unifi_scanner.analysis.ips import Direction, Triage
from unifi_scanner.collect.dedup import dedupe_events
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import event_from_ips
from unifi_scanner.integrations import IntegrationResults, IntegrationSection, IntegrationStatus
from unifi_scanner.reports import build_report, render_json, render_markdown, render_text
from unifi_scanner.reports.security import security_view
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.site import build_site

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def _snapshot(extra=()):
    site = build_site(load_scenario("under-attack"), network=9, now_s=int(NOW.timestamp()))
    items = [*site.ips_events, *extra]
    return Snapshot(
        site=Site(id="s", name="default", description="Shop"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=dedupe_events(event_from_ips(item) for item in items),
    )


def test_the_numbers_are_the_alerts_counted_one_by_one():
    """Blocked, detected, inbound, outbound and sources match a count made alert by alert."""
    snapshot = _snapshot()
    analysis = Engine(now=lambda: NOW).run(snapshot)
    expected = Threats()
    for event in snapshot.events:
        expected.add(parse_alert(event))
    got = analysis.threats
    assert got.alerts == expected.alerts == len(snapshot.events) - got.engine
    assert (got.blocked, got.inbound, got.outbound) == (
        expected.blocked,
        expected.inbound,
        expected.outbound,
    )
    assert got.top_sources() == expected.top_sources()
    alerts = [parse_alert(e) for e in snapshot.events]
    assert got.outbound == sum(a.direction is Direction.OUTBOUND for a in alerts)
    assert got.blocked == sum(a.blocked for a in alerts if a.triage is not Triage.ENGINE)


def test_the_section_in_every_format_with_abuse_scores_from_threat_intelligence():
    """The busiest source carries its AbuseIPDB score; text, Markdown and JSON agree."""
    snapshot = _snapshot()
    analysis = Engine(now=lambda: NOW).run(snapshot)
    top = analysis.threats.top_sources(1)[0]
    intel = IntegrationSection(
        name="abuseipdb",
        display_name="Threat intelligence (AbuseIPDB)",
        success=True,
        status=IntegrationStatus.OK,
        data={"addresses": [{"ip": top.address, "score": 96}]},
    )
    report = build_report(
        snapshot,
        analysis.findings,
        IntegrationResults((intel,)),
        generated_at=NOW,
        threats=analysis.threats,
    )
    view = security_view(report)
    assert view is not None
    assert view.sources[0].abuse == "96 %"
    assert "from inside devices" in view.summary
    assert view.verdict.startswith("Devices inside your network set off alerts")
    document = json.loads(render_json(report))["security"]
    assert document["top_sources"][0] == {
        "address": top.address,
        "country": top.country,
        "alerts": top.alerts,
        "blocked": top.blocked,
        "abuse_score": 96,
    }
    assert document["alerts"] == analysis.threats.alerts
    assert "Busiest outside addresses" in render_text(report)
    assert "| Address | Country | Alerts | Blocked | Abuse score |" in render_markdown(report)


def test_verdicts_without_outbound_alerts():
    """All blocked: handled noise; something only detected: set the IPS to block."""
    threats = Threats()
    report = build_report(_snapshot(), [], IntegrationResults(), generated_at=NOW, threats=threats)
    assert security_view(report) is None, "no alert, no section"
    threats.alerts, threats.blocked, threats.inbound = 5, 5, 5
    assert "handled noise" in security_view(report).verdict
    threats.blocked = 4
    assert "only detected" in security_view(report).verdict
