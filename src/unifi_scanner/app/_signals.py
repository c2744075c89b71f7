"""Turning the signals that ask a foreground command to stop into an :class:`asyncio.Event`.

A command that stops on SIGINT, SIGTERM or SIGHUP this way leaves its ``async with`` blocks
normally, so everything they opened (servers, temporary directories) is closed and removed,
instead of the process dying on the spot (SIGTERM's default) or a ``KeyboardInterrupt`` landing
in whichever task happens to run.
"""

from __future__ import annotations

import contextlib
import signal
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterator

__all__ = ["STOP_SIGNALS", "stop_on_signals"]

STOP_SIGNALS: Final = tuple(
    sig
    for sig in (getattr(signal, name, None) for name in ("SIGINT", "SIGTERM", "SIGHUP"))
    if sig is not None
)
"""The signals that ask a foreground command to stop (those this platform has)."""


@contextlib.contextmanager
def stop_on_signals(
    loop: asyncio.AbstractEventLoop, stop: asyncio.Event
) -> Iterator[list[signal.Signals]]:
    """Set ``stop`` when one of :data:`STOP_SIGNALS` arrives, while the block runs.

    Where the loop cannot handle signals (Windows), nothing is installed and Ctrl-C stays a
    ``KeyboardInterrupt``. The previous handlers are back when the block ends.

    Args:
        loop: the running event loop.
        stop: the event to set.

    Yields:
        The signals received so far, in order (for a log line).
    """
    received: list[signal.Signals] = []

    def _received(sig: signal.Signals) -> None:
        received.append(sig)
        stop.set()

    previous: dict[signal.Signals, signal.Handlers | Callable[..., object] | int | None] = {}
    for sig in STOP_SIGNALS:
        handler = signal.getsignal(sig)
        try:
            loop.add_signal_handler(sig, _received, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        previous[sig] = handler
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            loop.remove_signal_handler(sig)
            if handler is not None:
                # remove_signal_handler leaves the default; asyncio.run's own SIGINT handler
                # (or whatever was there) must come back.
                signal.signal(sig, handler)
