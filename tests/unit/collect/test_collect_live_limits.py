"""Live events: a websocket frame over the input limits is dropped and noted; the stream goes on."""

from __future__ import annotations

import asyncio
import json

from structlog.testing import capture_logs

from unifi_scanner._json import MAX_DEPTH, WEBSOCKET_FRAME
from unifi_scanner.collect import CollectionNote
from unifi_scanner.controller import MemoryEventStream

from .test_collect_live import TIMEOUT, Connector, collector, frame, item


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


async def test_frames_over_the_limits_are_dropped_with_one_line_each_and_one_note():
    """Too deep, too many items, too large: each frame is dropped and logged; one note follows."""
    too_deep = frame("events", _nested(MAX_DEPTH))  # the envelope adds two levels
    too_many = frame("events", [0] * (WEBSOCKET_FRAME.max_items + 1))
    too_large = frame("events", [item(1) | {"msg": "x" * WEBSOCKET_FRAME.max_bytes}])
    stream = MemoryEventStream([too_deep, frame("events", [item(1)]), too_many, too_large])
    stream.push(frame("events", [item(2)]))
    live = collector(Connector(stream))
    with capture_logs() as logs:
        async with live, asyncio.timeout(TIMEOUT):
            stats = await live.wait_until(lambda s: s.received == 2)
    assert (stats.over_limit, stats.malformed, stats.buffered) == (3, 0, 2)
    dropped = [e for e in logs if e["event"] == "dropped a live frame over the input limits"]
    assert [e["log_level"] for e in dropped] == ["warning"] * 3
    assert dropped[0]["problem"] == "JSON nested deeper than the limit of 64 levels"
    assert "100,000 items" in dropped[1]["problem"]
    assert "larger than the limit of 4 MiB" in dropped[2]["problem"]
    events, notes = live.drain()
    assert [e.id for e in events] == ["e1", "e2"]
    assert notes == (
        CollectionNote(
            source="websocket",
            message="3 live frames were dropped unread, over the input limits "
            "(first: JSON nested deeper than the limit of 64 levels)",
        ),
    )
    assert live.drain() == ((), ())
    assert live.stats.over_limit == 3, "the counter is kept; only the note is drained"


async def test_a_frame_at_the_depth_limit_is_read():
    """A frame nested exactly as deep as the limit is decoded as usual."""
    at_limit = json.dumps({"meta": {"message": "events"}, "data": [item(1)], "x": _nested(63)})
    live = collector(Connector(MemoryEventStream([at_limit])))
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.received == 1)
    assert stats.over_limit == 0
