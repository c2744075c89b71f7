"""The runner: isolation, timeouts, parallelism, retries, deadline, cancellation, records."""

from __future__ import annotations

import asyncio
import time

import pytest

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.config import IntegrationSettings, Settings
from unifi_scanner.errors import (
    IntegrationMisconfiguredError,
    IntegrationTransientError,
)
from unifi_scanner.integrations import (
    IntegrationResult,
    IntegrationRunner,
    IntegrationStatus,
    RetryPolicy,
)
from unifi_scanner.testing import FakeIntegration, run_with_clock


class _Settings(Settings):
    hang: IntegrationSettings = IntegrationSettings(timeout_s=2.0)
    stub: IntegrationSettings = IntegrationSettings(timeout_s=100.0)


def _runner(integrations, store, clock, **kwargs):
    kwargs.setdefault("deadline_s", 60.0)
    return IntegrationRunner(integrations, store=store, now=clock.now, **kwargs)


def _timed(runner, clock):
    """Run ``runner`` on the virtual clock; return (results, virtual seconds taken)."""

    async def main():
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await runner.run()
        return results, loop.time() - started

    return run_with_clock(main(), clock)


def test_one_failing_integration_does_not_hurt_the_working_one(store, clock):
    """A failing integration becomes a failed section; the working one has its data."""
    working = FakeIntegration(name="good", data={"blocked": 3})
    failing = FakeIntegration.failing("bad", ValueError("unparseable"))
    results, _ = _timed(_runner([working, failing], store, clock), clock)
    good, bad = results.get_section("good"), results.get_section("bad")
    assert good is not None
    assert good.success
    assert good.status is IntegrationStatus.OK
    assert good.data == {"blocked": 3}
    assert bad is not None
    assert not bad.success
    assert bad.status is IntegrationStatus.FAILED
    assert "unparseable" in (bad.error_message or "")
    assert results.has_data


def test_hanging_integration_is_cut_at_its_own_timeout_while_others_finish(store, clock):
    """A hanging integration times out at its configured timeout; the others complete."""
    hanging = FakeIntegration.hanging("hang")
    slow = FakeIntegration.slow("slow", 1.0)
    runner = _runner([hanging, slow], store, clock, settings=_Settings())
    results, elapsed = _timed(runner, clock)
    assert elapsed == pytest.approx(2.0)
    cut = results.get_section("hang")
    assert cut is not None
    assert cut.status is IntegrationStatus.TIMEOUT
    assert cut.error_message == (
        "Hang: unable to fetch data (timeout after 2 s); no earlier data available"
    )
    assert cut.duration_s == pytest.approx(2.0)
    done = results.get_section("slow")
    assert done is not None
    assert done.status is IntegrationStatus.OK
    assert done.duration_s == pytest.approx(1.0)


def test_default_timeout_is_thirty_seconds(store, clock):
    """Without a settings section an integration gets the 30 s default timeout."""
    results, elapsed = _timed(_runner([FakeIntegration.hanging("h")], store, clock), clock)
    assert elapsed == pytest.approx(30.0)
    assert "timeout after 30 s" in (results.sections[0].error_message or "")


def test_k_slow_integrations_run_in_parallel_on_the_virtual_clock(store, clock):
    """Eight integrations taking 1 s each finish in 1 s, not 8 s."""
    fakes = [FakeIntegration.slow(f"s{i}", 1.0) for i in range(8)]
    results, elapsed = _timed(_runner(fakes, store, clock, max_concurrency=8), clock)
    assert elapsed == pytest.approx(1.0)
    assert all(s.status is IntegrationStatus.OK for s in results.sections)


def test_k_slow_integrations_run_in_parallel_in_real_time(store):
    """Five integrations sleeping 0.2 s each finish well under their 1 s sum (real loop)."""
    fakes = [FakeIntegration.slow(f"s{i}", 0.2) for i in range(5)]
    runner = IntegrationRunner(fakes, store=store, max_concurrency=5)
    started = time.perf_counter()
    results = asyncio.run(runner.run())
    assert time.perf_counter() - started < 0.7
    assert len(results.sections) == 5


def test_concurrency_cap_limits_integrations_running_at_once(store, clock):
    """With a cap of 2, four 1 s integrations take 2 s."""
    fakes = [FakeIntegration.slow(f"s{i}", 1.0) for i in range(4)]
    _, elapsed = _timed(_runner(fakes, store, clock, max_concurrency=2), clock)
    assert elapsed == pytest.approx(2.0)


def test_blocking_integration_is_detected_and_named(store, clock, logs):
    """An integration that blocks the event loop fails, and the log names it."""
    blocking = FakeIntegration.blocking("blk", 0.2)
    results, _ = _timed(_runner([blocking], store, clock, block_threshold_s=0.05), clock)
    section = results.get_section("blk")
    assert section is not None
    assert section.status is IntegrationStatus.FAILED
    assert "blocked the event loop" in (section.error_message or "")
    blocked = [e for e in logs if e["event"] == "integration_blocked_event_loop"]
    assert [e["integration"] for e in blocked] == ["blk"]


def test_blocking_work_in_a_thread_is_fine(store, clock):
    """Blocking I/O moved to a thread is not flagged and completes."""

    class Threaded(FakeIntegration):
        async def fetch(self, window):  # noqa: ARG002 (the Protocol's signature)
            await asyncio.to_thread(time.sleep, 0.1)
            return IntegrationResult(name=self.name, success=True, data={"ok": True})

    runner = _runner([Threaded(name="thread")], store, clock, block_threshold_s=0.05)
    results, _ = _timed(runner, clock)
    assert results.sections[0].status is IntegrationStatus.OK


def test_bad_return_value_becomes_a_failed_section(store, clock):
    """A fetch that returns something other than its IntegrationResult fails its section."""
    odd = FakeIntegration(name="odd", result={"not": "a result"})
    misnamed = FakeIntegration(name="mis", result=IntegrationResult(name="other", success=True))
    results, _ = _timed(_runner([odd, misnamed], store, clock), clock)
    for section in results.sections:
        assert section.status is IntegrationStatus.FAILED
        assert "invalid result" in (section.error_message or "")


def test_unsuccessful_result_shows_its_data_and_error(store, clock):
    """A result with success=False keeps its data and shows its error."""
    partial = FakeIntegration(
        name="part",
        result=IntegrationResult(name="part", success=False, data={"n": 1}, error="page 2 lost"),
    )
    results, _ = _timed(_runner([partial], store, clock), clock)
    section = results.sections[0]
    assert section.status is IntegrationStatus.FAILED
    assert section.data == {"n": 1}
    assert section.error_message == "Part: page 2 lost"


def test_bug_is_logged_with_traceback(store, clock, logs):
    """An unexpected exception (a parse error) is logged with its traceback."""
    results, _ = _timed(_runner([FakeIntegration.failing("p", KeyError("x"))], store, clock), clock)
    assert "internal error (KeyError" in (results.sections[0].error_message or "")
    (crash,) = [e for e in logs if e["event"] == "integration_crashed"]
    assert isinstance(crash["exc_info"], KeyError)


def test_misconfiguration_raises_a_medium_finding_and_is_not_counted(store, clock):
    """A refused token gives a clear section error and a medium finding; no breaker count."""
    message = "Cloudflare token lacks Zone Analytics Read"
    fake = FakeIntegration.failing(
        "cloud", IntegrationMisconfiguredError(message, integration="cloud")
    )
    runner = _runner([fake], store, clock)
    results, _ = _timed(runner, clock)
    assert results.sections[0].error_message == f"{message}; no earlier data available"
    (finding,) = results.findings
    assert finding.severity is Severity.MEDIUM
    assert finding.title == message
    assert runner.breaker("cloud").fail_count == 0
    assert fake.calls == 1


def test_transient_error_is_retried_within_the_timeout(store, clock):
    """A transient error is retried with backoff and the run succeeds."""
    fake = FakeIntegration.failing("flaky", ConnectionError("reset"), fail_times=2)
    runner = _runner([fake], store, clock, retry=RetryPolicy(attempts=3))
    results, _ = _timed(runner, clock)
    assert results.sections[0].status is IntegrationStatus.OK
    assert fake.calls == 3
    assert runner.breaker("flaky").fail_count == 0


def test_retry_after_is_honoured(store, clock):
    """A 429 with Retry-After 7 s waits exactly 7 s before the retry."""
    error = IntegrationTransientError("429", integration="rl", retry_after=7.0)
    fake = FakeIntegration.failing("rl", error, fail_times=1)
    results, elapsed = _timed(_runner([fake], store, clock), clock)
    assert results.sections[0].status is IntegrationStatus.OK
    assert elapsed == pytest.approx(7.0)


def test_retry_after_beyond_the_timeout_is_not_waited_for(store, clock):
    """A Retry-After longer than the time left fails at once instead of timing out."""
    error = IntegrationTransientError("429", integration="rl", retry_after=300.0)
    fake = FakeIntegration.failing("rl", error)
    results, elapsed = _timed(_runner([fake], store, clock), clock)
    assert results.sections[0].status is IntegrationStatus.FAILED
    assert fake.calls == 1
    assert elapsed == pytest.approx(0.0)


def test_overall_deadline_cuts_pending_integrations_and_does_not_count_them(store, clock):
    """At the run deadline pending integrations are cut, reported, and not counted."""
    fakes = [FakeIntegration.hanging("h1"), FakeIntegration.slow("h2", 20.0)]
    fakes.append(FakeIntegration(name="quick"))
    runner = _runner(fakes, store, clock, deadline_s=5.0)
    results, elapsed = _timed(runner, clock)
    assert elapsed == pytest.approx(5.0)
    for name in ("h1", "h2"):
        section = results.get_section(name)
        assert section is not None
        assert section.status is IntegrationStatus.TIMEOUT
        assert "cut by the run deadline after 5 s" in (section.error_message or "")
        assert runner.breaker(name).fail_count == 0
    quick = results.get_section("quick")
    assert quick is not None
    assert quick.status is IntegrationStatus.OK


def test_integration_ignoring_cancellation_does_not_stop_the_report(store, clock, logs):
    """An integration that swallows one cancellation is abandoned and logged."""

    class Stubborn(FakeIntegration):
        async def fetch(self, window):  # noqa: ARG002 (the Protocol's signature)
            try:
                await asyncio.sleep(1000)
            except asyncio.CancelledError:
                await asyncio.sleep(1000)
            return IntegrationResult(name=self.name, success=True)

    runner = _runner([Stubborn(name="stub")], store, clock, deadline_s=3.0, settings=_Settings())
    results, elapsed = _timed(runner, clock)
    assert elapsed == pytest.approx(4.0)
    assert results.sections[0].status is IntegrationStatus.TIMEOUT
    assert any(e["event"] == "integration_ignored_cancellation" for e in logs)


def test_cancelled_run_records_nothing(store, clock):
    """Cancelling the run counts no failure and writes no status."""
    fake = FakeIntegration.hanging("h")
    runner = _runner([fake], store, clock)

    async def main():
        task = asyncio.create_task(runner.run())
        await asyncio.sleep(1.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_with_clock(main(), clock)
    assert runner.breaker("h").fail_count == 0
    assert store.records("integration_status") == {}


def test_broken_store_does_not_stop_the_run(store, clock):
    """With a state store that fails every call, sections are still produced."""
    store.close()
    results, _ = _timed(_runner([FakeIntegration(name="ok")], store, clock), clock)
    assert results.sections[0].status is IntegrationStatus.OK


def test_skipped_integrations_get_sections_without_running(store, clock):
    """Skipped integrations appear after the ones that ran, with their reason."""
    from unifi_scanner.integrations import IntegrationRegistry
    from unifi_scanner.testing import fake_integration_class

    registry = IntegrationRegistry(
        [fake_integration_class("half", configured=False, missing="token missing")]
    )
    selection = registry.select(Settings())
    runner = _runner([FakeIntegration(name="ok")], store, clock, skipped=selection.skipped)
    results, _ = _timed(runner, clock)
    assert [s.name for s in results.sections] == ["ok", "half"]
    half = results.get_section("half")
    assert half is not None
    assert half.status is IntegrationStatus.SKIPPED_PARTIAL_CONFIG
    assert not half.ran


def test_settings_provide_deadline_and_concurrency(store, clock):
    """The run's deadline and concurrency cap come from Settings when not given."""
    settings = Settings(integrations_deadline_s=3.0, integrations_max_concurrency=1)
    fakes = [FakeIntegration.slow("a", 2.0), FakeIntegration.slow("b", 2.0)]
    runner = IntegrationRunner(fakes, store=store, now=clock.now, settings=settings)
    results, elapsed = _timed(runner, clock)
    assert elapsed == pytest.approx(3.0)
    statuses = [s.status for s in results.sections]
    assert statuses == [IntegrationStatus.OK, IntegrationStatus.TIMEOUT]


def test_each_fetch_starts_where_the_last_good_one_ended(store, clock):
    """First run: the initial look-back; after a success: resumed; after a failure: same start."""
    from datetime import timedelta

    fake = FakeIntegration(name="win", fail_times=None)
    first_at = clock.now()
    _timed(_runner([fake], store, clock), clock)
    (first,) = fake.windows
    assert first is not None
    assert first.end == first_at
    assert first.start == first_at - timedelta(hours=24)
    assert not first.resumed

    clock.advance(3600)
    failing = FakeIntegration.failing("win")
    _timed(_runner([failing], store, clock, retry=RetryPolicy(attempts=1)), clock)
    clock.advance(3600)
    _timed(_runner([fake], store, clock), clock)
    resumed = fake.windows[-1]
    assert resumed is not None
    assert resumed.resumed
    assert resumed.start == first_at  # the failed run moved nothing on
    assert resumed.end == clock.now()


def test_a_catch_up_is_bounded_by_max_catchup_hours(store, clock):
    """After a long outage the window reaches back max_catchup_hours, no further."""
    from datetime import timedelta

    fake = FakeIntegration(name="win")
    _timed(_runner([fake], store, clock), clock)
    clock.advance(30 * 86400)
    settings = Settings(max_catchup_hours=48)
    _timed(_runner([fake], store, clock, settings=settings), clock)
    window = fake.windows[-1]
    assert window is not None
    assert window.start == clock.now() - timedelta(hours=48)
    assert not window.resumed


def test_findings_and_addresses_of_a_result_reach_the_results(store, clock):
    """A result's findings join the run's findings; its addresses the section (and last good)."""
    from unifi_scanner.analysis import Finding

    finding = Finding(rule="x.y", severity=Severity.MEDIUM, title="t", explanation="e")

    class WithExtras(FakeIntegration):
        async def fetch(self, window=None):
            await super().fetch(window)
            return IntegrationResult(
                name=self.name,
                success=True,
                data={"a": 1},
                findings=(finding,),
                addresses={"192.0.2.1": "seen"},
            )

    results, _ = _timed(_runner([WithExtras(name="extra")], store, clock), clock)
    assert finding in results.findings
    assert results.get_section("extra").addresses == {"192.0.2.1": "seen"}
    failing = FakeIntegration.failing("extra")
    results, _ = _timed(_runner([failing], store, clock, retry=RetryPolicy(attempts=1)), clock)
    stale = results.get_section("extra")
    assert stale.stale_since is not None
    assert stale.addresses == {"192.0.2.1": "seen"}  # the last good data keeps its addresses


def test_a_partial_answer_moves_the_window_on(store, clock):
    """A result that answered (even partly) is not fetched again: its window is done."""

    class Partial(FakeIntegration):
        async def fetch(self, window=None):
            await super().fetch(window)
            return IntegrationResult(name=self.name, success=False, error="one part refused")

    partial = Partial(name="part")
    _timed(_runner([partial], store, clock), clock)
    clock.advance(3600)
    _timed(_runner([partial], store, clock), clock)
    first, second = partial.windows
    assert second is not None
    assert first is not None
    assert second.start == first.end
    assert second.resumed


def test_a_clock_that_went_back_gives_an_empty_window_not_a_repeat(store, clock):
    """The wall clock stepped back: nothing is fetched twice."""
    from datetime import timedelta

    from unifi_scanner.integrations.records import save_window_end

    runner = _runner([FakeIntegration(name="win")], store, clock)
    save_window_end(store, "win", clock.now() + timedelta(seconds=5))  # an earlier, faster clock
    window = runner.window_for("win", clock.now())
    assert window.seconds == 0


def test_an_integration_that_needs_time_to_settle_ends_its_window_earlier(store, clock):
    """settle_s: the window ends that long before the run (late-indexed events are not lost)."""
    from datetime import timedelta

    class Slow(FakeIntegration):
        settle_s = 300.0

    slow = Slow(name="slow")
    _timed(_runner([slow], store, clock), clock)
    (window,) = slow.windows
    assert window is not None
    assert window.end == clock.now() - timedelta(seconds=300)
