"""Run an async job on a cron schedule (APScheduler 3), one run at a time."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from apscheduler.triggers.base import BaseTrigger

__all__ = ["build_trigger", "next_runs", "serve_forever"]

_log = structlog.get_logger(__name__)


def build_trigger(cron: str, timezone: str) -> CronTrigger:
    """Build a trigger from a five-field cron expression.

    Args:
        cron: ``minute hour day month weekday``, e.g. ``"0 7 * * *"``.
        timezone: IANA zone the expression is read in.

    Returns:
        The APScheduler trigger.

    Raises:
        ConfigError: the expression is not a valid cron expression.
    """
    try:
        return CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))
    except (ValueError, KeyError) as err:
        raise ConfigError(
            f"schedule: {cron!r} is not a valid cron expression ({err})",
            (("schedule", "settings", str(err)),),
        ) from err


def next_runs(trigger: CronTrigger, after: datetime, count: int = 3) -> list[datetime]:
    """Return the next ``count`` fire times strictly after ``after``."""
    runs: list[datetime] = []
    previous: datetime | None = None
    now = after
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        runs.append(fire)
        previous = fire
        now = fire
    return runs


async def serve_forever(
    job: Callable[[], Awaitable[object]],
    trigger: BaseTrigger,
    *,
    stop: asyncio.Event | None = None,
) -> None:
    """Run ``job`` at every fire time of ``trigger`` until ``stop`` is set.

    A run never overlaps the previous one (``max_instances=1``); a run missed while the previous
    one was still going is coalesced into one. A failing run is logged and the schedule goes on.
    When ``stop`` is set during a run, the run is cancelled and awaited, and one info line says
    so (a clean shutdown, not an error).
    """
    stop = stop or asyncio.Event()
    running: set[asyncio.Task[object]] = set()

    async def _guarded() -> None:
        task = asyncio.current_task()
        if task is not None:
            running.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            if not stop.is_set():
                raise
            # Stopping (SIGTERM, Ctrl-C) in the middle of a scan is a clean shutdown, not an
            # error: what the scan had not stored, the next one does.
            _log.info("stopped during a scan; the next scan covers what this one did not store")
        except Exception:  # noqa: BLE001 - one failing run must not end the schedule
            _log.exception("scheduled scan failed; the schedule continues")
        finally:
            running.discard(task)

    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
    scheduler.add_job(_guarded, trigger, max_instances=1, coalesce=True, misfire_grace_time=300)
    scheduler.start()
    _log.info("schedule started", next_run=str(scheduler.get_jobs()[0].next_run_time))
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            scheduler.shutdown(wait=False)
        for task in list(running):
            task.cancel()
        if running:
            await asyncio.wait(running)
