"""Pictures where they beat prose: inline SVG for the HTML file, table bars for e-mail.

Two charts, from data the report already holds:

* **events per hour by severity** over the period (the analysis counted them in its one pass),
  as stacked bars; long periods are grouped into wider buckets so there are at most 48 bars;
* **device resource use**: CPU and memory of each device that is up, as labelled bars.

Both come as inline SVG for the HTML file (no external assets, no script) and as plain table
rows with coloured cells for e-mail, where SVG and images are not shown. Colour is never the only
carrier: every bar has its number written next to it or in its ``<title>``, the legend names each
colour, and the severities are stacked in a fixed order (severe at the bottom). Text and axes
use ``currentColor``, so the charts read in dark mode too. Every label is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from markupsafe import Markup, escape

from unifi_scanner.analysis.findings import Severity

if TYPE_CHECKING:
    from unifi_scanner.analysis.activity import HourCount
    from unifi_scanner.reports.model import Report

__all__ = [
    "COLOURS",
    "EMAIL_BARS",
    "Bucket",
    "ResourceBar",
    "bar_colour",
    "resource_bars",
    "resource_svg",
    "timeline",
    "timeline_svg",
]

COLOURS: Final = {Severity.SEVERE: "#d92d20", Severity.MEDIUM: "#f79009", Severity.LOW: "#98a2b3"}
"""Severity colours, distinct in lightness as well as hue (readable for colour-blind readers)."""
_STACK: Final = (Severity.SEVERE, Severity.MEDIUM, Severity.LOW)
_MAX_BARS: Final = 48
EMAIL_BARS: Final = 12
"""Rows of the e-mail's timeline at most (one row per bucket)."""
_WIDTHS: Final = (1, 2, 3, 4, 6, 8, 12, 24, 48, 72, 168)
_MAX_DEVICES: Final = 12
_DAY_HOURS: Final = 24
_LABELLED: Final = 24
"""Up to this many bars, each has its total written above it."""
_SVG_WIDTH: Final = 680


@dataclass(frozen=True, slots=True)
class Bucket:
    """Some hours of the period and their events by severity."""

    label: str
    hours: int
    severe: int
    medium: int
    low: int

    @property
    def total(self) -> int:
        """Events of any severity."""
        return self.severe + self.medium + self.low

    def of(self, severity: Severity) -> int:
        """Events of ``severity``."""
        count: int = getattr(self, severity.value)
        return count


def timeline(report: Report, max_bars: int = _MAX_BARS) -> list[Bucket]:
    """The period's events in at most ``max_bars`` buckets; empty when nothing was counted."""
    activity = report.activity
    if activity is None or not activity.total:
        return []
    zone = report.tzinfo
    hours = activity.series(report.period.start, report.period.end)
    width = next((w for w in _WIDTHS if len(hours) <= max_bars * w), _WIDTHS[-1])
    buckets = []
    for i in range(0, len(hours), width):
        part: list[HourCount] = hours[i : i + width]
        start = part[0].start.astimezone(zone)
        label = f"{start:%a %H:%M}" if width < _DAY_HOURS else f"{start:%a %d %b}"
        buckets.append(
            Bucket(
                label,
                len(part),
                sum(h.severe for h in part),
                sum(h.medium for h in part),
                sum(h.low for h in part),
            )
        )
    return buckets


def _legend(y: int) -> list[str]:
    parts, x = [], 0
    for severity in _STACK:
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[severity]}"/>'
            f'<text x="{x + 14}" y="{y}">{severity.value}</text>'
        )
        x += 80
    return parts


def timeline_svg(report: Report) -> Markup | None:
    """Stacked bars of events per bucket of hours, or ``None`` when there is nothing to draw."""
    buckets = timeline(report)
    if not buckets:
        return None
    top = max(b.total for b in buckets) or 1
    plot_h, left, bottom = 140, 40, 160
    step = (_SVG_WIDTH - left) / len(buckets)
    bar_w = max(step * 0.8, 1.0)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_SVG_WIDTH} 200" '
            'width="100%" style="max-width:680px;color:inherit" font-family="Arial, sans-serif" '
            'font-size="11" fill="currentColor">'
        ),
        "<title>Events per hour by severity</title>",
        f'<text x="0" y="12">{top}</text><text x="0" y="{bottom}">0</text>',
        (
            f'<line x1="{left}" y1="{bottom}" x2="{_SVG_WIDTH}" y2="{bottom}" '
            'stroke="currentColor" stroke-opacity="0.4"/>'
        ),
    ]
    for i, bucket in enumerate(buckets):
        x = left + i * step
        y = float(bottom)
        tip = escape(
            f"{bucket.label}: {bucket.total} events ({bucket.severe} severe, "
            f"{bucket.medium} medium, {bucket.low} low)"
        )
        out.append(f'<g class="bar" data-total="{bucket.total}"><title>{tip}</title>')
        for severity in _STACK:
            count = bucket.of(severity)
            if not count:
                continue
            height = count / top * plot_h
            y -= height
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{COLOURS[severity]}" data-severity="{severity.value}" '
                f'data-count="{count}"/>'
            )
        if len(buckets) <= _LABELLED and bucket.total:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{bucket.total}</text>'
            )
        out.append("</g>")
    every = max(1, len(buckets) // 6)
    for i in range(0, len(buckets), every):
        x = left + i * step
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}">{escape(buckets[i].label)}</text>')
    out += _legend(196)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label above is escaped)


@dataclass(frozen=True, slots=True)
class ResourceBar:
    """One device's CPU and memory use (percent)."""

    name: str
    cpu: float | None
    memory: float | None


def resource_bars(report: Report) -> list[ResourceBar]:
    """The devices that are up and report CPU or memory, busiest first (at most 12)."""
    bars = [
        ResourceBar(row.name, row.cpu_pct, row.mem_pct)
        for row in report.devices
        if row.online and (row.cpu_pct is not None or row.mem_pct is not None)
    ]
    bars.sort(key=lambda b: -max(b.cpu or 0.0, b.memory or 0.0))
    return bars[:_MAX_DEVICES]


def bar_colour(value: float) -> str:
    """A resource bar's colour: red from 90 %, orange from 75 %, blue below."""
    if value >= 90:  # noqa: PLR2004 (the analysis calls 90 % high)
        return COLOURS[Severity.SEVERE]
    return COLOURS[Severity.MEDIUM] if value >= 75 else "#2e90fa"  # noqa: PLR2004


def resource_svg(report: Report) -> Markup | None:
    """Labelled CPU and memory bars per device, or ``None`` without figures."""
    bars = resource_bars(report)
    if not bars:
        return None
    row_h, left, width = 34, 150, _SVG_WIDTH - 150 - 60
    height = row_h * len(bars) + 10
    out = [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {_SVG_WIDTH} {height}" width="100%" style="max-width:680px" '
            'font-family="Arial, sans-serif" font-size="11" fill="currentColor">'
        ),
        "<title>CPU and memory use per device</title>",
    ]
    for i, bar in enumerate(bars):
        y = i * row_h + 4
        name = escape(bar.name if len(bar.name) <= 22 else bar.name[:21] + "…")  # noqa: PLR2004
        out.append(f'<text x="0" y="{y + 18}">{name}</text>')
        for j, (label, value) in enumerate((("CPU", bar.cpu), ("memory", bar.memory))):
            if value is None:
                continue
            top = y + j * 14
            length = max(min(value, 100.0), 0.0) / 100 * width
            out.append(
                f'<rect x="{left}" y="{top}" width="{length:.1f}" height="11" '
                f'fill="{bar_colour(value)}" data-kind="{label}" data-value="{value:.0f}"/>'
                f'<text x="{left + length + 4:.1f}" y="{top + 10}">{label} {value:.0f} %</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label above is escaped)
