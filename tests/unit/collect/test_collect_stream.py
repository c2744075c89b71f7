"""Streamed collection: EventSpool de-duplication and spilling; the Collector paging into it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from starlette.responses import JSONResponse

from unifi_scanner.collect import (
    Collector,
    Event,
    EventSource,
    EventSpool,
    Window,
    dedupe_events,
    without_ids,
)
from unifi_scanner.controller import ControllerClient, Flavour
from unifi_scanner.simulator import DEFAULT_API_KEY, create_app, generated_config

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY = Window(start=NOW - timedelta(days=1, minutes=5), end=NOW + timedelta(seconds=1))
SOURCES = (EventSource.CLASSIC, EventSource.IPS, EventSource.TRAFFIC_FLOW, EventSource.ALARM)


def _is_ips(event: Event) -> bool:
    return event.key == "EVT_IPS_IpsAlert" or event.key.startswith("THREAT_")


def _event(n: int, *, key: str = "EVT_WU_Roam", source=EventSource.CLASSIC, **params) -> Event:
    return Event(
        id=f"e{n}",
        key=key,
        source=source,
        time=NOW - timedelta(seconds=n % 977),
        params=params,
    )


def _mix(count: int, seed: int) -> list[Event]:
    """Events with repeated ids, IPS copies from several sources, in source-priority order."""
    rng = random.Random(seed)  # noqa: S311 - test data
    events = []
    for _ in range(count):
        n = rng.randrange(count // 2)
        if n % 10 == 0:
            source = rng.choice(SOURCES)
            flow = {"src_ip": "198.51.100.7", "dest_ip": "203.0.113.10"}
            events.append(_event(n, key="EVT_IPS_IpsAlert", source=source, **flow))
        else:
            events.append(_event(n, key=rng.choice(("EVT_WU_Roam", "EVT_AP_Connected"))))
    return events


@pytest.mark.parametrize("run_size", [7, 100, 100_000])
def test_stream_matches_dedupe_events(tmp_path, run_size):
    """Spilled or not, the stream yields what dedupe_events gives for the same events."""
    events = _mix(3_000, seed=run_size)
    stream = EventSpool(run_size=run_size, chunk_size=5, directory=tmp_path)
    stream.extend(events)
    expected = dedupe_events(events)
    assert list(stream) == list(expected)
    assert len(stream) == len(expected)
    assert list(stream) == list(expected), "a second pass reads the same"
    assert (stream.spilled > 0) is (run_size < len(expected))


def test_stream_keeps_the_first_copy_and_the_best_ips_copy():
    """A later copy of a non-IPS event is dropped; an IPS copy from stat/ips/event wins."""
    stream = EventSpool()
    assert stream.add(_event(1, message="first"))
    assert not stream.add(_event(1))
    assert stream.add(_event(1, key="EVT_AP_Connected")), "same id, other key: another event"
    assert stream.add(_event(2, key="EVT_IPS_IpsAlert", source=EventSource.ALARM))
    assert stream.add(_event(2, key="EVT_IPS_IpsAlert", source=EventSource.IPS))
    assert not stream.add(_event(2, key="EVT_IPS_IpsAlert", source=EventSource.CLASSIC))
    assert sorted((e.id, e.key, e.source) for e in stream) == [
        ("e1", "EVT_AP_Connected", EventSource.CLASSIC),
        ("e1", "EVT_WU_Roam", EventSource.CLASSIC),
        ("e2", "EVT_IPS_IpsAlert", EventSource.IPS),
    ]
    assert _event(2, key="EVT_IPS_IpsAlert", source=EventSource.IPS) in stream


def test_close_deletes_the_spool(tmp_path):
    """close() removes the temporary file and empties the stream."""
    stream = EventSpool(run_size=2, directory=tmp_path)
    stream.extend(_event(n) for n in range(10))
    assert stream.spilled == 10
    stream.close()
    assert len(stream) == 0
    assert list(stream) == []


def test_without_ids_filters_tuples_and_streams():
    """without_ids gives a tuple for a tuple and a lazy sized view for a stream."""
    events = tuple(_event(n) for n in range(5))
    assert without_ids(events, frozenset({"e1", "e3"})) == (events[0], events[2], events[4])
    stream = EventSpool(run_size=2)
    stream.extend(events)
    view = without_ids(stream, frozenset({"e0"}))
    assert not isinstance(view, tuple)
    assert len(view) == 4
    assert [e.id for e in view] == [e.id for e in events[1:]][::-1]
    assert events[1] in view
    assert events[0] not in view


async def _collect(app, **options):
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http,
        ControllerClient(
            http,
            host="sim.test",
            port=443,
            flavour=Flavour.UNIFI_OS,
            api_key=SecretStr(DEFAULT_API_KEY),
        ) as client,
    ):
        return await Collector(client, now=lambda: NOW, **options).collect(window=DAY)


def _sim(network: int, events_per_day: int = 3_000):
    return create_app(
        generated_config(events_per_day=events_per_day, network=network, now=lambda: NOW)
    )


async def test_collector_streams_many_system_log_pages(tmp_path):
    """Network 10: 30+ system-log pages are streamed into a spilled stream, nothing lost."""
    app = _sim(10)
    collection = await _collect(
        app, system_log_page_size=100, spool_run_size=500, spool_directory=tmp_path
    )
    events = collection.snapshot.events
    assert isinstance(events, EventSpool)
    assert events.spilled >= 2_500
    feed = app.state.sim.site.system_log_feed()
    assert sum(1 for e in events if not _is_ips(e)) == sum(
        1 for e in feed if not e["key"].startswith("THREAT_")
    )
    times = [e.time for e in events]
    assert times == sorted(times)
    assert len({(e.id, e.key) for e in events}) == len(events)
    probe = next(p for p in collection.probes if p.name == "system-log/all")
    assert probe.detail == f"{len(feed)} items"


async def test_classic_and_v2_collect_the_same_number_of_events():
    """The same generated site yields as many events via stat/event pages as via system-log."""
    classic = await _collect(_sim(9), event_page_size=500, spool_run_size=700)
    v2 = await _collect(_sim(10), system_log_page_size=100, spool_run_size=700)

    def count(collection):
        return sum(1 for e in collection.snapshot.events if not _is_ips(e))

    assert count(classic) == count(v2) > 2_900


async def test_a_page_failing_midway_keeps_what_arrived():
    """A system-log page failing after the first keeps the earlier pages and adds a note."""
    app = _sim(10)
    calls = {"system-log": 0}

    async def failing(scope, receive, send):
        if scope["type"] == "http" and "/system-log/" in scope["path"]:
            calls["system-log"] += 1
            if calls["system-log"] == 4:
                await JSONResponse({"errorCode": 500, "message": "boom"}, 500)(scope, receive, send)
                return
        await app(scope, receive, send)

    collection = await _collect(failing, system_log_page_size=100)
    snapshot = collection.snapshot
    first_pages = app.state.sim.site.system_log_feed().page(0, 300)
    assert sum(1 for e in snapshot.events if not _is_ips(e)) == sum(
        1 for e in first_pages if not e["key"].startswith("THREAT_")
    )
    notes = [n.message for n in snapshot.notes if n.source == "events"]
    assert notes == [notes[0]]
    assert notes[0].startswith("Events incomplete: system-log/all failed after 300 items")


async def test_page_limit_adds_truncation_notes():
    """Hitting max_pages on system-log and traffic-flows says so in notes."""
    collection = await _collect(_sim(10, 30_000), system_log_page_size=100, max_pages=2)
    notes = {n.message for n in collection.snapshot.notes}
    assert "Events truncated: read the first 2 pages only" in notes
    assert "IPS alerts truncated: read the first 2 pages only" in notes
    probe = next(p for p in collection.probes if p.name == "system-log/all")
    assert probe.detail == "200 items"
