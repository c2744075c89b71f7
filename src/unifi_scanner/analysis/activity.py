"""How many events each hour brought, by the severity they were judged at: the report's timeline.

Counted in the same single pass that folds events into groups (no second pass over a million
events), small (one entry per hour that had events), picklable and mergeable like the groups.
An event counts once, at the highest severity of the rules that took it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterator

    from unifi_scanner.analysis.findings import Severity

__all__ = ["Activity", "HourCount"]

_HOUR: Final = 3600


@dataclass(frozen=True, slots=True)
class HourCount:
    """One hour of the timeline: its start (aware UTC) and its events by severity."""

    start: datetime
    low: int
    medium: int
    severe: int

    @property
    def total(self) -> int:
        """Events of any severity."""
        return self.low + self.medium + self.severe

    def of(self, severity: Severity) -> int:
        """Events of ``severity``."""
        count: int = getattr(self, severity.value)
        return count


class Activity:
    """Events per hour by severity."""

    __slots__ = ("hours",)

    def __init__(self) -> None:
        """Start empty."""
        self.hours: dict[int, list[int]] = {}

    def add(self, moment: datetime, rank: int) -> None:
        """Count one event at ``moment`` judged at severity ``rank`` (0 low … 2 severe)."""
        hour = int(moment.timestamp()) // _HOUR
        counts = self.hours.get(hour)
        if counts is None:
            counts = self.hours[hour] = [0, 0, 0]
        counts[rank] += 1

    def merge(self, other: Activity) -> None:
        """Fold in the activity of another, disjoint part of the events."""
        for hour, counts in other.hours.items():
            mine = self.hours.setdefault(hour, [0, 0, 0])
            for rank in range(3):
                mine[rank] += counts[rank]

    @property
    def total(self) -> int:
        """Events counted."""
        return sum(sum(counts) for counts in self.hours.values())

    def series(self, start: datetime, end: datetime) -> list[HourCount]:
        """Every hour from ``start`` to ``end`` (hours without events included, as zeros).

        Events outside the period (late or early timestamps) are left out.
        """
        first = int(start.timestamp()) // _HOUR
        last = (int(end.timestamp()) - 1) // _HOUR
        return [self._hour(hour) for hour in range(first, last + 1)]

    def _hour(self, hour: int) -> HourCount:
        low, medium, severe = self.hours.get(hour, (0, 0, 0))
        return HourCount(datetime.fromtimestamp(hour * _HOUR, UTC), low, medium, severe)

    def __iter__(self) -> Iterator[HourCount]:
        """Every hour that had events, in time order."""
        return (self._hour(hour) for hour in sorted(self.hours))

    def __len__(self) -> int:
        """Hours that had events."""
        return len(self.hours)
