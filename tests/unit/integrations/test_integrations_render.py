"""Result types and the default section renderer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from markupsafe import Markup, escape

from unifi_scanner.integrations import (
    DEFAULT_RENDERER,
    BreakerState,
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
    SectionRenderer,
)

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _section(**kwargs):
    values = {
        "name": "cloud",
        "display_name": "Cloud",
        "success": True,
        "status": IntegrationStatus.OK,
        "data": {"blocked": 3, "top": "<script>x</script>", "list": [1, 2], "ok": True},
    }
    values.update(kwargs)
    return IntegrationSection(**values)


def test_age_is_none_for_current_data_and_seconds_for_fallback():
    """age_s() is None for current data and the fallback's age otherwise."""
    assert _section().age_s(NOW) is None
    stale = _section(stale_since=NOW - timedelta(hours=6))
    assert stale.age_s(NOW) == 6 * 3600


def test_results_has_data_and_get_section():
    """has_data is true when any section has data; get_section finds by name."""
    empty = _section(name="empty", data={})
    assert not IntegrationResults((empty,)).has_data
    results = IntegrationResults((empty, _section()))
    assert results.has_data
    assert results.get_section("cloud") is results.sections[1]
    assert results.get_section("missing") is None


def test_renderer_for_falls_back_to_the_default():
    """An integration without its own renderer gets the default key/value one."""

    class Own:
        def text(self, section):
            return section.name

        def markdown(self, section):
            return section.name

        def html(self, section):
            return escape(section.name)

        def json(self, section):
            return {"name": section.name}

    own = Own()
    assert isinstance(own, SectionRenderer)
    results = IntegrationResults((), (), {"cloud": own})
    assert results.renderer_for("cloud") is own
    assert results.renderer_for("other") is DEFAULT_RENDERER


def test_default_html_escapes_external_data():
    """HTML output is autoescaped Markup: service data cannot inject tags."""
    html = DEFAULT_RENDERER.html(_section())
    assert isinstance(html, Markup)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<th>blocked</th><td>3</td>" in html


def test_default_text_and_markdown_show_note_and_rows():
    """Text and Markdown show the error note first, then one row per key."""
    section = _section(success=False, error_message="data from 6 h ago: Cloud unreachable")
    text = DEFAULT_RENDERER.text(section)
    assert text.splitlines()[0] == "data from 6 h ago: Cloud unreachable"
    assert "blocked: 3" in text
    assert "list:    [1, 2]" in text
    markdown = DEFAULT_RENDERER.markdown(_section(data={"a|b": "x"}))
    assert "| a\\|b | x |" in markdown


def test_default_renderer_says_no_data_when_empty():
    """A section with neither data nor error says so in every format."""
    empty = _section(data={})
    assert DEFAULT_RENDERER.text(empty) == "No data."
    assert DEFAULT_RENDERER.markdown(empty) == "No data."
    assert "No data." in DEFAULT_RENDERER.html(empty)


def test_json_is_the_section_as_dict():
    """JSON output carries status, timing and breaker fields as plain values."""
    section = _section(
        stale_since=NOW,
        breaker_state=BreakerState.OPEN,
        next_probe_at=NOW + timedelta(hours=1),
        duration_s=0.12345,
    )
    data = DEFAULT_RENDERER.json(section)
    assert data["status"] == "ok"
    assert data["breaker_state"] == "open"
    assert data["stale_since"] == "2026-01-01T12:00:00+00:00"
    assert data["next_probe_at"] == "2026-01-01T13:00:00+00:00"
    assert data["duration_s"] == 0.123
    assert data["last_success"] is None
