"""The history page: ``index.html`` next to the report files, the dashboard you open in a browser.

A static page (no server, no script) made from the report directory's index (``index.json``,
kept by the file deliverer): for each site, a chart of severe, medium and low findings over the
last reports, the longest-standing open findings, and every report with links to its files.
All text in it came from reports, so it is treated as untrusted: one line each, autoescaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from markupsafe import Markup, escape

from unifi_scanner._untrusted import one_line
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.errors import RenderError
from unifi_scanner.reports.charts import COLOURS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["CHART_REPORTS", "LISTED_REPORTS", "render_history_page"]

CHART_REPORTS: Final = 60
"""Reports the chart of each site shows (the most recent)."""
LISTED_REPORTS: Final = 200
"""Reports each site's table lists (the most recent); older ones stay in ``index.json``."""
_STACK: Final = (Severity.SEVERE, Severity.MEDIUM, Severity.LOW)

_ENV: Final = jinja2.Environment(
    loader=jinja2.PackageLoader("unifi_scanner.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class _Row:
    when: str
    severe: int
    medium: int
    low: int
    complete: bool
    files: list[tuple[str, str]]


def _time(text: object, zone: ZoneInfo) -> str:
    if not isinstance(text, str):
        return "-"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return "-"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _count(entry: Mapping[str, Any], key: str) -> int:
    value = (entry.get("summary") or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _files(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    files = entry.get("files")
    if not isinstance(files, dict):
        return []
    labels = {"html": "HTML", "text": "text", "markdown": "Markdown", "json": "JSON"}
    return [
        (labels.get(fmt, one_line(str(fmt))), name)
        for fmt, name in files.items()
        if isinstance(name, str) and "/" not in name and "\\" not in name and fmt in labels
    ]


def _chart(entries: Sequence[Mapping[str, Any]], zone: ZoneInfo) -> Markup | None:
    """Stacked bars of severe, medium and low findings per report, oldest on the left."""
    shown = list(entries[-CHART_REPORTS:])
    if len(shown) < 2:  # noqa: PLR2004 (one report is no trend)
        return None
    top = max(sum(_count(e, s.value) for s in _STACK) for e in shown) or 1
    width, left, bottom, plot_h = 900, 36, 150, 130
    step = (width - left) / len(shown)
    bar = max(step * 0.75, 1.0)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} 190" '
            'font-family="Arial, sans-serif" font-size="11" fill="currentColor">'
        ),
        "<title>Findings per report by severity</title>",
        f'<text x="0" y="{bottom - plot_h + 10}">{top}</text><text x="0" y="{bottom}">0</text>',
    ]
    for i, entry in enumerate(shown):
        x, y = left + i * step, float(bottom)
        counts = {s: _count(entry, s.value) for s in _STACK}
        tip = escape(
            f"{_time(entry.get('generated_at'), zone)}: {counts[Severity.SEVERE]} severe, "
            f"{counts[Severity.MEDIUM]} medium, {counts[Severity.LOW]} low"
        )
        out.append(f'<g class="report" data-total="{sum(counts.values())}"><title>{tip}</title>')
        for severity in _STACK:
            if not counts[severity]:
                continue
            height = counts[severity] / top * plot_h
            y -= height
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{COLOURS[severity]}" data-severity="{severity.value}" '
                f'data-count="{counts[severity]}"/>'
            )
        out.append("</g>")
    first = escape(_time(shown[0].get("generated_at"), zone))
    out.append(f'<text x="{left}" y="{bottom + 14}">{first}</text>')
    last = escape(_time(shown[-1].get("generated_at"), zone))
    out.append(f'<text x="{width}" y="{bottom + 14}" text-anchor="end">{last}</text>')
    x = 0
    for severity in _STACK:
        out.append(
            f'<rect x="{x}" y="177" width="10" height="10" fill="{COLOURS[severity]}"/>'
            f'<text x="{x + 14}" y="186">{severity.value}</text>'
        )
        x += 80
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label above is escaped)


def _site(
    site: str, entries: list[Mapping[str, Any]], index: Mapping[str, Any], zone: ZoneInfo
) -> dict[str, Any]:
    entries.sort(key=lambda e: str(e.get("generated_at") or ""))
    recent = entries[-LISTED_REPORTS:]
    rows = [
        _Row(
            _time(e.get("generated_at"), zone),
            _count(e, "severe"),
            _count(e, "medium"),
            _count(e, "low"),
            e.get("complete") is not False,
            _files(e),
        )
        for e in reversed(recent)
    ]
    latest = entries[-1] if entries else {}
    opened = (index.get("open") or {}).get(site) or []
    open_rows = [
        {
            "title": one_line(str(item.get("title") or "")),
            "severity": one_line(str(item.get("severity") or "")),
            "since": _time(item.get("first_reported"), zone),
            "count": item.get("reports_count")
            if isinstance(item.get("reports_count"), int)
            else "-",
        }
        for item in opened
        if isinstance(item, dict)
    ]
    return {
        "label": one_line(str(latest.get("site_label") or site)),
        "latest": one_line(str(latest.get("verdict") or "")),
        "chart": _chart(entries, zone),
        "open": open_rows,
        "rows": rows,
        "total": len(entries),
        "older": len(entries) - len(recent),
    }


def render_history_page(index: Mapping[str, Any], *, now: datetime, timezone: str) -> str:
    """Render the history page from the directory's index (``index.json``'s content).

    Args:
        index: ``{"reports": [entry…], "open": {site: [finding…]}}``; damaged parts are skipped.
        now: when the page is made.
        timezone: the IANA zone to show times in.

    Returns:
        The HTML page.

    Raises:
        RenderError: the template failed.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    by_site: dict[str, list[Mapping[str, Any]]] = {}
    for entry in index.get("reports") or []:
        if isinstance(entry, dict):
            by_site.setdefault(str(entry.get("site") or "site"), []).append(entry)
    sites = [_site(site, entries, index, zone) for site, entries in sorted(by_site.items())]
    try:
        return _ENV.get_template("history.html.j2").render(
            sites=sites,
            updated=now.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
            zone=timezone,
        )
    except jinja2.TemplateError as err:
        raise RenderError(f"history page template failed: {err}") from err
