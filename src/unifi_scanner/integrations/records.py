"""What the runner remembers between runs: last good results and per-integration status.

``integration_last_good/<name>``: ``{fetched_at, data}`` of the last successful fetch.
``integration_status/<name>``: the outcome of the last run (what ``unifi-scanner integrations``
prints through :func:`integration_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from unifi_scanner.errors import StateError
from unifi_scanner.integrations.base import BreakerState, IntegrationStatus
from unifi_scanner.integrations.breaker import BREAKER_NAMESPACE
from unifi_scanner.integrations.registry import display_name_of, section_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from unifi_scanner.config import Settings
    from unifi_scanner.integrations.base import IntegrationSection
    from unifi_scanner.integrations.registry import IntegrationRegistry
    from unifi_scanner.state.base import StateStore

__all__ = [
    "CACHE_NAMESPACE_PREFIX",
    "LAST_GOOD_NAMESPACE",
    "STATUS_NAMESPACE",
    "WINDOW_NAMESPACE",
    "IntegrationStatusRow",
    "LastGood",
    "RecordCache",
    "integration_status",
    "load_last_good",
    "load_window_end",
    "save_last_good",
    "save_status",
    "save_window_end",
]

LAST_GOOD_NAMESPACE = "integration_last_good"
WINDOW_NAMESPACE = "integration_window"
STATUS_NAMESPACE = "integration_status"
CACHE_NAMESPACE_PREFIX = "integration_cache:"
log = structlog.get_logger(__name__)


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class LastGood:
    """The last successful result of one integration.

    Attributes:
        fetched_at: when it was fetched.
        data: the section data.
        window_end: the end of the period it covered (the next fetch starts there).
        addresses: the outside addresses it saw, with what it saw of each.
    """

    fetched_at: datetime
    data: Mapping[str, Any]
    window_end: datetime | None = None
    addresses: Mapping[str, str] = field(default_factory=dict)


def load_last_good(store: StateStore, name: str) -> LastGood | None:
    """Return the last good result of ``name``, or None (also when the store fails)."""
    try:
        record = store.get_record(LAST_GOOD_NAMESPACE, name)
    except StateError:
        log.exception("integration_last_good_unreadable", integration=name)
        return None
    fetched_at = _parse(record.get("fetched_at")) if record else None
    if record is None or fetched_at is None:
        return None
    data = record.get("data")
    addresses = record.get("addresses")
    return LastGood(
        fetched_at,
        data if isinstance(data, dict) else {},
        window_end=_parse(record.get("window_end")),
        addresses={str(k): str(v) for k, v in addresses.items()}
        if isinstance(addresses, dict)
        else {},
    )


def save_last_good(
    store: StateStore,
    name: str,
    fetched_at: datetime,
    data: Mapping[str, Any],
    *,
    window_end: datetime | None = None,
    addresses: Mapping[str, str] | None = None,
) -> None:
    """Remember ``data`` as the last good result of ``name`` (store failures are logged)."""
    record: dict[str, Any] = {"fetched_at": fetched_at.isoformat(), "data": dict(data)}
    if window_end is not None:
        record["window_end"] = window_end.isoformat()
    if addresses:
        record["addresses"] = dict(addresses)
    try:
        store.put_record(LAST_GOOD_NAMESPACE, name, record)
    except (StateError, TypeError, ValueError):
        log.exception("integration_last_good_unwritable", integration=name)


class RecordCache:
    """One integration's cache in the state store: JSON values by key, each with its age.

    Store failures never reach the integration: a failed read is a miss, a failed write is
    logged and forgotten.

    Args:
        store: the state store.
        name: the integration's name (its cache's namespace).
        now: the wall clock.
    """

    def __init__(self, store: StateStore, name: str, now: Callable[[], datetime]) -> None:
        self._store = store
        self._namespace = f"{CACHE_NAMESPACE_PREFIX}{name}"
        self._name = name
        self._now = now

    def get(self, key: str, max_age: timedelta) -> Mapping[str, Any] | None:
        """Return the value stored under ``key`` if it is younger than ``max_age``."""
        try:
            record = self._store.get_record(self._namespace, key)
        except StateError:
            log.exception("integration_cache_unreadable", integration=self._name)
            return None
        at = _parse(record.get("at")) if record else None
        value = record.get("value") if record else None
        if at is None or not isinstance(value, dict) or self._now() - at >= max_age:
            return None
        return value

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store ``value`` under ``key``, stamped with the clock's time."""
        try:
            self._store.put_record(
                self._namespace, key, {"at": self._now().isoformat(), "value": dict(value)}
            )
        except (StateError, TypeError, ValueError):
            log.exception("integration_cache_unwritable", integration=self._name)

    def prune(self, max_age: timedelta) -> int:
        """Delete the values older than ``max_age``; return how many went."""
        try:
            records = self._store.records(self._namespace)
            old = [
                key
                for key, record in records.items()
                if (at := _parse(record.get("at"))) is None or self._now() - at >= max_age
            ]
            for key in old:
                self._store.delete_record(self._namespace, key)
        except StateError:
            log.exception("integration_cache_unprunable", integration=self._name)
            return 0
        return len(old)


def load_window_end(store: StateStore, name: str) -> datetime | None:
    """Return where the last fetch that answered ended (None: never, or unreadable)."""
    try:
        record = store.get_record(WINDOW_NAMESPACE, name)
    except StateError:
        log.exception("integration_window_unreadable", integration=name)
        return None
    return _parse(record.get("end")) if record else None


def save_window_end(store: StateStore, name: str, end: datetime) -> None:
    """Remember that the period up to ``end`` was fetched (store failures are logged)."""
    try:
        store.put_record(WINDOW_NAMESPACE, name, {"end": end.isoformat()})
    except StateError:
        log.exception("integration_window_unwritable", integration=name)


def save_status(
    store: StateStore, section: IntegrationSection, ran_at: datetime, *, key: str | None = None
) -> None:
    """Remember the outcome of one integration's run (store failures are logged).

    ``key`` is where (``name@site`` for an enricher's run on one site); the name by default.
    """
    key = key or section.name
    record = {
        "display_name": section.display_name,
        "status": section.status.value,
        "ran_at": ran_at.isoformat(),
        "duration_s": round(section.duration_s, 3),
        "error": section.error_message,
        "breaker_state": section.breaker_state.value,
        "next_probe_at": None
        if section.next_probe_at is None
        else section.next_probe_at.isoformat(),
    }
    try:
        store.put_record(STATUS_NAMESPACE, key, record)
    except StateError:
        log.exception("integration_status_unwritable", integration=key)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationStatusRow:
    """One line of ``unifi-scanner integrations``.

    Attributes:
        name: the integration's ``name``.
        display_name: its heading.
        status: the last run's outcome (``disabled`` when switched off now), None if never run.
        ran_at: when it last ran.
        duration_s: how long that took.
        last_success: when it last fetched data.
        breaker_state: its circuit breaker's state.
        failed_runs: failed runs in a row (counted by the breaker).
        next_probe_at: when the breaker is open, when the next probe is due.
        error: the last run's error message.
    """

    name: str
    display_name: str
    status: IntegrationStatus | None
    ran_at: datetime | None = None
    duration_s: float | None = None
    last_success: datetime | None = None
    breaker_state: BreakerState = BreakerState.CLOSED
    failed_runs: int = 0
    next_probe_at: datetime | None = None
    error: str | None = None


def integration_status(
    store: StateStore, registry: IntegrationRegistry, settings: Settings | None = None
) -> list[IntegrationStatusRow]:
    """Return the status of every registered integration, and of any other that ran before.

    Args:
        store: the state store the runs wrote to.
        registry: the registry (its order comes first).
        settings: when given, integrations switched off now show as ``disabled``.

    Returns:
        One row per integration, registered ones first, then by name.
    """
    statuses = store.records(STATUS_NAMESPACE)
    breakers = store.records(BREAKER_NAMESPACE)
    classes = registry.classes()
    known = set(statuses) | set(breakers)
    per_site: dict[str, list[str]] = {}
    for key in sorted(known):
        name, at, _ = key.partition("@")
        if at and name in classes:
            per_site.setdefault(name, []).append(key)
    extra = sorted(known - set(classes) - {k for keys in per_site.values() for k in keys})
    rows: list[IntegrationStatusRow] = []
    for name in (*classes, *extra):
        keys = [name] if name in known or name not in per_site else per_site[name]
        rows.extend(
            _status_row(
                store,
                key,
                name=name,
                statuses=statuses,
                breakers=breakers,
                classes=classes,
                settings=settings,
            )
            for key in keys
        )
    return rows


def _status_row(
    store: StateStore,
    key: str,
    *,
    name: str,
    statuses: Mapping[str, Mapping[str, Any]],
    breakers: Mapping[str, Mapping[str, Any]],
    classes: Mapping[str, Any],
    settings: Settings | None,
) -> IntegrationStatusRow:
    """The row of ``key``: an integration's name, or ``name@site`` for an enricher's site."""
    status_record = statuses.get(key, {})
    breaker = breakers.get(key, {})
    raw_status = status_record.get("status")
    status = IntegrationStatus(raw_status) if raw_status else None
    section = section_settings(settings, name)
    if section is not None and not section.enabled:
        status = IntegrationStatus.DISABLED
    breaker_state = BreakerState(breaker.get("state", BreakerState.CLOSED.value))
    next_probe = None
    if breaker_state is not BreakerState.CLOSED:
        next_probe = _parse(status_record.get("next_probe_at"))
    last_good = load_last_good(store, key)
    display = status_record.get("display_name")
    if not isinstance(display, str):
        display = display_name_of(classes.get(name), name)
    _, at, site = key.partition("@")
    return IntegrationStatusRow(
        name=key,
        display_name=f"{display} ({site})" if at else display,
        status=status,
        ran_at=_parse(status_record.get("ran_at")),
        duration_s=status_record.get("duration_s"),
        last_success=last_good.fetched_at if last_good else None,
        breaker_state=breaker_state,
        failed_runs=int(breaker.get("fail_counter", 0)),
        next_probe_at=next_probe,
        error=status_record.get("error"),
    )
