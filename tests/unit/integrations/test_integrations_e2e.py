"""End to end through registry, runner and renderer: healthy, failing and hanging together."""

from __future__ import annotations

import asyncio

import pytest

from unifi_scanner.config import Settings
from unifi_scanner.integrations import IntegrationRegistry, IntegrationRunner, IntegrationStatus
from unifi_scanner.testing import fake_integration_class, run_with_clock


def test_healthy_failing_and_hanging_under_a_short_deadline(store, clock):
    """All three sections render within the deadline: data, an error, and a cut."""
    registry = IntegrationRegistry(
        [
            fake_integration_class("healthy", data={"tunnels": 2}, delay_s=0.5),
            fake_integration_class("failing", error=ConnectionError("503 from upstream")),
            fake_integration_class("hanging", delay_s=float("inf")),
            fake_integration_class("absent", configured=False),
        ]
    )
    selection = registry.select(Settings())
    runner = IntegrationRunner(
        selection.configured,
        skipped=selection.skipped,
        store=store,
        now=clock.now,
        deadline_s=5.0,
    )

    async def main():
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await runner.run()
        return results, loop.time() - started

    results, elapsed = run_with_clock(main(), clock)
    assert elapsed == pytest.approx(5.0)
    assert [s.name for s in results.sections] == ["healthy", "failing", "hanging"]
    statuses = [s.status for s in results.sections]
    assert statuses == [IntegrationStatus.OK, IntegrationStatus.FAILED, IntegrationStatus.TIMEOUT]
    rendered = {s.name: results.renderer_for(s.name).text(s) for s in results.sections}
    assert "tunnels: 2" in rendered["healthy"]
    assert "503 from upstream" in rendered["failing"]
    assert "cut by the run deadline after 5 s" in rendered["hanging"]
    assert all(results.renderer_for(s.name).html(s) for s in results.sections)
