"""Collector: capability probing, fallbacks, paging, notes and de-duplication."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from structlog.testing import capture_logs

from unifi_scanner.collect import Collector, EventSource, Feed, Window
from unifi_scanner.errors import AuthenticationError, ConfigError

from_2019 = Window(start=datetime(2019, 1, 1, tzinfo=UTC), end=datetime(2021, 1, 1, tzinfo=UTC))


def ok(data, **meta):
    return httpx.Response(200, json={"meta": {"rc": "ok", **meta}, "data": data})


def serve_classic(controller, load_capture):
    """Routes of a classic controller built from the real captures."""
    site = "/api/s/default"
    controller.route(f"{site}/stat/sysinfo", ok(load_capture("aiounifi_stat_sysinfo.json")["data"]))
    controller.route(f"{site}/stat/device", ok(load_capture("aiounifi_stat_device.json")["data"]))
    controller.route(f"{site}/stat/sta", ok(load_capture("aiounifi_stat_sta.json")["data"]))
    controller.route(f"{site}/stat/health", ok(load_capture("unpoller_stat_health.json")["data"]))
    controller.route(
        f"{site}/get/setting", ok([{"key": "mgmt"}, {"key": "ips", "ips_mode": "ips"}])
    )
    controller.route(f"{site}/stat/event", ok(load_capture("composed_stat_event.json")["data"]))
    controller.route(
        f"{site}/stat/ips/event", ok(load_capture("composed_stat_ips_event.json")["data"])
    )
    controller.route(f"{site}/list/alarm", ok(load_capture("composed_list_alarm.json")["data"]))


async def test_classic_controller_full_snapshot(controller, collector, load_capture):
    """A classic controller yields devices, clients, health, IPS mode and de-duplicated events."""
    serve_classic(controller, load_capture)

    result = await collector.collect(window=from_2019)
    snapshot = result.snapshot

    assert snapshot.site.name == "default"
    assert snapshot.controller.version == "7.4.162"
    assert len(snapshot.devices) == 5
    assert len(snapshot.clients) == 2
    assert [h["subsystem"] for h in snapshot.health] == ["wlan", "wan", "www", "lan", "vpn"]
    assert snapshot.ips_settings == {"key": "ips", "ips_mode": "ips"}
    assert snapshot.notes == ()
    # 11 stat/event + 1 new IPS alert from stat/ips/event; the lost-switch alarm is its event.
    assert len(snapshot.events) == 12
    ips = [e for e in snapshot.events if e.key == "EVT_IPS_IpsAlert"]
    assert sorted(e.id for e in ips) == ["5d2416c78f0385ccf1c6df44", "5ee9f7ca453d4e00f3c04b57"]
    assert {e.source for e in ips} == {EventSource.IPS}
    lost = [e for e in snapshot.events if e.key == "EVT_SW_Lost_Contact"]
    assert {e.source for e in lost} == {EventSource.CLASSIC}
    assert [e.time for e in snapshot.events] == sorted(e.time for e in snapshot.events)
    probes = {p.name: p for p in result.probes}
    assert probes["traffic-flows"].status == 404
    assert probes["stat/ips/event"].ok


async def test_network_10_falls_back_to_system_log_and_traffic_flows(controller, collector):
    """stat/event 404 → system-log/all paged to total_page_count; IPS from traffic-flows."""
    start = int(datetime(2025, 12, 31, 13, tzinfo=UTC).timestamp() * 1000)

    def system_log(request):
        page = json.loads(request.content)["pageNumber"]
        entry = {
            "id": f"log-{page}",
            "key": "DEVICE_UNREACHABLE",
            "category": "UNIFI_DEVICES",
            "severity": "HIGH",
            "timestamp": start + page,
            "message_raw": "{DEVICE} went offline",
            "parameters": {"DEVICE": {"id": "aa:bb:cc:00:00:01", "name": "AP Hall"}},
        }
        return httpx.Response(
            200, json={"data": [entry], "page_number": page, "total_page_count": 2}
        )

    flow = {
        "id": "flow-1",
        "time": start,
        "risk": "medium",
        "action": "blocked",
        "ips": {"advanced_information": "IPS Alert 1: X. Signature Y."},
        "source": {"ip": "1.2.3.4"},
        "destination": {"ip": "10.0.0.2"},
    }
    other = {"id": "flow-2", "time": start, "source": {"ip": "10.0.0.3"}, "destination": {}}
    controller.route("/v2/api/site/default/system-log/all", system_log)
    controller.route(
        "/v2/api/site/default/traffic-flows",
        httpx.Response(200, json={"data": [flow, other], "has_next": False}),
    )
    controller.route("/api/s/default/list/alarm", ok([]))

    snapshot = (await collector.collect()).snapshot

    sources = sorted((e.source.value, e.id) for e in snapshot.events)
    assert sources == [("system_log", "log-0"), ("system_log", "log-1"), ("traffic_flow", "flow-1")]
    offline = next(e for e in snapshot.events if e.id == "log-0")
    assert offline.message == "AP Hall went offline"
    assert offline.device_mac == "aa:bb:cc:00:00:01"
    assert [b["pageNumber"] for b in controller.bodies("/v2/api/site/default/system-log/all")] == [
        0,
        1,
    ]
    assert not any(n.source in {"events", "ips"} for n in snapshot.notes)


async def test_missing_endpoints_become_notes_and_the_rest_arrives(
    controller, collector, load_capture
):
    """Every events and IPS endpoint answering 404 gives two plain notes; devices still arrive."""
    controller.route(
        "/api/s/default/stat/device", ok(load_capture("aiounifi_stat_device.json")["data"])
    )
    controller.route("/api/s/default/list/alarm", ok([]))

    with capture_logs() as logs:
        result = await collector.collect()

    messages = {n.source: n.message for n in result.snapshot.notes}
    assert messages["events"] == (
        "Events unavailable: stat/event answered 404, system-log/all answered 404"
    )
    assert messages["ips"] == (
        "IPS alerts unavailable: traffic-flows answered 404, stat/ips/event answered 404"
    )
    assert len(result.snapshot.devices) == 5
    assert "alarms" not in messages
    endpoints = {n.source: n.endpoint or "" for n in result.snapshot.notes}
    assert endpoints["events"].endswith("stat/event")
    assert endpoints["ips"].endswith("traffic-flows")
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == len(result.snapshot.notes)


async def test_classic_events_page_until_meta_count(controller, collector):
    """stat/event is paged with _start while meta.count says more items exist."""
    now_ms = int(datetime(2026, 1, 1, 11, tzinfo=UTC).timestamp() * 1000)
    items = [{"_id": f"e{i}", "key": "EVT_AP_Connected", "time": now_ms - i} for i in range(5)]

    def events(request):
        body = json.loads(request.content)
        start = body["_start"]
        return ok(items[start : start + body["_limit"]], count=5)

    controller.route("/api/s/default/stat/event", events)
    paging = Collector(collector._client, now=collector._now, event_page_size=2)

    snapshot = (await paging.collect()).snapshot

    assert [b["_start"] for b in controller.bodies("/api/s/default/stat/event")] == [0, 2, 4]
    assert controller.bodies("/api/s/default/stat/event")[0]["within"] == 24
    assert len([e for e in snapshot.events if e.key == "EVT_AP_Connected"]) == 5


async def test_paging_stops_once_window_is_covered_and_filters(controller, collector):
    """A page older than the window ends paging; events outside the window are dropped."""
    inside = int(datetime(2026, 1, 1, 11, tzinfo=UTC).timestamp() * 1000)
    old = int(datetime(2025, 12, 1, tzinfo=UTC).timestamp() * 1000)
    page = [
        {"_id": "new", "key": "EVT_A", "time": inside},
        {"_id": "old", "key": "EVT_B", "time": old},
    ]
    controller.route("/api/s/default/stat/event", ok(page, count=100))
    paging = Collector(collector._client, now=collector._now, event_page_size=2)

    snapshot = (await paging.collect()).snapshot

    assert len(controller.bodies("/api/s/default/stat/event")) == 1
    assert [e.id for e in snapshot.events] == ["new"]


async def test_page_cap_adds_truncation_note(controller, collector):
    """When the page cap is reached before the window is covered the snapshot says so."""
    now_ms = int(datetime(2026, 1, 1, 11, tzinfo=UTC).timestamp() * 1000)
    controller.route(
        "/api/s/default/stat/event",
        lambda request: ok(
            [{"_id": request.content.decode(), "key": "K", "time": now_ms}], count=99
        ),
    )
    capped = Collector(collector._client, now=collector._now, event_page_size=1, max_pages=3)

    snapshot = (await capped.collect()).snapshot

    assert len(controller.bodies("/api/s/default/stat/event")) == 3
    assert any("truncated" in n.message for n in snapshot.notes)


async def test_auth_failure_on_first_call_ends_the_scan(controller, collector):
    """Bad credentials on the first call (self/sites) propagate instead of becoming a note."""
    controller.route("/api/self/sites", httpx.Response(401, json={}))

    with pytest.raises(AuthenticationError):
        await collector.collect()


async def test_unknown_site_is_config_error(collector):
    """Asking for a site the controller does not have names the sites it has."""
    with pytest.raises(ConfigError, match="default"):
        await collector.collect(site="branch")


async def test_collect_all_sites(controller, collector):
    """site=all collects every site the account sees, each with its own snapshot."""
    controller.route(
        "/api/self/sites",
        ok(
            [{"_id": "1", "name": "default", "desc": "HQ"}, {"_id": "2", "name": "b2", "desc": "B"}]
        ),
    )
    controller.route("/api/s/b2/stat/device", ok([{"mac": "AA:00", "model": "US8"}]))

    results = await collector.collect_all()

    assert [r.snapshot.site.name for r in results] == ["default", "b2"]
    assert [len(r.snapshot.devices) for r in results] == [0, 1]


async def test_default_window_ends_now(collector):
    """Without a window the scan covers the lookback ending at the injected now."""
    window = collector.default_window()
    assert window.end == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert window.end - window.start == timedelta(hours=24)


async def test_unreadable_items_are_counted_and_noted(controller, collector):
    """A device payload without a MAC is skipped, counted and noted; the others arrive."""
    controller.route("/api/s/default/stat/device", ok([{"mac": "AA:01"}, {"name": "no mac"}]))

    result = await collector.collect()

    assert [d.mac for d in result.snapshot.devices] == ["aa:01"]
    assert result.skipped_items == 1
    assert any(n.source == "devices" and "1 devices" in n.message for n in result.snapshot.notes)


def _gaps(snapshot):
    return {c.feed: (c.partial, c.reason) for c in snapshot.coverage if not c.complete}


async def test_coverage_says_which_feed_could_not_be_read(controller, collector):
    """Every endpoint of a feed failing leaves it not complete, naming each failure."""
    controller.route("/api/s/default/list/alarm", ok([]))
    snapshot = (await collector.collect()).snapshot
    assert [c.feed for c in snapshot.coverage] == list(Feed)
    assert _gaps(snapshot) == {
        Feed.EVENTS: (False, "stat/event answered 404, system-log/all answered 404"),
        Feed.IPS: (False, "traffic-flows answered 404, stat/ips/event answered 404"),
    }
    assert snapshot.gaps == tuple(c for c in snapshot.coverage if c.feed is not Feed.ALARMS)


async def test_a_feed_that_fails_after_its_first_page_is_partial(controller, collector):
    """stat/event answering one page then 502 is a partial feed; the alarms feed failing too."""
    now_ms = int(datetime(2026, 1, 1, 11, tzinfo=UTC).timestamp() * 1000)

    def events(request):
        if json.loads(request.content)["_start"]:
            return httpx.Response(502, text="bad gateway")
        return ok([{"_id": "a", "key": "EVT_AP_Connected", "time": now_ms}], count=5)

    controller.route("/api/s/default/stat/event", events)
    controller.route("/api/s/default/stat/ips/event", ok([]))
    controller.route("/api/s/default/list/alarm", httpx.Response(500, text="oops"))
    paging = Collector(collector._client, now=collector._now, event_page_size=1)
    snapshot = (await paging.collect()).snapshot
    gaps = _gaps(snapshot)
    assert gaps[Feed.EVENTS] == (True, "stat/event failed after 1 items")
    assert gaps[Feed.ALARMS] == (False, "list/alarm answered 500")
    assert Feed.IPS not in gaps
    assert [e.id for e in snapshot.events] == ["a"]


async def test_a_feed_cut_at_the_page_cap_is_partial(controller, collector):
    """Reaching max_pages before the window is covered leaves the events feed partial."""
    now_ms = int(datetime(2026, 1, 1, 11, tzinfo=UTC).timestamp() * 1000)
    controller.route(
        "/api/s/default/stat/event",
        lambda request: ok(
            [{"_id": request.content.decode(), "key": "K", "time": now_ms}], count=99
        ),
    )
    capped = Collector(collector._client, now=collector._now, event_page_size=1, max_pages=2)
    snapshot = (await capped.collect()).snapshot
    assert _gaps(snapshot)[Feed.EVENTS] == (True, "stat/event was cut after 2 items")


async def test_each_feed_is_read_from_its_own_start(controller, collector):
    """A feed behind is read from its earlier start; the others only from theirs."""
    end = datetime(2026, 1, 1, 12, tzinfo=UTC)
    since = {Feed.EVENTS: end - timedelta(hours=1), Feed.IPS: end - timedelta(hours=30)}
    window = Window(start=end - timedelta(hours=30), end=end, since=since)
    early = int((end - timedelta(hours=20)).timestamp() * 1000)
    late = int((end - timedelta(minutes=30)).timestamp() * 1000)
    controller.route(
        "/api/s/default/stat/event",
        ok(
            [
                {"_id": "late", "key": "EVT_AP_Connected", "time": late},
                {"_id": "early", "key": "EVT_AP_Connected", "time": early},
            ]
        ),
    )
    alert = {"_id": "ips1", "key": "EVT_IPS_IpsAlert", "time": early, "src_ip": "203.0.113.9"}
    controller.route("/api/s/default/stat/ips/event", ok([alert]))
    snapshot = (await collector.collect(window=window)).snapshot
    assert controller.bodies("/api/s/default/stat/event")[0]["within"] == 1
    assert sorted(e.id for e in snapshot.events) == ["ips1", "late"]
    starts = {c.feed: c.start for c in snapshot.coverage}
    assert starts == {
        Feed.EVENTS: since[Feed.EVENTS],
        Feed.IPS: window.start,
        Feed.ALARMS: window.start,
    }


async def test_collect_all_gives_each_site_its_own_window(controller, collector):
    """site=all asks a function for each site's window."""
    controller.route(
        "/api/self/sites",
        ok(
            [{"_id": "1", "name": "default", "desc": "HQ"}, {"_id": "2", "name": "b2", "desc": "B"}]
        ),
    )
    end = datetime(2026, 1, 1, 12, tzinfo=UTC)
    windows = {
        "default": Window(start=end - timedelta(hours=1), end=end),
        "b2": Window(start=end - timedelta(hours=5), end=end),
    }
    results = await collector.collect_all(window=windows.__getitem__)
    assert [r.snapshot.window for r in results] == [windows["default"], windows["b2"]]
