"""build_report: ordering, counts and validation."""

from __future__ import annotations

from datetime import datetime

import pytest

from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.errors import RenderError
from unifi_scanner.integrations.base import IntegrationResults
from unifi_scanner.reports import SeverityCounts, build_report


def test_findings_are_sorted_most_severe_first(report):
    """Findings come severe, medium, low whatever order analysis gave them in."""
    assert [f.severity for f in report.findings] == [
        Severity.SEVERE,
        Severity.MEDIUM,
        Severity.LOW,
    ]


def test_equal_severity_sorts_by_count_then_rule_then_subject(snapshot, generated_at):
    """Within one severity, more events come first, then rule and subject alphabetically."""
    findings = [
        Finding(rule="b", severity=Severity.LOW, title="t", explanation="e", subject="s", count=1),
        Finding(rule="a", severity=Severity.LOW, title="t", explanation="e", subject="z", count=1),
        Finding(rule="a", severity=Severity.LOW, title="t", explanation="e", subject="y", count=1),
        Finding(rule="c", severity=Severity.LOW, title="t", explanation="e", subject="s", count=9),
    ]
    report = build_report(snapshot, findings, IntegrationResults(), generated_at=generated_at)
    assert [(f.rule, f.subject) for f in report.findings] == [
        ("c", "s"),
        ("a", "y"),
        ("a", "z"),
        ("b", "s"),
    ]


def test_summary_counts_each_severity(report):
    """The summary counts findings per severity."""
    assert report.summary == SeverityCounts(severe=1, medium=1, low=1)
    assert report.summary.total == 3
    assert report.summary.of(Severity.MEDIUM) == 1


def test_report_copies_snapshot_facts(report, snapshot, integrations):
    """Site, window, controller, notes and sections come from the inputs unchanged."""
    assert report.site is snapshot.site
    assert report.period is snapshot.window
    assert report.controller is snapshot.controller
    assert report.collection_notes == snapshot.notes
    assert report.integrations == integrations.sections
    assert report.timezone == "UTC"


def test_empty_report_is_empty(empty_report):
    """A report without findings says so and counts zero."""
    assert empty_report.is_empty
    assert empty_report.summary.total == 0


def test_naive_generated_at_is_rejected(snapshot):
    """A naive generated_at is a programming error."""
    with pytest.raises(ValueError, match="timezone-aware"):
        build_report(
            snapshot,
            [],
            IntegrationResults(),
            generated_at=datetime(2026, 1, 1),  # noqa: DTZ001
        )


def test_unknown_timezone_raises_render_error(snapshot, generated_at):
    """An unknown timezone name fails as RenderError when the report is built."""
    with pytest.raises(RenderError, match="Mars/Olympus"):
        build_report(
            snapshot, [], IntegrationResults(), generated_at=generated_at, timezone="Mars/Olympus"
        )


def test_site_without_description_is_shown_by_name(snapshot, generated_at):
    """A site whose description is empty is headed by its short name alone."""
    from unifi_scanner.collect.models import Site, Snapshot
    from unifi_scanner.reports import render_text

    bare = Snapshot(
        site=Site(id="s", name="default", description=""),
        controller=snapshot.controller,
        window=snapshot.window,
    )
    report = build_report(bare, [], IntegrationResults(), generated_at=generated_at)
    assert render_text(report).splitlines()[0] == "UniFi Scanner report for default"


def test_integration_findings_are_merged_once(snapshot, findings, integrations, generated_at):
    """Findings raised by integrations join the report, without duplicating ones passed in."""
    own = Finding(rule="integration.token", severity=Severity.MEDIUM, title="t", explanation="e")
    with_own = IntegrationResults(sections=integrations.sections, findings=(own, findings[0]))
    report = build_report(snapshot, findings, with_own, generated_at=generated_at)
    assert report.findings.count(own) == 1
    assert report.findings.count(findings[0]) == 1
    assert report.summary.total == 4
