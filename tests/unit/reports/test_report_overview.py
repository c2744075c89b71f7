"""The overview: the verdict, the counts and their change, what to do first, what is new."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.collect.models import Coverage, Feed
from unifi_scanner.history import Acknowledgement, track
from unifi_scanner.integrations import IntegrationResults
from unifi_scanner.reports import build_report, render_markdown, render_text
from unifi_scanner.reports.overview import overview


def _medium(n: int) -> Finding:
    return Finding(
        rule=f"rule.{n}",
        severity=Severity.MEDIUM,
        title=f"Problem {n}",
        explanation="e",
        remediation=(f"Fix {n} now.", "Then check."),
        subject=f"S{n}",
    )


@pytest.mark.parametrize(
    ("severities", "complete", "verdict"),
    [
        (("severe", "severe", "low"), True, "Act now: 2 severe problems need you today, first: S"),
        (("medium",), True, "Nothing urgent, but 1 problem needs a look this week."),
        (("low", "low"), True, "All is well: 2 items for your information."),
        ((), True, "All is well: no problems found."),
        ((), False, "No problems found in what could be read. This report is incomplete"),
        (("medium",), False, "Nothing urgent, but 1 problem needs a look this week. This report"),
    ],
)
def test_the_verdict_says_in_one_sentence_whether_anything_needs_doing(
    snapshot, generated_at, severities, complete, verdict
):
    """Severe first; an incomplete report says so and never claims all is well."""
    findings = [
        Finding(rule=f"r{i}", severity=Severity(s), title=f"S{i}", explanation="e", subject=f"x{i}")
        for i, s in enumerate(severities)
    ]
    if not complete:
        gap = Coverage(feed=Feed.EVENTS, start=generated_at, complete=False)
        snapshot = dataclasses.replace(snapshot, coverage=(gap,))
    report = build_report(snapshot, findings, IntegrationResults(), generated_at=generated_at)
    assert overview(report).verdict.startswith(verdict)
    assert "All is well" not in overview(report).verdict or complete


def test_do_this_first_is_the_first_step_of_the_three_most_urgent(snapshot, findings, generated_at):
    """Severe before medium, at most three, a finding without steps skipped, low never."""
    more = [_medium(n) for n in range(4)]
    report = build_report(
        snapshot, [*findings, *more], IntegrationResults(), generated_at=generated_at
    )
    actions = overview(report).actions
    assert [a.step for a in actions] == [
        "Check the AP's power and cable.",
        "Keep IPS in blocking mode.",
        "Fix 0 now.",
    ]
    assert actions[0].severity is Severity.SEVERE
    assert actions[0].finding == "An access point went offline"


def test_counts_change_and_the_new_and_resolved_are_named(snapshot, findings, generated_at):
    """Against the last report: counts move, new titles listed, resolved titles listed."""
    earlier = generated_at - timedelta(hours=1)
    old = _medium(9)
    first = track([findings[0], old], {}, {}, earlier)
    quiet = findings[1]
    acks = {
        quiet.fingerprint: Acknowledgement(
            fingerprint=quiet.fingerprint, severity=quiet.severity, at=earlier
        ).as_record()
    }
    history = track(findings, dict(first.records), acks, generated_at)
    report = build_report(
        snapshot, findings, IntegrationResults(), generated_at=generated_at, history=history
    )
    view = overview(report)
    assert {c.severity: (c.count, c.change) for c in view.counts} == {
        Severity.SEVERE: (1, 1),
        Severity.MEDIUM: (0, -1),
        Severity.LOW: (1, 0),
    }
    assert [c.change_text for c in view.counts] == ["+1", "-1", "="]
    assert view.new == ("An access point went offline",), "the acknowledged one is not news"
    assert view.resolved == ("Problem 9",)
    text = render_text(report)
    assert "Since the last report: severe +1, medium -1, low unchanged; 2 new" in text
    assert "New: An access point went offline" in text
    assert "**New:** An access point went offline" in render_markdown(report)


def test_without_history_no_change_is_invented(report):
    """A report from an export: counts without change, no new or resolved lists."""
    view = overview(report)
    assert {c.change for c in view.counts} == {None}
    assert [c.change_text for c in view.counts] == ["", "", ""]
    assert (view.new, view.resolved) == ((), ())
    assert "Since the last report" not in render_text(report)


def test_many_new_findings_are_counted_not_all_named(snapshot, generated_at):
    """Beyond five titles, the rest is a number."""
    many = [_medium(n) for n in range(8)]
    history = track(many, {"gone:x": {"open": False, "reports_count": 1}}, {}, generated_at)
    report = build_report(
        snapshot, many, IntegrationResults(), generated_at=generated_at, history=history
    )
    view = overview(report)
    assert (len(view.new), view.new_more) == (5, 3)


def test_low_findings_are_one_compact_row_each(report):
    """Low: one line with its first sentence in text, a table row in Markdown and HTML."""
    reason = "Phones moved between access points 40 times, which is normal in a house."
    text = render_text(report)
    assert "3. Clients roamed between access points often (About: AP-Hall | 40 events):" in text
    assert "Examples:" not in text.split("LOW:", 1)[1]
    markdown = render_markdown(report)
    assert f"| Clients roamed between access points often | AP-Hall | 40 | {reason} |" in markdown
    from unifi_scanner.reports import render_html

    html = render_html(report)
    low = html.split("Low: for your information", 1)[1]
    assert "<h3>" not in low.split("Devices", 1)[0], "no card for a low finding"
    assert reason in low
