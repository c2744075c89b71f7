"""Time series the datasets read: a scenario's fixed list, or an endless generated series."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Protocol

from unifi_scanner.simulator.cloudflare.wire import JsonObject

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from unifi_scanner.simulator.cloudflare.timeline import Timeline

__all__ = ["GeneratedSeries", "ListSeries", "Series", "Timed"]

Timed = tuple[int, JsonObject]
"""One row and its time (epoch seconds)."""


class Series(Protocol):
    """Rows of one dataset keyed by zone or account id, read by time range."""

    def scan(self, key: str, start_s: int, end_s: int, *, descending: bool) -> Iterator[Timed]:
        """The rows of ``key`` with ``start_s <= time < end_s``, in time order."""
        ...  # pragma: no cover - a protocol


class ListSeries:
    """A scenario's rows, held in memory, sorted by time.

    Args:
        rows: each key's rows (any order).
    """

    def __init__(self, rows: Mapping[str, list[Timed]]) -> None:
        self._rows = {key: sorted(items, key=lambda item: item[0]) for key, items in rows.items()}
        self._times = {key: [t for t, _ in items] for key, items in self._rows.items()}

    def scan(self, key: str, start_s: int, end_s: int, *, descending: bool) -> Iterator[Timed]:
        """The rows of ``key`` with ``start_s <= time < end_s``, in time order.

        Args:
            key: the zone or account id.
            start_s: the inclusive lower bound.
            end_s: the exclusive upper bound.
            descending: newest first.

        Yields:
            ``(time, row)`` pairs.
        """
        times = self._times.get(key, [])
        rows = self._rows.get(key, [])
        low, high = bisect.bisect_left(times, start_s), bisect.bisect_left(times, end_s)
        indexes = range(high - 1, low - 1, -1) if descending else range(low, high)
        for index in indexes:
            yield rows[index]


class GeneratedSeries:
    """Endless rows: row ``i`` of a key is built from ``(key, i, time)`` when it is read.

    Args:
        timelines: each key's :class:`Timeline`.
        build: ``(key, index, time) -> row``.
    """

    def __init__(
        self, timelines: Mapping[str, Timeline], build: Callable[[str, int, int], JsonObject]
    ) -> None:
        self._timelines = dict(timelines)
        self._build = build
        self.built = 0

    def scan(self, key: str, start_s: int, end_s: int, *, descending: bool) -> Iterator[Timed]:
        """The rows of ``key`` with ``start_s <= time < end_s``, built lazily, in time order.

        Args:
            key: the zone or account id.
            start_s: the inclusive lower bound.
            end_s: the exclusive upper bound.
            descending: newest first.

        Yields:
            ``(time, row)`` pairs.
        """
        timeline = self._timelines.get(key)
        if timeline is None:
            return
        indexes = timeline.indexes(start_s, end_s)
        for index in reversed(indexes) if descending else indexes:
            moment = timeline.time(index)
            self.built += 1
            yield moment, self._build(key, index, moment)
