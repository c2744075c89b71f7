"""Cron expressions become triggers; bad ones are config errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from unifi_scanner.errors import ConfigError
from unifi_scanner.schedule import build_trigger, next_runs, serve_forever


def test_daily_trigger_fires_at_the_hour_in_its_timezone():
    """'0 7 * * *' in Europe/Berlin fires at 06:00 UTC in winter."""
    trigger = build_trigger("0 7 * * *", "Europe/Berlin")
    runs = next_runs(trigger, datetime(2026, 11, 26, 12, 0, tzinfo=UTC), count=2)
    assert [r.astimezone(UTC).hour for r in runs] == [6, 6]
    assert [r.day for r in runs] == [27, 28]


def test_invalid_cron_is_a_config_error():
    """A malformed expression names the schedule setting."""
    with pytest.raises(ConfigError, match="schedule"):
        build_trigger("every morning", "UTC")


async def test_serve_forever_stops_when_asked():
    """serve_forever returns once the stop event is set, without running the job early."""
    calls: list[int] = []
    stop = asyncio.Event()

    async def job() -> None:
        calls.append(1)

    task = asyncio.create_task(serve_forever(job, build_trigger("0 0 1 1 *", "UTC"), stop=stop))
    await asyncio.sleep(0)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert calls == []
