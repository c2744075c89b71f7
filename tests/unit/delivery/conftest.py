"""Delivery fixtures: a small report and its renderings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.integrations.base import IntegrationResults
from unifi_scanner.reports import build_report

REPORT_ID = "01KBABCDEFGHJKMNPQRSTVWXYZ"


def _make_report(site_name: str = "default", description: str = "Home", report_id=REPORT_ID):
    """Build an empty report of ``site_name`` generated at 2026-11-26 06:00:05 UTC."""
    snapshot = Snapshot(
        site=Site(id="site-0001", name=site_name, description=description),
        controller=ControllerInfo(flavour=Flavour.LEGACY, version="8.6.9"),
        window=Window(
            start=datetime(2026, 11, 25, 6, tzinfo=UTC), end=datetime(2026, 11, 26, 6, tzinfo=UTC)
        ),
    )
    return build_report(
        snapshot,
        [],
        IntegrationResults(),
        generated_at=datetime(2026, 11, 26, 6, 0, 5, tzinfo=UTC),
        report_id=report_id,
    )


@pytest.fixture(name="make_report")
def make_report_fixture():
    """A factory of empty reports by site name."""
    return _make_report


@pytest.fixture(name="report")
def report_fixture():
    """An empty report of site ``default``."""
    return _make_report()


@pytest.fixture(name="rendered")
def rendered_fixture():
    """Stand-in renderings of every format."""
    return {
        "email-html": "<p>hi</p>",
        "html": "<p>file</p>",
        "json": "{}\n",
        "markdown": "# hi\n",
        "text": "hi\n",
    }


def _finding(n: int, severity: Severity):
    """A finding numbered ``n`` of ``severity``."""
    return Finding(
        rule=f"test.rule{n}",
        severity=severity,
        title=f"Problem <{n}> & more",
        explanation="Something happened.",
        remediation=("Fix it.",),
        subject=f"AP-{n}",
        count=n,
        first_seen=datetime(2026, 11, 26, 1, tzinfo=UTC),
        last_seen=datetime(2026, 11, 26, 2, tzinfo=UTC),
        examples=("example",),
        badges=("blocked",),
        evidence=("evidence",),
    )


@pytest.fixture(name="busy_report")
def busy_report_fixture():
    """A report of site ``default`` with 7 findings: 2 severe, 2 medium, 3 low."""
    severities = [Severity.SEVERE] * 2 + [Severity.MEDIUM] * 2 + [Severity.LOW] * 3
    findings = [_finding(n, s) for n, s in enumerate(severities, start=1)]
    snapshot = Snapshot(
        site=Site(id="site-0001", name="default", description="Home"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114", hostname="udm"),
        window=Window(
            start=datetime(2026, 11, 25, 6, tzinfo=UTC), end=datetime(2026, 11, 26, 6, tzinfo=UTC)
        ),
    )
    return build_report(
        snapshot,
        findings,
        IntegrationResults(),
        generated_at=datetime(2026, 11, 26, 6, 0, 5, tzinfo=UTC),
        timezone="Europe/Berlin",
    )
