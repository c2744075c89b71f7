"""Lenient value readers used by every normaliser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.collect.normalize._coerce import as_bool, as_float, as_int, as_str, as_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        ("3.24", 3.24),
        ("72 C", 72.0),
        ("-61", -61.0),
        (True, None),
        ("n/a", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_as_float(value, expected):
    """Numbers, numeric strings and "72 C" read as floats; bools, text and NaN do not."""
    assert as_float(value) == expected


def test_as_int_and_str():
    """Ints come from numbers and numeric strings; empty strings are None, numbers become text."""
    assert as_int("3") == 3
    assert as_int("x") is None
    assert as_str("") is None
    assert as_str(5) == "5"
    assert as_str(False) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (0, False), ("true", True), ("FALSE", False), ("yes", None)],
)
def test_as_bool(value, expected):
    """Bools, 0/1 and true/false strings read; anything else gives the default."""
    assert as_bool(value, default=None) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1587753456179, datetime(2020, 4, 24, 18, 37, 36, 179000, tzinfo=UTC)),
        (1562646211, datetime(2019, 7, 9, 4, 23, 31, tzinfo=UTC)),
        ("1562646211", datetime(2019, 7, 9, 4, 23, 31, tzinfo=UTC)),
        ("2020-04-24T18:37:36Z", datetime(2020, 4, 24, 18, 37, 36, tzinfo=UTC)),
        ("2020-04-24T20:37:36+02:00", datetime(2020, 4, 24, 18, 37, 36, tzinfo=UTC)),
        ("2020-04-24T18:37:36", datetime(2020, 4, 24, 18, 37, 36, tzinfo=UTC)),
        ("yesterday", None),
        (0, None),
        (10**20, None),
    ],
)
def test_as_time(value, expected):
    """Epoch seconds or ms (number or text) and ISO text read as aware UTC; junk is None."""
    assert as_time(value) == expected


@pytest.mark.parametrize(
    "value",
    [1, 99_999_999_999, 100_000_000_000, 1_767_500_000_123, 32_503_679_999_999, 32_503_680_000_000],
)
def test_as_time_integer_fast_path_matches_the_general_reading(value):
    """Integer epochs read the same whether or not they take the fast path (s vs ms at 1e11)."""
    seconds = value / 1000 if value >= 100_000_000_000 else value
    assert as_time(value) == datetime.fromtimestamp(seconds, tz=UTC)
    assert as_time(float(value)) == as_time(value)


def test_time_that_overflows_on_conversion_is_unknown_not_a_crash():
    """Year 1 at +14:00 cannot be converted to UTC: it reads as no time, never an exception."""
    from unifi_scanner.collect.normalize._coerce import as_time

    assert as_time("0001-01-01T00:00:00+14:00") is None


def test_an_event_with_an_overflowing_date_is_skipped_not_fatal():
    """normalize_all skips an item whose conversion overflows and keeps the others."""
    from unifi_scanner.collect import event_from_classic, normalize_all

    good = {"_id": "a", "key": "EVT_WU_Roam", "time": 1795665741958}
    bad = {"_id": "b", "key": "EVT_WU_Roam", "time": 10**30}
    result = normalize_all(event_from_classic, [bad, good], what="events")
    assert [e.id for e in result.items] == ["a"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AA:BB:CC:00:00:01", "aa:bb:cc:00:00:01"),
        (" 00:00:00:00:00:0a ", "00:00:00:00:00:0a"),
        ("192.168.1.5", None),  # an IP in a v2 parameter's id
        ("5f2c1a0e9b1d4c0012345678", None),  # a database id
        ("aa:bb:cc:00:00", None),
        ("xx:xx:xx:xx:xx:xx", None),  # a redacted MAC names nothing
        (None, None),
        (7, None),
    ],
)
def test_mac_id_only_accepts_mac_addresses(value, expected):
    """mac_id reads a MAC from a v2 parameter id, and nothing else that sits there."""
    from unifi_scanner.collect.normalize import mac_id

    assert mac_id(value) == expected
