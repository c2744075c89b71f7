"""What the outbox keeps of a :class:`Report` so a deliverer can be called with it again.

Deliverers read a report's metadata (site, period, time, severity counts, findings for a chat
summary); the body they send is the stored rendering. Integration sections and collection notes
live only in that rendering, so they are not kept here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Window
from unifi_scanner.reports import Report, SeverityCounts
from unifi_scanner.reports.identity import stable_report_id

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["report_envelope", "report_from_envelope"]


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def report_envelope(report: Report) -> dict[str, Any]:
    """Return the JSON-compatible metadata of ``report`` that :func:`report_from_envelope` reads."""
    return {
        "id": report.id,
        "site": {
            "id": report.site.id,
            "name": report.site.name,
            "description": report.site.description,
        },
        "period": {"start": _time(report.period.start), "end": _time(report.period.end)},
        "controller": {
            "flavour": str(report.controller.flavour),
            "version": report.controller.version,
            "hostname": report.controller.hostname,
        },
        "generated_at": _time(report.generated_at),
        "timezone": report.timezone,
        "findings": [f.to_dict() for f in report.findings],
    }


def report_from_envelope(data: Mapping[str, Any]) -> Report:
    """Rebuild a :class:`Report` (without integration sections or notes) from its envelope.

    Raises:
        KeyError: a field is missing.
        ValueError: a field does not parse (a time, a severity, a flavour).
    """
    findings = tuple(Finding.from_dict(f) for f in data["findings"])
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    generated_at = _parse(data["generated_at"])
    start, end = _parse(data["period"]["start"]), _parse(data["period"]["end"])
    if generated_at is None or start is None or end is None:
        raise ValueError("a report envelope needs its times")
    return Report(
        site=Site(**data["site"]),
        period=Window(start=start, end=end),
        controller=ControllerInfo(
            flavour=Flavour(data["controller"]["flavour"]),
            version=data["controller"]["version"],
            hostname=data["controller"]["hostname"],
        ),
        generated_at=generated_at,
        id=data.get("id") or stable_report_id(generated_at, f"{data['site']['name']}|outbox"),
        timezone=data["timezone"],
        findings=findings,
        summary=SeverityCounts(
            severe=counts[Severity.SEVERE], medium=counts[Severity.MEDIUM], low=counts[Severity.LOW]
        ),
    )
