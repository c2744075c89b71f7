"""Report fixtures: one snapshot, a few findings and integration sections, all at fixed times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.collect.models import (
    CollectionNote,
    ControllerInfo,
    Flavour,
    Site,
    Snapshot,
    Window,
)
from unifi_scanner.integrations.base import (
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
)
from unifi_scanner.reports import build_report

GENERATED_AT = datetime(2026, 11, 26, 6, 0, 5, tzinfo=UTC)


@pytest.fixture(name="generated_at")
def generated_at_fixture() -> datetime:
    """When the fixture reports are built."""
    return GENERATED_AT


@pytest.fixture(name="snapshot")
def snapshot_fixture() -> Snapshot:
    """A snapshot of site ``default`` over one day with one collection note."""
    return Snapshot(
        site=Site(id="site-0001", name="default", description="Home"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(
            start=datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
            end=datetime(2026, 11, 26, 6, 0, tzinfo=UTC),
        ),
        notes=(
            CollectionNote(
                source="ips",
                message="The gateway's threat log could not be read.",
                endpoint="/proxy/network/v2/api/site/default/traffic-flows",
            ),
        ),
    )


@pytest.fixture(name="findings")
def findings_fixture() -> list[Finding]:
    """Three findings of each severity, given out of order."""
    return [
        Finding(
            rule="wifi.roaming",
            severity=Severity.LOW,
            title="Clients roamed between access points often",
            explanation="Phones moved between access points 40 times, which is normal in a house.",
            subject="AP-Hall",
            count=40,
            first_seen=datetime(2026, 11, 25, 7, 0, tzinfo=UTC),
            last_seen=datetime(2026, 11, 25, 22, 30, tzinfo=UTC),
        ),
        Finding(
            rule="ips.inbound_blocked",
            severity=Severity.MEDIUM,
            title="Scanners from the internet were blocked",
            explanation=(
                "The gateway blocked 12 connection attempts from addresses on public block lists. "
                "This is background noise on the internet, and the block worked."
            ),
            remediation=("Keep IPS in blocking mode.", "Review port forwards you no longer need."),
            subject="Gateway",
            count=12,
            first_seen=datetime(2026, 11, 25, 8, 15, tzinfo=UTC),
            last_seen=datetime(2026, 11, 26, 1, 45, tzinfo=UTC),
            examples=("203.0.113.7 -> 198.51.100.2:22 ET DROP Spamhaus",),
            badges=("blocked", "inbound"),
            evidence=("12 IPS alerts with action blocked",),
        ),
        Finding(
            rule="device.offline",
            severity=Severity.SEVERE,
            title="An access point went offline",
            explanation="AP-Office stopped answering the controller and has not come back.",
            remediation=("Check the AP's power and cable.", "Restart the switch port."),
            subject="AP-Office",
            count=1,
            first_seen=datetime(2026, 11, 25, 23, 59, tzinfo=UTC),
            last_seen=datetime(2026, 11, 25, 23, 59, tzinfo=UTC),
        ),
    ]


@pytest.fixture(name="integrations")
def integrations_fixture() -> IntegrationResults:
    """One current section with nested data and one failed section showing stale data."""
    return IntegrationResults(
        sections=(
            IntegrationSection(
                name="alpha",
                display_name="Alpha Source",
                success=True,
                status=IntegrationStatus.OK,
                data={"blocked": 3, "top": [{"ip": "203.0.113.9", "hits": 2}], "zones": []},
                duration_s=0.42,
            ),
            IntegrationSection(
                name="beta",
                display_name="Beta Feed",
                success=False,
                status=IntegrationStatus.TIMEOUT,
                data={"healthy": True},
                error_message="Timed out after 10 s.",
                duration_s=10.0,
                stale_since=datetime(2026, 11, 26, 3, 0, tzinfo=UTC),
            ),
        )
    )


@pytest.fixture(name="report")
def report_fixture(snapshot, findings, integrations):
    """The full report, rendered in UTC."""
    return build_report(snapshot, findings, integrations, generated_at=GENERATED_AT)


@pytest.fixture(name="empty_report")
def empty_report_fixture(snapshot):
    """A report without findings, notes or integrations."""
    quiet = Snapshot(site=snapshot.site, controller=snapshot.controller, window=snapshot.window)
    return build_report(quiet, [], IntegrationResults(), generated_at=GENERATED_AT)
