"""Fixtures for the integration tests: a fake clock, a memory store and captured logs."""

from __future__ import annotations

import pytest
import structlog

from unifi_scanner.testing import FakeClock, MemoryStateStore


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    """A fake clock at 2026-01-01 12:00 UTC."""
    return FakeClock()


@pytest.fixture(name="store")
def store_fixture() -> MemoryStateStore:
    """An empty in-memory state store."""
    return MemoryStateStore()


@pytest.fixture(name="logs")
def logs_fixture():
    """Every structlog event emitted during the test, as dicts."""
    with structlog.testing.capture_logs() as captured:
        yield captured
