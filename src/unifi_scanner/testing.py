# ruff: noqa: ANN401  (fakes forward keyword arguments; selector signatures follow typeshed)
"""Test kit: fake integrations, an in-memory state store and a fake clock.

Write an integration test in a few lines::

    clock = FakeClock()
    runner = IntegrationRunner([FakeIntegration.hanging("slow")], store=MemoryStateStore(),
                               now=clock.now, deadline_s=5)
    results = run_with_clock(runner.run(), clock)   # 5 virtual seconds, instantly

:class:`VirtualClockLoop` is an asyncio loop whose time is the :class:`FakeClock`: when
nothing is ready it jumps straight to the next timer, so timeouts and sleeps take no real time
and durations are exact. Work in threads (``asyncio.to_thread``) still takes real time.
"""

from __future__ import annotations

import asyncio
import math
import selectors
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple, Unpack

from unifi_scanner.integrations.base import IntegrationResult
from unifi_scanner.state.memory import MemoryStateStore

if TYPE_CHECKING:
    import concurrent.futures
    from collections.abc import Callable, Coroutine, Mapping

    from _typeshed import FileDescriptorLike

    from unifi_scanner.integrations.base import FetchWindow

__all__ = [
    "FakeClock",
    "FakeIntegration",
    "MemoryStateStore",
    "VirtualClockLoop",
    "fake_integration_class",
    "run_with_clock",
]

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")
_NO_EVENTS_LIMIT_S = 10.0


class FakeClock:
    """A clock that moves only when told to (or when a :class:`VirtualClockLoop` waits).

    Args:
        start: the wall time at monotonic 0 (aware UTC).
    """

    def __init__(self, start: datetime = datetime(2026, 1, 1, 12, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0

    def now(self) -> datetime:
        """Return the current wall time (use as ``now=clock.now``)."""
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        """Return seconds since the start."""
        return self._elapsed

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._elapsed += seconds


class _AutoJumpSelector(selectors.BaseSelector):
    """Delegates to a real selector; a wait with nothing ready advances the fake clock instead."""

    def __init__(self, clock: FakeClock, loop_jobs: Callable[[], int]) -> None:
        self._inner = selectors.DefaultSelector()
        self._clock = clock
        self._jobs = loop_jobs

    def register(
        self, fileobj: FileDescriptorLike, events: int, data: Any = None
    ) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(
        self, fileobj: FileDescriptorLike, events: int, data: Any = None
    ) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._inner.select(0)
        if ready or timeout == 0:
            return ready
        if self._jobs() or timeout is None:
            # Threads are working: wait for real, and let the clock follow real time.
            limit = _NO_EVENTS_LIMIT_S if timeout is None else timeout
            started = time.monotonic()
            ready = self._inner.select(limit)
            self._clock.advance(min(time.monotonic() - started, limit))
            if not ready and timeout is None:
                raise RuntimeError("VirtualClockLoop: nothing scheduled and nothing ready")
            return ready
        self._clock.advance(max(0.0, timeout))
        return []

    def close(self) -> None:
        self._inner.close()

    def get_key(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        return self._inner.get_key(fileobj)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` is a :class:`FakeClock` that jumps to the next timer.

    Args:
        clock: the clock to read and advance.
    """

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._executor_jobs = 0
        super().__init__(_AutoJumpSelector(clock, lambda: self._executor_jobs))

    def time(self) -> float:
        """Return the fake clock's monotonic time."""
        return self._clock.monotonic()

    def run_in_executor(
        self,
        executor: concurrent.futures.Executor | None,
        func: Callable[[Unpack[_Ts]], _T],
        *args: *_Ts,
    ) -> asyncio.Future[_T]:
        """Run ``func`` in a thread, counting it so the clock waits for it in real time."""
        future = super().run_in_executor(executor, func, *args)
        self._executor_jobs += 1
        future.add_done_callback(self._job_done)
        return future

    def _job_done(self, _: asyncio.Future[Any]) -> None:
        self._executor_jobs -= 1


def run_with_clock(main: Coroutine[Any, Any, _T], clock: FakeClock | None = None) -> _T:
    """Run ``main`` to completion on a :class:`VirtualClockLoop` (like ``asyncio.run``).

    Args:
        main: the coroutine.
        clock: the clock (a new one starting at 2026-01-01 12:00 UTC by default).

    Returns:
        What ``main`` returned.
    """
    the_clock = clock or FakeClock()
    with asyncio.Runner(loop_factory=lambda: VirtualClockLoop(the_clock)) as runner:
        return runner.run(main)


class FakeIntegration:
    """A configurable :class:`~unifi_scanner.integrations.base.Integration`.

    Args:
        settings: ignored (the registry passes Settings).
        name: the integration's ``name``.
        display_name: its heading.
        data: what a successful fetch returns.
        configured: what ``is_configured()`` says.
        missing: what ``validate_config()`` says (a partial configuration).
        delay_s: awaited before answering (slow); ``math.inf`` hangs forever.
        block_s: a blocking ``time.sleep`` before answering (the bug the runner catches).
        error: raised by ``fetch()`` instead of answering.
        fail_times: raise ``error`` only on the first ``fail_times`` calls (None: always).
        result: returned by ``fetch()`` instead of a proper result (a bad return value).
    """

    def __init__(
        self,
        settings: object = None,
        *,
        name: str = "fake",
        display_name: str | None = None,
        data: Mapping[str, Any] | None = None,
        configured: bool = True,
        missing: str | None = None,
        delay_s: float = 0.0,
        block_s: float = 0.0,
        error: BaseException | None = None,
        fail_times: int | None = None,
        result: object = None,
    ) -> None:
        self.settings = settings
        self.name = name
        self.display_name = display_name or name.title()
        self.data: Mapping[str, Any] = {"items": 1} if data is None else data
        self.configured = configured
        self.missing = missing
        self.delay_s = delay_s
        self.block_s = block_s
        self.error = error
        self.fail_times = fail_times
        self.result = result
        self.calls = 0
        self.windows: list[FetchWindow | None] = []

    @classmethod
    def slow(cls, name: str, delay_s: float, **kwargs: Any) -> FakeIntegration:
        """Return a fake that answers after ``delay_s``."""
        return cls(name=name, delay_s=delay_s, **kwargs)

    @classmethod
    def hanging(cls, name: str, **kwargs: Any) -> FakeIntegration:
        """Return a fake that never answers."""
        return cls(name=name, delay_s=math.inf, **kwargs)

    @classmethod
    def failing(
        cls, name: str, error: BaseException | None = None, **kwargs: Any
    ) -> FakeIntegration:
        """Return a fake whose fetch raises ``error`` (a ``ConnectionError`` by default)."""
        return cls(name=name, error=error or ConnectionError("connection refused"), **kwargs)

    @classmethod
    def blocking(cls, name: str, block_s: float = 0.3, **kwargs: Any) -> FakeIntegration:
        """Return a fake that blocks the event loop for ``block_s`` (real time)."""
        return cls(name=name, block_s=block_s, **kwargs)

    @classmethod
    def unconfigured(cls, name: str, **kwargs: Any) -> FakeIntegration:
        """Return a fake with no settings at all."""
        return cls(name=name, configured=False, **kwargs)

    @classmethod
    def partially_configured(cls, name: str, missing: str, **kwargs: Any) -> FakeIntegration:
        """Return a fake with some settings, missing ``missing``."""
        return cls(name=name, configured=False, missing=missing, **kwargs)

    def is_configured(self) -> bool:
        """Return ``configured``."""
        return self.configured

    def validate_config(self) -> str | None:
        """Return ``missing``."""
        return self.missing

    async def fetch(self, window: FetchWindow | None = None) -> IntegrationResult:
        """Behave as configured: sleep, block, hang, raise or answer; record ``window``."""
        self.calls += 1
        self.windows.append(window)
        if self.delay_s == math.inf:
            await asyncio.get_running_loop().create_future()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.block_s:
            time.sleep(self.block_s)  # noqa: ASYNC251 (the blocking bug this fake stands for)
        if self.error is not None and (self.fail_times is None or self.calls <= self.fail_times):
            raise self.error.with_traceback(None)
        if self.result is not None:
            return self.result  # type: ignore[return-value]
        return IntegrationResult(name=self.name, success=True, data=self.data)


def fake_integration_class(name: str, **behaviour: Any) -> type[FakeIntegration]:
    """Return a :class:`FakeIntegration` subclass for a registry: ``cls(settings)``.

    Args:
        name: the ``name`` class attribute and the instances' name.
        **behaviour: :class:`FakeIntegration` keyword arguments; ``constructor_error`` makes
            the constructor raise it.

    Returns:
        The class.
    """
    constructor_error: BaseException | None = behaviour.pop("constructor_error", None)

    def __init__(self: FakeIntegration, settings: object = None) -> None:  # noqa: N807
        if constructor_error is not None:
            raise constructor_error
        FakeIntegration.__init__(self, settings, name=name, **behaviour)

    namespace = {"name": name, "__init__": __init__, "display_name": behaviour.get("display_name")}
    return type(f"Fake{name.title().replace('_', '')}Integration", (FakeIntegration,), namespace)
