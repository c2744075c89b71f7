"""`serve`: scheduled scans with the controller's websocket open in between."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, datetime

import pytest
from apscheduler.triggers.date import DateTrigger
from structlog.testing import capture_logs

from unifi_scanner import app
from unifi_scanner.simulator import EndpointFault, Faults

from .conftest import frozen_now

pytestmark = pytest.mark.e2e


async def test_serve_runs_a_scheduled_scan_and_stops_cleanly(settings):
    """A due trigger runs one scan (reports written); setting stop ends serve without error."""
    outcomes: list[list[app.ScanOutcome]] = []
    scanned = asyncio.Event()
    stop = asyncio.Event()

    def after_scan(result):
        outcomes.append(result)
        scanned.set()

    task = asyncio.create_task(
        app.serve(
            settings,
            stop=stop,
            now=frozen_now,
            trigger=DateTrigger(run_date=datetime.now(UTC)),
            after_scan=after_scan,
        )
    )
    try:
        async with asyncio.timeout(60):
            await scanned.wait()
    finally:
        stop.set()
        async with asyncio.timeout(30):
            await task
    ((outcome,),) = outcomes
    assert outcome.problems == ()
    assert outcome.report.findings
    assert sorted(p.rsplit(".", 1)[1] for p in outcome.files) == ["html", "json", "md", "txt"]


async def test_serve_without_schedule_or_trigger_is_a_config_error(settings):
    """Serve refuses to start without a schedule."""
    from unifi_scanner.errors import ConfigError

    with pytest.raises(ConfigError, match="schedule"):
        await app.serve(settings.model_copy(update={"schedule": None}))


async def test_sigterm_during_a_scan_stops_with_one_info_line(settings, simulator, caplog):
    """SIGTERM while a scheduled scan runs: serve ends, one info line, no error, no traceback."""
    simulator.state.faults = Faults(endpoints=(EndpointFault(kind="hang", endpoint="stat/device"),))
    task = asyncio.create_task(
        app.serve(settings, now=frozen_now, trigger=DateTrigger(run_date=datetime.now(UTC)))
    )
    with capture_logs() as logs:
        async with asyncio.timeout(60):
            while simulator.state.book.held == 0:  # noqa: ASYNC110 - set by a request handler
                await asyncio.sleep(0.01)
            os.kill(os.getpid(), signal.SIGTERM)
            await task
    simulator.state.book.release()
    errors = [e for e in logs if e["log_level"] in {"error", "critical"}]
    assert errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    stopped = [e for e in logs if "stopped during a scan" in e["event"]]
    assert len(stopped) == 1
    assert stopped[0]["log_level"] == "info"
    assert not settings.output_dir.exists() or not list(settings.output_dir.iterdir())
