"""Formatting shared by the renderers: times, durations and integration status rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from unifi_scanner._untrusted import markdown_escape, one_line, plain
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.text import utc_iso

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.integrations.base import IntegrationSection
    from unifi_scanner.reports.model import Report

__all__ = [
    "INCOMPLETE_HEADING",
    "NO_PROBLEMS",
    "NO_PROBLEMS_SO_FAR",
    "CoverageLine",
    "IntegrationRow",
    "LowRow",
    "acknowledged_lines",
    "changes_line",
    "controller_label",
    "coverage_heading",
    "coverage_lines",
    "flatten_data",
    "format_age",
    "format_duration",
    "history_label",
    "integration_rows",
    "local_time",
    "low_rows",
    "markdown_escape",
    "one_line",
    "one_reason",
    "period_label",
    "plain",
    "resolved_lines",
    "seen_label",
    "site_label",
    "summary_line",
    "utc_iso",
]

_MAX_ROWS = 50
_FLAVOURS = {"unifi-os": "UniFi OS", "legacy": "legacy controller"}
NO_PROBLEMS = "No problems found."
NO_PROBLEMS_SO_FAR = "No problems found in what could be read, but this report is incomplete."
INCOMPLETE_HEADING = "Incomplete report"
_FEED_LABELS = {"events": "Events", "ips": "IPS alerts", "alarms": "Alarms"}
_MINUTE = 60
_HOUR = 3600
_DAY = 86400


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """Return ``moment`` in ``zone`` for people (``2026-11-26 05:51 CET``); ``-`` when unknown."""
    if moment is None:
        return "-"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def site_label(report: Report) -> str:
    """Return the site as people know it: ``Home (default)``, or just the name."""
    site = report.site
    if site.description and site.description != site.name:
        return one_line(f"{site.description} ({site.name})")
    return one_line(site.name)


def controller_label(report: Report) -> str:
    """Return the controller's kind and version (``UniFi OS 9.0.114``)."""
    flavour = str(report.controller.flavour)
    label = _FLAVOURS.get(flavour, flavour)
    version = report.controller.version
    return one_line(f"{label} {version}" if version else f"{label}, version unknown")


def period_label(report: Report) -> str:
    """Return the report's period in its timezone."""
    zone = report.tzinfo
    return f"{local_time(report.period.start, zone)} to {local_time(report.period.end, zone)}"


def summary_line(report: Report) -> str:
    """Return the one-line summary, or a plain "No problems found." for an empty report.

    An incomplete report never says "No problems found." alone: it says what it is.
    """
    if report.is_empty:
        return NO_PROBLEMS if report.complete else NO_PROBLEMS_SO_FAR
    counts = report.summary
    line = f"{counts.severe} severe, {counts.medium} medium, {counts.low} low"
    return line if report.complete else f"{line} (incomplete report)"


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageLine:
    """One sentence about what a report covers, for the top of every format.

    Attributes:
        kind: ``missing`` (a feed not read completely: the report is incomplete),
            ``given-up`` (a part no report will have) or ``caught-up`` (a part earlier reports
            missed, included here).
        text: the sentence, plain text (controller words in it are untrusted).
    """

    kind: str
    text: str


def coverage_heading(report: Report) -> str:
    """Return the heading of the coverage lines: a warning when the report is incomplete."""
    return INCOMPLETE_HEADING if not report.complete else "Coverage"


def coverage_lines(report: Report) -> tuple[CoverageLine, ...]:
    """Return what the report does not cover, or covers late, in plain sentences.

    Missing parts come first, then parts given up, then parts caught up; a report with none of
    these has no lines.
    """
    zone = report.tzinfo
    missing: list[CoverageLine] = []
    given_up: list[CoverageLine] = []
    caught_up: list[CoverageLine] = []
    for covered in report.coverage:
        label = _FEED_LABELS.get(str(covered.feed), str(covered.feed))
        start = local_time(covered.start, zone)
        if covered.given_up_from is not None:
            given_up.append(
                CoverageLine(
                    kind="given-up",
                    text=(
                        f"{label} from {local_time(covered.given_up_from, zone)} to {start} "
                        "could never be read and are older than the catch-up limit "
                        "(max_catchup_hours): no report will include them."
                    ),
                )
            )
        if not covered.complete:
            reason = f" ({one_line(covered.reason)})" if covered.reason else ""
            text = (
                f"{label} from {start} on could only partly be read{reason}; "
                "the next report will include the rest."
                if covered.partial
                else f"{label} from {start} on could not be read{reason}; "
                "the next report will include them."
            )
            missing.append(CoverageLine(kind="missing", text=text))
        elif covered.behind_since is not None:
            caught_up.append(
                CoverageLine(
                    kind="caught-up",
                    text=(
                        f"{label} from {local_time(covered.behind_since, zone)} on, which "
                        "earlier reports could not read, are included in this one."
                    ),
                )
            )
    return (*missing, *given_up, *caught_up)


def seen_label(finding: Finding, zone: ZoneInfo) -> str:
    """Return when a finding was seen: one time, or ``first to last``."""
    first = local_time(finding.first_seen, zone)
    if finding.last_seen is None or finding.last_seen == finding.first_seen:
        return first
    return f"{first} to {local_time(finding.last_seen, zone)}"


def format_duration(seconds: float) -> str:
    """Return a run duration for people (``1.25 s``)."""
    return f"{seconds:.2f} s"


def format_age(seconds: float) -> str:
    """Return an age for people, in its largest whole unit (``3 h``)."""
    whole = max(int(seconds), 0)
    if whole < _MINUTE:
        return f"{whole} s"
    if whole < _HOUR:
        return f"{whole // _MINUTE} min"
    if whole < _DAY:
        return f"{whole // _HOUR} h"
    return f"{whole // _DAY} d"


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationRow:
    """One line of the integrations status table, already formatted as plain text."""

    name: str
    status: str
    duration: str
    detail: str


def _detail(section: IntegrationSection, report: Report) -> str:
    parts: list[str] = []
    if section.error_message:
        parts.append(section.error_message)
    age = section.age_s(report.generated_at)
    if age is not None and section.stale_since is not None:
        parts.append(
            f"Showing data from {local_time(section.stale_since, report.tzinfo)} "
            f"({format_age(age)} old)."
        )
    return " ".join(parts) or "-"


def integration_rows(report: Report) -> list[IntegrationRow]:
    """Return the integrations status table of ``report``, one row per section."""
    return [
        IntegrationRow(
            name=section.display_name or section.name,
            status=str(section.status),
            duration=format_duration(section.duration_s),
            detail=_detail(section, report),
        )
        for section in report.integrations
    ]


def _scalar(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return utc_iso(value)
    return str(value)


def _walk(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:  # noqa: ANN401 - JSON
    if isinstance(value, Mapping | list | tuple) and not value:
        rows.append((prefix, "-"))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _walk(f"{prefix}.{key}" if prefix else str(key), item, rows)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(f"{prefix}[{index}]", item, rows)
    else:
        rows.append((prefix, _scalar(value)))


def flatten_data(data: Mapping[str, Any]) -> tuple[list[tuple[str, str]], int]:
    """Flatten JSON-compatible ``data`` into ``(dotted.key[0], value)`` rows.

    Returns:
        At most 50 rows, and how many more rows were left out.
    """
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        _walk(str(key), value, rows)
    return rows[:_MAX_ROWS], max(len(rows) - _MAX_ROWS, 0)


def _ordinal_reports(count: int) -> str:
    return "1 report" if count == 1 else f"{count} reports"


def history_label(report: Report, finding: Finding) -> str | None:
    """Where a finding stands: ``New``, ``Ongoing since …, in 3 reports``, ``Back again …``.

    ``None`` when the report keeps no history.
    """
    entry = report.history.of(finding) if report.history is not None else None
    if entry is None:
        return None
    first = local_time(entry.first_reported, report.tzinfo)
    if entry.status == "new":
        return "New"
    if entry.status == "recurring":
        return f"Back again (first reported {first}, resolved in between)"
    return f"Ongoing since {first}, in {_ordinal_reports(entry.reports_count)}"


def changes_line(report: Report) -> str | None:
    """One sentence of what changed since the last report; ``None`` without history."""
    history = report.history
    if history is None:
        return None
    if history.first:
        return "The first report for this site: nothing to compare with yet."
    before = history.previous_counts
    moved = ", ".join(
        f"{severity.value} {_change(report.summary.of(severity) - before.get(severity, 0))}"
        for severity in (Severity.SEVERE, Severity.MEDIUM, Severity.LOW)
    )
    parts = [
        f"{len(history.new)} new",
        f"{len(history.recurring)} back again",
        f"{len(history.resolved)} resolved",
    ]
    if quiet := len(report.acknowledged):
        parts.append(f"{quiet} acknowledged")
    return f"Since the last report: {moved}; " + ", ".join(parts) + "."


def _change(delta: int) -> str:
    return "unchanged" if delta == 0 else f"{delta:+d}"


def resolved_lines(report: Report) -> list[str]:
    """One line per finding resolved since the last report, most severe first."""
    if report.history is None:
        return []
    lines = []
    for item in report.history.resolved:
        title, subject = one_line(item.title), one_line(item.subject)
        about = f" ({subject})" if subject and subject not in title else ""
        since = local_time(item.first_reported, report.tzinfo)
        lines.append(
            f"{item.severity.value.capitalize()}: {title}{about}; reported since {since}, "
            f"in {_ordinal_reports(item.reports_count)}"
        )
    return lines


def acknowledged_lines(report: Report) -> list[str]:
    """One line per acknowledged finding: its title, until when, the owner's note."""
    lines = []
    for finding in report.acknowledged:
        entry = report.history.of(finding) if report.history is not None else None
        ack = entry.acknowledged if entry is not None else None
        if ack is None:
            continue
        until = (
            f"until {local_time(ack.until, report.tzinfo)}"
            if ack.until is not None
            else "until its severity changes"
        )
        note = f": {one_line(ack.note)}" if ack.note else ""
        lines.append(
            f"{finding.severity.value.capitalize()}: {finding.title} "
            f"({finding.fingerprint}), acknowledged {until}{note}"
        )
    return lines


_REASON_MAX = 160


def one_reason(text: str) -> str:
    """The first sentence of ``text`` (at most 160 characters): a low finding's one-line reason."""
    flat = one_line(text)
    end = flat.find(". ")
    sentence = flat if end < 0 else flat[: end + 1]
    return sentence if len(sentence) <= _REASON_MAX else sentence[: _REASON_MAX - 1] + "…"


@dataclass(frozen=True, slots=True)
class LowRow:
    """A low finding in the compact table: title, subject, events, its one-line reason."""

    title: str
    subject: str
    count: int
    reason: str
    status: str | None


def low_rows(report: Report) -> list[LowRow]:
    """The low findings (not acknowledged), one compact row each, in report order."""
    return [
        LowRow(
            f.title,
            f.subject,
            f.count,
            one_reason(f.explanation),
            history_label(report, f),
        )
        for f in report.findings_of(Severity.LOW)
    ]
