"""Golden files of every format for the demo scenario at a fixed clock (UPDATE_GOLDEN=1 rewrites).

The demo site is built by the simulator's own scenario code (no network), analysed, compared
with a made-up earlier report (so the files show new, ongoing and resolved findings), and
rendered in all five formats in Europe/Berlin time. A change in any renderer shows here as a
diff to read and accept on purpose.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from unifi_scanner.analysis import Engine, Finding, Severity
from unifi_scanner.collect.dedup import dedupe_events
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import (
    client_from_payload,
    device_from_payload,
    event_from_classic,
    event_from_ips,
)
from unifi_scanner.history import track
from unifi_scanner.integrations import IntegrationResults
from unifi_scanner.reports import RENDERERS, build_report
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.site import build_site

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
REPORT_ID = "01KBDEMQ0000000000000GQLDN"
NAMES = {
    "text": "demo.txt",
    "markdown": "demo.md",
    "html": "demo.html",
    "email-html": "demo.email.html",
    "json": "demo.json",
}


def _report():
    site = build_site(load_scenario("demo"), network=9, now_s=int(NOW.timestamp()))
    events = [
        *(event_from_classic(item) for item in site.events),
        *(event_from_ips(item) for item in site.ips_events),
    ]
    snapshot = Snapshot(
        site=Site(id=site.site_id, name=site.name, description="Demo office"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=dedupe_events(e for e in events if NOW - timedelta(days=1) <= e.time < NOW),
        devices=tuple(device_from_payload(item) for item in site.devices),
        clients=tuple(client_from_payload(item) for item in site.clients),
    )
    analysis = Engine(now=lambda: NOW).run(snapshot)
    gone = Finding(
        rule="device.offline",
        severity=Severity.MEDIUM,
        title="AP-Garage was offline",
        explanation="e",
        subject="AP-Garage",
    )
    earlier = track([analysis.findings[0], gone], {}, {}, NOW - timedelta(hours=6))
    history = track(analysis.findings, dict(earlier.records), {}, NOW)
    return build_report(
        snapshot,
        analysis.findings,
        IntegrationResults(),
        generated_at=NOW,
        timezone="Europe/Berlin",
        report_id=REPORT_ID,
        history=history,
        activity=analysis.activity,
        threats=analysis.threats,
    )


@pytest.mark.parametrize("fmt", sorted(NAMES))
def test_every_format_of_the_demo_report_matches_its_golden_file(fmt):
    """The demo report renders exactly as its golden file, format by format."""
    actual = RENDERERS[fmt](_report())
    path = GOLDEN / NAMES[fmt]
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs; UPDATE_GOLDEN=1"


def test_the_golden_files_cover_every_format():
    """A new format needs its golden file."""
    assert set(NAMES) == set(RENDERERS)
