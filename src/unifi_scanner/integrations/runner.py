"""The integration runner: every configured integration in parallel, none able to hurt the run.

Per integration, outermost first: bulkhead (concurrency cap) → circuit breaker (persisted) →
timeout (``asyncio.timeout``) → retries (stamina, transient errors only) → blocking-call
watchdog → ``fetch()`` (a source) or ``enrich()`` (an enricher). Around all of them, one
deadline for the whole run. Every outcome becomes an :class:`IntegrationSection`; a failure
falls back to the last good data, labelled with its age. Sources run in :meth:`run`, alongside
the collection; enrichers in :meth:`IntegrationRunner.enrich`, once per site after analysis.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import stamina
import structlog

from unifi_scanner.errors import IntegrationTimeoutError, IntegrationUnavailableError
from unifi_scanner.integrations.base import (
    BreakerState,
    EnrichContext,
    Enricher,
    FetchWindow,
    Integration,
    IntegrationResult,
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
)
from unifi_scanner.integrations.breaker import IntegrationBreaker
from unifi_scanner.integrations.classify import ErrorClass, classify, retry_hook
from unifi_scanner.integrations.outcome import Failure, format_s, misconfigured_finding
from unifi_scanner.integrations.records import (
    RecordCache,
    load_last_good,
    load_window_end,
    save_last_good,
    save_status,
    save_window_end,
)
from unifi_scanner.integrations.registry import display_name_of, section_settings
from unifi_scanner.integrations.watchdog import StepTimer

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable

    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.collect.models import Snapshot
    from unifi_scanner.config import Settings
    from unifi_scanner.integrations.base import FindingNote, SectionRenderer
    from unifi_scanner.integrations.registry import SkippedIntegration
    from unifi_scanner.state.base import StateStore

__all__ = ["IntegrationPolicy", "IntegrationRunner", "RetryPolicy"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationPolicy:
    """Timeout and breaker settings of one integration (from its settings section)."""

    timeout_s: float = 30.0
    fail_max: int = 3
    reset_timeout_s: float = 3600.0

    @classmethod
    def for_integration(cls, settings: Settings | None, name: str) -> IntegrationPolicy:
        """Read the policy of ``name`` from its settings section, else the defaults."""
        section = section_settings(settings, name)
        if section is None:
            return cls()
        return cls(
            timeout_s=section.timeout_s,
            fail_max=section.fail_max,
            reset_timeout_s=section.reset_timeout_s,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Retries of transient errors, inside the breaker and the integration's timeout."""

    attempts: int = 3
    wait_initial_s: float = 0.5
    wait_max_s: float = 5.0
    wait_jitter_s: float = 0.5


class _LoopBlockedError(Exception):
    """An integration blocked the event loop (a bug: blocking I/O belongs in a thread)."""


class _BadResultError(Exception):
    """An integration returned something other than its own IntegrationResult."""


@dataclass(slots=True)
class _Run:
    """Mutable bookkeeping of one integration within one run."""

    integration: Integration | Enricher
    name: str
    display_name: str
    policy: IntegrationPolicy
    breaker: IntegrationBreaker
    started: float | None = None
    window: FetchWindow | None = None
    findings: list[Finding] = field(default_factory=list)
    notes: list[FindingNote] = field(default_factory=list)
    key: str = ""
    """Where its last good data, status and breaker live: the name for a source,
    ``name@site`` for an enricher (it runs once per site, on that site's data)."""

    def __post_init__(self) -> None:
        self.key = self.key or self.name

    @property
    def source(self) -> bool:
        """True for a source (``fetch``), False for an enricher (``enrich``)."""
        return isinstance(self.integration, Integration)


class IntegrationRunner:
    """Run integrations in parallel, each isolated, and collect their sections.

    Args:
        integrations: the configured integrations, sources and enrichers
            (``IntegrationRegistry.select(...).configured``).
        store: the state store (breakers, last good results, status).
        settings: per-integration sections and the run's deadline and concurrency cap.
        now: the wall clock (aware UTC).
        skipped: integrations that will not run, shown with their reason.
        renderers: section renderers by name (``IntegrationRegistry.renderer_for``); an
            integration's own ``section_renderer`` attribute is used otherwise.
        deadline_s: the whole run's deadline (default ``settings.integrations_deadline_s``).
        max_concurrency: integrations running at once (default from settings).
        retry: the retry policy for transient errors.
        block_threshold_s: a synchronous step longer than this is a blocking-call bug.
        monotonic: the clock the blocking watchdog measures with.
        cache_store: where the enrichers' caches live, when not in ``store`` (``analyze``
            keeps its runs' status out of the service's state, but shares the caches).
    """

    def __init__(
        self,
        integrations: Iterable[Integration | Enricher],
        *,
        store: StateStore,
        settings: Settings | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        skipped: Iterable[SkippedIntegration] = (),
        renderers: dict[str, SectionRenderer] | None = None,
        deadline_s: float | None = None,
        max_concurrency: int | None = None,
        retry: RetryPolicy = RetryPolicy(),
        block_threshold_s: float = 0.25,
        monotonic: Callable[[], float] = time.perf_counter,
        cache_store: StateStore | None = None,
    ) -> None:
        self._store = store
        self._cache_store = cache_store or store
        self._breakers: dict[str, IntegrationBreaker] = {}
        self._now = now
        self._skipped = tuple(skipped)
        self._lookback = timedelta(hours=24)
        self._max_catchup = timedelta(hours=168)
        if settings is not None:
            deadline_s = deadline_s or settings.integrations_deadline_s
            max_concurrency = max_concurrency or settings.integrations_max_concurrency
            self._lookback = timedelta(hours=settings.initial_lookback_hours)
            self._max_catchup = timedelta(hours=settings.max_catchup_hours)
        self._deadline_s = deadline_s or 60.0
        self._max_concurrency = max_concurrency or 4
        self._retry = retry
        self._block_threshold_s = block_threshold_s
        self._monotonic = monotonic
        self._renderers: dict[str, SectionRenderer] = dict(renderers or {})
        self._runs: list[_Run] = []
        self._subject: tuple[Snapshot, tuple[Finding, ...], IntegrationResults] | None = None
        for integration in integrations:
            name = integration.name
            policy = IntegrationPolicy.for_integration(settings, name)
            own = getattr(integration, "section_renderer", None)
            if own is not None and name not in self._renderers:
                self._renderers[name] = own
            display = display_name_of(integration, name)
            breaker = self._breaker_for(name, policy)
            self._runs.append(_Run(integration, name, display, policy, breaker))

    def _breaker_for(self, key: str, policy: IntegrationPolicy) -> IntegrationBreaker:
        breaker = self._breakers.get(key)
        if breaker is None:
            breaker = self._breakers[key] = IntegrationBreaker(
                key,
                store=self._store,
                now=self._now,
                fail_max=policy.fail_max,
                reset_timeout_s=policy.reset_timeout_s,
                probe_lease_s=policy.timeout_s + 60.0,
            )
        return breaker

    def breaker(self, name: str) -> IntegrationBreaker:
        """Return the breaker of ``name`` (an enricher's: of its last site; or ``name@site``).

        Raises:
            KeyError: it is not run here.
        """
        found = self._breakers.get(name)
        if found is not None:
            return found
        return next(run.breaker for run in self._runs if run.name == name)

    def reset_breakers(self) -> None:
        """Close every breaker of this runner and forget its failures."""
        for breaker in self._breakers.values():
            breaker.reset()

    async def run(self) -> IntegrationResults:
        """Run every source once, within the deadline.

        Returns:
            One section per source (and per skipped integration), in the order given.

        Raises:
            asyncio.CancelledError: the run itself was cancelled; nothing is recorded.
        """
        sections = [
            section
            for section in await self._run_all([run for run in self._runs if run.source])
            if section is not None
        ]
        for skip in self._skipped:
            section = skip.section()
            save_status(self._store, section, self._now())
            sections.append(section)
        runs = [run for run in self._runs if run.source]
        findings = tuple(finding for run in runs for finding in run.findings)
        return IntegrationResults(tuple(sections), findings, dict(self._renderers))

    async def enrich(
        self,
        snapshot: Snapshot,
        findings: tuple[Finding, ...],
        sources: IntegrationResults | None = None,
    ) -> IntegrationResults:
        """Run every enricher once on one site's snapshot and findings, within the deadline.

        Args:
            snapshot: the site's scan.
            findings: the analysis' findings (correlation included).
            sources: the sources' sections of this run (what :meth:`run` returned).

        Returns:
            One section per enricher that had something to say, their findings and their
            notes on ``findings``.

        Raises:
            asyncio.CancelledError: the run itself was cancelled; nothing is recorded.
        """
        runs = [run for run in self._runs if not run.source]
        for run in runs:
            run.findings.clear()
            run.notes.clear()
            run.key = f"{run.name}@{snapshot.site.name}"
            run.breaker = self._breaker_for(run.key, run.policy)
        self._subject = (snapshot, findings, sources or IntegrationResults())
        try:
            sections = [s for s in await self._run_all(runs) if s is not None]
        finally:
            self._subject = None
        return IntegrationResults(
            tuple(sections),
            tuple(finding for run in runs for finding in run.findings),
            {name: r for name, r in self._renderers.items() if name in {x.name for x in runs}},
            tuple(note for run in runs for note in run.notes),
        )

    async def _run_all(self, runs: list[_Run]) -> list[IntegrationSection | None]:
        """Run ``runs`` in parallel within the deadline; a section each (None: nothing to say)."""
        loop = asyncio.get_running_loop()
        bulkhead = asyncio.Semaphore(self._max_concurrency)
        tasks = {
            asyncio.create_task(self._run_one(run, bulkhead), name=f"integration:{run.name}"): run
            for run in runs
        }
        try:
            done, pending = (
                await asyncio.wait(tasks, timeout=self._deadline_s) if tasks else (set(), set())
            )
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks, timeout=1.0)
            raise
        for task in pending:
            task.cancel()
        if pending:
            _, stuck = await asyncio.wait(pending, timeout=1.0)
            for task in stuck:
                log.error("integration_ignored_cancellation", integration=tasks[task].name)
        sections: list[IntegrationSection | None] = []
        for task, run in tasks.items():
            if task in done:
                section = task.result()
            else:
                elapsed = loop.time() - run.started if run.started is not None else 0.0
                message = f"cut by the run deadline after {format_s(self._deadline_s)}"
                section = self._failed(run, Failure(IntegrationStatus.TIMEOUT, message), elapsed)
                self._record(section, run.key)
            sections.append(section)
        return sections

    def window_for(self, name: str, now: datetime, settle_s: float = 0.0) -> FetchWindow:
        """Return the period integration ``name`` fetches in a run that starts at ``now``.

        It starts where the last fetch that answered for its window ended (partial answers
        included: a part that is refused for good must not make the others repeat themselves),
        so a failed run loses nothing, but never more than ``max_catchup_hours`` back; the
        first run looks back ``initial_lookback_hours``. It ends ``settle_s`` before ``now``
        when the source needs time to index what just happened. A clock that went back gives
        an empty window rather than a repeat.

        Args:
            name: the integration's ``name``.
            now: the run's start (aware UTC).
            settle_s: how long the source takes to show an event.

        Returns:
            The window.
        """
        end = now - timedelta(seconds=settle_s)
        mark = load_window_end(self._store, name)
        if mark is None:
            last_good = load_last_good(self._store, name)
            mark = last_good.window_end if last_good is not None else None
        if mark is None:
            return FetchWindow(end - self._lookback, end)
        if mark >= end:
            log.warning("integration_clock_behind", integration=name, mark=mark.isoformat())
            return FetchWindow(end, end, resumed=True)
        oldest = end - self._max_catchup
        if mark < oldest:
            return FetchWindow(oldest, end)
        return FetchWindow(mark, end, resumed=True)

    async def _run_one(self, run: _Run, bulkhead: asyncio.Semaphore) -> IntegrationSection | None:
        loop = asyncio.get_running_loop()
        if run.source:
            run.window = self.window_for(run.name, self._now(), _settle_s(run.integration))
        async with bulkhead:
            run.started = loop.time()
            try:
                result = await run.breaker.call(lambda: self._attempt(run))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 (every failure becomes a section)
                failure = self._failure_of(run, exc)
                section = self._failed(run, failure, loop.time() - run.started)
            else:
                if result is None:
                    log.debug("integration_nothing_to_say", integration=run.name)
                    return None
                section = self._succeeded(run, result, loop.time() - run.started)
        self._record(section, run.key)
        return section

    def _call(self, run: _Run) -> Coroutine[Any, Any, IntegrationResult | None]:
        """The coroutine of one attempt: ``fetch(window)`` or ``enrich(snapshot, findings)``."""
        integration = run.integration
        if isinstance(integration, Integration):
            window = run.window or self.window_for(run.name, self._now(), _settle_s(integration))
            return integration.fetch(window)
        if self._subject is None:
            raise _BadResultError("an enricher ran outside IntegrationRunner.enrich")
        snapshot, findings, sources = self._subject
        if not _takes_context(integration.enrich):
            # the two-argument form ``enrich(snapshot, findings)``: no cache, no sources
            short: Callable[..., Coroutine[Any, Any, IntegrationResult | None]] = integration.enrich
            return short(snapshot, findings)
        cache = RecordCache(self._cache_store, run.name, self._now)
        context = EnrichContext(sources=sources, cache=cache, now=self._now)
        return integration.enrich(snapshot, findings, context)

    async def _attempt(self, run: _Run) -> IntegrationResult | None:
        loop = asyncio.get_running_loop()
        timer = StepTimer(self._monotonic)
        probe = run.breaker.state is BreakerState.HALF_OPEN
        try:
            async with asyncio.timeout(run.policy.timeout_s) as scope:
                when = scope.when()
                deadline = loop.time() + run.policy.timeout_s if when is None else when
                retrying = stamina.retry_context(
                    on=retry_hook(lambda: deadline - loop.time(), self._now),
                    attempts=1 if probe else self._retry.attempts,
                    timeout=None,
                    wait_initial=self._retry.wait_initial_s,
                    wait_max=self._retry.wait_max_s,
                    wait_jitter=self._retry.wait_jitter_s,
                )
                async for attempt in retrying:
                    with attempt:
                        result: object = await timer.run(self._call(run))
        except TimeoutError as err:
            message = f"timeout after {format_s(run.policy.timeout_s)}"
            raise IntegrationTimeoutError(message, integration=run.name) from err
        finally:
            if timer.longest_step_s > self._block_threshold_s:
                log.error(
                    "integration_blocked_event_loop",
                    integration=run.name,
                    blocked_s=round(timer.longest_step_s, 3),
                )
        if timer.longest_step_s > self._block_threshold_s:
            raise _LoopBlockedError(
                f"blocked the event loop for {timer.longest_step_s:.2f} s "
                "(blocking I/O must run in a thread or use an async client)"
            )
        if result is None and not run.source:
            return None
        if not isinstance(result, IntegrationResult) or result.name != run.name:
            raise _BadResultError(
                f"returned an invalid result ({type(result).__name__}, expected "
                f"IntegrationResult named {run.name!r})"
            )
        return result

    def _failure_of(self, run: _Run, exc: Exception) -> Failure:
        if isinstance(exc, IntegrationUnavailableError):
            due = run.breaker.next_probe_at
            when = f"; next try after {due:%Y-%m-%d %H:%M} UTC" if due else ""
            return Failure(IntegrationStatus.CIRCUIT_OPEN, f"unreachable (circuit open{when})")
        if isinstance(exc, IntegrationTimeoutError):
            return Failure(IntegrationStatus.TIMEOUT, str(exc))
        kind = classify(exc)
        if kind is ErrorClass.MISCONFIGURED:
            run.findings.append(misconfigured_finding(run.name, run.display_name, exc))
            return Failure(IntegrationStatus.FAILED, str(exc), whole_message=True)
        if kind is ErrorClass.TRANSIENT:
            log.warning("integration_failed", integration=run.name, error=str(exc))
            return Failure(IntegrationStatus.FAILED, _describe(exc))
        if isinstance(exc, _LoopBlockedError | _BadResultError):
            return Failure(
                IntegrationStatus.FAILED, f"{run.display_name}: {exc}", whole_message=True
            )
        log.error("integration_crashed", integration=run.name, exc_info=exc)
        reason = f"{run.display_name}: internal error ({type(exc).__name__}: {exc}); see the log"
        return Failure(IntegrationStatus.FAILED, reason, whole_message=True)

    def _succeeded(
        self, run: _Run, result: IntegrationResult, duration: float
    ) -> IntegrationSection:
        now = self._now()
        window_end = run.window.end if run.window is not None else now
        if run.source:
            save_window_end(self._store, run.name, window_end)
        if result.success:
            save_last_good(
                self._store,
                run.key,
                now,
                result.data,
                window_end=window_end,
                addresses=result.addresses,
            )
            last_success: datetime | None = now
        else:
            last_good = load_last_good(self._store, run.key)
            last_success = last_good.fetched_at if last_good else None
        run.findings.extend(result.findings)
        run.notes.extend(result.notes)
        return IntegrationSection(
            name=run.name,
            display_name=run.display_name,
            success=result.success,
            status=IntegrationStatus.OK if result.success else IntegrationStatus.FAILED,
            data=result.data,
            error_message=None if result.success else f"{run.display_name}: {result.error}",
            duration_s=duration,
            last_success=last_success,
            breaker_state=run.breaker.state,
            next_probe_at=run.breaker.next_probe_at,
            addresses=dict(result.addresses),
        )

    def _failed(self, run: _Run, failure: Failure, duration: float) -> IntegrationSection:
        last_good = load_last_good(self._store, run.key)
        message = failure.message_for(run.display_name)
        if last_good is not None:
            message = failure.with_age(message, self._now() - last_good.fetched_at)
        else:
            message = f"{message}; no earlier data available"
        return IntegrationSection(
            name=run.name,
            display_name=run.display_name,
            success=False,
            status=failure.status,
            data=last_good.data if last_good else {},
            error_message=message,
            duration_s=duration,
            stale_since=last_good.fetched_at if last_good else None,
            last_success=last_good.fetched_at if last_good else None,
            breaker_state=run.breaker.state,
            next_probe_at=run.breaker.next_probe_at,
            addresses=dict(last_good.addresses) if last_good else {},
        )

    def _record(self, section: IntegrationSection, key: str) -> None:
        save_status(self._store, section, self._now(), key=key)
        log.info(
            "integration_run",
            integration=key,
            status=section.status.value,
            duration_s=round(section.duration_s, 3),
            breaker_state=section.breaker_state.value,
            last_success=None if section.last_success is None else section.last_success.isoformat(),
            stale=section.stale_since is not None,
        )


def _settle_s(integration: Integration | Enricher) -> float:
    """The integration's optional ``settle_s`` (how long its source takes to show an event)."""
    value = getattr(integration, "settle_s", 0.0)
    return float(value) if isinstance(value, int | float) and value > 0 else 0.0


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text or type(exc).__name__


def _takes_context(enrich: Callable[..., object]) -> bool:
    """Whether ``enrich`` takes the third argument (``context``); True when unsure."""
    try:
        signature = inspect.signature(enrich)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(None, None, None)
    except TypeError:
        with contextlib.suppress(TypeError):
            signature.bind(None, None)
            return False
    return True
