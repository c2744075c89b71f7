"""One scan at a time per state file: the lock waits, gives up with ScanBusyError, never sticks."""

from __future__ import annotations

import pytest

from unifi_scanner.app.lock import lock_path, scan_lock
from unifi_scanner.errors import ScanBusyError, StateError


async def test_a_second_holder_waits_then_gives_up_without_running(tmp_path):
    """While one scan holds the lock, another gives up after its wait and runs nothing."""
    state = tmp_path / "deep" / "state.sqlite3"
    ran = []
    async with scan_lock(state, 0):
        assert lock_path(state).exists()
        with pytest.raises(ScanBusyError, match=r"another scan is using .*0.01 s"):
            async with scan_lock(state, 0.01):
                ran.append("second")
    assert ran == []


async def test_the_lock_is_free_once_released_even_after_an_error(tmp_path):
    """A scan that fails releases the lock; the next one gets it at once."""
    state = tmp_path / "state.sqlite3"
    with pytest.raises(RuntimeError):
        async with scan_lock(state, 0):
            raise RuntimeError("scan failed")
    async with scan_lock(state, 0):
        pass


async def test_a_lock_that_cannot_be_created_is_a_state_error(tmp_path):
    """A state path under a regular file fails as StateError, not as an OSError traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StateError):
        async with scan_lock(blocker / "state.sqlite3", 0):
            pass
