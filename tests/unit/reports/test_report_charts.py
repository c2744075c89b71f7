"""Charts: SVG in the HTML file, table bars in the e-mail, both matching the counts."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

from unifi_scanner.analysis import Activity
from unifi_scanner.collect.models import Device, DeviceState, Window
from unifi_scanner.integrations import IntegrationResults
from unifi_scanner.reports import build_report, render_email_html, render_html
from unifi_scanner.reports.charts import resource_bars, timeline, timeline_svg


def _activity(start, counts):
    """counts: {hour offset: (low, medium, severe)}."""
    activity = Activity()
    for offset, per_rank in counts.items():
        for rank, n in enumerate(per_rank):
            for _ in range(n):
                activity.add(start + timedelta(hours=offset, minutes=1), rank)
    return activity


def _report(snapshot, generated_at, activity, devices=()):
    snapshot = dataclasses.replace(snapshot, devices=tuple(devices))
    return build_report(
        snapshot, [], IntegrationResults(), generated_at=generated_at, activity=activity
    )


def test_the_svg_bars_match_the_counts(snapshot, generated_at):
    """Each bar's segments carry their counts; their sum is the hour's events."""
    start = snapshot.window.start
    counts = {0: (5, 0, 1), 3: (0, 2, 0), 23: (1, 1, 1)}
    report = _report(snapshot, generated_at, _activity(start, counts))
    svg = str(timeline_svg(report))
    totals = [int(t) for t in re.findall(r'<g class="bar" data-total="(\d+)"', svg)]
    assert len(totals) == 24, "a 24-hour period: one bar an hour, zeros included"
    assert totals[0] == 6
    assert totals[3] == 2
    assert totals[23] == 3
    assert sum(totals) == 11
    segments = re.findall(r'data-severity="(\w+)" data-count="(\d+)"', svg)
    assert sum(int(n) for _, n in segments) == 11
    assert ("severe", "1") in segments
    for word in ("severe", "medium", "low"):
        assert f">{word}</text>" in svg, "the legend names each colour"


def test_a_long_period_is_grouped_into_at_most_48_bars(snapshot, generated_at):
    """A week: 168 hours become 42 bars of 4 hours, nothing lost."""
    start = generated_at - timedelta(days=7)
    snapshot = dataclasses.replace(snapshot, window=Window(start=start, end=generated_at))
    counts = dict.fromkeys(range(168), (1, 0, 0))
    report = _report(snapshot, generated_at, _activity(start, counts))
    buckets = timeline(report)
    assert len(buckets) <= 48
    assert sum(b.total for b in buckets) == 168
    assert {b.hours for b in buckets[:-1]} == {4}


def test_no_events_no_chart(snapshot, generated_at):
    """Nothing counted (or no activity at all): no chart, no empty frame."""
    assert timeline_svg(_report(snapshot, generated_at, Activity())) is None
    assert "Events over the period" not in render_html(_report(snapshot, generated_at, None))


def test_the_email_has_table_bars_and_no_svg(snapshot, generated_at):
    """E-mail: one row per bucket (at most 12), each with its total; no SVG, no image."""
    start = snapshot.window.start
    report = _report(snapshot, generated_at, _activity(start, {0: (3, 0, 0), 5: (0, 0, 4)}))
    html = render_email_html(report)
    assert "<svg" not in html
    assert "<img" not in html
    chart = html.split("Events over the period", 1)[1].split("</table>\n", 1)[0]
    totals = re.findall(r'class="ebar-count"[^>]*>(\d+)</td>', chart)
    assert len(totals) == 12, "24 hours in 12 rows of 2 hours"
    assert sum(int(t) for t in totals) == 7


def test_resource_bars_for_devices_that_are_up_busiest_first(snapshot, generated_at):
    """CPU and memory bars, labelled with their values; a device that is down has none."""
    devices = [
        Device(
            mac="00:00:00:00:00:01",
            name="calm",
            model="m",
            type="usw",
            state=DeviceState.CONNECTED,
            cpu_pct=5.0,
            mem_pct=20.0,
        ),
        Device(
            mac="00:00:00:00:00:02",
            name="busy <b>",
            model="m",
            type="ugw",
            state=DeviceState.CONNECTED,
            cpu_pct=96.0,
            mem_pct=93.5,
        ),
        Device(
            mac="00:00:00:00:00:03",
            name="down",
            model="m",
            type="uap",
            state=DeviceState.DISCONNECTED,
            cpu_pct=50.0,
        ),
    ]
    report = _report(snapshot, generated_at, None, devices)
    assert [b.name for b in resource_bars(report)] == ["busy <b>", "calm"]
    html = render_html(report)
    assert 'data-kind="CPU" data-value="96"' in html
    assert "CPU 96 %" in html
    assert "busy &lt;b&gt;" in html
    email = render_email_html(report)
    assert "96 %" in email
    assert "<svg" not in email


def test_a_huge_report_stays_within_its_byte_budgets(snapshot, generated_at):
    """1,240 long findings, 200 devices, a week, a big section: both HTML forms within budget.

    The HTML file stays under 1 MB and the e-mail under 100 kB, each saying what it cut; the
    JSON keeps every finding.
    """
    import json

    from unifi_scanner.analysis import Finding, Severity
    from unifi_scanner.integrations import IntegrationSection, IntegrationStatus
    from unifi_scanner.reports import render_json
    from unifi_scanner.reports._html import EMAIL_BUDGET, FILE_BUDGET

    long = "A long explanation of what happened and why it matters. " * 12
    findings = [
        Finding(
            rule=f"rule.{severity.value}.{n % 25}",
            severity=severity,
            title=f"{severity.value} finding number {n} about device {n}",
            explanation=long,
            remediation=tuple(f"Step {k} for finding {n}." for k in range(6)),
            subject=f"device-{n}",
            count=n + 1,
            examples=tuple(
                f"2026-11-26 0{k}:00 UTC: example line {k} of finding {n}" for k in range(5)
            ),
            evidence=tuple(f"evidence line {k}" for k in range(4)),
        )
        for severity, many in ((Severity.SEVERE, 40), (Severity.MEDIUM, 400), (Severity.LOW, 800))
        for n in range(many)
    ]
    devices = [
        Device(
            mac=f"00:00:00:00:{n // 256:02x}:{n % 256:02x}",
            name=f"switch-{n}",
            model="US48",
            type="usw",
            state=DeviceState.CONNECTED,
            cpu_pct=float(n % 100),
            mem_pct=50.0,
        )
        for n in range(200)
    ]
    start = generated_at - timedelta(days=7)
    window = Window(start=start, end=generated_at)
    section = IntegrationSection(
        name="big",
        display_name="Big",
        success=True,
        status=IntegrationStatus.OK,
        data={f"key{n}": "value " * 40 for n in range(200)},
    )
    report = build_report(
        dataclasses.replace(snapshot, window=window, devices=tuple(devices)),
        findings,
        IntegrationResults((section,)),
        generated_at=generated_at,
        activity=_activity(start, dict.fromkeys(range(168), (50, 5, 1))),
    )
    html, email = render_html(report), render_email_html(report)
    assert len(html.encode()) < FILE_BUDGET == 1_000_000
    assert len(email.encode()) < EMAIL_BUDGET == 100_000
    for text in (html, email):
        assert "the JSON report has every one in full" in text
        assert report.findings[0].title in text, "the most urgent is always there"
    assert len(json.loads(render_json(report))["findings"]) == len(findings)
