"""The :class:`Report`: everything one scan has to say, ready for any renderer.

A report holds times in aware UTC; the configured ``timezone`` is applied only when rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.errors import RenderError
from unifi_scanner.reports.devices import MAX_DEVICES, DeviceRow, device_rows
from unifi_scanner.reports.identity import new_report_id

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from unifi_scanner.analysis.activity import Activity
    from unifi_scanner.analysis.threats import Threats
    from unifi_scanner.collect.models import (
        CollectionNote,
        ControllerInfo,
        Coverage,
        Site,
        Snapshot,
        Window,
    )
    from unifi_scanner.history import History
    from unifi_scanner.integrations.base import (
        IntegrationResults,
        IntegrationSection,
        SectionRenderer,
    )

__all__ = ["Report", "SeverityCounts", "build_report"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SeverityCounts:
    """How many findings a report has of each severity."""

    severe: int = 0
    medium: int = 0
    low: int = 0

    @property
    def total(self) -> int:
        """The number of findings of any severity."""
        return self.severe + self.medium + self.low

    def of(self, severity: Severity) -> int:
        """Return the count for ``severity``."""
        count: int = getattr(self, severity.name.lower())
        return count


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One scan's report, independent of any output format.

    Attributes:
        site: the scanned site.
        period: the window the scan covers (aware UTC).
        id: the report's unique, time-sortable id (a ULID): it names the report's files and
            each delivery of it, so nothing is overwritten or sent twice.
        controller: what we know about the controller.
        generated_at: when the report was built (aware UTC).
        timezone: IANA zone name the renderers show times in (``Europe/Berlin``).
        findings: the findings, most severe first.
        summary: how many findings of each severity.
        integrations: one section per integration that ran, in the runner's order.
        collection_notes: what the collection could not check.
        coverage: per feed (events, IPS alerts, alarms), from when it was read and whether
            completely; empty when not tracked (a report made from an export).
        section_renderers: the integrations' own section renderers, by integration ``name``
            (a section without one is shown as a generic key/value listing).
        history: each finding against the earlier reports, and what was resolved; ``None``
            when no history is kept (a report made from an export).
        devices: the site's devices, problems first (at most ``MAX_DEVICES``).
        devices_more: how many more devices the site has.
        activity: the period's events per hour by severity (``None``: not counted).
        threats: the period's IPS alerts in numbers (``None``: not counted).
    """

    site: Site
    period: Window
    controller: ControllerInfo
    generated_at: datetime
    id: str = ""
    timezone: str = "UTC"
    findings: tuple[Finding, ...] = ()
    summary: SeverityCounts = SeverityCounts()
    integrations: tuple[IntegrationSection, ...] = ()
    collection_notes: tuple[CollectionNote, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    section_renderers: Mapping[str, SectionRenderer] = field(default_factory=dict, compare=False)
    history: History | None = None
    devices: tuple[DeviceRow, ...] = ()
    devices_more: int = 0
    activity: Activity | None = field(default=None, compare=False)
    threats: Threats | None = field(default=None, compare=False)

    @property
    def tzinfo(self) -> ZoneInfo:
        """The zone times are rendered in."""
        return ZoneInfo(self.timezone)

    @property
    def gaps(self) -> tuple[Coverage, ...]:
        """The feeds that could not be read completely: the report is incomplete if any."""
        return tuple(c for c in self.coverage if not c.complete)

    @property
    def complete(self) -> bool:
        """True when every feed was read completely (or coverage is not tracked)."""
        return not self.gaps

    @property
    def is_empty(self) -> bool:
        """True when the report has no findings."""
        return not self.findings

    def findings_of(self, severity: Severity) -> tuple[Finding, ...]:
        """Return the findings of one severity that are not acknowledged, in report order."""
        return tuple(
            f for f in self.findings if f.severity is severity and not self.is_acknowledged(f)
        )

    def is_acknowledged(self, finding: Finding) -> bool:
        """Whether the owner acknowledged ``finding`` (it is listed apart, quietly)."""
        entry = self.history.of(finding) if self.history is not None else None
        return entry is not None and entry.acknowledged is not None

    @property
    def acknowledged(self) -> tuple[Finding, ...]:
        """The acknowledged findings, in report order."""
        return tuple(f for f in self.findings if self.is_acknowledged(f))


def _sort_key(finding: Finding) -> tuple[int, int, str, str]:
    return (-finding.severity.rank, -finding.count, finding.rule, finding.subject)


def _count(findings: Iterable[Finding]) -> SeverityCounts:
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return SeverityCounts(
        severe=counts[Severity.SEVERE], medium=counts[Severity.MEDIUM], low=counts[Severity.LOW]
    )


def build_report(
    snapshot: Snapshot,
    findings: Iterable[Finding],
    integrations: IntegrationResults,
    *,
    generated_at: datetime,
    timezone: str = "UTC",
    report_id: str | None = None,
    history: History | None = None,
    activity: Activity | None = None,
    threats: Threats | None = None,
) -> Report:
    """Assemble a :class:`Report` from one scan's results.

    Findings are sorted most severe first, then by how many events they aggregate, then by rule
    and subject, so the order is stable from run to run.

    Args:
        snapshot: what the collection gathered (site, controller, window, notes).
        findings: the analysis result.
        integrations: the integration sections, shown in their given order; the findings the
            integrations raised about themselves are added to ``findings`` (once, if already
            there).
        generated_at: when the report is built; must be timezone-aware.
        timezone: the IANA zone renderers show times in.
        report_id: the report's id; a new one (from ``generated_at``) when ``None``.
        history: the findings against the earlier reports (``history.track``); the summary
            leaves the acknowledged findings out.
        activity: the events per hour the analysis counted (``Engine.run``), for the charts.
        threats: the IPS alerts' numbers the analysis counted, for the Security section.

    Returns:
        The report.

    Raises:
        ValueError: ``generated_at`` is naive.
        RenderError: ``timezone`` is not a known IANA zone.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise RenderError(f"unknown timezone {timezone!r}") from err
    merged = list(findings)
    merged += [f for f in integrations.findings if f not in merged]
    ordered = tuple(sorted(merged, key=_sort_key))
    rows = device_rows(snapshot.devices, ordered)
    quiet = {
        key for key, entry in (history.findings if history else {}).items() if entry.acknowledged
    }
    return Report(
        site=snapshot.site,
        period=snapshot.window,
        controller=snapshot.controller,
        generated_at=generated_at,
        id=report_id or new_report_id(generated_at),
        timezone=timezone,
        findings=ordered,
        summary=_count(f for f in ordered if f.fingerprint not in quiet),
        integrations=integrations.sections,
        collection_notes=snapshot.notes,
        coverage=snapshot.coverage,
        section_renderers=dict(integrations.renderers),
        history=history,
        devices=rows[:MAX_DEVICES],
        devices_more=max(0, len(rows) - MAX_DEVICES),
        activity=activity,
        threats=threats,
    )
