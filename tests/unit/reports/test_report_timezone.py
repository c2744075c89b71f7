"""Times are stored in UTC and shown in the configured timezone."""

from __future__ import annotations

import json

import pytest

from unifi_scanner.integrations.base import IntegrationResults
from unifi_scanner.reports import (
    build_report,
    render_html,
    render_json,
    render_markdown,
    render_text,
)


@pytest.fixture(name="berlin_report")
def berlin_report_fixture(snapshot, findings, integrations, generated_at):
    """The full report, shown in Europe/Berlin (UTC+1 in November)."""
    return build_report(
        snapshot, findings, integrations, generated_at=generated_at, timezone="Europe/Berlin"
    )


@pytest.mark.parametrize("renderer", [render_text, render_markdown, render_html])
def test_human_formats_show_local_time(berlin_report, renderer):
    """Period, finding times and stale-data times are shown in the configured zone."""
    out = renderer(berlin_report)
    assert "2026-11-25 07:00 CET to 2026-11-26 07:00 CET" in out
    assert "2026-11-26 00:59 CET" in out
    assert "2026-11-26 04:00 CET" in out
    assert "06:00 UTC" not in out


def test_json_stays_utc(berlin_report):
    """The JSON report ignores the display zone and writes UTC."""
    document = json.loads(render_json(berlin_report))
    assert document["period"]["start"] == "2026-11-25T06:00:00Z"


def test_summer_time_is_applied(snapshot, generated_at):
    """A zone's offset follows daylight saving time at each moment shown."""
    from datetime import UTC, datetime

    from unifi_scanner.collect.models import Snapshot, Window

    summer = Snapshot(
        site=snapshot.site,
        controller=snapshot.controller,
        window=Window(
            start=datetime(2026, 7, 1, 12, 0, tzinfo=UTC), end=datetime(2026, 7, 2, tzinfo=UTC)
        ),
    )
    report = build_report(
        summer, [], IntegrationResults(), generated_at=generated_at, timezone="Europe/Berlin"
    )
    assert "2026-07-01 14:00 CEST" in render_text(report)
