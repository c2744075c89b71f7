"""The plain-text report: for a terminal and for the text part of an email."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.integrations.render import text_table
from unifi_scanner.reports._format import (
    acknowledged_lines,
    changes_line,
    controller_label,
    coverage_heading,
    coverage_lines,
    history_label,
    integration_rows,
    local_time,
    low_rows,
    period_label,
    plain,
    resolved_lines,
    seen_label,
    site_label,
    summary_line,
)
from unifi_scanner.reports._shown import shown
from unifi_scanner.reports.devices import DEVICE_HEADER, device_cells
from unifi_scanner.reports.overview import overview
from unifi_scanner.reports.sections import _render_section_data
from unifi_scanner.reports.security import SOURCE_HEADER, security_view

if TYPE_CHECKING:
    from collections.abc import Sequence

    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.reports.model import Report

__all__ = ["render_text"]

_WIDTH = 78
_INDENT = "   "
_SEVERITY_HEADINGS = {
    Severity.SEVERE: "SEVERE: act now",
    Severity.MEDIUM: "MEDIUM: look into it soon",
    Severity.LOW: "LOW: for your information",
}


def _heading(title: str, underline: str = "-") -> list[str]:
    return ["", title, underline * len(title)]


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        plain(text),
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=hanging if hanging is not None else indent,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _facts(finding: Finding, report: Report) -> str:
    facts = [f"{finding.count} event{'s' if finding.count != 1 else ''}"]
    if finding.subject:
        facts.insert(0, f"About: {finding.subject}")
    if finding.first_seen is not None:
        facts.append(seen_label(finding, report.tzinfo))
    if status := history_label(report, finding):
        facts.insert(0, status)
    return " | ".join(facts)


def _finding(number: int, finding: Finding, report: Report) -> list[str]:
    title = f"{number}. {finding.title}"
    if finding.badges:
        title += " [" + ", ".join(finding.badges) + "]"
    lines = _wrap(title, "", _INDENT)
    lines += _wrap(_facts(finding, report), _INDENT)
    lines += _wrap(finding.explanation, _INDENT)
    if finding.remediation:
        lines.append(f"{_INDENT}What to do:")
        for step_no, step in enumerate(finding.remediation, start=1):
            prefix = f"{_INDENT}  {step_no}. "
            lines += _wrap(step, prefix, " " * len(prefix))
    if finding.examples:
        lines.append(f"{_INDENT}Examples:")
        for example in finding.examples:
            lines += _wrap(example, f"{_INDENT}  - ", f"{_INDENT}    ")
    if finding.evidence:
        lines.append(f"{_INDENT}Based on:")
        for item in finding.evidence:
            lines += _wrap(item, f"{_INDENT}  - ", f"{_INDENT}    ")
    return lines


def _findings(report: Report) -> list[str]:
    lines: list[str] = []
    number = 0
    for severity in sorted(Severity, key=lambda s: -s.rank):
        group = report.findings_of(severity)
        if not group:
            continue
        lines += _heading(f"{_SEVERITY_HEADINGS[severity]} ({len(group)})", "=")
        if severity is Severity.LOW:  # for information: one line each, not a card
            lines.append("")
            for row in low_rows(report):
                number += 1
                about = f"About: {row.subject} | " if row.subject else ""
                status = f"{row.status} | " if row.status else ""
                facts = f"{status}{about}{row.count} event{'s' if row.count != 1 else ''}"
                lines += _wrap(f"{number}. {row.title} ({facts}): {row.reason}", "", _INDENT)
            continue
        for finding in group:
            number += 1
            lines.append("")
            lines += _finding(number, finding, report)
    return lines


def _changes(report: Report) -> list[str]:
    view = overview(report)
    lines = [] if report.is_empty else _wrap(view.verdict, "")  # the summary said it
    if changed := changes_line(report):
        lines += _wrap(changed, "")
    if view.actions:
        lines.append("Do this first:")
        for n, action in enumerate(view.actions, start=1):
            prefix = f"  {n}. "
            lines += _wrap(f"{action.step} ({action.finding})", prefix, " " * len(prefix))
    if view.new:
        more = f" (and {view.new_more} more)" if view.new_more else ""
        lines += _wrap("New: " + "; ".join(view.new) + more, "", "  ")
    if resolved := resolved_lines(report):
        lines += _heading(f"Resolved since the last report ({len(resolved)})")
        for line in resolved:
            lines += _wrap(line, "- ", "  ")
    if quiet := acknowledged_lines(report):
        lines += _heading(f"Acknowledged ({len(quiet)})")
        for line in quiet:
            lines += _wrap(line, "- ", "  ")
    return lines


def _coverage(report: Report) -> list[str]:
    sentences = coverage_lines(report)
    if not sentences:
        return []
    lines = _heading(coverage_heading(report))
    for sentence in sentences:
        lines += _wrap(sentence.text, "- ", "  ")
    return lines


def _security(report: Report) -> list[str]:
    view = security_view(report)
    if view is None:
        return []
    lines = _heading("Security")
    lines += _wrap(view.summary, "")
    lines += _wrap(view.verdict, "")
    if view.categories:
        top = ", ".join(f"{name} ({count})" for name, count in view.categories)
        lines += _wrap(f"Categories: {top}", "", "  ")
    if view.sources:
        lines.append("Busiest outside addresses:")
        lines += text_table(SOURCE_HEADER, [row.cells for row in view.sources], "  ")
    return lines


def _devices(report: Report) -> list[str]:
    if not report.devices:
        return []
    lines = _heading(f"Devices ({len(report.devices) + report.devices_more})")
    lines += text_table(DEVICE_HEADER, [device_cells(row) for row in report.devices], "")
    if report.devices_more:
        lines.append(f"... and {report.devices_more} more")
    return lines


def _notes(report: Report) -> list[str]:
    if not report.collection_notes:
        return []
    lines = _heading("What we could not check")
    for note in report.collection_notes:
        text = f"{note.source}: {note.message}"
        if note.endpoint:
            text += f" ({note.endpoint})"
        lines += _wrap(text, "- ", "  ")
    return lines


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def _integrations(report: Report) -> list[str]:
    if not report.integrations:
        return []
    lines = _heading("Integrations")
    rows = [("Name", "Status", "Duration", "Notes")]
    rows += [
        (plain(r.name), r.status, r.duration, plain(r.detail)) for r in integration_rows(report)
    ]
    lines += _table(rows)
    for section in report.integrations:
        lines += _heading(plain(section.display_name or section.name), "~")
        lines += [
            plain(line)
            for line in _render_section_data(
                section, "text", report.section_renderers.get(section.name)
            ).splitlines()
        ]
    return lines


def render_text(report: Report) -> str:
    """Render ``report`` as plain text, readable in a terminal and in an email body.

    Untrusted strings from the controller are stripped of control characters (terminal escapes).

    Args:
        report: the report.

    Returns:
        The text, ending in a newline.
    """
    report = shown(report)
    title = f"UniFi Scanner report for {site_label(report)}"
    lines = [title, "=" * len(title)]
    lines.append(f"Period:      {period_label(report)}")
    lines.append(f"Controller:  {controller_label(report)}")
    lines.append(f"Generated:   {local_time(report.generated_at, report.tzinfo)}")
    lines += _coverage(report)
    lines.append("")
    lines.append(f"Summary: {summary_line(report)}")
    lines += _changes(report)
    lines += _findings(report)
    lines += _security(report)
    lines += _devices(report)
    lines += _notes(report)
    lines += _integrations(report)
    return "\n".join(lines) + "\n"
