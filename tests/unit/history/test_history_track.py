"""Findings history: new, ongoing, recurring, resolved and acknowledged, report to report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.history import (
    HISTORY_RETENTION,
    Acknowledgement,
    FindingStatus,
    history_key,
    site_history,
    track,
)

T1 = datetime(2026, 12, 1, 7, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _finding(subject: str, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        rule="device.temperature",
        severity=severity,
        title=f"{subject} runs hot",
        explanation="e",
        subject=subject,
    )


class Site:
    """A site's history records and acknowledgements, written as the scan writes them."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, dict[str, Any]] = {}

    def report(self, findings: list[Finding], at: datetime):
        history = track(findings, self.records, self.acks, at)
        self.records.update(dict(history.records))
        for key in history.pruned:
            del self.records[key]
        for key in history.void:
            del self.acks[key]
        return history


def test_new_then_ongoing_with_its_first_report_and_count():
    """The first report calls it new; the next two ongoing, since the first, in 2 and 3 reports."""
    site = Site()
    hot = _finding("Switch-Rack")
    first = site.report([hot], T1)
    assert first.first, "nothing to compare with"
    assert first.of(hot).status is FindingStatus.NEW
    assert first.new == (hot.fingerprint,)
    for n, at in ((2, T1 + HOUR), (3, T1 + 2 * HOUR)):
        later = site.report([hot], at)
        assert not later.first
        entry = later.of(hot)
        assert (entry.status, entry.first_reported, entry.reports_count) == (
            FindingStatus.ONGOING,
            T1,
            n,
        )


def test_a_finding_missing_from_a_report_is_resolved_then_recurring():
    """Gone from report 2: listed as resolved once; back in report 3: recurring, count goes on."""
    site = Site()
    hot, other = _finding("Switch-Rack"), _finding("AP-Floor2")
    site.report([hot, other], T1)
    second = site.report([other], T1 + HOUR)
    (resolved,) = second.resolved
    assert (resolved.fingerprint, resolved.title, resolved.reports_count) == (
        hot.fingerprint,
        "Switch-Rack runs hot",
        1,
    )
    assert resolved.first_reported == T1
    assert site.report([other], T1 + 2 * HOUR).resolved == (), "resolved is said once"
    back = site.report([hot, other], T1 + 3 * HOUR)
    entry = back.of(hot)
    assert (entry.status, entry.first_reported, entry.reports_count) == (
        FindingStatus.RECURRING,
        T1,
        2,
    )
    assert back.recurring == (hot.fingerprint,)
    assert site.report([hot], T1 + 4 * HOUR).of(hot).status is FindingStatus.ONGOING


def test_resolved_findings_are_listed_most_severe_first():
    """Severe before medium before low."""
    site = Site()
    findings = [
        _finding("low-one", Severity.LOW),
        _finding("severe-one", Severity.SEVERE),
        _finding("medium-one"),
    ]
    site.report(findings, T1)
    resolved = site.report([], T1 + HOUR).resolved
    assert [r.severity for r in resolved] == [Severity.SEVERE, Severity.MEDIUM, Severity.LOW]


def test_resolved_findings_are_forgotten_after_the_retention():
    """A resolved record older than the retention is pruned; a recent one is kept."""
    site = Site()
    old, recent = _finding("old"), _finding("recent")
    site.report([old], T1)
    site.report([], T1 + HOUR)
    site.report([recent], T1 + HISTORY_RETENTION)
    later = site.report([], T1 + HISTORY_RETENTION + 2 * HOUR)
    assert old.fingerprint in later.pruned
    assert old.fingerprint not in site.records
    assert recent.fingerprint in site.records
    assert site.report([old], T1 + HISTORY_RETENTION + 3 * HOUR).of(old).status is (
        FindingStatus.NEW
    )


def _ack(finding: Finding, severity: Severity, until: datetime | None = None) -> dict[str, Any]:
    return Acknowledgement(
        fingerprint=finding.fingerprint, severity=severity, at=T1, until=until
    ).as_record()


def test_an_acknowledgement_holds_until_the_severity_changes():
    """Acknowledged at medium: quiet while medium; severe voids it for good."""
    site = Site()
    hot = _finding("Switch-Rack")
    site.acks[hot.fingerprint] = _ack(hot, Severity.MEDIUM)
    assert site.report([hot], T1).of(hot).acknowledged is not None
    worse = _finding("Switch-Rack", Severity.SEVERE)
    history = site.report([worse], T1 + HOUR)
    assert history.of(worse).acknowledged is None
    assert history.void == (hot.fingerprint,)
    assert site.report([hot], T1 + 2 * HOUR).of(hot).acknowledged is None, "void stays void"


def test_an_acknowledgement_runs_out_on_its_date_even_while_the_finding_is_away():
    """Until 10:00: quiet at 09:00; at 11:00 it is void, whether the finding is there or not."""
    site = Site()
    hot, other = _finding("Switch-Rack"), _finding("AP")
    site.acks[hot.fingerprint] = _ack(hot, Severity.MEDIUM, until=T1 + 3 * HOUR)
    site.acks[other.fingerprint] = _ack(other, Severity.MEDIUM, until=T1 + 3 * HOUR)
    assert site.report([hot], T1 + 2 * HOUR).of(hot).acknowledged is not None
    history = site.report([hot], T1 + 4 * HOUR)
    assert history.of(hot).acknowledged is None
    assert set(history.void) == {hot.fingerprint, other.fingerprint}


@pytest.mark.parametrize(
    "record",
    [
        {"reports_count": "many", "first_reported": "yesterday", "open": "yes"},
        {"reports_count": 3, "first_reported": None, "open": True},
        {},
    ],
)
def test_damaged_records_read_as_new(record):
    """A record that does not parse is no history: the finding is new, nothing crashes."""
    hot = _finding("Switch-Rack")
    entry = track([hot], {hot.fingerprint: record}, {}, T1).of(hot)
    assert (entry.status, entry.reports_count) == (FindingStatus.NEW, 1)


def test_a_damaged_acknowledgement_is_dropped():
    """An acknowledgement that does not parse quiets nothing and is removed."""
    hot = _finding("Switch-Rack")
    history = track([hot], {}, {hot.fingerprint: {"severity": "purple"}}, T1)
    assert history.of(hot).acknowledged is None
    assert history.void == (hot.fingerprint,)


def test_site_history_reads_one_site_of_the_shared_namespace():
    """Keys are site/fingerprint; a fingerprint with slashes in its subject survives."""
    records = {
        history_key("hq", "r:a/b"): {"x": 1},
        history_key("branch", "r:c"): {"x": 2},
        history_key("hq2", "r:d"): {"x": 3},
    }
    assert site_history(records, "hq") == {"r:a/b": {"x": 1}}
