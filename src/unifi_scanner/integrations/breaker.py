"""One circuit breaker per integration, async-correct, persisted in the state store.

pybreaker 1.4 keeps the state machine (closed → open → half-open → closed, ``fail_max``,
``exclude``); this module adds what it lacks (see ``docs/integrations.md``):

* async: the guarded ``await`` runs outside pybreaker, and only its outcome is fed in, so no
  lock is held across ``await`` and failures inside the coroutine are counted;
* cancellation is neither a failure nor a success: it is not fed in at all;
* persistence: :class:`StoreBreakerStorage` keeps the state in the :class:`StateStore`, since a
  scheduled report calls each integration about once per run;
* an injected clock decides open → half-open, and a probe lease lets exactly one probe through;
* one log line when the circuit opens and one when it closes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import pybreaker
import structlog

from unifi_scanner.errors import IntegrationUnavailableError, StateError
from unifi_scanner.integrations.base import BreakerState
from unifi_scanner.integrations.classify import ErrorClass, classify

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from unifi_scanner.state.base import StateStore

__all__ = ["BREAKER_NAMESPACE", "IntegrationBreaker", "StoreBreakerStorage"]

BREAKER_NAMESPACE = "breaker"
_T = TypeVar("_T")
log = structlog.get_logger(__name__)


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


class StoreBreakerStorage(pybreaker.CircuitBreakerStorage):
    """pybreaker storage kept as one record per integration under the ``breaker`` namespace.

    A store that cannot be read counts as a closed breaker; one that cannot be written is
    logged: the breaker never takes the report down.

    Args:
        name: the integration's ``name`` (the record key).
        store: the state store.
    """

    def __init__(self, name: str, store: StateStore) -> None:
        super().__init__(name)
        self._store = store

    def _load(self) -> dict[str, Any]:
        try:
            record = self._store.get_record(BREAKER_NAMESPACE, self.name)
        except StateError:
            log.exception("breaker_state_unreadable", integration=self.name)
            return {}
        return dict(record or {})

    def _update(self, **changes: object) -> None:
        record = self._load()
        record.update(changes)
        try:
            self._store.put_record(BREAKER_NAMESPACE, self.name, record)
        except StateError:
            log.exception("breaker_state_unwritable", integration=self.name)

    @property
    def state(self) -> str:
        """The pybreaker state string."""
        return str(self._load().get("state", pybreaker.STATE_CLOSED))

    @state.setter
    def state(self, state: str) -> None:
        self._update(state=state)

    def increment_counter(self) -> None:
        """Count one more failed run."""
        self._update(fail_counter=self.counter + 1)

    def reset_counter(self) -> None:
        """Forget failed runs."""
        self._update(fail_counter=0)

    def increment_success_counter(self) -> None:
        """Count one more successful probe."""
        self._update(success_counter=self.success_counter + 1)

    def reset_success_counter(self) -> None:
        """Forget successful probes."""
        self._update(success_counter=0)

    @property
    def counter(self) -> int:
        """Failed runs in a row."""
        return int(self._load().get("fail_counter", 0))

    @property
    def success_counter(self) -> int:
        """Successful probes in a row."""
        return int(self._load().get("success_counter", 0))

    @property
    def opened_at(self) -> datetime | None:
        """When the circuit last opened."""
        return _parse(self._load().get("opened_at"))

    @opened_at.setter
    def opened_at(self, value: datetime) -> None:
        self._update(opened_at=value.isoformat())

    @property
    def probe_started_at(self) -> datetime | None:
        """When the probe in flight started, if one is."""
        return _parse(self._load().get("probe_started_at"))

    @probe_started_at.setter
    def probe_started_at(self, value: datetime | None) -> None:
        self._update(probe_started_at=None if value is None else value.isoformat())


class _ClockedBreaker(pybreaker.CircuitBreaker):
    """pybreaker's breaker with ``opened_at`` taken from the injected clock."""

    def __init__(self, *, now: Callable[[], datetime], **kwargs: Any) -> None:  # noqa: ANN401 (pybreaker's)
        self._now = now
        super().__init__(**kwargs)

    def open(self) -> bool:
        with self._lock:
            self._state_storage.opened_at = self._now()
            self.state = self._state_storage.state = pybreaker.STATE_OPEN
            return bool(self._throw_new_error_on_trip)


def _reraise(exc: BaseException) -> NoReturn:
    raise exc


def _noop() -> None:
    return None


class IntegrationBreaker:
    """The circuit breaker of one integration, owned by a runner (never module-level).

    Args:
        name: the integration's ``name``.
        store: where the state persists between runs (and processes).
        now: the wall clock (aware UTC).
        fail_max: failed runs in a row that open the circuit.
        reset_timeout_s: how long the circuit stays open before one probe is let through.
        probe_lease_s: how long a probe in flight keeps other runs out (a crashed prober's
            lease expires and the next run probes).
    """

    def __init__(
        self,
        name: str,
        *,
        store: StateStore,
        now: Callable[[], datetime],
        fail_max: int = 3,
        reset_timeout_s: float = 3600.0,
        probe_lease_s: float = 90.0,
    ) -> None:
        self.name = name
        self._now = now
        self._storage = StoreBreakerStorage(name, store)
        self._probe_lease = timedelta(seconds=probe_lease_s)
        self._breaker = _ClockedBreaker(
            now=now,
            fail_max=fail_max,
            reset_timeout=reset_timeout_s,
            exclude=[lambda exc: classify(exc) is ErrorClass.MISCONFIGURED],
            state_storage=self._storage,
            name=name,
        )

    @property
    def state(self) -> BreakerState:
        """The current state, as stored."""
        return BreakerState(self._storage.state)

    @property
    def fail_count(self) -> int:
        """Failed runs in a row."""
        return self._storage.counter

    @property
    def fail_max(self) -> int:
        """Failed runs in a row that open the circuit."""
        return int(self._breaker.fail_max)

    @property
    def next_probe_at(self) -> datetime | None:
        """When the circuit is open, when the next probe is due."""
        opened_at = self._storage.opened_at
        if self.state is BreakerState.CLOSED or opened_at is None:
            return None
        return opened_at + timedelta(seconds=self._breaker.reset_timeout)

    def admit(self) -> bool:
        """Decide whether a call may go out now.

        Returns:
            True when the call is the half-open probe, False for an ordinary call.

        Raises:
            IntegrationUnavailableError: the circuit is open, or another run holds the probe.
        """
        now = self._now()
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.OPEN:
            due = self.next_probe_at
            if due is not None and now < due:
                raise IntegrationUnavailableError(
                    f"circuit open until {due.isoformat()}", integration=self.name
                )
            self._breaker.half_open()
            log.info("integration_circuit_probing", integration=self.name)
        else:
            started = self._storage.probe_started_at
            if started is not None and now < started + self._probe_lease:
                raise IntegrationUnavailableError(
                    "another run is probing this integration", integration=self.name
                )
        self._storage.probe_started_at = now
        return True

    async def call(self, func: Callable[[], Awaitable[_T]]) -> _T:
        """Admit, await ``func()``, and record its outcome.

        Cancellation is not recorded (it releases a probe). Misconfiguration counts as the
        service answering. Everything else that escapes counts as one failed run.

        Args:
            func: makes the awaitable to guard.

        Returns:
            What ``func()`` returned.

        Raises:
            IntegrationUnavailableError: the circuit is open; ``func`` was not called.
        """
        probe = self.admit()
        try:
            result = await func()
        except BaseException as exc:
            if isinstance(exc, Exception):
                self.record_failure(exc)
            elif probe:
                self._storage.probe_started_at = None
            raise
        self.record_success()
        return result

    def record_success(self) -> None:
        """Record a successful call (closes a half-open circuit)."""
        before = self.state
        self._breaker.call(_noop)
        self._after(before)

    def record_failure(self, exc: Exception) -> None:
        """Record a failed call (may open the circuit); misconfiguration counts as success.

        Args:
            exc: what the call raised.
        """
        before = self.state
        traceback = exc.__traceback__
        try:
            self._breaker.call(_reraise, exc)
        except pybreaker.CircuitBreakerError:
            pass
        except Exception as again:
            if again is not exc:
                raise
        finally:
            exc.__traceback__ = traceback
        self._after(before)

    def _after(self, before: BreakerState) -> None:
        after = self.state
        if after is not BreakerState.HALF_OPEN:
            self._storage.probe_started_at = None
        if after is before:
            return
        if after is BreakerState.OPEN and before is BreakerState.CLOSED:
            log.warning(
                "integration_circuit_opened",
                integration=self.name,
                failed_runs=self.fail_count,
                next_probe_at=_iso(self.next_probe_at),
            )
        elif after is BreakerState.OPEN:
            log.info(
                "integration_probe_failed",
                integration=self.name,
                next_probe_at=_iso(self.next_probe_at),
            )
        elif after is BreakerState.CLOSED:
            log.info("integration_circuit_closed", integration=self.name)

    def reset(self) -> None:
        """Close the circuit and forget its failures (tests, ``integrations --reset``)."""
        self._breaker.close()
        self._storage.reset_counter()
        self._storage.probe_started_at = None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
