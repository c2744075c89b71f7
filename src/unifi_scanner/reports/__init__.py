"""Reports: the :class:`Report` model and its renderers (JSON, text, Markdown, HTML)."""

from unifi_scanner.reports._format import coverage_lines
from unifi_scanner.reports.identity import REPORT_ID, new_report_id
from unifi_scanner.reports.model import Report, SeverityCounts, build_report
from unifi_scanner.reports.render import (
    FILE_EXTENSIONS,
    RENDERERS,
    REPORT_SCHEMA_VERSION,
    Renderer,
    render_email_html,
    render_html,
    render_json,
    render_markdown,
    render_text,
    report_to_dict,
)

__all__ = [
    "FILE_EXTENSIONS",
    "RENDERERS",
    "REPORT_ID",
    "REPORT_SCHEMA_VERSION",
    "Renderer",
    "Report",
    "SeverityCounts",
    "build_report",
    "coverage_lines",
    "new_report_id",
    "render_email_html",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "report_to_dict",
]
