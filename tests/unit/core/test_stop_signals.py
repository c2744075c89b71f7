"""stop_on_signals: a stop signal sets the event, and the old handlers come back after (#11)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from unifi_scanner.app._signals import STOP_SIGNALS, stop_on_signals

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name
)
async def test_a_stop_signal_sets_the_event_and_is_reported(sig):
    """The signal sets the event instead of ending the process, and is listed as received."""
    stop = asyncio.Event()
    with stop_on_signals(asyncio.get_running_loop(), stop) as received:
        os.kill(os.getpid(), sig)
        async with asyncio.timeout(5):
            await stop.wait()
    assert received == [sig]


async def test_the_previous_handlers_are_back_after_the_block():
    """Leaving the block restores what the process did before."""
    before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    with stop_on_signals(asyncio.get_running_loop(), asyncio.Event()) as received:
        assert all(signal.getsignal(sig) is not before[sig] for sig in STOP_SIGNALS)
    assert {sig: signal.getsignal(sig) for sig in STOP_SIGNALS} == before
    assert received == []


def test_stop_signals_are_interrupt_terminate_and_hangup():
    """The three signals that ask a foreground command to stop."""
    assert STOP_SIGNALS == (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
