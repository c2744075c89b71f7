"""Events from every source normalised into one Event type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.collect import (
    IPS_KEY,
    EventSource,
    event_from_alarm,
    event_from_classic,
    event_from_ips,
    event_from_system_log,
    event_from_traffic_flow,
    event_from_websocket,
    events_from_websocket_frame,
    fill_placeholders,
    normalize_all,
)


def test_composed_stat_event_all_normalise(load_capture):
    """All 11 stat/event items normalise with aware UTC times and classic source."""
    result = normalize_all(
        event_from_classic, load_capture("composed_stat_event.json")["data"], what="events"
    )
    assert result.skipped == 0
    assert len(result.items) == 11
    assert all(e.source is EventSource.CLASSIC and e.time.tzinfo is UTC for e in result.items)


def test_wireless_connect_subject_and_params(load_capture):
    """EVT_WU_Connected: ap → device_mac, user → client_mac, the rest (ssid, channel) → params."""
    item = load_capture("unpoller_example_events.json")[0]
    event = event_from_classic(item)
    assert event.id == "5ee9e572453d4e00f3c04a7c"
    assert event.key == "EVT_WU_Connected"
    assert event.time == datetime(2020, 6, 17, 9, 42, 3, 851000, tzinfo=UTC)
    assert event.subsystem == "wlan"
    assert event.device_mac == "b4:fb:e4:d2:74:39"
    assert event.client_mac == "d8:4c:90:9f:82:5a"
    assert event.params["ssid"] == "Extra Fast"
    assert event.params["channel"] == "36"
    assert "ap" not in event.params
    assert "user" not in event.params
    assert event.message.startswith("User[d8:4c:90:9f:82:5a] has connected")


def test_disconnect_hostname_becomes_client_name(load_capture):
    """EVT_WU_Disconnected: hostname → client_name; duration and bytes stay in params."""
    event = event_from_classic(load_capture("unpoller_example_events.json")[1])
    assert event.client_name == "dns-ipp"
    assert event.params["duration"] == 1084
    assert event.params["bytes"] == 846171


def test_switch_upgrade_device_name(load_capture):
    """EVT_SW_Upgraded: sw + sw_name → device; version_from/to in params."""
    items = load_capture("composed_stat_event.json")["data"]
    event = event_from_classic(next(i for i in items if i["key"] == "EVT_SW_Upgraded"))
    assert event.device_mac == "fc:ec:da:11:22:33"
    assert event.device_name == "Switch 16"
    assert event.params["version_to"] == "4.3.13.11253"


def test_ips_alert_in_stat_event(load_capture):
    """The IPS alert inside stat/event keeps inner_alert_* params; severity 1 → high."""
    event = event_from_classic(load_capture("unpoller_example_events.json")[2])
    assert event.key == IPS_KEY
    assert event.severity_hint == "high"
    assert event.client_mac == "00:50:b6:96:76:6e"
    assert event.params["inner_alert_signature"] == "ET MALWARE Suspicious User Agent (Autoupdate)"
    assert event.params["catname"] == ["emerging-malware"]


def test_stat_ips_event_captures(load_capture):
    """stat/ips/event items become source IPS, key EVT_IPS_IpsAlert; inbound side is dest."""
    events = [event_from_ips(i) for i in load_capture("composed_stat_ips_event.json")["data"]]
    assert {e.source for e in events} == {EventSource.IPS}
    spamhaus = next(e for e in events if e.id == "5d2416c78f0385ccf1c6df44")
    assert spamhaus.severity_hint == "medium"
    assert spamhaus.client_mac == "40:a8:f0:68:c3:58"
    assert spamhaus.params["src_ip"] == "196.196.244.84"
    assert spamhaus.params["dstipGeo"] is False
    assert spamhaus.time == datetime(2019, 7, 9, 4, 23, 31, tzinfo=UTC)
    single = event_from_ips(load_capture("unpoller_example_ids.json")[0])
    assert single.key == IPS_KEY
    assert single.params["inner_alert_category"] == "Misc Attack"


def test_alarm_capture_keeps_archived(load_capture):
    """list/alarm items become source ALARM with archived in params."""
    events = [event_from_alarm(i) for i in load_capture("composed_list_alarm.json")["data"]]
    assert [e.key for e in events] == [IPS_KEY, "EVT_SW_Lost_Contact"]
    assert all(e.source is EventSource.ALARM for e in events)
    assert events[1].params["archived"] is False
    assert events[1].device_name == "Switch 16"


def test_websocket_event_frames(load_capture):
    """Every `events` frame item normalises with source websocket; other frames give nothing."""
    frames = load_capture("aiounifi_ws_messages.json")
    events = [
        event_from_websocket(item)
        for frame in frames.values()
        for item in events_from_websocket_frame(frame)
    ]
    assert len(events) == 8
    assert {e.source for e in events} == {EventSource.WEBSOCKET}
    assert events_from_websocket_frame(frames["MESSAGE_WIRELESS_CLIENT_REMOVED"]) == []
    upgraded = next(e for e in events if e.key == "EVT_SW_Upgraded")
    assert upgraded.params["version_from"] == "4.0.66.10832"


def test_wrong_shape_websocket_frame_is_ignored(load_capture):
    """trek-e's invented `wu.roam` frame is not a controller `events` frame."""
    frame = load_capture("trek-e_synthetic_samples.json")["ws_wifi_message_WRONG_shape"]["value"]
    assert events_from_websocket_frame(frame) == []


def test_event_without_time_is_skipped_and_without_id_gets_stable_id():
    """No usable time makes an event unusable; a missing _id gets a stable synthetic id."""
    result = normalize_all(
        event_from_classic,
        [{"key": "EVT_X", "msg": "m"}, {"key": "EVT_Y", "time": 1_700_000_000_000}],
        what="events",
    )
    assert result.skipped == 1
    first = result.items[0]
    assert first.id.startswith("synthetic-")
    assert first.id == event_from_classic({"key": "EVT_Y", "time": 1_700_000_000_000}).id


def test_system_log_threat_entry(load_capture):
    """A THREAT_BLOCKED_V3 system-log doc: severity lower-case, SRC_IP/DST_IP → params, device."""
    doc = dict(
        load_capture("trek-e_synthetic_samples.json")["mongo_ace_alert_threat_blocked_v3"]["value"]
    )
    doc["message_raw"] = "Blocked {SRC_IP} to {DST_IP} on {DEVICE} ({MISSING})"
    event = event_from_system_log(doc)
    assert event.source is EventSource.SYSTEM_LOG
    assert event.key == "THREAT_BLOCKED_V3"
    assert event.severity_hint == "high"
    assert event.id == "test123"
    assert event.time == datetime.fromtimestamp(1769377254.306, tz=UTC)
    assert (
        event.message
        == "Blocked 130.12.180.122 to 192.168.0.26 on Dream Machine Pro ((unknown missing))"
    )
    assert event.params["src_ip"] == "130.12.180.122"
    assert event.params["dest_ip"] == "192.168.0.26"
    assert event.device_name == "Dream Machine Pro"


@pytest.mark.parametrize(
    ("template", "parameters", "expected"),
    [
        ("{CLIENT} roamed", {"CLIENT": {"id": "x", "name": "Phone"}}, "Phone roamed"),
        ("from {IP}", {"IP": {"ip": "10.0.0.1"}}, "from 10.0.0.1"),
        ("plain {N}", {"N": 5}, "plain 5"),
        ("{GONE_NAME} here", {}, "(unknown gone name) here"),
        ("{EMPTY}", {"EMPTY": {}}, "(unknown empty)"),
        ("by {ADMIN}", {"ADMIN": {"id": "5f00", "hostname": "laptop"}}, "by laptop"),
        (
            "{CLIENTS} share",
            {"CLIENTS": {"clients": [{"name": "a"}, {"hostname": "b"}, {"mac": "c"}]}},
            "a, b, c share",
        ),
        (
            "{LIST}",
            {"LIST": [{"name": str(n)} for n in range(7)]},
            "0, 1, 2, 3, 4 and 2 more",
        ),
    ],
)
def test_fill_placeholders(template, parameters, expected):
    """Placeholders take the parameter's text; an unusable one never stays raw (issue 10)."""
    assert fill_placeholders(template, parameters) == expected


def test_system_log_subjects_from_parameters():
    """DEVICE/CLIENT parameters with MAC ids become the event's device and client."""
    event = event_from_system_log(
        {
            "id": "s1",
            "key": "CLIENT_ROAMED",
            "category": "CLIENT_DEVICES",
            "timestamp": 1_700_000_000_000,
            "message_raw": "{CLIENT} roamed to {DEVICE}",
            "parameters": {
                "CLIENT": {"id": "AA:BB:CC:DD:EE:01", "name": "Phone"},
                "DEVICE": {"id": "aa:bb:cc:dd:ee:02", "name": "AP Hall", "model": "U7PG2"},
            },
        }
    )
    assert event.category == "CLIENT_DEVICES"
    assert event.client_mac == "aa:bb:cc:dd:ee:01"
    assert event.client_name == "Phone"
    assert event.device_mac == "aa:bb:cc:dd:ee:02"
    assert event.message == "Phone roamed to AP Hall"


FLOW = {
    "id": "flow-1",
    "action": "blocked",
    "risk": "HIGH",
    "protocol": "TCP",
    "service": "HTTP",
    "direction": "incoming",
    "time": 1_700_000_000_000,
    "flow_start_time": 1_699_999_999_000,
    "count": 3,
    "ips": {
        "advanced_information": "IPS Alert 2: Misc Attack. Signature ET DROP Spamhaus DROP "
        "Listed Traffic Inbound group 23. From: 196.196.244.84:51413",
        "signature_id": 2400022,
        "ips_category": "spamhaus",
    },
    "source": {"ip": "196.196.244.84", "port": 51413, "region": "SE"},
    "destination": {
        "ip": "192.168.3.2",
        "port": 36881,
        "mac": "40:A8:F0:68:C3:58",
        "client_name": "nas",
    },
}


def test_traffic_flow_ips_alert():
    """An IPS flow becomes EVT_IPS_IpsAlert with the classic IPS params and risk as severity."""
    event = event_from_traffic_flow(FLOW)
    assert event.source is EventSource.TRAFFIC_FLOW
    assert event.key == IPS_KEY
    assert event.severity_hint == "high"
    assert event.client_mac == "40:a8:f0:68:c3:58"
    assert event.client_name == "nas"
    assert event.params["inner_alert_signature"] == (
        "ET DROP Spamhaus DROP Listed Traffic Inbound group 23"
    )
    assert event.params["inner_alert_category"] == "Misc Attack"
    assert event.params["inner_alert_signature_id"] == 2400022
    assert event.params["inner_alert_action"] == "blocked"
    assert event.params["dest_port"] == 36881
    assert event.message.startswith("IPS Alert 2")


def test_plain_traffic_flow_is_not_ips():
    """A flow without an ips block keeps key TRAFFIC_FLOW and falls back to flow_start_time."""
    flow = {k: v for k, v in FLOW.items() if k not in {"ips", "time"}}
    event = event_from_traffic_flow(flow)
    assert event.key == "TRAFFIC_FLOW"
    assert event.time == datetime.fromtimestamp(1_699_999_999, tz=UTC)
    assert "inner_alert_signature" not in event.params


@pytest.mark.parametrize(
    ("src_ip", "dest_ip", "client"),
    [
        ("45.1.2.3", "192.168.1.10", "dd:dd:dd:dd:dd:dd"),  # inbound: the destination is local
        ("192.168.1.42", "54.36.1.1", "ss:ss:ss:ss:ss:ss"),  # outbound: the source is local
        ("10.0.0.5", "172.16.0.9", "ss:ss:ss:ss:ss:ss"),  # internal: the source wins
        ("198.18.0.1", "8.8.8.8", None),  # benchmarking range is outside (issue 10)
        ("198.51.100.7", "192.168.1.10", "dd:dd:dd:dd:dd:dd"),  # documentation range: outside
        ("100.64.0.1", "8.8.8.8", "ss:ss:ss:ss:ss:ss"),  # carrier-grade NAT is inside
        ("2a00:1450::1", "fd00::5", "dd:dd:dd:dd:dd:dd"),  # IPv6 ULA destination
        ("1.2.3", "not an ip", None),
    ],
)
def test_ips_alert_client_is_the_inside_side(src_ip, dest_ip, client):
    """An IPS alert without user/client names the MAC on the inside side of the flow."""
    event = event_from_ips(
        {
            "_id": "a",
            "time": 1_700_000_000_000,
            "src_ip": src_ip,
            "dest_ip": dest_ip,
            "src_mac": "SS:SS:SS:SS:SS:SS",
            "dst_mac": "dd:dd:dd:dd:dd:dd",
        }
    )
    assert event.client_mac == client


def test_blank_device_and_client_fields_name_nobody():
    """Blank ap/user values are no MACs: the event names no device or client, params keep them."""
    event = event_from_classic({"_id": "b", "key": "K", "time": 1, "ap": "  ", "user": ""})
    assert (event.device_mac, event.client_mac) == (None, None)
    assert event.params == {"ap": "  ", "user": ""}
