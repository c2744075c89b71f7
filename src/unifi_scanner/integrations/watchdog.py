"""Blocking-call detection: time every synchronous step of an integration's coroutine.

Between two ``await`` points a coroutine runs alone on the event loop. :class:`StepTimer`
drives the coroutine itself and measures each step with a monotonic clock, so a blocking call
(``time.sleep``, ``requests.get``, a sync SDK) is caught and attributed to the integration
that made it, without asyncio debug mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Generator

__all__ = ["StepTimer"]

_T = TypeVar("_T")


class StepTimer:
    """Measures the longest synchronous step of the coroutines it drives.

    Args:
        monotonic: the clock (``time.perf_counter``): real time, even under a virtual loop.
    """

    __slots__ = ("_monotonic", "longest_step_s")

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self.longest_step_s = 0.0

    async def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Await ``coro``, timing each of its steps.

        Args:
            coro: the coroutine to drive.

        Returns:
            What ``coro`` returned.
        """
        result: _T = await _Stepped(coro, self)
        return result

    def _note(self, started: float) -> None:
        self.longest_step_s = max(self.longest_step_s, self._monotonic() - started)


class _Stepped:
    __slots__ = ("_coro", "_timer")

    def __init__(self, coro: Coroutine[Any, Any, Any], timer: StepTimer) -> None:
        self._coro = coro
        self._timer = timer

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, timer = self._coro, self._timer
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            started = timer._monotonic()  # noqa: SLF001 (same module)
            try:
                yielded = coro.send(sent) if thrown is None else coro.throw(thrown)
            except StopIteration as stop:
                return stop.value
            finally:
                timer._note(started)  # noqa: SLF001 (same module)
            sent, thrown = None, None
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 (forwarded into the coroutine)
                thrown = exc
