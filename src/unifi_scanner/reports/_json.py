"""The JSON report: a versioned, stable contract described by ``docs/report.schema.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from unifi_scanner.errors import RenderError
from unifi_scanner.reports._format import utc_iso
from unifi_scanner.reports._shown import json_safe
from unifi_scanner.reports.overview import overview
from unifi_scanner.reports.security import abuse_scores, security_view

if TYPE_CHECKING:
    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.integrations.base import IntegrationSection
    from unifi_scanner.reports.devices import DeviceRow
    from unifi_scanner.reports.model import Report

__all__ = ["REPORT_SCHEMA_VERSION", "render_json", "report_to_dict"]

REPORT_SCHEMA_VERSION = "1.4"
"""Bumped in its minor part for additive changes, in its major part for breaking ones."""


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else utc_iso(moment)


def _integration(section: IntegrationSection, generated_at: datetime) -> dict[str, Any]:
    age = section.age_s(generated_at)
    return {
        "name": section.name,
        "display_name": section.display_name,
        "status": str(section.status),
        "duration_s": round(section.duration_s, 3),
        "error": section.error_message,
        "stale_since": _time(section.stale_since),
        "age_s": None if age is None else round(age, 3),
        "data": dict(section.data),
        "correlated": dict(section.correlated),
    }


def _finding(finding: Finding, report: Report) -> dict[str, Any]:
    """:meth:`Finding.to_dict` (the one conversion) plus where it stands in the history."""
    data = finding.to_dict()
    entry = report.history.of(finding) if report.history is not None else None
    ack = entry.acknowledged if entry is not None else None
    data.update(
        status=None if entry is None else str(entry.status),
        first_reported=None if entry is None else utc_iso(entry.first_reported),
        reports_count=None if entry is None else entry.reports_count,
        acknowledged=None
        if ack is None
        else {"at": utc_iso(ack.at), "until": _time(ack.until), "note": ack.note},
    )
    return data


def _device(row: DeviceRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "model": row.model,
        "kind": row.kind,
        "status": row.status,
        "online": row.online,
        "uptime_s": row.uptime_s,
        "cpu_pct": row.cpu_pct,
        "mem_pct": row.mem_pct,
        "temperature_c": row.temperature_c,
        "poe_used_w": row.poe_used_w,
        "poe_budget_w": row.poe_budget_w,
        "firmware": row.firmware,
        "upgrade_to": row.upgrade_to,
        "attention": None if row.attention is None else str(row.attention),
    }


def _security(report: Report) -> dict[str, Any] | None:
    threats = report.threats
    view = security_view(report)
    if threats is None or view is None:
        return None
    scores = abuse_scores(report)
    return {
        "alerts": threats.alerts,
        "blocked": threats.blocked,
        "detected": threats.detected,
        "inbound": threats.inbound,
        "outbound": threats.outbound,
        "engine_events": threats.engine,
        "verdict": view.verdict,
        "top_sources": [
            {
                "address": s.address,
                "country": s.country,
                "alerts": s.alerts,
                "blocked": s.blocked,
                "abuse_score": scores.get(s.address),
            }
            for s in threats.top_sources()
        ],
        "top_categories": [{"category": n, "count": c} for n, c in threats.top_categories()],
    }


def _overview(report: Report) -> dict[str, Any]:
    view = overview(report)
    return {
        "verdict": view.verdict,
        "do_first": [
            {"step": a.step, "finding": a.finding, "fingerprint": a.fingerprint}
            for a in view.actions
        ],
    }


def _changes(report: Report) -> dict[str, Any] | None:
    history = report.history
    if history is None:
        return None
    return {
        "new": list(history.new),
        "recurring": list(history.recurring),
        "resolved": [
            {
                "fingerprint": item.fingerprint,
                "rule": item.rule,
                "title": item.title,
                "subject": item.subject,
                "severity": str(item.severity),
                "first_reported": _time(item.first_reported),
                "last_reported": _time(item.last_reported),
                "reports_count": item.reports_count,
            }
            for item in history.resolved
        ],
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """Return the JSON-compatible form of ``report`` (the JSON contract, before encoding).

    Args:
        report: the report.

    Returns:
        A dict with exactly the top-level keys of ``docs/report.schema.json``.
    """
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "report_id": report.id,
        "site": report.site.name,
        "period": {"start": utc_iso(report.period.start), "end": utc_iso(report.period.end)},
        "generated_at": utc_iso(report.generated_at),
        "controller": {
            "flavour": str(report.controller.flavour),
            "version": report.controller.version,
        },
        "summary": {
            "severe": report.summary.severe,
            "medium": report.summary.medium,
            "low": report.summary.low,
            "acknowledged": len(report.acknowledged),
        },
        "overview": _overview(report),
        "findings": [_finding(f, report) for f in report.findings],
        "integrations": [_integration(s, report.generated_at) for s in report.integrations],
        "collection_notes": [
            {"source": n.source, "message": n.message, "endpoint": n.endpoint}
            for n in report.collection_notes
        ],
        "security": _security(report),
        "devices": [_device(row) for row in report.devices],
        "devices_more": report.devices_more,
        "timezone": report.timezone,
        "changes": _changes(report),
        "complete": report.complete,
        "coverage": [
            {
                "source": str(c.feed),
                "from": utc_iso(c.start),
                "complete": c.complete,
                "partial": c.partial,
                "reason": c.reason or None,
                "caught_up_from": utc_iso(c.behind_since) if c.behind_since else None,
                "given_up_from": utc_iso(c.given_up_from) if c.given_up_from else None,
            }
            for c in report.coverage
        ],
    }


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, Mapping):
        return dict(value)  # type: ignore[return-value]  # json.dumps encodes it further
    raise TypeError(f"{type(value).__name__} is not JSON-compatible")


def render_json(report: Report) -> str:
    """Render ``report`` as pretty-printed JSON (UTF-8 text, keys in contract order).

    Args:
        report: the report.

    Returns:
        The JSON document, ending in a newline.

    Raises:
        RenderError: an integration section's data is not JSON-compatible.
    """
    try:
        text = json.dumps(report_to_dict(report), indent=2, ensure_ascii=False, default=_default)
    except (TypeError, ValueError) as err:
        raise RenderError(f"report is not JSON-compatible: {err}") from err
    return json_safe(text) + "\n"
