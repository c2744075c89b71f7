"""load_export: offline snapshots from exported controller JSON files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from unifi_scanner.collect import EventSource, Flavour, classify_item, load_export
from unifi_scanner.errors import ConfigError

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_mixed_capture_files_build_one_snapshot(shared_fixtures):
    """Envelopes and bare lists of every kind combine into one de-duplicated snapshot."""
    names = [
        "composed_stat_event.json",
        "composed_stat_ips_event.json",
        "composed_list_alarm.json",
        "unpoller_example_ids.json",
        "aiounifi_stat_device.json",
        "aiounifi_stat_sta.json",
        "aiounifi_stat_sysinfo.json",
        "aiounifi_self_sites.json",
        "unpoller_stat_health.json",
    ]
    snapshot = load_export([shared_fixtures / n for n in names], now=lambda: NOW)

    assert snapshot.site.name == "default"
    assert snapshot.controller.flavour is Flavour.UNIFI_OS  # sysinfo names a UDM
    assert snapshot.controller.version == "7.4.162"
    assert len(snapshot.devices) == 5
    assert len(snapshot.clients) == 2
    assert len(snapshot.health) == 5
    assert len(snapshot.events) == 12
    assert snapshot.window.start == min(e.time for e in snapshot.events)
    assert snapshot.window.end > max(e.time for e in snapshot.events)
    ips = {e.id: e.source for e in snapshot.events if e.key == "EVT_IPS_IpsAlert"}
    assert ips == {
        "5d2416c78f0385ccf1c6df44": EventSource.IPS,
        "5ee9f7ca453d4e00f3c04b57": EventSource.IPS,
    }
    assert snapshot.notes == ()


def test_websocket_frame_and_v2_files(tmp_path, load_capture):
    """A websocket events frame and a v2 system-log object are read; v2 means UniFi OS."""
    frame = load_capture("aiounifi_ws_messages.json")["EVENT_SWITCH_16_UPGRADED"]
    (tmp_path / "ws.json").write_text(json.dumps(frame))
    log = {
        "data": [{"id": "l1", "key": "K", "timestamp": 1_700_000_000_000, "message_raw": "m"}],
        "total_page_count": 1,
    }
    (tmp_path / "log.json").write_text(json.dumps(log))

    snapshot = load_export([tmp_path / "ws.json", tmp_path / "log.json"], now=lambda: NOW)

    assert sorted(e.source for e in snapshot.events) == [
        EventSource.SYSTEM_LOG,
        EventSource.WEBSOCKET,
    ]
    assert snapshot.controller.flavour is Flavour.UNIFI_OS


def test_no_events_window_is_now_and_unknown_items_are_noted(tmp_path):
    """Without events the window is empty at now; unrecognised items are counted in a note."""
    (tmp_path / "odd.json").write_text(json.dumps([{"what": 1}, 3]))

    snapshot = load_export([tmp_path / "odd.json"], now=lambda: NOW)

    assert snapshot.window.start == snapshot.window.end == NOW
    assert snapshot.controller.flavour is Flavour.LEGACY
    assert [n.message for n in snapshot.notes] == ["2 items were not recognised"]


def test_unreadable_file_is_config_error(tmp_path):
    """A file that is not JSON is reported with its path."""
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigError, match=r"bad\.json"):
        load_export([bad], now=lambda: NOW)


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        ({"_id": "1", "key": "EVT_WU_Roam", "time": 1}, "event"),
        ({"_id": "1", "key": "EVT_SW_Lost_Contact", "time": 1, "archived": False}, "alarm"),
        ({"_id": "1", "key": "EVT_IPS_IpsAlert", "time": 1, "archived": False}, "ips"),
        ({"id": "1", "key": "K", "timestamp": 1, "message_raw": "m"}, "system_log"),
        ({"id": "f", "time": 1, "source": {}, "destination": {}}, "traffic_flow"),
        ({"mac": "aa", "model": "US8", "type": "usw"}, "device"),
        ({"mac": "aa", "hostname": "phone"}, "client"),
        ({"version": "7.4.162", "build": "b"}, "sysinfo"),
        ({"subsystem": "wan", "status": "ok"}, "health"),
        ({"key": "ips", "ips_mode": "ips"}, "setting"),
        ({"_id": "s", "name": "default", "desc": "Default"}, "site"),
        ({"anything": "else"}, None),
        ("text", None),
    ],
)
def test_classify_item(item, kind):
    """Item kinds are told apart by their fields."""
    assert classify_item(item) == kind
