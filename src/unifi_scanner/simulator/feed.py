"""A newest-first record sequence: a scenario's few records merged with generated ones.

A :class:`Feed` never builds a record it does not return: :meth:`Feed.page` finds where the
page starts in the merge by looking at times only, then builds that page's records. Filters
other than time (a ``type``, a category) fall back to :meth:`Feed.matching`, which walks the
sequence lazily (time grows with the position, memory does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from unifi_scanner.simulator.templates import JsonObject

__all__ = ["Feed", "Generated"]


@dataclass(frozen=True, slots=True)
class Generated:
    """Generated records, indexable without building them.

    Attributes:
        indexes: the positions (in the generator's own numbering) this view covers.
        time: position → time in epoch milliseconds (never increasing with the position).
        build: position → record.
        narrow: ``(low_ms, high_ms)`` → the positions whose time is within (either open).
    """

    indexes: range
    time: Callable[[int], int]
    build: Callable[[int], JsonObject]
    narrow: Callable[[int | None, int | None], range]


@dataclass(frozen=True, slots=True)
class Feed:
    """Newest-first records: ``static`` (a small list) merged by time with ``generated``.

    On equal times the static record comes first.

    Attributes:
        static: a scenario's records, newest first.
        field: the time field of the static records (``time`` or ``timestamp``), in ms.
        generated: the generated part, if any.
    """

    static: Sequence[JsonObject]
    field: str
    generated: Generated | None = None

    def __len__(self) -> int:
        """How many records the feed holds."""
        return len(self.static) + (len(self.generated.indexes) if self.generated else 0)

    def window(self, low_ms: int | None, high_ms: int | None) -> Feed:
        """The records with ``low_ms <= time <= high_ms`` (``None`` leaves that side open)."""
        static = [
            r
            for r in self.static
            if (low_ms is None or r[self.field] >= low_ms)
            and (high_ms is None or r[self.field] <= high_ms)
        ]
        generated = self.generated
        if generated is not None:
            wanted = generated.narrow(low_ms, high_ms)
            indexes = generated.indexes
            start = max(indexes.start, wanted.start)
            generated = Generated(
                range(start, max(start, min(indexes.stop, wanted.stop))),
                generated.time,
                generated.build,
                generated.narrow,
            )
        return Feed(static, self.field, generated)

    def page(self, start: int, stop: int, *, oldest_first: bool = False) -> list[JsonObject]:
        """Records ``start`` to ``stop`` (exclusive), built now and only those.

        Args:
            start: the first position.
            stop: one past the last position.
            oldest_first: count positions from the oldest record and return oldest first.

        Returns:
            The records.
        """
        size = len(self)
        start, stop = max(0, min(start, size)), max(0, min(stop, size))
        if stop <= start:
            return []
        if oldest_first:
            return self.page(size - stop, size - start)[::-1]
        return list(islice(self._merge(*self._split(start)), stop - start))

    def __iter__(self) -> Iterator[JsonObject]:
        """Every record, newest first, built one at a time."""
        return self._merge(0, 0)

    def matching(self, test: Callable[[JsonObject], bool]) -> Iterator[JsonObject]:
        """The records passing ``test``, newest first, built lazily."""
        return (record for record in self if test(record))

    def _gen_time(self, k: int) -> int:
        assert self.generated is not None  # noqa: S101 - only called with a generated part
        return self.generated.time(self.generated.indexes[k])

    def _split(self, position: int) -> tuple[int, int]:
        """(static count, generated count) before ``position`` in the merge."""
        generated = len(self.generated.indexes) if self.generated else 0
        for s in range(min(position, len(self.static)) + 1):
            g = position - s
            if g > generated:
                continue
            static_before = (
                s == 0 or g == generated or self.static[s - 1][self.field] >= self._gen_time(g)
            )
            generated_before = (
                g == 0
                or s == len(self.static)
                or self._gen_time(g - 1) > self.static[s][self.field]
            )
            if static_before and generated_before:
                return s, g
        return len(self.static), position - len(self.static)  # pragma: no cover - unreachable

    def _merge(self, s: int, g: int) -> Iterator[JsonObject]:
        static, generated = self.static, self.generated
        total = len(generated.indexes) if generated else 0
        next_time = self._gen_time(g) if g < total else None
        while s < len(static) or g < total:
            if next_time is None or (s < len(static) and static[s][self.field] >= next_time):
                yield static[s]
                s += 1
                continue
            assert generated is not None  # noqa: S101 - g < total implies it
            yield generated.build(generated.indexes[g])
            g += 1
            next_time = self._gen_time(g) if g < total else None
