"""Bounded aggregation of rule hits into groups keyed by subject.

Memory grows with the number of distinct subjects, never with the number of events, and even
that is capped: when a rule has too many subjects, the smallest groups are folded into one
"and N more" roll-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

__all__ = ["Group", "GroupTable", "Rollup"]

MAX_EXAMPLES = 3
_MAX_TALLY_VALUES = 64


class Group:
    """One (rule, subject) group being built while events stream past."""

    __slots__ = (
        "badges",
        "count",
        "display",
        "examples",
        "fields",
        "first_seen",
        "last_seen",
        "severity",
        "subject",
        "tallies",
    )

    def __init__(self, subject: str, fields: dict[str, object]) -> None:
        """Start an empty group for ``subject`` with the first event's template ``fields``."""
        self.subject = subject
        self.display = subject
        self.fields = fields
        self.severity = Severity.LOW
        self.count = 0
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None
        self.examples: list[str] = []
        self.badges: dict[str, None] = {}
        self.tallies: dict[str, dict[str, int]] = {}

    def name(self, display: str) -> None:
        """Offer a display name; kept only while the group is still shown by its key."""
        if display and self.display == self.subject:
            self.display = display

    def add(
        self,
        *,
        time: datetime | None,
        severity: Severity,
        example: str,
        badges: Iterable[str],
        tally: Iterable[tuple[str, str]],
    ) -> None:
        """Fold one event into the group."""
        self.count += 1
        if severity.rank > self.severity.rank:
            self.severity = severity
        if time is not None:
            if self.first_seen is None or time < self.first_seen:
                self.first_seen = time
            if self.last_seen is None or time > self.last_seen:
                self.last_seen = time
        if len(self.examples) < MAX_EXAMPLES and example and example not in self.examples:
            self.examples.append(example)
        for badge in badges:
            if len(self.badges) < MAX_EXAMPLES * 3:
                self.badges.setdefault(badge, None)
        for dimension, value in tally:
            counts = self.tallies.setdefault(dimension, {})
            if value in counts or len(counts) < _MAX_TALLY_VALUES:
                counts[value] = counts.get(value, 0) + 1
            else:
                counts["other"] = counts.get("other", 0) + 1

    def top(self, dimension: str, limit: int = 5) -> list[tuple[str, int]]:
        """The most frequent values of one tally dimension, most frequent first."""
        counts = self.tallies.get(dimension, {})
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


class Rollup:
    """What was folded away when a rule had more subjects than the cap."""

    __slots__ = ("count", "first_seen", "last_seen", "severity", "subjects")

    def __init__(self) -> None:
        """Start empty."""
        self.subjects = 0
        self.count = 0
        self.severity = Severity.LOW
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None

    def absorb(self, group: Group) -> None:
        """Fold a whole group in."""
        self.subjects += 1
        self.count += group.count
        if group.severity.rank > self.severity.rank:
            self.severity = group.severity
        if group.first_seen is not None and (
            self.first_seen is None or group.first_seen < self.first_seen
        ):
            self.first_seen = group.first_seen
        if group.last_seen is not None and (
            self.last_seen is None or group.last_seen > self.last_seen
        ):
            self.last_seen = group.last_seen


def _weight(group: Group) -> tuple[int, int]:
    return (group.severity.rank, group.count)


class GroupTable:
    """The groups of one rule, at most ``keep`` reported and about ``4 * keep`` held at once."""

    __slots__ = ("_high_water", "groups", "keep", "rollup")

    def __init__(self, keep: int = 50) -> None:
        """Hold groups for one rule; report at most ``keep`` of them plus a roll-up."""
        self.keep = keep
        self._high_water = keep * 4
        self.groups: dict[str, Group] = {}
        self.rollup = Rollup()

    def get(self, subject: str) -> Group | None:
        """The group for ``subject``, if it is held."""
        return self.groups.get(subject)

    def create(self, subject: str, fields: dict[str, object]) -> Group:
        """Make a group for a new subject, first evicting the smallest groups if full."""
        if len(self.groups) >= self._high_water:
            self._evict(self.keep * 2)
        group = Group(subject, fields)
        self.groups[subject] = group
        return group

    def finish(self) -> list[Group]:
        """The ``keep`` heaviest groups; the rest go into :attr:`rollup`."""
        self._evict(self.keep)
        return list(self.groups.values())

    def _evict(self, target: int) -> None:
        if len(self.groups) <= target:
            return
        ranked = sorted(self.groups.values(), key=_weight, reverse=True)
        for group in ranked[target:]:
            self.rollup.absorb(group)
            del self.groups[group.subject]
