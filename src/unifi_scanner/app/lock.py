"""One scan at a time per state file: an OS file lock next to it, shared by every command.

``run``, ``serve`` (for each scheduled scan) and ``demo`` take it around a whole scan, so two
processes never read the same marks and deliver the same window. The lock is the kernel's
(``flock`` through ``filelock``): it goes with the process however that ends, a ``SIGKILL``
included, so a crashed scan never blocks the next one.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import structlog
from filelock import AsyncFileLock, Timeout

from unifi_scanner.errors import ScanBusyError, StateError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

__all__ = ["lock_path", "scan_lock"]

_log = structlog.get_logger(__name__)


def lock_path(state_path: Path) -> Path:
    """Return the lock file of the state file ``state_path`` (``<state file>.lock``)."""
    return state_path.with_name(state_path.name + ".lock")


@contextlib.asynccontextmanager
async def scan_lock(state_path: Path, wait_s: float) -> AsyncIterator[None]:
    """Hold the scan lock of ``state_path`` for the body; wait up to ``wait_s`` for it.

    Raises:
        ScanBusyError: another scan held it for longer than ``wait_s``.
        StateError: the lock file cannot be created.
    """
    path = lock_path(state_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StateError(f"cannot create the directory of {path}: {err}") from err
    lock = AsyncFileLock(path, thread_local=False)
    try:
        try:
            await lock.acquire(timeout=0)
        except Timeout:
            _log.info("another scan is running; waiting for it", lock=str(path), wait_s=wait_s)
            await lock.acquire(timeout=wait_s)
    except Timeout:
        message = (
            f"another scan is using {state_path} and did not finish within {wait_s:g} s; "
            "this scan did nothing (try again later, or raise lock_wait_s)"
        )
        raise ScanBusyError(message) from None
    except OSError as err:
        raise StateError(f"cannot lock {path}: {err}") from err
    try:
        yield
    finally:
        await lock.release()
