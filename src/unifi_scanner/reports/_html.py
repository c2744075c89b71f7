"""The HTML report: one self-contained, email-safe document.

Jinja2 autoescapes every value (controller strings are untrusted); the stylesheet is inlined into
``style`` attributes with ``css_inline`` and the ``<style>`` block removed, because many mail
clients drop it. Table layout, no scripts, no external resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import css_inline
import jinja2

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.errors import RenderError
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


def _context(report: Report, *, email: bool = False) -> dict[str, Any]:
    groups = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        group = report.findings_of(severity)
        if group:
            groups.append(
                {
                    "severity": str(severity),
                    "heading": f"{_SEVERITY_HEADINGS[severity]} ({len(group)})",
                    "findings": [_card(f, report) for f in group],
                }
            )
    return {
        "site": site_label(report),
        "period": period_label(report),
        "controller": controller_label(report),
        "generated": local_time(report.generated_at, report.tzinfo),
        "summary": summary_line(report),
        "changes": changes_line(report),
        "overview": overview(report),
        "low_rows": low_rows(report),
        "device_header": DEVICE_HEADER,
        "devices": [(row.attention, device_cells(row)) for row in report.devices],
        "devices_more": report.devices_more,
        "resolved": resolved_lines(report),
        "acknowledged": acknowledged_lines(report),
        "complete": report.complete,
        "coverage_heading": coverage_heading(report),
        "coverage": [line.text for line in coverage_lines(report)],
        "groups": groups,
        "notes": report.collection_notes,
        "integrations": integration_rows(report),
        "sections": [
            {
                "heading": s.display_name or s.name,
                "body": _render_section_data(s, "html", report.section_renderers.get(s.name)),
            }
            for s in report.integrations
        ],
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
    nothing inlined), so ``prefers-color-scheme: dark`` works.

    Args:
        report: the report.

    Returns:
        The HTML document.

    Raises:
        RenderError: the template failed.
    """
    try:
        return _environment().get_template(_TEMPLATE).render(_context(shown(report)))
    except jinja2.TemplateError as err:
        raise RenderError(f"HTML template failed: {err}") from err


def render_email_html(report: Report) -> str:
    """Render ``report`` as e-mail HTML: table layout, CSS inlined, bars made of table cells.

    Mail clients show no SVG, images or scripts, and many drop ``<style>``; everything here is
    a table cell with an inline style.

    Args:
        report: the report.

    Returns:
        The HTML document.

    Raises:
        RenderError: the template failed or the CSS could not be inlined.
    """
    try:
        html = _environment().get_template(_TEMPLATE).render(_context(shown(report), email=True))
    except jinja2.TemplateError as err:
        raise RenderError(f"HTML template failed: {err}") from err
    try:
        return css_inline.inline(html, load_remote_stylesheets=False)
    except (css_inline.InlineError, ValueError) as err:
        raise RenderError(f"could not inline the report's CSS: {err}") from err
