"""The test kit itself: fake clock, virtual-clock loop, memory store and fakes."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import pytest

from unifi_scanner.errors import StateError
from unifi_scanner.integrations import Integration
from unifi_scanner.testing import (
    FakeClock,
    FakeIntegration,
    MemoryStateStore,
    fake_integration_class,
    run_with_clock,
)

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_fake_clock_moves_only_forward_when_told():
    """The clock stays put until advanced and refuses to go back."""
    clock = FakeClock(T0)
    assert clock.now() == T0
    clock.advance(90)
    assert clock.now() == T0 + timedelta(seconds=90)
    assert clock.monotonic() == 90
    with pytest.raises(ValueError, match="back"):
        clock.advance(-1)


def test_virtual_loop_jumps_over_sleeps():
    """An hour of asyncio.sleep takes no real time and moves the clock by an hour."""
    clock = FakeClock(T0)

    async def main():
        await asyncio.sleep(3600)
        return asyncio.get_running_loop().time()

    assert run_with_clock(main(), clock) == 3600
    assert clock.now() == T0 + timedelta(hours=1)


def test_virtual_loop_detects_a_deadlock():
    """Waiting on something nothing will ever complete fails fast instead of hanging."""
    import selectors

    from unifi_scanner.testing import _AutoJumpSelector

    clock = FakeClock(T0)
    selector = _AutoJumpSelector(clock, lambda: 0)
    selector._inner.close()
    selector._inner = _EmptySelector()
    with pytest.raises(RuntimeError, match="nothing scheduled"):
        selector.select(None)
    assert isinstance(selector, selectors.BaseSelector)


class _EmptySelector:
    def select(self, timeout=None):
        assert timeout is not None
        return []


def test_memory_store_is_a_state_store():
    """MemoryStateStore keeps feed marks, seen ids and JSON records."""
    from unifi_scanner.state import Commit, SourceMark

    store = MemoryStateStore()
    mark = SourceMark(complete_until=T0, reported_until=T0)
    store.commit(Commit(site="default", marks={"events": mark}, seen=(), at=T0))
    assert store.source_marks("default") == {"events": mark}
    assert store.source_marks("other") == {}
    store.mark_seen("default", ["a", "b"], T0)
    assert store.seen_ids("default", ["a", "c"]) == frozenset({"a"})
    store.put_record("ns", "k", {"n": 1, "list": [1]})
    assert store.get_record("ns", "k") == {"n": 1, "list": [1]}
    assert store.get_record("ns", "missing") is None
    assert store.records("ns") == {"k": {"n": 1, "list": [1]}}
    assert store.records("empty") == {}


def test_memory_store_copies_records_and_rejects_non_json():
    """Stored records cannot be changed through references, and must be JSON."""
    store = MemoryStateStore()
    value = {"items": [1]}
    store.put_record("ns", "k", value)
    value["items"].append(2)
    assert store.get_record("ns", "k") == {"items": [1]}
    with pytest.raises(StateError, match="not JSON"):
        store.put_record("ns", "bad", {"when": T0})
    with pytest.raises(StateError):
        store.put_record("ns", "nan", {"x": math.nan})


def test_closed_memory_store_raises_state_error():
    """After close() every call raises StateError."""
    store = MemoryStateStore()
    store.close()
    with pytest.raises(StateError):
        store.get_record("ns", "k")


def test_fakes_implement_the_protocol():
    """Every ready fake is an Integration."""
    fakes = [
        FakeIntegration(),
        FakeIntegration.slow("s", 1),
        FakeIntegration.hanging("h"),
        FakeIntegration.failing("f"),
        FakeIntegration.blocking("b"),
        FakeIntegration.unconfigured("u"),
        FakeIntegration.partially_configured("p", "token"),
        fake_integration_class("c")(None),
    ]
    assert all(isinstance(fake, Integration) for fake in fakes)
    assert not fakes[5].is_configured()
    assert fakes[6].validate_config() == "token"


def test_fake_fails_only_the_first_times():
    """fail_times makes a fake fail that many calls, then answer."""
    fake = FakeIntegration.failing("f", fail_times=1)
    with pytest.raises(ConnectionError):
        run_with_clock(fake.fetch())
    result = run_with_clock(fake.fetch())
    assert result.success
    assert fake.calls == 2
