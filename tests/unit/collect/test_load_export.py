"""load_export: offline snapshots from exported controller JSON files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from unifi_scanner.analysis import Engine
from unifi_scanner.collect import EventSource, Flavour, classify_item, load_export
from unifi_scanner.collect.export import export_events
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


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{nope", "malformed"),
        (b'["\xff"]', "utf-8"),
        (b'"just a string"', "expected a JSON object or list, got str"),
        (b"42", "expected a JSON object or list, got int"),
        (b'{"meta": {"rc": "error", "msg": "api.err.NoSiteContext"}, "data": []}', "NoSiteContext"),
        (b'{"meta": {"rc": "ok"}, "data": {"not": "a list"}}', "'data' must be a list"),
    ],
)
def test_malformed_file_is_config_error_naming_it(tmp_path, content, problem):
    """Each kind of malformed file is a ConfigError naming the file and the problem."""
    path = tmp_path / "export-1.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=r"export-1\.json") as caught:
        load_export([path], now=lambda: NOW)
    assert problem.lower() in str(caught.value).lower()


def test_missing_file_is_config_error(tmp_path):
    """A path that does not exist is a ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"missing\.json"):
        load_export([tmp_path / "missing.json"], now=lambda: NOW)


def test_bom_and_every_input_shape_combine(tmp_path, load_capture):
    """Envelope, bare list, v2 system-log and traffic-flows responses and stat/device combine."""
    classic = load_capture("composed_stat_event.json")
    (tmp_path / "events.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(classic).encode())
    (tmp_path / "ids.json").write_text(json.dumps(load_capture("unpoller_example_ids.json")))
    (tmp_path / "devices.json").write_text(json.dumps(load_capture("aiounifi_stat_device.json")))
    threat = load_capture("trek-e_synthetic_samples.json")["mongo_ace_alert_threat_blocked_v3"]
    log = {"data": [threat["value"]], "total_page_count": 1, "total_element_count": 1}
    (tmp_path / "log.json").write_text(json.dumps(log))
    flow = {
        "id": "f1",
        "time": 1_700_000_000_000,
        "action": "blocked",
        "source": {"ip": "45.1.2.3", "port": 4444},
        "destination": {"ip": "192.168.1.10", "port": 443},
        "ips": {"signature_id": 2_001_219, "signature": "ET SCAN Potential SSH Scan"},
    }
    (tmp_path / "flows.json").write_text(json.dumps({"data": [flow], "has_next": False}))

    snapshot = load_export(sorted(tmp_path.glob("*.json")), now=lambda: NOW)

    sources = {event.source for event in snapshot.events}
    assert sources == {
        EventSource.CLASSIC,
        EventSource.IPS,
        EventSource.SYSTEM_LOG,
        EventSource.TRAFFIC_FLOW,
    }
    assert len(snapshot.devices) == 5
    assert snapshot.notes == ()


def test_export_events_streams_pages_without_keeping_them():
    """export_events normalises event items page by page and skips items that are not events."""
    pages = [
        ("p1", {"meta": {"rc": "ok"}, "data": [{"_id": "1", "key": "EVT_WU_Roam", "time": 1}]}),
        ("p2", [{"mac": "aa", "model": "US8", "type": "usw"}, {"_id": "2", "key": "K", "time": 2}]),
        ("p3", [{"_id": "3", "key": "EVT_WU_Roam", "time": "not a time"}]),
    ]
    events = export_events(pages)
    assert next(events).id == "1"
    assert [event.id for event in events] == ["2"]


def test_large_export_gives_tens_of_findings(tmp_path):
    """100,000 events in one export aggregate into tens of findings, not thousands."""
    clients = [f"a4:83:e7:00:00:{i:02x}" for i in range(25)]
    aps = [f"74:ac:b9:00:00:{i:02x}" for i in range(6)]
    items = []
    for i in range(100_000):
        when = 1_767_500_000_000 + i * 800
        pick = i % 5
        if pick < 2:
            items.append(
                {
                    "_id": f"r{i}",
                    "key": "EVT_WU_Roam",
                    "time": when,
                    "user": clients[i % 25],
                    "ap_from": aps[i % 6],
                    "ap_to": aps[(i + 1) % 6],
                }
            )
        elif pick < 4:
            items.append(
                {
                    "_id": f"i{i}",
                    "key": "EVT_IPS_IpsAlert",
                    "time": when,
                    "src_ip": f"45.{i % 200}.{i % 7}.{i % 250 + 1}",
                    "dest_ip": "192.168.1.10",
                    "inner_alert_action": "blocked",
                    "inner_alert_signature": "ET DROP Spamhaus DROP Listed Traffic Inbound",
                    "inner_alert_signature_id": 2_400_022,
                }
            )
        else:
            items.append(
                {"_id": f"s{i}", "key": "EVT_SW_Lost_Contact", "time": when, "sw": aps[i % 3]}
            )
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"meta": {"rc": "ok"}, "data": items}))

    snapshot = load_export([path], now=lambda: NOW)
    findings = Engine(now=lambda: NOW).analyze(snapshot)

    assert len(snapshot.events) == 100_000
    assert snapshot.events.spilled > 0  # streamed to disk, not held in memory
    assert 10 <= len(findings) <= 99
    assert sum(f.count for f in findings if f.rule == "ips.inbound_blocked") == 40_000


def test_unreadable_events_across_files_give_one_note_and_one_warning(tmp_path):
    """Bad events in several files are counted together: one note, one warning, none lost."""
    paths = []
    for i in range(3):
        path = tmp_path / f"page-{i}.json"
        good = {"_id": f"g{i}", "key": "EVT_WU_Roam", "time": 1_767_500_000_000 + i}
        bad = {"_id": f"b{i}", "key": "EVT_WU_Roam", "time": "not a time"}
        path.write_text(json.dumps({"meta": {"rc": "ok"}, "data": [good, bad]}))
        paths.append(path)
    with capture_logs() as logs:
        snapshot = load_export(paths, now=lambda: NOW)
    warnings = [e for e in logs if e["event"] == "skipped items that could not be normalised"]
    assert len(snapshot.events) == 3
    assert [(w["skipped"], w["kind"]) for w in warnings] == [(3, "event")]
    assert [note.message.split(" (")[0] for note in snapshot.notes] == [
        "3 events could not be read and were left out"
    ]
