"""An integration that brings its own section renderer renders its section in every format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markupsafe import Markup

from unifi_scanner.collect import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.integrations import IntegrationResults, IntegrationSection, IntegrationStatus
from unifi_scanner.reports import build_report, render_html, render_markdown, render_text

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


class _TunnelRenderer:
    def text(self, section):
        return f"{section.data['up']} of {section.data['total']} tunnels up"

    def markdown(self, section):
        return f"**{section.data['up']}** of {section.data['total']} tunnels up"

    def html(self, section):
        return Markup("<p class='tunnels'>{} of {} tunnels up</p>").format(
            section.data["up"], section.data["total"]
        )

    def json(self, section):
        return dict(section.data)


def _report(renderers):
    snapshot = Snapshot(
        site=Site(id="s", name="default", description="Office"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW, end=NOW),
    )
    section = IntegrationSection(
        name="tunnels",
        display_name="Tunnels",
        success=True,
        status=IntegrationStatus.OK,
        data={"up": 2, "total": 3},
    )
    results = IntegrationResults(sections=(section,), renderers=renderers)
    return build_report(snapshot, [], results, generated_at=NOW)


@pytest.mark.parametrize(
    ("render", "expected"),
    [
        (render_text, "2 of 3 tunnels up"),
        (render_markdown, "**2** of 3 tunnels up"),
        (render_html, "2 of 3 tunnels up</p>"),
    ],
)
def test_own_renderer_is_used(render, expected):
    """The integration's renderer, not the generic listing, draws its section."""
    assert expected in render(_report({"tunnels": _TunnelRenderer()}))


def test_without_own_renderer_the_data_is_listed():
    """A section without a renderer falls back to the generic key/value listing."""
    text = render_text(_report({}))
    assert "up: 2" in text
    assert "tunnels up" not in text


def test_line_breaks_in_the_site_name_cannot_forge_report_lines():
    """A site description with line breaks or bidi overrides stays on the header line."""
    snapshot = Snapshot(
        site=Site(id="s", name="default", description="Home\nFORGED: all clear\u202e"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW, end=NOW),
    )
    text = render_text(build_report(snapshot, [], IntegrationResults(), generated_at=NOW))
    assert not any(line.startswith("FORGED") for line in text.splitlines())
    assert "Home FORGED: all clear" in text
    assert "\u202e" not in text
