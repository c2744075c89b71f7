"""Live events from the controller's websocket, buffered between scheduled scans.

:class:`LiveCollector` keeps an :class:`~unifi_scanner.controller.EventStream` open in a
background task while ``serve`` runs. It reconnects after every drop with exponential backoff
and jitter, logs in again through the REST client when the upgrade is refused with 401/403,
and logs once when the connection is lost and once when it recovers (Home Assistant
coordinator style). The backoff starts again from its first wait only after a connection stayed
up for :data:`STABLE_CONNECTION_S`: a socket the controller drops right after opening it (or
after its first frame) is reopened ever more slowly, never once a second forever.
Each text frame is decoded here: ``events`` and ``alert`` items become
:class:`Event` values in a bounded buffer (the oldest are dropped, and counted), ``device:sync``
items are kept as the latest payload per MAC, other message types are counted and ignored, and
frames that are not a ``{"meta":…, "data":[…]}`` envelope are logged once and skipped. A frame
over the input limits of a websocket frame (size, nesting depth, items in one array;
:mod:`unifi_scanner._json`) is dropped with a warning and noted in the next scan's report; the
stream goes on.

At each scan :meth:`LiveCollector.drain` hands the buffered events over and :func:`merge_live`
merges them into the scan's :class:`Snapshot`, so an event both the REST poll and the websocket
saw counts once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Self

import structlog

from unifi_scanner._json import WEBSOCKET_FRAME, decode_json
from unifi_scanner.collect.dedup import dedupe_events
from unifi_scanner.collect.models import CollectionNote, Event, Snapshot
from unifi_scanner.collect.normalize import (
    Normalized,
    event_from_alarm,
    event_from_websocket,
    events_from_websocket_frame,
    normalize_all,
)
from unifi_scanner.collect.stream import EventSpool
from unifi_scanner.controller import HEARTBEAT_S, ControllerWebsocket
from unifi_scanner.errors import AuthenticationError, InputLimitError, ScannerError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
    from datetime import datetime
    from types import TracebackType

    from unifi_scanner.controller import ControllerClient, EventStream

__all__ = ["STABLE_CONNECTION_S", "LiveCollector", "LiveStats", "merge_live"]

_log = structlog.get_logger(__name__)

STABLE_CONNECTION_S: Final = 60.0
"""How long a connection must stay up before the reconnect backoff starts again from its first
wait; a shorter-lived one counts as one more failed attempt."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveStats:
    """What the live collector has done so far.

    Attributes:
        connected: the websocket is open now.
        connects: successful upgrades so far.
        drops: connections that ended (closed by the controller or broken).
        failures: connection attempts that failed (unreachable, refused, login failed).
        relogins: logins made because the upgrade was refused with 401/403.
        received: events and alerts received.
        buffered: events waiting for the next :meth:`LiveCollector.drain`.
        dropped: events dropped because the buffer was full, since the last drain.
        malformed: frames that were not a JSON ``{"meta":…, "data":[…]}`` envelope.
        over_limit: frames dropped unread because they were over the input limits.
        unusable: items of ``events``/``alert`` frames that could not be normalised.
        ignored: frames of message types the collector does not use, by type.
        devices: devices with a ``device:sync`` payload.
    """

    connected: bool = False
    connects: int = 0
    drops: int = 0
    failures: int = 0
    relogins: int = 0
    received: int = 0
    buffered: int = 0
    dropped: int = 0
    malformed: int = 0
    over_limit: int = 0
    unusable: int = 0
    ignored: Mapping[str, int] = field(default_factory=dict)
    devices: int = 0


@dataclass(slots=True)
class _Counters:
    connected: bool = False
    connects: int = 0
    drops: int = 0
    failures: int = 0
    relogins: int = 0
    received: int = 0
    dropped: int = 0
    malformed: int = 0
    over_limit: int = 0
    unusable: int = 0


class LiveCollector:
    """Keep the events websocket open in the background and buffer what it says.

    Args:
        connect: opens one stream (e.g. :meth:`ControllerWebsocket.connect` bound to a client);
            it raises :class:`~unifi_scanner.errors.AuthenticationError` when the upgrade is
            refused with 401/403 and another :class:`~unifi_scanner.errors.ScannerError`
            when it cannot connect.
        relogin: logs in again (``ControllerClient.relogin``); ``None`` never does.
        max_events: the buffer's size; beyond it the oldest events are dropped.
        backoff_initial_s: the first wait before reconnecting.
        backoff_max_s: the longest wait between attempts.
        sleep: waits that many seconds (injected in tests).
        jitter: returns a number in [0, 1); each wait is between half and all of the
            exponential delay.
        clock: monotonic seconds (injected in tests); measures how long each connection
            stayed up against :data:`STABLE_CONNECTION_S`.
    """

    def __init__(
        self,
        connect: Callable[[], Awaitable[EventStream]],
        *,
        relogin: Callable[[], Awaitable[None]] | None = None,
        max_events: int = 10_000,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 300.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_events < 1:
            msg = "max_events must be at least 1"
            raise ValueError(msg)
        self._connect = connect
        self._relogin = relogin
        self._max_events = max_events
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._buffer: collections.deque[Event] = collections.deque()
        self._devices: dict[str, dict[str, Any]] = {}
        self._ignored: collections.Counter[str] = collections.Counter()
        self._stats = _Counters()
        # Frames over the input limits since the last drain, and the first one's problem.
        self._over_limit_since: tuple[int, str] = (0, "")
        self._healthy: bool | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    @classmethod
    def for_client(
        cls,
        client: ControllerClient,
        *,
        ssl_context: ssl.SSLContext | None,
        heartbeat_s: float = HEARTBEAT_S,
        max_events: int = 10_000,
        backoff_initial_s: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> Self:
        """A collector on ``client``'s default site, using its session and TLS context.

        Args:
            client: the REST client (kept open as long as the collector runs).
            ssl_context: the TLS context the REST client's ``httpx.AsyncClient`` uses.
            heartbeat_s: seconds between websocket pings.
            max_events: the buffer's size.
            backoff_initial_s: the first wait before reconnecting.
            sleep: waits that many seconds (injected in tests).
            jitter: returns a number in [0, 1) (injected in tests).
            clock: monotonic seconds (injected in tests).
        """

        async def connect() -> EventStream:
            return await ControllerWebsocket.connect(
                client, ssl_context=ssl_context, heartbeat_s=heartbeat_s
            )

        return cls(
            connect,
            relogin=client.relogin,
            max_events=max_events,
            backoff_initial_s=backoff_initial_s,
            sleep=sleep,
            jitter=jitter,
            clock=clock,
        )

    @property
    def stats(self) -> LiveStats:
        """Counters and state, as of now."""
        counters = self._stats
        return LiveStats(
            connected=counters.connected,
            connects=counters.connects,
            drops=counters.drops,
            failures=counters.failures,
            relogins=counters.relogins,
            received=counters.received,
            buffered=len(self._buffer),
            dropped=counters.dropped,
            malformed=counters.malformed,
            over_limit=counters.over_limit,
            unusable=counters.unusable,
            ignored=dict(self._ignored),
            devices=len(self._devices),
        )

    def latest_devices(self) -> dict[str, Mapping[str, Any]]:
        """The newest ``device:sync`` payload per device MAC (partial updates merged)."""
        return dict(self._devices)

    def start(self) -> None:
        """Start the background task (once; later calls do nothing)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="live-events")
            self._task.add_done_callback(lambda _: self._notify())

    async def stop(self) -> None:
        """Stop the background task and close the websocket."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def __aenter__(self) -> Self:
        """Start collecting."""
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop collecting."""
        await self.stop()

    async def wait_until(self, predicate: Callable[[LiveStats], bool]) -> LiveStats:
        """Wait until ``predicate(stats)`` holds (bound it with ``asyncio.timeout``).

        Raises:
            RuntimeError: the collector is not running, or its task stopped.
        """
        while not predicate(stats := self.stats):
            task = self._task
            if task is None or task.done():
                msg = "the live collector is not running"
                raise RuntimeError(msg)
            changed = self._changed
            await changed.wait()
        return stats

    def drain(
        self, before: datetime | None = None
    ) -> tuple[tuple[Event, ...], tuple[CollectionNote, ...]]:
        """Hand over the buffered events (those older than ``before``, when given).

        Events at or after ``before`` stay for the next scan. The notes say how many events
        the full buffer dropped, and how many frames were over the input limits, since the
        last drain.

        Returns:
            The events, oldest first, and the notes.
        """
        events = tuple(e for e in self._buffer if before is None or e.time < before)
        self._buffer = collections.deque(
            e for e in self._buffer if before is not None and e.time >= before
        )
        notes: list[CollectionNote] = []
        dropped = self._stats.dropped
        if dropped:
            verb = "event was" if dropped == 1 else "events were"
            message = f"{dropped} live {verb} dropped because the buffer was full"
            notes.append(CollectionNote(source="websocket", message=message))
        over_limit, first = self._over_limit_since
        if over_limit:
            frames = "frame was" if over_limit == 1 else "frames were"
            message = (
                f"{over_limit} live {frames} dropped unread, over the input limits "
                f"(first: JSON {first})"
            )
            notes.append(CollectionNote(source="websocket", message=message))
        self._stats.dropped = 0
        self._over_limit_since = (0, "")
        return tuple(sorted(events, key=lambda e: e.time)), tuple(notes)

    def requeue(self, events: Iterable[Event]) -> None:
        """Put drained events back, oldest first, when the scan that took them was not secured.

        They are handed over again by the next :meth:`drain`; the buffer bound still applies
        (the oldest go first, counted in the drop note).
        """
        returned = sorted(events, key=lambda e: e.time)
        if not returned:
            return
        merged = sorted((*returned, *self._buffer), key=lambda e: e.time)
        overflow = max(0, len(merged) - self._max_events)
        self._stats.dropped += overflow
        self._buffer = collections.deque(merged[overflow:])

    async def _run(self) -> None:
        attempt = 0
        relogged = False
        while True:
            try:
                stream = await self._connect()
            except AuthenticationError as err:
                if self._relogin is not None and not relogged:
                    relogged = True
                    if await self._try_relogin(self._relogin, err):
                        continue
                else:
                    self._failed(err)
            except ScannerError as err:
                self._failed(err)
            else:
                opened_at = self._clock()
                self._opened()
                self._lost(await self._consume(stream))
                if self._clock() - opened_at >= STABLE_CONNECTION_S:
                    attempt = 0
            relogged = False
            await self._sleep(self._backoff(attempt))
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        delay = min(self._backoff_max_s, self._backoff_initial_s * 2.0 ** min(attempt, 32))
        return delay / 2 + delay / 2 * self._jitter()

    async def _try_relogin(
        self, relogin: Callable[[], Awaitable[None]], refused: AuthenticationError
    ) -> bool:
        _log.info("events websocket refused, logging in again", status=refused.status)
        try:
            await relogin()
        except ScannerError as err:
            self._failed(err)
            return False
        self._stats.relogins += 1
        self._notify()
        return True

    async def _consume(self, stream: EventStream) -> str:
        try:
            async for text in stream:
                self._feed(text)
        except ScannerError as err:
            return str(err)
        finally:
            await stream.close()
        return "closed by the controller"

    def _opened(self) -> None:
        if self._healthy is False:
            _log.info("live events connection recovered")
        elif self._healthy is None:
            _log.info("live events connected")
        self._healthy = True
        self._stats.connected = True
        self._stats.connects += 1
        self._notify()

    def _lost(self, reason: str) -> None:
        _log.warning("live events connection lost, reconnecting", reason=reason)
        self._healthy = False
        self._stats.connected = False
        self._stats.drops += 1
        self._notify()

    def _failed(self, err: ScannerError) -> None:
        if self._healthy is not False:
            _log.warning("live events unavailable, retrying", error=str(err))
        else:
            _log.debug("live events still unavailable", error=str(err))
        self._healthy = False
        self._stats.failures += 1
        self._notify()

    def _feed(self, text: str) -> None:
        """Decode one text frame and take what it says."""
        try:
            frame = decode_json(text, WEBSOCKET_FRAME)
        except ValueError:
            frame = None
        except InputLimitError as err:
            self._over_limit(err)
            return
        if not isinstance(frame, dict):
            self._malformed(text)
            return
        meta = frame.get("meta")
        message = meta.get("message") if isinstance(meta, dict) else None
        if not isinstance(message, str) or not isinstance(frame.get("data"), list):
            self._malformed(text)
            return
        if message == "events":
            items = events_from_websocket_frame(frame)
            self._take(normalize_all(event_from_websocket, items, what="live events"))
        elif message == "alert":
            self._take(normalize_all(event_from_alarm, frame["data"], what="live alerts"))
        elif message == "device:sync":
            self._sync_devices(frame["data"])
        else:
            if message not in self._ignored:
                _log.debug("live message type ignored", message=message)
            self._ignored[message] += 1
            self._notify()

    def _over_limit(self, err: InputLimitError) -> None:
        _log.warning("dropped a live frame over the input limits", problem=f"JSON {err}")
        self._stats.over_limit += 1
        count, first = self._over_limit_since
        self._over_limit_since = (count + 1, first or str(err))
        self._notify()

    def _malformed(self, text: str) -> None:
        if not self._stats.malformed:
            _log.warning("skipped a live frame that is not a UniFi message", frame=text[:120])
        self._stats.malformed += 1
        self._notify()

    def _take(self, result: Normalized[Event]) -> None:
        for event in result.items:
            if len(self._buffer) >= self._max_events:
                self._buffer.popleft()
                self._stats.dropped += 1
            self._buffer.append(event)
        self._stats.received += len(result.items)
        self._stats.unusable += result.skipped
        self._notify()

    def _sync_devices(self, items: Iterable[object]) -> None:
        for item in items:
            mac = item.get("mac") if isinstance(item, dict) else None
            if isinstance(item, dict) and isinstance(mac, str) and mac:
                key = mac.lower()
                self._devices[key] = {**self._devices.get(key, {}), **item}
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def merge_live(
    snapshot: Snapshot, events: Iterable[Event], notes: Iterable[CollectionNote] = ()
) -> Snapshot:
    """Merge drained live events into a scan's snapshot.

    Events outside the snapshot's window are left out; an event the REST poll also returned
    counts once (:func:`~unifi_scanner.collect.dedupe_events` keeps the REST copy).

    Args:
        snapshot: the scan's snapshot.
        events: events from :meth:`LiveCollector.drain`.
        notes: notes from :meth:`LiveCollector.drain`.

    Returns:
        The snapshot with the events merged and the notes appended.
    """
    window = snapshot.window
    fresh = [event for event in events if window.start <= event.time < window.end]
    merged: Collection[Event]
    if isinstance(snapshot.events, EventSpool):
        # The stream keeps the first copy of an event, and the REST copies came first.
        snapshot.events.extend(fresh)
        merged = snapshot.events
    else:
        merged = dedupe_events((*snapshot.events, *fresh))
    return dataclasses.replace(snapshot, events=merged, notes=(*snapshot.notes, *notes))
