"""The Markdown report (CommonMark with GFM tables): for chat, tickets and wikis.

Every untrusted string passes :func:`markdown_escape`, so a controller string cannot inject
raw HTML, links, emphasis or table cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
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
    markdown_escape,
    period_label,
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
    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.reports.model import Report

__all__ = ["render_markdown"]

_SEVERITY_HEADINGS = {
    Severity.SEVERE: "Severe: act now",
    Severity.MEDIUM: "Medium: look into it soon",
    Severity.LOW: "Low: for your information",
}

esc = markdown_escape


def _finding(finding: Finding, report: Report) -> list[str]:
    lines = [f"### {esc(finding.title)}", ""]
    facts = []
    if status := history_label(report, finding):
        facts.append(f"**{esc(status)}**")
    if finding.subject:
        facts.append(f"**About:** {esc(finding.subject)}")
    facts.append(f"**Events:** {finding.count}")
    if finding.first_seen is not None:
        facts.append(f"**Seen:** {seen_label(finding, report.tzinfo)}")
    if finding.badges:
        facts.append("**Tags:** " + ", ".join(esc(badge) for badge in finding.badges))
    lines += [" · ".join(facts), "", esc(finding.explanation), ""]
    if finding.remediation:
        lines += ["**What to do:**", ""]
        lines += [f"{n}. {esc(step)}" for n, step in enumerate(finding.remediation, start=1)]
        lines.append("")
    for label, items in (("Examples", finding.examples), ("Based on", finding.evidence)):
        if items:
            lines += [f"**{label}:**", ""]
            lines += [f"- {esc(item)}" for item in items]
            lines.append("")
    return lines


def _findings(report: Report) -> list[str]:
    lines: list[str] = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        group = report.findings_of(severity)
        if not group:
            continue
        lines += [f"## {_SEVERITY_HEADINGS[severity]} ({len(group)})", ""]
        if severity is Severity.LOW:  # for information: a compact table, not cards
            lines += ["| Finding | About | Events | Why |", "| --- | --- | --- | --- |"]
            for row in low_rows(report):
                title = f"{esc(row.title)} ({esc(row.status)})" if row.status else esc(row.title)
                lines.append(
                    f"| {title} | {esc(row.subject) or '-'} | {row.count} | {esc(row.reason)} |"
                )
            lines.append("")
            continue
        for finding in group:
            lines += _finding(finding, report)
    return lines


def _changes(report: Report) -> list[str]:
    view = overview(report)
    lines = [] if report.is_empty else [f"**{esc(view.verdict)}**", ""]
    if changed := changes_line(report):
        lines += [esc(changed), ""]
    if view.actions:
        lines += ["**Do this first:**", ""]
        lines += [
            f"{n}. {esc(action.step)} ({esc(action.finding)})"
            for n, action in enumerate(view.actions, start=1)
        ]
        lines.append("")
    if view.new:
        more = f" (and {view.new_more} more)" if view.new_more else ""
        lines += ["**New:** " + "; ".join(esc(title) for title in view.new) + more, ""]
    if resolved := resolved_lines(report):
        lines += [f"## Resolved since the last report ({len(resolved)})", ""]
        lines += [f"- {esc(line)}" for line in resolved]
        lines.append("")
    if quiet := acknowledged_lines(report):
        lines += [f"## Acknowledged ({len(quiet)})", ""]
        lines += [f"- {esc(line)}" for line in quiet]
        lines.append("")
    return lines


def _coverage(report: Report) -> list[str]:
    sentences = coverage_lines(report)
    if not sentences:
        return []
    lines = [f"## {coverage_heading(report)}", ""]
    lines += [f"- {esc(sentence.text)}" for sentence in sentences]
    lines.append("")
    return lines


def _security(report: Report) -> list[str]:
    view = security_view(report)
    if view is None:
        return []
    lines = ["## Security", "", esc(view.summary), "", f"**{esc(view.verdict)}**", ""]
    if view.categories:
        top = ", ".join(f"{esc(name)} ({count})" for name, count in view.categories)
        lines += [f"**Categories:** {top}", ""]
    if view.sources:
        lines += [
            "| " + " | ".join(SOURCE_HEADER) + " |",
            "|" + " --- |" * len(SOURCE_HEADER),
        ]
        lines += ["| " + " | ".join(esc(cell) for cell in row.cells) + " |" for row in view.sources]
        lines.append("")
    return lines


def _devices(report: Report) -> list[str]:
    if not report.devices:
        return []
    lines = [
        f"## Devices ({len(report.devices) + report.devices_more})",
        "",
        "| " + " | ".join(DEVICE_HEADER) + " |",
        "|" + " --- |" * len(DEVICE_HEADER),
    ]
    lines += [
        "| " + " | ".join(esc(cell) for cell in device_cells(row)) + " |" for row in report.devices
    ]
    if report.devices_more:
        lines += ["", f"… and {report.devices_more} more"]
    lines.append("")
    return lines


def _notes(report: Report) -> list[str]:
    if not report.collection_notes:
        return []
    lines = ["## What we could not check", ""]
    for note in report.collection_notes:
        text = f"- **{esc(note.source)}:** {esc(note.message)}"
        if note.endpoint:
            text += f" ({esc(note.endpoint)})"
        lines.append(text)
    lines.append("")
    return lines


def _integrations(report: Report) -> list[str]:
    if not report.integrations:
        return []
    lines = [
        "## Integrations",
        "",
        "| Name | Status | Duration | Notes |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {esc(r.name)} | {esc(r.status)} | {r.duration} | {esc(r.detail)} |"
        for r in integration_rows(report)
    ]
    lines.append("")
    for section in report.integrations:
        lines += [f"### {esc(section.display_name or section.name)}", ""]
        lines += [
            _render_section_data(section, "markdown", report.section_renderers.get(section.name)),
            "",
        ]
    return lines


def render_markdown(report: Report) -> str:
    """Render ``report`` as Markdown.

    Args:
        report: the report.

    Returns:
        The Markdown document, ending in a newline.
    """
    report = shown(report)
    lines = [
        f"# UniFi Scanner report for {esc(site_label(report))}",
        "",
        f"- **Period:** {period_label(report)}",
        f"- **Controller:** {esc(controller_label(report))}",
        f"- **Generated:** {local_time(report.generated_at, report.tzinfo)}",
        "",
    ]
    lines += _coverage(report)
    lines += [f"**Summary:** {summary_line(report)}", ""]
    lines += _changes(report)
    lines += _findings(report)
    lines += _security(report)
    lines += _devices(report)
    lines += _notes(report)
    lines += _integrations(report)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"
