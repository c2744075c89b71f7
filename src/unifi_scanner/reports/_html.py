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
from unifi_scanner.reports.devices import DEVICE_HEADER, device_cells
from unifi_scanner.reports.overview import overview
from unifi_scanner.reports.sections import _render_section_data

if TYPE_CHECKING:
    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.reports.model import Report

__all__ = ["render_html"]

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


def _context(report: Report) -> dict[str, Any]:
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
    }


def render_html(report: Report) -> str:
    """Render ``report`` as a self-contained HTML document with inline CSS.

    Args:
        report: the report.

    Returns:
        The HTML document.

    Raises:
        RenderError: the template failed or the CSS could not be inlined.
    """
    try:
        html = _environment().get_template(_TEMPLATE).render(_context(shown(report)))
    except jinja2.TemplateError as err:
        raise RenderError(f"HTML template failed: {err}") from err
    try:
        return css_inline.inline(html, load_remote_stylesheets=False)
    except (css_inline.InlineError, ValueError) as err:
        raise RenderError(f"could not inline the report's CSS: {err}") from err
