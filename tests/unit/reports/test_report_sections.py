"""The generic rendering of an integration section's data."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from unifi_scanner.integrations.base import IntegrationSection, IntegrationStatus
from unifi_scanner.reports._format import format_age, format_duration
from unifi_scanner.reports.sections import _render_section_data


def _section(data):
    return IntegrationSection(
        name="x", display_name="X", success=True, status=IntegrationStatus.OK, data=data
    )


def test_nested_data_is_flattened_to_dotted_keys():
    """Nested mappings and lists become dotted/indexed keys with readable values."""
    text = _render_section_data(_section({"a": {"b": [True, None, 1.5]}}), "text")
    assert text.splitlines() == ["a.b[0]: yes", "a.b[1]: -", "a.b[2]: 1.5"]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_empty_data_says_no_data(fmt):
    """A section without data says so."""
    assert _render_section_data(_section({}), fmt) == "No data."


def test_empty_html_data_says_no_data():
    """An HTML section without data is a short escaped paragraph."""
    assert _render_section_data(_section({}), "html") == "<p>No data.</p>"


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_long_data_is_cut_with_a_count(fmt):
    """More than 50 rows are cut off with a note saying how many more there were."""
    out = _render_section_data(_section({"n": list(range(60))}), fmt)
    assert "... and 10 more" in out
    assert "n[49]" in out.replace("\\", "")
    assert "n[50]" not in out.replace("\\", "")


def test_html_data_is_markup_with_escaped_values():
    """HTML section data is Markup, so templates keep it, and its values are escaped."""
    out = _render_section_data(_section({"k": "<b>"}), "html")
    assert isinstance(out, Markup)
    assert "&lt;b&gt;" in out
    assert "<b>" not in out


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(-3, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (7200, "2 h"), (172800, "2 d")],
)
def test_age_uses_the_largest_whole_unit(seconds, expected):
    """Ages are shown in seconds, minutes, hours or days."""
    assert format_age(seconds) == expected


def test_duration_has_two_decimals():
    """Durations are shown in seconds with two decimals."""
    assert format_duration(0.4242) == "0.42 s"


def test_datetimes_and_mapping_views_are_shown_as_values():
    """Datetimes in data appear as UTC strings and read-only mappings are walked like dicts."""
    from datetime import UTC, datetime
    from types import MappingProxyType

    data = {"at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "m": MappingProxyType({"k": 1})}
    text = _render_section_data(_section(data), "text")
    assert text.splitlines() == ["at: 2026-01-02T03:04:05Z", "m.k: 1"]
