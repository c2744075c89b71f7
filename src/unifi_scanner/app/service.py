"""``unifi-scanner serve``: scan on a schedule; the websocket stays open between scans."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import structlog

from unifi_scanner.app._signals import stop_on_signals
from unifi_scanner.app.scan import ScanOutcome, run_once
from unifi_scanner.app.wiring import controller_client, http_client, ssl_context, utc_now
from unifi_scanner.collect import LiveCollector
from unifi_scanner.errors import ConfigError, ScanBusyError, ScannerError
from unifi_scanner.schedule import build_trigger, serve_forever

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable
    from datetime import datetime

    from apscheduler.triggers.base import BaseTrigger

    from unifi_scanner.config import Settings

__all__ = ["serve"]

# The package's name, not the module's: log lines keep the logger name of the composition root.
_log = structlog.get_logger(__name__)


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    now: Callable[[], datetime] = utc_now,
    trigger: BaseTrigger | None = None,
    after_scan: Callable[[list[ScanOutcome]], object] | None = None,
) -> None:
    """Scan on ``settings.schedule`` until SIGINT/SIGTERM (or ``stop`` is set).

    Between scans the controller's websocket stays open (one site only); its events are buffered
    and join the next scan, de-duplicated against what the REST endpoints return.

    Args:
        settings: the configuration; ``schedule`` is required unless ``trigger`` is given.
        stop: set it to end the loop (SIGINT, SIGTERM and SIGHUP set it too; a scan running
            then is cancelled with one info line, and the previous signal handlers come back).
        now: the clock.
        trigger: when to scan, instead of ``settings.schedule`` (tests, presets).
        after_scan: called with each scan's outcomes (health reporting, tests).
    """
    if trigger is None:
        if settings.schedule is None:
            raise ConfigError("schedule: not set", (("schedule", "settings", "missing"),))
        trigger = build_trigger(settings.schedule, settings.timezone)
    stop = stop or asyncio.Event()
    context = ssl_context(settings)
    with stop_on_signals(asyncio.get_running_loop(), stop) as received:
        await _serve(
            settings, stop=stop, now=now, trigger=trigger, after_scan=after_scan, context=context
        )
    if received:
        _log.info("serve stopped", signal=received[0].name)


async def _serve(
    settings: Settings,
    *,
    stop: asyncio.Event,
    now: Callable[[], datetime],
    trigger: BaseTrigger,
    after_scan: Callable[[list[ScanOutcome]], object] | None,
    context: ssl.SSLContext,
) -> None:
    async with (
        http_client(settings, context) as live_http,
        controller_client(settings, live_http) as live_client,
    ):
        live = (
            None
            if settings.site.lower() == "all"
            else LiveCollector.for_client(live_client, ssl_context=context)
        )
        async with live or contextlib.nullcontext():

            async def _job() -> None:
                try:
                    outcomes = await run_once(settings, now=now, live=live)
                except ScanBusyError as err:
                    _log.warning("scheduled scan skipped: another scan is running", error=str(err))
                    return
                except ScannerError as err:
                    _log.error("scan failed", error=str(err))
                    return
                if after_scan is not None:
                    after_scan(outcomes)

            await serve_forever(_job, trigger, stop=stop)
