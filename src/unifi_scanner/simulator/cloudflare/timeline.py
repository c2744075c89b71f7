"""When things happen: scenario spreads (minutes ago) and endless generated series (per day)."""

from __future__ import annotations

from dataclasses import dataclass

from unifi_scanner.simulator.cloudflare.wire import digest

__all__ = ["DAY_S", "Timeline", "spread"]

DAY_S = 86_400


def spread(anchor_s: int, from_ago: float, to_ago: float, count: int, *salt: object) -> list[int]:
    """``count`` times (epoch seconds) spread evenly from ``from_ago`` to ``to_ago`` minutes ago.

    Each time gets a seeded jitter of up to a third of the gap between two of them, so the
    series looks organic yet is the same on every run; none is later than ``anchor_s``.

    Args:
        anchor_s: the moment "ago" counts from (epoch seconds).
        from_ago: minutes before ``anchor_s`` of the first (oldest) time.
        to_ago: minutes before ``anchor_s`` of the last (newest) time.
        count: how many times.
        salt: what makes this series' jitter its own (seed, scenario, spec index…).

    Returns:
        The times, oldest first.
    """
    if count <= 0:
        return []
    start, end = anchor_s - from_ago * 60, anchor_s - to_ago * 60
    gap = (end - start) / max(count - 1, 1)
    span = int(abs(gap) // 3)
    times = []
    for k in range(count):
        jitter = digest(*salt, k) % (2 * span + 1) - span if span else 0
        times.append(min(anchor_s, round(start + k * gap) + jitter))
    return sorted(times)


@dataclass(frozen=True, slots=True)
class Timeline:
    """An endless series of ``per_day`` events a day; event ``i`` is a pure function of ``i``.

    Event ``i`` happens at ``(i * 86400 + j_i) // per_day`` epoch seconds, ``j_i`` a seeded
    number below 86,400: times never decrease with ``i``, a day holds ``per_day`` events, and
    a time window maps to a range of indexes without walking the series.

    Args:
        per_day: events a day (at least 1).
        salt: what makes this series' jitter its own (seed, zone id…).
    """

    per_day: int
    salt: str

    def time(self, index: int) -> int:
        """The time of event ``index`` (epoch seconds)."""
        return (index * DAY_S + digest(self.salt, index) % DAY_S) // max(self.per_day, 1)

    def first_at_or_after(self, moment_s: int) -> int:
        """The smallest index whose time is ``>= moment_s`` (0 at the earliest)."""
        target = moment_s * max(self.per_day, 1)
        low = max(0, -(-(target - DAY_S + 1) // DAY_S))
        high = max(0, -(-target // DAY_S))
        for index in range(low, high + 1):
            if self.time(index) >= moment_s:
                return index
        return high + 1  # pragma: no cover - the bound above always holds

    def indexes(self, start_s: int, end_s: int) -> range:
        """The indexes of the events with ``start_s <= time < end_s``."""
        first = self.first_at_or_after(start_s)
        return range(first, max(first, self.first_at_or_after(end_s)))
