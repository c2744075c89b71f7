"""Live events: buffering, decoding, backoff, re-login, and merging into a scan."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from unifi_scanner.collect import (
    CollectionNote,
    ControllerInfo,
    Event,
    EventSource,
    Flavour,
    LiveCollector,
    Site,
    Snapshot,
    Window,
    merge_live,
)
from unifi_scanner.collect.live import STABLE_CONNECTION_S
from unifi_scanner.controller import MemoryEventStream
from unifi_scanner.errors import AuthenticationError, ControllerUnreachableError

TIMEOUT = 5
T0 = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def frame(message: str, data: list) -> str:
    """A websocket text frame."""
    return json.dumps({"meta": {"rc": "ok", "message": message}, "data": data})


def item(n: int, *, key: str = "EVT_WU_Roam", at: datetime = T0) -> dict:
    """One event item, ``n`` seconds after ``at``."""
    when = at + timedelta(seconds=n)
    return {"_id": f"e{n}", "key": key, "time": int(when.timestamp() * 1000), "msg": f"m{n}"}


class Connector:
    """Hands out scripted outcomes (streams or errors), then blocks until cancelled."""

    def __init__(self, *outcomes) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.exhausted = asyncio.Event()

    async def __call__(self):
        self.calls += 1
        if not self.outcomes:
            self.exhausted.set()
            await asyncio.Event().wait()
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class Sleeps(list):
    """An injected sleep that records the delay and returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Clock:
    """An injected monotonic clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def collector(connect, **options) -> LiveCollector:
    """A collector with a recording sleep and no jitter (each wait is the full delay)."""
    options.setdefault("sleep", Sleeps())
    options.setdefault("jitter", lambda: 1.0)
    return LiveCollector(connect, **options)


async def test_events_and_alerts_are_buffered_and_drained_once():
    """'events' items become websocket Events, 'alert' items alarm Events; drain empties."""
    stream = MemoryEventStream(
        [frame("events", [item(1), item(2)]), frame("alert", [item(3, key="EVT_GW_WANTransition")])]
    )
    live = collector(Connector(stream))
    async with live, asyncio.timeout(TIMEOUT):
        await live.wait_until(lambda s: s.received == 3)
    events, notes = live.drain()
    assert [(e.id, e.source) for e in events] == [
        ("e1", EventSource.WEBSOCKET),
        ("e2", EventSource.WEBSOCKET),
        ("e3", EventSource.ALARM),
    ]
    assert notes == ()
    assert live.drain() == ((), ())


async def test_a_full_buffer_drops_the_oldest_and_says_so_once():
    """Beyond max_events the oldest go; the next drain carries one note, the one after none."""
    stream = MemoryEventStream([frame("events", [item(n) for n in range(5)])])
    live = collector(Connector(stream), max_events=3)
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.received == 5)
    assert (stats.buffered, stats.dropped) == (3, 2)
    events, notes = live.drain()
    assert [e.id for e in events] == ["e2", "e3", "e4"]
    assert notes == (
        CollectionNote(
            source="websocket", message="2 live events were dropped because the buffer was full"
        ),
    )
    assert live.drain() == ((), ())


async def test_drain_before_keeps_later_events_for_the_next_scan():
    """Events at or after 'before' stay buffered."""
    stream = MemoryEventStream([frame("events", [item(1), item(60)])])
    live = collector(Connector(stream))
    async with live, asyncio.timeout(TIMEOUT):
        await live.wait_until(lambda s: s.received == 2)
    first, _ = live.drain(before=T0 + timedelta(seconds=30))
    second, _ = live.drain()
    assert [e.id for e in first] == ["e1"]
    assert [e.id for e in second] == ["e60"]


async def test_requeued_events_come_back_with_the_next_drain():
    """Events of a scan that was not secured are handed over again, oldest first."""
    stream = MemoryEventStream([frame("events", [item(1), item(60)])])
    live = collector(Connector(stream), max_events=3)
    async with live, asyncio.timeout(TIMEOUT):
        await live.wait_until(lambda s: s.received == 2)
    taken, _ = live.drain(before=T0 + timedelta(seconds=30))
    live.requeue(taken)
    again, notes = live.drain()
    assert [e.id for e in again] == ["e1", "e60"]
    assert notes == ()


async def test_requeue_respects_the_buffer_bound():
    """Requeued events beyond max_events drop the oldest and say so."""
    stream = MemoryEventStream([frame("events", [item(n) for n in range(3)])])
    live = collector(Connector(stream), max_events=2)
    async with live, asyncio.timeout(TIMEOUT):
        await live.wait_until(lambda s: s.received == 3)
    taken, _ = live.drain()
    live.requeue([*taken, *taken])
    again, notes = live.drain()
    assert len(again) == 2
    assert "2 live events were dropped" in notes[0].message


async def test_reconnects_with_exponential_backoff_capped_and_reset_after_success():
    """Failures wait 1, 2, 4, then the cap; a connection that stayed up starts again from 1."""
    failure = ControllerUnreachableError("down")
    stream = MemoryEventStream([frame("events", [item(1)])])
    stream.end()
    connect = Connector(failure, failure, failure, failure, stream, failure)
    sleeps = Sleeps()
    clock = Clock(step=STABLE_CONNECTION_S)
    live = collector(connect, sleep=sleeps, backoff_max_s=5, clock=clock)
    async with live, asyncio.timeout(TIMEOUT):
        await connect.exhausted.wait()
    assert sleeps == [1, 2, 4, 5, 1, 2]
    stats = live.stats
    assert (stats.failures, stats.connects, stats.drops, stats.received) == (5, 1, 1, 1)


async def test_connections_dropped_soon_after_opening_keep_the_backoff_growing():
    """A connection dropped after its first frame does not reset the backoff (#11)."""
    streams = []
    for n in range(4):
        stream = MemoryEventStream([frame("events", [item(n)])])
        stream.end(ControllerUnreachableError("dropped"))
        streams.append(stream)
    connect = Connector(*streams)
    sleeps = Sleeps()
    clock = Clock(step=STABLE_CONNECTION_S / 4)
    live = collector(connect, sleep=sleeps, backoff_max_s=300, clock=clock)
    async with live, asyncio.timeout(TIMEOUT):
        await connect.exhausted.wait()
    assert sleeps == [1, 2, 4, 8]
    assert (live.stats.connects, live.stats.drops, live.stats.received) == (4, 4, 4)


async def test_jitter_waits_between_half_and_all_of_the_delay():
    """With jitter 0 every wait is half the exponential delay."""
    failure = ControllerUnreachableError("down")
    connect = Connector(failure, failure, failure)
    sleeps = Sleeps()
    live = collector(connect, sleep=sleeps, jitter=lambda: 0.0)
    async with live, asyncio.timeout(TIMEOUT):
        await connect.exhausted.wait()
    assert sleeps == [0.5, 1, 2]


async def test_refused_upgrade_logs_in_again_and_reconnects_at_once():
    """401 on the upgrade: re-login through REST, then reconnect without waiting."""
    logins = []

    async def relogin():
        logins.append(True)

    stream = MemoryEventStream([frame("events", [item(1)])])
    connect = Connector(AuthenticationError("expired", status=401), stream)
    sleeps = Sleeps()
    live = collector(connect, relogin=relogin, sleep=sleeps)
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.received == 1)
    assert len(logins) == 1
    assert (stats.relogins, stats.connects, stats.failures) == (1, 1, 0)
    assert sleeps == []


async def test_still_refused_after_relogin_backs_off_before_the_next_relogin():
    """One re-login per attempt: refused again right after it, the collector waits first."""
    logins = []

    async def relogin():
        logins.append(True)

    refused = AuthenticationError("expired", status=401)
    connect = Connector(refused, refused, refused, MemoryEventStream())
    sleeps = Sleeps()
    live = collector(connect, relogin=relogin, sleep=sleeps)
    async with live, asyncio.timeout(TIMEOUT):
        await live.wait_until(lambda s: s.connects == 1)
    assert len(logins) == 2
    assert sleeps == [1]


async def test_a_failing_relogin_is_a_failure_and_the_collector_keeps_trying():
    """Bad credentials on re-login do not kill the task; it backs off and tries again."""

    async def relogin():
        raise AuthenticationError("bad password")

    connect = Connector(AuthenticationError("expired", status=403), MemoryEventStream())
    sleeps = Sleeps()
    live = collector(connect, relogin=relogin, sleep=sleeps)
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.connects == 1)
    assert (stats.failures, stats.relogins) == (1, 0)
    assert sleeps == [1]


async def test_malformed_frames_are_skipped_and_logged_once():
    """Non-JSON and non-envelope frames are counted and skipped; one warning in all."""
    stream = MemoryEventStream(
        ["not json", '{"meta": {}}', "[1]", '{"meta": {"message": "events"}, "data": 1}']
    )
    stream.push(frame("events", [item(1), {"_id": "no-time"}]))
    live = collector(Connector(stream))
    with capture_logs() as logs:
        async with live, asyncio.timeout(TIMEOUT):
            stats = await live.wait_until(lambda s: s.received == 1)
    assert (stats.malformed, stats.unusable, stats.buffered) == (4, 1, 1)
    malformed = [e for e in logs if e["event"].startswith("skipped a live frame")]
    assert len(malformed) == 1


async def test_other_message_types_are_counted_and_ignored():
    """Known-but-unused and unknown message types never reach the buffer."""
    stream = MemoryEventStream(
        [frame("sta:sync", [{}]), frame("sta:sync", []), frame("mystery", [{}])]
    )
    live = collector(Connector(stream))
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: sum(s.ignored.values()) == 3)
    assert stats.ignored == {"sta:sync": 2, "mystery": 1}
    assert stats.buffered == 0


async def test_device_sync_keeps_the_latest_payload_per_mac():
    """device:sync payloads are merged per lower-case MAC; items without a MAC are skipped."""
    stream = MemoryEventStream(
        [
            frame("device:sync", [{"mac": "00:00:00:00:00:0A", "state": 1, "name": "ap"}]),
            frame("device:sync", [{"mac": "00:00:00:00:00:0a", "state": 0}, {"name": "x"}]),
            frame("events", [item(1)]),  # arrives after both syncs
        ]
    )
    live = collector(Connector(stream))
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.received == 1)
    assert stats.devices == 1
    assert live.latest_devices() == {
        "00:00:00:00:00:0a": {"mac": "00:00:00:00:00:0a", "state": 0, "name": "ap"}
    }


async def test_drop_and_recovery_are_logged_once_each():
    """Lost → one warning however many retries fail; back → one 'recovered'."""
    first = MemoryEventStream()
    first.end(ControllerUnreachableError("broke"))
    failure = ControllerUnreachableError("down")
    connect = Connector(first, failure, failure, MemoryEventStream())
    live = collector(connect)
    with capture_logs() as logs:
        async with live, asyncio.timeout(TIMEOUT):
            await live.wait_until(lambda s: s.connects == 2)
    warnings = [e["event"] for e in logs if e["log_level"] == "warning"]
    assert warnings == ["live events connection lost, reconnecting"]
    assert [e["event"] for e in logs if "recovered" in e["event"]] == [
        "live events connection recovered"
    ]
    lost = next(e for e in logs if e["event"].startswith("live events connection lost"))
    assert lost["reason"] == "broke"


async def test_stop_closes_the_open_stream():
    """Stopping the collector closes the websocket it holds."""
    stream = MemoryEventStream()
    live = collector(Connector(stream))
    async with asyncio.timeout(TIMEOUT):
        async with live:
            await live.wait_until(lambda s: s.connected)
        assert stream.closed
        await live.stop()


async def test_start_twice_keeps_one_connection():
    """A second start() does not open a second websocket."""
    connect = Connector(MemoryEventStream())
    live = collector(connect)
    async with live, asyncio.timeout(TIMEOUT):
        live.start()
        await live.wait_until(lambda s: s.connected)
    assert connect.calls == 1


async def test_wait_until_on_a_stopped_collector_raises():
    """Waiting on a collector that is not running fails instead of hanging."""
    live = collector(Connector())
    with pytest.raises(RuntimeError, match="not running"):
        await live.wait_until(lambda s: s.connected)


def test_max_events_must_be_positive():
    """A buffer of no events is a mistake."""
    with pytest.raises(ValueError, match="max_events"):
        LiveCollector(Connector(), max_events=0)


def _snapshot(events=(), notes=()) -> Snapshot:
    return Snapshot(
        site=Site(id="s", name="default", description="Default"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=T0, end=T0 + timedelta(hours=1)),
        events=tuple(events),
        notes=tuple(notes),
    )


def test_merge_live_counts_an_event_once_and_keeps_the_rest_copy():
    """A websocket copy of a REST event is dropped; new in-window events are added, sorted."""
    rest = Event(id="e1", key="EVT_WU_Roam", source=EventSource.CLASSIC, time=T0)
    copy = Event(id="e1", key="EVT_WU_Roam", source=EventSource.WEBSOCKET, time=T0)
    new = Event(id="e2", key="EVT_WU_Roam", source=EventSource.WEBSOCKET, time=T0)
    early = Event(id="e0", key="EVT_WU_Roam", source=EventSource.WEBSOCKET, time=T0 - timedelta(1))
    late = Event(id="e9", key="EVT_WU_Roam", source=EventSource.WEBSOCKET, time=T0 + timedelta(1))
    old_note = CollectionNote(source="ips", message="old")
    note = CollectionNote(source="websocket", message="3 live events were dropped")
    merged = merge_live(_snapshot([rest], [old_note]), [copy, new, early, late], [note])
    assert merged.events == (rest, new)
    assert merged.notes == (old_note, note)
