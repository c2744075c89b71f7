"""How an integration section's data is shown.

The core report never names a concrete integration. An integration that brings its own
:class:`~unifi_scanner.integrations.base.SectionRenderer` renders its section itself; every other
section's JSON-compatible ``data`` is shown as a generic, escaped key/value listing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import structlog
from markupsafe import Markup

from unifi_scanner.reports._format import flatten_data, markdown_escape

if TYPE_CHECKING:
    from unifi_scanner.integrations.base import IntegrationSection, SectionRenderer

__all__ = ["SectionFormat", "_render_section_data"]

_log = structlog.get_logger(__name__)

SectionFormat = Literal["text", "markdown", "html"]
"""The formats a section's data can be rendered in (JSON carries ``data`` as it is)."""

_NO_DATA = "No data."


def _more(left_out: int) -> str:
    return f"... and {left_out} more"


def _text(section: IntegrationSection) -> str:
    rows, left_out = flatten_data(section.data)
    if not rows:
        return _NO_DATA
    lines = [f"{key}: {value}" for key, value in rows]
    if left_out:
        lines.append(_more(left_out))
    return "\n".join(lines)


def _markdown(section: IntegrationSection) -> str:
    rows, left_out = flatten_data(section.data)
    if not rows:
        return _NO_DATA
    lines = [f"- {markdown_escape(key)}: {markdown_escape(value)}" for key, value in rows]
    if left_out:
        lines.append(f"- {_more(left_out)}")
    return "\n".join(lines)


def _html(section: IntegrationSection) -> Markup:
    rows, left_out = flatten_data(section.data)
    if not rows:
        return Markup("<p>{}</p>").format(_NO_DATA)
    body = Markup("").join(
        Markup('<tr><th class="kv-key">{}</th><td class="kv-value">{}</td></tr>').format(k, v)
        for k, v in rows
    )
    if left_out:
        body += Markup('<tr><td colspan="2" class="kv-more">{}</td></tr>').format(_more(left_out))
    return Markup('<table class="kv" role="presentation">{}</table>').format(body)


def _render_section_data(
    section: IntegrationSection, fmt: SectionFormat, renderer: SectionRenderer | None = None
) -> str:
    """Render one integration section's data in ``fmt``.

    Args:
        section: the section whose ``data`` is shown.
        fmt: ``text``, ``markdown`` or ``html``.
        renderer: the integration's own renderer, when it has one.

    Returns:
        Plain text, escaped Markdown, or escaped HTML (a :class:`markupsafe.Markup`, safe to
        insert into an autoescaping template as it is).
    """
    if renderer is not None:
        try:
            if fmt == "html":
                return renderer.html(section)
            return renderer.markdown(section) if fmt == "markdown" else renderer.text(section)
        except Exception:  # noqa: BLE001 (an integration's renderer must not break the report)
            _log.exception("integration_section_render_failed", integration=section.name)
    if fmt == "html":
        return _html(section)
    if fmt == "markdown":
        return _markdown(section)
    return _text(section)
