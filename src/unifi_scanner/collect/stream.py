"""A de-duplicated event stream whose memory does not grow with the number of events.

:class:`EventSpool` takes events page by page as the collector normalises them and gives
them back sorted by ``(time, id)``, like :func:`~unifi_scanner.collect.dedupe_events`:

* Non-IPS events: the first copy of each ``(id, key)`` is kept (the collector adds the sources
  in priority order, so the first copy is the most specific one). Only a 64-bit hash of the
  identity stays in memory, in an open-addressing table of 8-byte slots at most half full:
  16 to 32 bytes per event (two distinct identities sharing a hash, about 1 in 10^7 at a
  million events, would drop one of them). The events themselves go to a temporary file in
  sorted runs of ``run_size`` (zlib-compressed pickles, written and read only by this
  process, about 100 bytes per event on disk), and iteration merges the runs.
* IPS alerts (a small share of events) stay in memory, de-duplicated by id with the source
  priority, and are merged by content when iterated, exactly as ``dedupe_events`` does.
* Alarms (``list/alarm`` copies that are not IPS alerts; a few per scan) stay in memory too.
  An alarm is the same occurrence as a non-alarm event with its key, MAC and second (±1 s),
  whichever of the two comes first: every non-alarm event with a MAC also leaves a 64-bit hash
  of ``(key, MAC, second)`` in a second table (another 16 to 32 bytes per event), which an
  alarm added later is checked against; a kept alarm is dropped when such an event comes later.

The stream is sized and can be iterated again (each pass reads the file again), so code that
reads ``snapshot.events`` several times keeps working, but each pass costs a full read.
"""

from __future__ import annotations

import heapq
import pickle
import struct
import tempfile
import weakref
import zlib
from array import array
from itertools import islice
from typing import IO, TYPE_CHECKING, Final

from unifi_scanner.collect.dedup import (
    ALARM_SLACK_S,
    _better,
    _is_ips,
    _merge_ips_by_content,
    is_plain_alarm,
    occurrence,
    second,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator
    from pathlib import Path

    from unifi_scanner.collect.models import Event

__all__ = ["EventSpool", "without_ids"]

_LENGTH: Final = struct.Struct("<I")


def _order(event: Event) -> tuple[object, str]:
    return (event.time, event.id)


class _HashSet:
    """A set of 64-bit hashes in one ``array`` (8 bytes a slot, kept at most half full)."""

    __slots__ = ("_count", "_mask", "_slots")

    def __init__(self) -> None:
        self._slots, self._mask, self._count = self._empty(1 << 12)

    @staticmethod
    def _empty(capacity: int) -> tuple[array[int], int, int]:
        return array("q", bytes(8 * capacity)), capacity - 1, 0

    def add(self, value: int) -> bool:
        """Add ``value``; return whether it was new."""
        value = value or 1  # 0 marks an empty slot
        slots, mask = self._slots, self._mask
        index = value & mask
        while (current := slots[index]) != 0:
            if current == value:
                return False
            index = (index + 1) & mask
        slots[index] = value
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        self._slots, self._mask, self._count = self._empty(2 * len(old))
        for value in old:
            if value:
                self.add(value)

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` was added."""
        if not isinstance(value, int):
            return False
        value = value or 1
        slots, mask = self._slots, self._mask
        index = value & mask
        while (current := slots[index]) != 0:
            if current == value:
                return True
            index = (index + 1) & mask
        return False

    def clear(self) -> None:
        """Forget every value."""
        self._slots, self._mask, self._count = self._empty(1 << 12)


class EventSpool:
    """Events added page by page, de-duplicated, spilled to disk, read back in time order.

    Args:
        run_size: events held in memory before a sorted run is written to the file.
        chunk_size: events per compressed chunk in the file.
        directory: where the temporary file goes (the system default when ``None``).
    """

    def __init__(
        self, *, run_size: int = 20_000, chunk_size: int = 250, directory: Path | None = None
    ) -> None:
        self._run_size = max(1, run_size)
        self._chunk_size = max(1, chunk_size)
        self._directory = directory
        self._file: IO[bytes] | None = None
        self._runs: list[tuple[int, int]] = []  # (offset, chunks)
        self._pending: list[Event] = []
        self._seen = _HashSet()
        self._spilled = 0
        self._ips: dict[str, Event] = {}
        self._ips_merged: list[Event] | None = None
        self._occurrences = _HashSet()
        self._alarms: list[Event] = []
        self._alarm_index: dict[tuple[str, str], int] = {}  # occurrence → alarms kept for it

    # --- adding ------------------------------------------------------------------------------

    def add(self, event: Event) -> bool:
        """Add one event; return whether it was new (a later copy of a kept event is dropped)."""
        if _is_ips(event):
            current = self._ips.get(event.id)
            if not _better(event, current):
                return False
            self._ips[event.id] = event
            self._ips_merged = None
            return True
        if not self._seen.add(hash((event.id, event.key))):
            return False
        if is_plain_alarm(event):
            return self._add_alarm(event)
        what = occurrence(event)
        if what is not None:
            stamp = second(event)
            self._occurrences.add(hash((*what, stamp)))
            if what in self._alarm_index:
                self._drop_alarms_for(what, stamp)
        self._pending.append(event)
        if len(self._pending) >= self._run_size:
            self._spill()
        return True

    def _add_alarm(self, alarm: Event) -> bool:
        what = occurrence(alarm)
        if what is not None:
            stamp = second(alarm)
            slack = range(stamp - ALARM_SLACK_S, stamp + ALARM_SLACK_S + 1)
            if any(hash((*what, near)) in self._occurrences for near in slack):
                return False  # the event it was raised for is already kept
            self._alarm_index[what] = self._alarm_index.get(what, 0) + 1
        self._alarms.append(alarm)
        return True

    def _drop_alarms_for(self, what: tuple[str, str], stamp: int) -> None:
        kept = [a for a in self._alarms if not _copy_of(a, what, stamp)]
        self._alarm_index[what] -= len(self._alarms) - len(kept)
        if not self._alarm_index[what]:
            del self._alarm_index[what]
        self._alarms = kept

    def extend(self, events: Iterable[Event]) -> int:
        """Add events in order; return how many were new."""
        return sum(self.add(event) for event in events)

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="unifi-events-", dir=self._directory)  # noqa: SIM115 - closed by close() or the finaliser
            weakref.finalize(self, self._file.close)
        self._pending.sort(key=_order)
        file = self._file
        file.seek(0, 2)
        offset, chunks = file.tell(), 0
        events = iter(self._pending)
        while chunk := list(islice(events, self._chunk_size)):
            data = zlib.compress(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL), 1)
            file.write(_LENGTH.pack(len(data)) + data)
            chunks += 1
        self._runs.append((offset, chunks))
        self._spilled += len(self._pending)
        self._pending = []

    # --- reading -----------------------------------------------------------------------------

    def _ips_events(self) -> list[Event]:
        if self._ips_merged is None:
            self._ips_merged = sorted(_merge_ips_by_content(self._ips.values()), key=_order)
        return self._ips_merged

    def _read_run(self, offset: int, chunks: int) -> Iterator[Event]:
        position = offset
        for _ in range(chunks):
            file = self._file
            if file is None:  # pragma: no cover - closed while being read
                return
            file.seek(position)
            (length,) = _LENGTH.unpack(file.read(_LENGTH.size))
            data = file.read(length)
            position = file.tell()
            batch: list[Event] = pickle.loads(zlib.decompress(data))  # noqa: S301 - our own temporary file
            yield from batch

    def __iter__(self) -> Iterator[Event]:
        """Every kept event, sorted by time then id (reads the spilled runs again)."""
        parts: list[Iterable[Event]] = [self._read_run(*run) for run in self._runs]
        parts.append(sorted(self._pending, key=_order))
        parts.append(sorted(self._alarms, key=_order))
        parts.append(self._ips_events())
        return heapq.merge(*parts, key=_order)

    def __len__(self) -> int:
        """How many events the stream holds."""
        return self._spilled + len(self._pending) + len(self._alarms) + len(self._ips_events())

    def __contains__(self, item: object) -> bool:
        """Whether ``item`` is one of the events (a full pass)."""
        return any(event == item for event in self)

    @property
    def spilled(self) -> int:
        """How many events were written to the temporary file."""
        return self._spilled

    def close(self) -> None:
        """Delete the temporary file; the stream is empty afterwards."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._runs, self._pending, self._spilled = [], [], 0
        self._ips, self._ips_merged = {}, None
        self._alarms, self._alarm_index = [], {}
        self._seen.clear()
        self._occurrences.clear()


def _copy_of(alarm: Event, what: tuple[str, str], stamp: int) -> bool:
    """Whether ``alarm`` was raised for the event ``what`` stamped at second ``stamp``."""
    return occurrence(alarm) == what and abs(second(alarm) - stamp) <= ALARM_SLACK_S


def _event_id(event: Event) -> str:
    return event.id


class _Without:
    """A filtered view of events: those whose identity is not in ``ids`` (re-iterable, sized)."""

    def __init__(
        self, events: Collection[Event], ids: frozenset[str], identity: Callable[[Event], str]
    ) -> None:
        self._events = events
        self._ids = ids
        self._identity = identity
        self._length: int | None = None

    def __iter__(self) -> Iterator[Event]:
        return (event for event in self._events if self._identity(event) not in self._ids)

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    def __contains__(self, item: object) -> bool:
        return any(event == item for event in self)


def without_ids(
    events: Collection[Event],
    ids: frozenset[str],
    identity: Callable[[Event], str] = _event_id,
) -> Collection[Event]:
    """The events whose identity is not in ``ids``, without copying a stream into memory.

    A tuple gives a tuple; any other collection (an :class:`EventSpool`) gives a lazy view
    that filters on each pass.

    Args:
        events: ``snapshot.events``.
        ids: identities to leave out (e.g. those already reported).
        identity: what identifies an event in ``ids`` (its id by default; see
            :func:`~unifi_scanner.collect.reported_identity`).

    Returns:
        The remaining events, in the same order.
    """
    if isinstance(events, tuple):
        return tuple(event for event in events if identity(event) not in ids)
    return _Without(events, ids, identity)
