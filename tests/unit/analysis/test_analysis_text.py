"""Template filling and the small text helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.analysis.text import fill, human_list, when


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{subject} lost contact", {"subject": "AP-Hall"}, "AP-Hall lost contact"),
        ("{subject} at {ip}", {"subject": "x"}, "x at unknown"),
        ("{subject}", {"subject": "{ip}"}, "{ip}"),
        ("{subject.__class__}", {"subject": "x"}, "{subject.__class__}"),
        ("{0}", {}, "{0}"),
        ("{subject", {"subject": "x"}, "{subject"),
    ],
)
def test_fill(template, values, expected):
    """Missing fields read 'unknown', values are never expanded, bad templates come back as-is."""
    assert fill(template, values) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], "unknown"),
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
        (["a", "b", "c", "d", "e", "f"], "a, b, c, d and 2 more"),
    ],
)
def test_human_list(items, expected):
    """Names are joined as people write them, with a count past the limit."""
    assert human_list(items) == expected


def test_when():
    """Times print in UTC to the minute; no time reads 'unknown'."""
    assert when(datetime(2026, 1, 5, 14, 3, 59, tzinfo=UTC)) == "2026-01-05 14:03 UTC"
    assert when(None) == "unknown"
