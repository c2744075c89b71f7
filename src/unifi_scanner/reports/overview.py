"""The overview every format opens with: a verdict, the counts and their change, what to do first.

A busy owner reads the first lines only. They say, in one sentence, whether anything needs
doing; how many findings of each severity there are and how that changed since the last report;
the first step of the three most urgent findings; and what is new and what got resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from unifi_scanner._untrusted import one_line
from unifi_scanner.analysis.findings import Severity

if TYPE_CHECKING:
    from unifi_scanner.reports.model import Report

__all__ = ["Action", "Overview", "SeverityCount", "overview"]

DO_FIRST: Final = 3
"""How many actions "Do this first" lists."""
_LISTED: Final = 5
"""How many titles of new or resolved findings the overview names (the rest are counted)."""


@dataclass(frozen=True, slots=True)
class SeverityCount:
    """How many findings of one severity, and the change since the last report.

    Attributes:
        severity: the severity.
        count: findings of it now (acknowledged ones left out).
        change: now minus the last report's count; ``None`` without history.
    """

    severity: Severity
    count: int
    change: int | None

    @property
    def change_text(self) -> str:
        """``+2``, ``-1``, ``=`` or empty without history."""
        if self.change is None:
            return ""
        return "=" if self.change == 0 else f"{self.change:+d}"


@dataclass(frozen=True, slots=True)
class Action:
    """One of "Do this first": a finding's first step."""

    step: str
    finding: str
    severity: Severity
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Overview:
    """The opening of a report.

    Attributes:
        verdict: one sentence: does anything need doing.
        counts: severe, medium, low, with their change.
        actions: the first step of the most urgent findings (at most three).
        new: titles of the new and returning findings (at most five).
        new_more: how many more there are.
        resolved: titles of the findings resolved since the last report (at most five).
        resolved_more: how many more there are.
    """

    verdict: str
    counts: tuple[SeverityCount, ...]
    actions: tuple[Action, ...]
    new: tuple[str, ...] = ()
    new_more: int = 0
    resolved: tuple[str, ...] = ()
    resolved_more: int = 0


def _verdict(report: Report) -> str:
    summary = report.summary
    severe = report.findings_of(Severity.SEVERE)
    if summary.severe:
        lead = severe[0].title
        more = "problem needs" if summary.severe == 1 else "problems need"
        text = f"Act now: {summary.severe} severe {more} you today, first: {lead}."
    elif summary.medium:
        more = "problem needs" if summary.medium == 1 else "problems need"
        text = f"Nothing urgent, but {summary.medium} {more} a look this week."
    elif not report.complete:
        text = "No problems found in what could be read."
    elif summary.low:
        items = "item" if summary.low == 1 else "items"
        text = f"All is well: {summary.low} {items} for your information."
    else:
        text = "All is well: no problems found."
    if not report.complete:
        text += " This report is incomplete: the next one brings what could not be read."
    return text


def _counts(report: Report) -> tuple[SeverityCount, ...]:
    history = report.history
    before = None if history is None or history.first else history.previous_counts
    return tuple(
        SeverityCount(
            severity,
            report.summary.of(severity),
            None if before is None else report.summary.of(severity) - before.get(severity, 0),
        )
        for severity in (Severity.SEVERE, Severity.MEDIUM, Severity.LOW)
    )


def _actions(report: Report) -> tuple[Action, ...]:
    actions: list[Action] = []
    for severity in (Severity.SEVERE, Severity.MEDIUM):
        for finding in report.findings_of(severity):
            if finding.remediation and len(actions) < DO_FIRST:
                actions.append(
                    Action(finding.remediation[0], finding.title, severity, finding.fingerprint)
                )
    return tuple(actions)


def overview(report: Report) -> Overview:
    """Return the overview of ``report`` (what its first lines say)."""
    history = report.history
    new: list[str] = []
    resolved: list[str] = []
    if history is not None and not history.first:
        wanted = {*history.new, *history.recurring}
        new = [
            f.title
            for f in report.findings
            if f.fingerprint in wanted and not report.is_acknowledged(f)
        ]
        resolved = [one_line(item.title) for item in history.resolved]
    return Overview(
        verdict=_verdict(report),
        counts=_counts(report),
        actions=_actions(report),
        new=tuple(new[:_LISTED]),
        new_more=max(0, len(new) - _LISTED),
        resolved=tuple(resolved[:_LISTED]),
        resolved_more=max(0, len(resolved) - _LISTED),
    )
