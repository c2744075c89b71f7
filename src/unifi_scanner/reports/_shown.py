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
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner._untrusted import one_line

if TYPE_CHECKING:
    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.integrations.base import IntegrationSection
    from unifi_scanner.reports.model import Report

__all__ = ["json_safe", "shown"]

_MAX_DEPTH: Final = 32
# what json.dumps(ensure_ascii=False) leaves raw but a viewer or terminal would act on
_JSON_UNSAFE: Final = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _texts(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(one_line(v) for v in values)


def _finding(finding: Finding) -> Finding:
    return dataclasses.replace(
        finding,
        title=one_line(finding.title),
        explanation=one_line(finding.explanation),
        remediation=_texts(finding.remediation),
        subject=one_line(finding.subject),
        examples=_texts(finding.examples),
        badges=_texts(finding.badges),
        evidence=_texts(finding.evidence),
    )


def _data(value: Any, depth: int = 0) -> Any:  # noqa: ANN401 (JSON-compatible data of any shape)
    """``value`` with every string in it (keys too) on one line, to ``_MAX_DEPTH`` levels."""
    if isinstance(value, str):
        return one_line(value)
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
        display_name=one_line(section.display_name),
        data=_data(dict(section.data)),
        error_message=None if section.error_message is None else one_line(section.error_message),
        addresses=_data(dict(section.addresses)),
        correlated=_data(dict(section.correlated)),
    )


def shown(report: Report) -> Report:
    """Return ``report`` with every outside string safe to show and on one line.

    Site and controller names, the findings' texts, the integrations' sections (their data to
    any depth), collection notes, coverage reasons and the devices table.
    """
    site = report.site
    controller = report.controller
    return dataclasses.replace(
        report,
        site=dataclasses.replace(
            site,
            id=one_line(site.id),
            name=one_line(site.name),
            description=one_line(site.description),
        ),
        controller=dataclasses.replace(
            controller,
            version=None if controller.version is None else one_line(controller.version),
            hostname=None if controller.hostname is None else one_line(controller.hostname),
        ),
        findings=tuple(_finding(f) for f in report.findings),
        integrations=tuple(_section(s) for s in report.integrations),
        collection_notes=tuple(
            dataclasses.replace(
                note,
                source=one_line(note.source),
                message=one_line(note.message),
                endpoint=None if note.endpoint is None else one_line(note.endpoint),
            )
            for note in report.collection_notes
        ),
        coverage=tuple(dataclasses.replace(c, reason=one_line(c.reason)) for c in report.coverage),
        devices=tuple(
            dataclasses.replace(
                d,
                name=one_line(d.name),
                model=one_line(d.model),
                kind=one_line(d.kind),
                firmware=None if d.firmware is None else one_line(d.firmware),
                upgrade_to=None if d.upgrade_to is None else one_line(d.upgrade_to),
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
