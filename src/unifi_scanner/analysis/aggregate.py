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

__all__ = ["MAX_BADGES", "MAX_EXAMPLES", "Aggregate", "Group", "GroupTable", "Rollup"]

MAX_EXAMPLES = 3
MAX_BADGES = MAX_EXAMPLES * 3
_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.SEVERE: 2}
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
        if severity is not self.severity and _RANK[severity] > _RANK[self.severity]:
            self.severity = severity
        if time is not None:
            first = self.first_seen
            if first is None:
                self.first_seen = self.last_seen = time
            elif time < first:
                self.first_seen = time
            elif time > self.last_seen:  # type: ignore[operator]
                self.last_seen = time
        if example and len(self.examples) < MAX_EXAMPLES and example not in self.examples:
            self.examples.append(example)
        if badges and len(self.badges) < MAX_BADGES:
            self._add_badges(badges)
        if tally:
            self._count(tally)

    def _add_badges(self, badges: Iterable[str]) -> None:
        for badge in badges:
            if len(self.badges) < MAX_BADGES:
                self.badges.setdefault(badge, None)

    def _count(self, tally: Iterable[tuple[str, str]]) -> None:
        tallies = self.tallies
        for dimension, value in tally:
            counts = tallies.get(dimension)
            if counts is None:
                counts = tallies[dimension] = {}
            if value in counts:
                counts[value] += 1
            elif len(counts) < _MAX_TALLY_VALUES:
                counts[value] = 1
            else:
                counts["other"] = counts.get("other", 0) + 1

    def merge(self, other: Group) -> None:
        """Fold in the same subject's group from another part of the events."""
        if other.first_seen is not None and (
            self.first_seen is None or other.first_seen < self.first_seen
        ):
            self.fields = other.fields  # the fields come from the group's first event
        self.name(other.display if other.display != other.subject else "")
        self.count += other.count
        if _RANK[other.severity] > _RANK[self.severity]:
            self.severity = other.severity
        for moment in (other.first_seen, other.last_seen):
            self._widen(moment)
        for example in other.examples:
            if len(self.examples) < MAX_EXAMPLES and example not in self.examples:
                self.examples.append(example)
        self._add_badges(other.badges)
        self._merge_tallies(other)

    def _widen(self, moment: datetime | None) -> None:
        if moment is not None:
            if self.first_seen is None or moment < self.first_seen:
                self.first_seen = moment
            if self.last_seen is None or moment > self.last_seen:
                self.last_seen = moment

    def _merge_tallies(self, other: Group) -> None:
        for dimension, counts in other.tallies.items():
            mine = self.tallies.setdefault(dimension, {})
            for value, count in counts.items():
                if value in mine or len(mine) < _MAX_TALLY_VALUES:
                    mine[value] = mine.get(value, 0) + count
                else:
                    mine["other"] = mine.get("other", 0) + count

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

    def merge(self, other: Rollup) -> None:
        """Fold in another part's roll-up."""
        self.subjects += other.subjects
        self.count += other.count
        if _RANK[other.severity] > _RANK[self.severity]:
            self.severity = other.severity
        if other.first_seen is not None and (
            self.first_seen is None or other.first_seen < self.first_seen
        ):
            self.first_seen = other.first_seen
        if other.last_seen is not None and (
            self.last_seen is None or other.last_seen > self.last_seen
        ):
            self.last_seen = other.last_seen


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

    def merge(self, other: GroupTable) -> None:
        """Fold in the same rule's table from another part of the events."""
        for subject, group in other.groups.items():
            mine = self.groups.get(subject)
            if mine is not None:
                mine.merge(group)
                continue
            if len(self.groups) >= self._high_water:
                self._evict(self.keep * 2)
            self.groups[subject] = group
        self.rollup.merge(other.rollup)

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


class Aggregate:
    """The group tables of one rule set over some events: small, picklable and mergeable."""

    __slots__ = ("tables",)

    def __init__(self, tables: dict[str, GroupTable] | None = None) -> None:
        """Wrap per-rule tables (rule id -> table)."""
        self.tables: dict[str, GroupTable] = tables if tables is not None else {}

    def merge(self, other: Aggregate) -> None:
        """Fold in the aggregate of another, disjoint part of the events."""
        for rule_id, table in other.tables.items():
            mine = self.tables.get(rule_id)
            if mine is None:
                self.tables[rule_id] = table
            else:
                mine.merge(table)
