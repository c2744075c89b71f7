"""The report as people see it: every outside string on one line, made safe, in one place.

Controller names and messages, integration data and error texts reach a report through many
fields. :func:`shown` passes each of them through :func:`~unifi_scanner._untrusted.one_line`
once, before the text, Markdown and HTML renderers run, so none of the three can forget a field:
terminal escapes and control characters are gone, bidirectional controls are visible
(``[U+202E]``) and no text can start a line of its own. The formats then escape for themselves
(Jinja's autoescape, the one Markdown escaper). The JSON keeps the text as it came, with those
characters escaped (:func:`json_safe`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner._untrusted import one_line

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.integrations.base import IntegrationSection
    from unifi_scanner.reports.model import Report

__all__ = ["json_safe", "shown"]

_MAX_DEPTH: Final = 32
# what json.dumps(ensure_ascii=False) leaves raw but a viewer or terminal would act on
_JSON_UNSAFE: Final = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


_UTC_TIME: Final = re.compile(r"\b(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) UTC\b")
_ZONE: ContextVar[ZoneInfo | None] = ContextVar("report_zone", default=None)


def _local(match: re.Match[str]) -> str:
    zone = _ZONE.get()
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return match.group()
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _line(text: str) -> str:
    """``text`` on one line, safe, its ``YYYY-MM-DD HH:MM UTC`` times in the report's zone."""
    flat = one_line(text)
    if _ZONE.get() is None or "UTC" not in flat:
        return flat
    return _UTC_TIME.sub(_local, flat)


def _texts(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_line(v) for v in values)


def _finding(finding: Finding) -> Finding:
    return dataclasses.replace(
        finding,
        title=_line(finding.title),
        explanation=_line(finding.explanation),
        remediation=_texts(finding.remediation),
        subject=_line(finding.subject),
        examples=_texts(finding.examples),
        badges=_texts(finding.badges),
        evidence=_texts(finding.evidence),
    )


def _data(value: Any, depth: int = 0) -> Any:  # noqa: ANN401 (JSON-compatible data of any shape)
    """``value`` with every string in it (keys too) on one line, to ``_MAX_DEPTH`` levels."""
    if isinstance(value, str):
        return _line(value)
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {_data(k, depth + 1): _data(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_data(v, depth + 1) for v in value)
    return value


def _section(section: IntegrationSection) -> IntegrationSection:
    return dataclasses.replace(
        section,
        display_name=_line(section.display_name),
        data=_data(dict(section.data)),
        error_message=None if section.error_message is None else _line(section.error_message),
        addresses=_data(dict(section.addresses)),
        correlated=_data(dict(section.correlated)),
    )


def shown(report: Report) -> Report:
    """Return ``report`` with every outside string safe to show and on one line.

    Times the analysis and the integrations wrote into texts (``2026-11-26 06:57 UTC``) are
    shown in the report's time zone, like every other time of the human formats.

    Site and controller names, the findings' texts, the integrations' sections (their data to
    any depth), collection notes, coverage reasons and the devices table.
    """
    zone = report.tzinfo
    token = _ZONE.set(None if zone.key in {"UTC", "Etc/UTC"} else zone)
    try:
        return _shown(report)
    finally:
        _ZONE.reset(token)


def _shown(report: Report) -> Report:
    site = report.site
    controller = report.controller
    return dataclasses.replace(
        report,
        site=dataclasses.replace(
            site,
            id=_line(site.id),
            name=_line(site.name),
            description=_line(site.description),
        ),
        controller=dataclasses.replace(
            controller,
            version=None if controller.version is None else _line(controller.version),
            hostname=None if controller.hostname is None else _line(controller.hostname),
        ),
        findings=tuple(_finding(f) for f in report.findings),
        integrations=tuple(_section(s) for s in report.integrations),
        collection_notes=tuple(
            dataclasses.replace(
                note,
                source=_line(note.source),
                message=_line(note.message),
                endpoint=None if note.endpoint is None else _line(note.endpoint),
            )
            for note in report.collection_notes
        ),
        coverage=tuple(dataclasses.replace(c, reason=_line(c.reason)) for c in report.coverage),
        devices=tuple(
            dataclasses.replace(
                d,
                name=_line(d.name),
                model=_line(d.model),
                kind=_line(d.kind),
                firmware=None if d.firmware is None else _line(d.firmware),
                upgrade_to=None if d.upgrade_to is None else _line(d.upgrade_to),
            )
            for d in report.devices
        ),
    )


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """JSON text with the characters a viewer would act on written as ``uXXXX`` escapes.

    ``json.dumps`` escapes C0 controls (ESC included) itself; DEL, C1 controls, the line and
    paragraph separators and the bidirectional controls it leaves raw. They only occur inside
    strings, where an escape decodes to the same character: the data is unchanged.
    """
    return _JSON_UNSAFE.sub(_escape, text)
