"""The HTML report: one self-contained, email-safe document.

Jinja2 autoescapes every value (controller strings are untrusted); the stylesheet is inlined into
``style`` attributes with ``css_inline`` and the ``<style>`` block removed, because many mail
clients drop it. Table layout, no scripts, no external resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import css_inline
import jinja2

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.errors import RenderError
from unifi_scanner.reports._format import (
    LowRow,
    acknowledged_lines,
    changes_line,
    controller_label,
    coverage_heading,
    coverage_lines,
    history_label,
    integration_rows,
    local_time,
    low_rows,
    one_reason,
    period_label,
    resolved_lines,
    seen_label,
    site_label,
    summary_line,
)
from unifi_scanner.reports._shown import shown
from unifi_scanner.reports.charts import (
    COLOURS,
    EMAIL_BARS,
    bar_colour,
    resource_bars,
    resource_svg,
    timeline,
    timeline_svg,
)
from unifi_scanner.reports.devices import DEVICE_HEADER, device_cells
from unifi_scanner.reports.overview import overview
from unifi_scanner.reports.sections import _render_section_data
from unifi_scanner.reports.security import SOURCE_HEADER, security_view

if TYPE_CHECKING:
    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.reports.model import Report

__all__ = ["render_email_html", "render_html"]

_TEMPLATE = "report.html.j2"
_SEVERITY_HEADINGS = {
    Severity.SEVERE: "Severe: act now",
    Severity.MEDIUM: "Medium: look into it soon",
    Severity.LOW: "Low: for your information",
}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("unifi_scanner.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True, slots=True)
class _Card:
    """A finding and the labels the template shows with it (no copy of its fields)."""

    finding: Finding
    seen: str | None
    status: str | None


def _card(finding: Finding, report: Report) -> _Card:
    seen = None if finding.first_seen is None else seen_label(finding, report.tzinfo)
    return _Card(finding, seen, history_label(report, finding))


def _email_timeline(report: Report) -> list[dict[str, Any]]:
    """The timeline as table rows: one per bucket, a cell per severity as wide as its share."""
    buckets = timeline(report, EMAIL_BARS)
    top = max((b.total for b in buckets), default=0) or 1
    rows = []
    for bucket in buckets:
        segments = [
            (COLOURS[severity], max(1, round(bucket.of(severity) / top * 100)), bucket.of(severity))
            for severity in (Severity.SEVERE, Severity.MEDIUM, Severity.LOW)
            if bucket.of(severity)
        ]
        rest = max(0, 100 - sum(width for _, width, _ in segments))
        rows.append(
            {"label": bucket.label, "total": bucket.total, "segments": segments, "rest": rest}
        )
    return rows


def _email_resources(report: Report) -> list[dict[str, Any]]:
    rows = []
    for bar in resource_bars(report):
        for label, value in (("CPU", bar.cpu), ("memory", bar.memory)):
            if value is not None:
                width = max(1, min(100, round(value)))
                rows.append(
                    {
                        "name": bar.name,
                        "label": label,
                        "value": f"{value:.0f} %",
                        "width": width,
                        "rest": 100 - width,
                        "colour": bar_colour(value),
                    }
                )
    return rows


@dataclass(frozen=True, slots=True)
class _Limits:
    """How much of the findings one rendering shows in full.

    Attributes:
        cards: severe and medium findings shown as full cards (the rest become rows).
        rows: rows of the compact table (overflowing findings, then the low ones).
        devices: rows of the devices table (problems come first).
        sections: whether the integrations' own sections are shown (their status always is).
    """

    cards: int
    rows: int
    devices: int = 200
    sections: bool = True


FILE_BUDGET: Final = 1_000_000
"""Bytes the HTML file stays under, however many findings a report has."""
EMAIL_BUDGET: Final = 100_000
"""Bytes the e-mail HTML stays under (mail clients clip long messages)."""
_FILE_LEVELS: Final = (
    _Limits(200, 1000),
    _Limits(40, 200, 100),
    _Limits(10, 50, 30, sections=False),
)
_EMAIL_LEVELS: Final = (
    _Limits(12, 40, 40),
    _Limits(6, 20, 20),
    _Limits(3, 10, 10, sections=False),
    _Limits(0, 10, 5, sections=False),
)


def _findings(report: Report, limits: _Limits) -> dict[str, Any]:
    """The cards within ``limits.cards``, and the compact rows of everything else."""
    groups = []
    overflow: list[LowRow] = []
    left = limits.cards
    for severity in (Severity.SEVERE, Severity.MEDIUM):
        group = report.findings_of(severity)
        if not group:
            continue
        shown, rest = group[:left], group[left:]
        left -= len(shown)
        overflow += [
            LowRow(
                f"{severity.value.capitalize()}: {f.title}",
                f.subject,
                f.count,
                one_reason(f.explanation),
                history_label(report, f),
            )
            for f in rest
        ]
        if shown:
            groups.append(
                {
                    "severity": str(severity),
                    "heading": f"{_SEVERITY_HEADINGS[severity]} ({len(group)})",
                    "findings": [_card(f, report) for f in shown],
                }
            )
    rows = [*overflow, *low_rows(report)]
    low = len(report.findings_of(Severity.LOW))
    heading = (
        f"More findings, in short ({len(rows)})"
        if overflow
        else f"{_SEVERITY_HEADINGS[Severity.LOW]} ({low})"
    )
    return {
        "groups": groups,
        "rows": rows[: limits.rows],
        "rows_more": max(0, len(rows) - limits.rows),
        "rows_heading": heading,
        "cut": bool(overflow) or len(rows) > limits.rows,
    }


def _context(
    report: Report, *, email: bool = False, limits: _Limits = _FILE_LEVELS[0]
) -> dict[str, Any]:
    findings = _findings(report, limits)
    return {
        "site": site_label(report),
        "period": period_label(report),
        "controller": controller_label(report),
        "generated": local_time(report.generated_at, report.tzinfo),
        "summary": summary_line(report),
        "changes": changes_line(report),
        "overview": overview(report),
        "security": security_view(report),
        "source_header": SOURCE_HEADER,
        "low_rows": findings["rows"],
        "rows_more": findings["rows_more"],
        "rows_heading": findings["rows_heading"],
        "cut": findings["cut"],
        "device_header": DEVICE_HEADER,
        "devices": [(row.attention, device_cells(row)) for row in report.devices[: limits.devices]],
        "devices_more": report.devices_more + max(0, len(report.devices) - limits.devices),
        "resolved": resolved_lines(report),
        "acknowledged": acknowledged_lines(report),
        "complete": report.complete,
        "coverage_heading": coverage_heading(report),
        "coverage": [line.text for line in coverage_lines(report)],
        "groups": findings["groups"],
        "notes": report.collection_notes,
        "integrations": integration_rows(report),
        "sections": [
            {
                "heading": s.display_name or s.name,
                "body": _render_section_data(s, "html", report.section_renderers.get(s.name)),
            }
            for s in report.integrations
        ]
        if limits.sections
        else [],
        "sections_cut": bool(report.integrations) and not limits.sections,
        "timezone": report.timezone,
        "email": email,
        "timeline_svg": None if email else timeline_svg(report),
        "resource_svg": None if email else resource_svg(report),
        "timeline_rows": _email_timeline(report) if email else [],
        "resource_rows": _email_resources(report) if email else [],
        "colours": {str(k): v for k, v in COLOURS.items()},
    }


def render_html(report: Report) -> str:
    """Render ``report`` as one HTML file to open in a browser: inline SVG charts, dark mode.

    No external asset, no script; the style sheet stays in the document (a browser needs
    nothing inlined), so ``prefers-color-scheme: dark`` works. It stays under
    :data:`FILE_BUDGET` bytes however many findings there are (the JSON has them all).

    Args:
        report: the report.

    Returns:
        The HTML document.

    Raises:
        RenderError: the template failed.
    """
    safe = shown(report)
    html = ""
    for limits in _FILE_LEVELS:
        html = _render(_context(safe, limits=limits))
        if len(html.encode()) <= FILE_BUDGET:
            break
    return html


def _render(context: dict[str, Any]) -> str:
    try:
        return _environment().get_template(_TEMPLATE).render(context)
    except jinja2.TemplateError as err:
        raise RenderError(f"HTML template failed: {err}") from err


def render_email_html(report: Report) -> str:
    """Render ``report`` as e-mail HTML: table layout, CSS inlined, bars made of table cells.

    Mail clients show no SVG, images or scripts, and many drop ``<style>``; everything here is
    a table cell with an inline style. It stays under :data:`EMAIL_BUDGET` bytes (mail clients
    clip longer messages): beyond a dozen cards, findings become one row each, then fewer rows,
    then the integrations show their status only, each cut said in the message.

    Args:
        report: the report.

    Returns:
        The HTML document.

    Raises:
        RenderError: the template failed or the CSS could not be inlined.
    """
    safe = shown(report)
    html = ""
    for limits in _EMAIL_LEVELS:
        try:
            html = css_inline.inline(
                _render(_context(safe, email=True, limits=limits)), load_remote_stylesheets=False
            )
        except (css_inline.InlineError, ValueError) as err:
            raise RenderError(f"could not inline the report's CSS: {err}") from err
        if len(html.encode()) <= EMAIL_BUDGET:
            break
    return html
