"""The renderers: one function per output format, and the tables that name them.

Every renderer takes a :class:`~unifi_scanner.reports.model.Report` and returns text. Failures
surface as :class:`~unifi_scanner.errors.RenderError`. HTML goes through Jinja2 with autoescape
on; text and Markdown are built in code with their own escaping (HTML escaping would garble them).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from unifi_scanner.reports._html import render_email_html, render_html
from unifi_scanner.reports._json import REPORT_SCHEMA_VERSION, render_json, report_to_dict
from unifi_scanner.reports._markdown import render_markdown
from unifi_scanner.reports._text import render_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.reports.model import Report

__all__ = [
    "FILE_EXTENSIONS",
    "RENDERERS",
    "REPORT_SCHEMA_VERSION",
    "Renderer",
    "render_email_html",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "report_to_dict",
]

Renderer = Callable[["Report"], str]
"""A function that renders a report in one format."""


RENDERERS: Final[Mapping[str, Renderer]] = MappingProxyType(
    {
        "email-html": render_email_html,
        "html": render_html,
        "json": render_json,
        "markdown": render_markdown,
        "text": render_text,
    }
)
"""Every output format by name (the ``formats`` a deliverer asks for): ``html`` is the file to
open in a browser (SVG charts), ``email-html`` the e-mail body (table bars, CSS inlined)."""

FILE_EXTENSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {"email-html": "email.html", "html": "html", "json": "json", "markdown": "md", "text": "txt"}
)
"""The file extension of each format, without the dot."""
