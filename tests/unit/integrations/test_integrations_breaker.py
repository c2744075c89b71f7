"""Circuit breakers: async-correct, persisted between runs, one probe, logged once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from unifi_scanner.errors import IntegrationMisconfiguredError, IntegrationUnavailableError
from unifi_scanner.integrations import (
    BreakerState,
    IntegrationBreaker,
    IntegrationRunner,
    IntegrationStatus,
    RetryPolicy,
)
from unifi_scanner.testing import FakeIntegration, run_with_clock

HOUR = 3600.0


def _breaker(store, clock, **kwargs):
    return IntegrationBreaker("svc", store=store, now=clock.now, **kwargs)


def _run_once(fake, store, clock, **kwargs):
    """One scheduled run: a fresh runner, as a separate process would build."""
    kwargs.setdefault("retry", RetryPolicy(attempts=1))
    runner = IntegrationRunner([fake], store=store, now=clock.now, deadline_s=60.0, **kwargs)
    results = run_with_clock(runner.run(), clock)
    return results.sections[0], runner.breaker(fake.name)


def _events(logs, name):
    return [e for e in logs if e["event"] == name]


def test_failure_inside_await_is_counted(store, clock):
    """An exception raised after an await inside the guarded coroutine counts as a failure."""
    breaker = _breaker(store, clock)

    async def fails_later():
        await asyncio.sleep(0.1)
        raise ConnectionError("dropped")

    with pytest.raises(ConnectionError):
        run_with_clock(breaker.call(fails_later), clock)
    assert breaker.fail_count == 1


def test_cancellation_is_not_counted(store, clock):
    """A cancelled call is neither a failure nor a success."""
    breaker = _breaker(store, clock)
    with pytest.raises(ConnectionError):
        run_with_clock(breaker.call(_async_raiser(ConnectionError("x"))), clock)

    async def main():
        task = asyncio.create_task(breaker.call(lambda: asyncio.sleep(100)))
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_with_clock(main(), clock)
    assert breaker.fail_count == 1
    assert breaker.state is BreakerState.CLOSED


def _async_raiser(exc):
    async def _raise():
        raise exc

    return _raise


def test_timeouts_are_counted(store, clock):
    """An integration timing out counts one failed run."""
    _, breaker = _run_once(FakeIntegration.hanging("svc"), store, clock)
    assert breaker.fail_count == 1


def test_misconfiguration_is_not_counted(store, clock):
    """A refused token never opens the breaker."""
    error = IntegrationMisconfiguredError("token refused", integration="svc")
    fake = FakeIntegration.failing("svc", error)
    for _ in range(5):
        _, breaker = _run_once(fake, store, clock)
    assert breaker.state is BreakerState.CLOSED
    assert fake.calls == 5


def test_breaker_opens_after_fail_max_runs_and_shows_last_good_data(store, clock, logs):
    """After fail_max failed runs the next run skips the call and shows aged last good data."""
    fake = FakeIntegration(name="svc", display_name="Cloudflare", data={"blocked": 12})
    _run_once(fake, store, clock)
    fetched_at = clock.now()
    clock.advance(6 * HOUR)
    fake.error = ConnectionError("unreachable")
    for _ in range(3):
        section, breaker = _run_once(fake, store, clock)
        assert section.status is IntegrationStatus.FAILED
    assert breaker.state is BreakerState.OPEN
    assert fake.calls == 4
    assert len(_events(logs, "integration_circuit_opened")) == 1

    section, breaker = _run_once(fake, store, clock)
    assert fake.calls == 4
    assert section.status is IntegrationStatus.CIRCUIT_OPEN
    assert section.duration_s == pytest.approx(0.0)
    assert section.data == {"blocked": 12}
    assert section.stale_since == fetched_at
    assert section.age_s(clock.now()) == pytest.approx(6 * HOUR)
    assert (section.error_message or "").startswith("data from 6 h ago: Cloudflare unreachable")
    assert section.breaker_state is BreakerState.OPEN
    assert section.next_probe_at == clock.now() + timedelta(seconds=HOUR)
    assert len(_events(logs, "integration_circuit_opened")) == 1


def _open(fake, store, clock):
    fake.error = ConnectionError("down")
    for _ in range(3):
        _, breaker = _run_once(fake, store, clock)
    assert breaker.state is BreakerState.OPEN
    return breaker


def test_after_reset_timeout_one_probe_closes_the_breaker(store, clock, logs):
    """After reset_timeout exactly one call goes out, and its success closes the breaker."""
    fake = FakeIntegration(name="svc")
    _open(fake, store, clock)
    calls = fake.calls
    clock.advance(HOUR - 1)
    section, _ = _run_once(fake, store, clock)
    assert section.status is IntegrationStatus.CIRCUIT_OPEN
    assert fake.calls == calls
    clock.advance(1)
    fake.error = None
    section, breaker = _run_once(fake, store, clock)
    assert fake.calls == calls + 1
    assert section.status is IntegrationStatus.OK
    assert breaker.state is BreakerState.CLOSED
    assert breaker.fail_count == 0
    assert len(_events(logs, "integration_circuit_closed")) == 1


def test_failed_probe_is_a_single_call_and_reopens(store, clock, logs):
    """A failing probe is not retried, reopens the circuit, and does not log 'opened' again."""
    fake = FakeIntegration(name="svc")
    _open(fake, store, clock)
    calls = fake.calls
    clock.advance(HOUR)
    section, breaker = _run_once(fake, store, clock, retry=RetryPolicy(attempts=5))
    assert fake.calls == calls + 1
    assert section.status is IntegrationStatus.FAILED
    assert breaker.state is BreakerState.OPEN
    assert breaker.next_probe_at == clock.now() + timedelta(seconds=HOUR)
    assert len(_events(logs, "integration_circuit_opened")) == 1
    assert len(_events(logs, "integration_probe_failed")) == 1


def test_half_open_lets_exactly_one_probe_through_concurrent_runs(store, clock):
    """Two runs at once after reset_timeout: one probes, the other sees an open circuit."""
    fake = FakeIntegration(name="svc")
    _open(fake, store, clock)
    calls = fake.calls
    clock.advance(HOUR)
    fake.error = None
    fake.delay_s = 1.0
    first = IntegrationRunner([fake], store=store, now=clock.now)
    second = IntegrationRunner([fake], store=store, now=clock.now)

    async def both():
        return await asyncio.gather(first.run(), second.run())

    a, b = run_with_clock(both(), clock)
    assert fake.calls == calls + 1
    statuses = sorted([a.sections[0].status, b.sections[0].status])
    assert statuses == [IntegrationStatus.CIRCUIT_OPEN, IntegrationStatus.OK]


def test_cancelled_probe_releases_the_probe(store, clock):
    """A probe cancelled with its run lets the next run probe at once."""
    fake = FakeIntegration(name="svc")
    breaker = _open(fake, store, clock)
    clock.advance(HOUR)
    fake.error = None
    fake.delay_s = 10.0
    runner = IntegrationRunner([fake], store=store, now=clock.now)

    async def cancelled():
        task = asyncio.create_task(runner.run())
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_with_clock(cancelled(), clock)
    assert breaker.state is BreakerState.HALF_OPEN
    fake.delay_s = 0.0
    section, breaker = _run_once(fake, store, clock)
    assert section.status is IntegrationStatus.OK
    assert breaker.state is BreakerState.CLOSED


def test_stale_probe_lease_expires(store, clock):
    """A probe whose run died holds the circuit only until its lease expires."""
    breaker = _breaker(store, clock, fail_max=1, reset_timeout_s=10, probe_lease_s=30)
    with pytest.raises(ConnectionError):
        run_with_clock(breaker.call(_async_raiser(ConnectionError())), clock)
    clock.advance(10)
    assert breaker.admit() is True
    with pytest.raises(IntegrationUnavailableError, match="probing"):
        breaker.admit()
    clock.advance(30)
    assert breaker.admit() is True


def test_state_persists_across_breaker_instances(store, clock):
    """A new breaker on the same store sees the failures and the open state."""
    first = _breaker(store, clock, fail_max=2)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            run_with_clock(first.call(_async_raiser(ConnectionError())), clock)
    second = _breaker(store, clock, fail_max=2)
    assert second.state is BreakerState.OPEN
    assert second.fail_count == 2
    with pytest.raises(IntegrationUnavailableError):
        second.admit()


def test_reset_closes_the_breaker(store, clock):
    """reset() closes an open breaker and forgets its failures."""
    breaker = _breaker(store, clock, fail_max=1)
    with pytest.raises(ConnectionError):
        run_with_clock(breaker.call(_async_raiser(ConnectionError())), clock)
    assert breaker.state is BreakerState.OPEN
    breaker.reset()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.fail_count == 0
    assert breaker.admit() is False


def test_runner_reset_breakers_closes_all(store, clock):
    """IntegrationRunner.reset_breakers() closes every breaker it owns."""
    fake = FakeIntegration(name="svc")
    _open(fake, store, clock)
    runner = IntegrationRunner([fake], store=store, now=clock.now)
    runner.reset_breakers()
    assert runner.breaker("svc").state is BreakerState.CLOSED
