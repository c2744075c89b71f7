"""Retry-After is read the same way by every stage that talks HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from unifi_scanner._retry_after import retry_after_seconds

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "now", "expected"),
    [
        ({}, None, None),
        ({"Retry-After": "30"}, None, 30.0),
        ({"Retry-After": "-5"}, None, 0.0),
        ({"Retry-After": "soon"}, NOW, None),
        (
            {
                "Retry-After": "Thu, 26 Nov 2026 12:00:45 GMT",
                "Date": "Thu, 26 Nov 2026 12:00:00 GMT",
            },
            None,
            45.0,
        ),
        ({"Retry-After": "Thu, 26 Nov 2026 12:01:00 GMT"}, NOW, 60.0),
        ({"Retry-After": "Thu, 26 Nov 2026 12:01:00 GMT"}, None, None),
        ({"Retry-After": "Thu, 26 Nov 2026 11:59:00 GMT"}, NOW, 0.0),
    ],
)
def test_seconds_or_http_date(headers, now, expected):
    """Seconds are taken as they are; a date is measured from the Date header, else from now."""
    assert retry_after_seconds(httpx.Headers(headers), now) == expected
