"""load_export: exported files over the input limits fail with one line naming file and limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from unifi_scanner._json import EXPORTED_FILE
from unifi_scanner.collect import load_export
from unifi_scanner.collect.export import decode_export
from unifi_scanner.errors import InputLimitError

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_file_nested_1000_deep_names_the_file_and_the_limit(tmp_path):
    """Regression (#11): it raised a RecursionError; now one InputLimitError line."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 1_000 + "]" * 1_000)

    with pytest.raises(InputLimitError) as info:
        load_export([path], now=lambda: NOW)

    assert str(info.value) == (
        f"{path}: cannot read exported JSON (nested deeper than the limit of 64 levels)"
    )
    assert (info.value.limit, info.value.maximum) == ("depth", 64)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    """The size is checked on the file before it is read (a sparse file, nothing is written)."""
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(EXPORTED_FILE.max_bytes + 1)

    with pytest.raises(InputLimitError, match=r"huge\.json: .*larger than the limit of 256 MiB"):
        load_export([path], now=lambda: NOW)


def test_an_array_over_the_item_limit_is_refused():
    """One array with more items than an exported file may hold is refused by name."""
    data = json.dumps([0] * (EXPORTED_FILE.max_items + 1)).encode()
    with pytest.raises(InputLimitError, match=r"page-7\.json: .*1,000,000 items") as info:
        decode_export(data, name="page-7.json")
    assert info.value.limit == "items"


def test_a_file_at_the_limits_is_read(tmp_path):
    """Nesting exactly at the limit inside an event leaves the file readable."""
    item = {"_id": "e1", "key": "EVT_WU_Roam", "time": 1_767_225_600_000, "msg": "m"}
    item["deep"] = json.loads("[" * 62 + "]" * 62)  # 62 + the list + the item = 64
    path = tmp_path / "ok.json"
    path.write_text(json.dumps([item]))

    snapshot = load_export([path], now=lambda: NOW)

    assert [e.id for e in snapshot.events] == ["e1"]
    snapshot.events.close()
