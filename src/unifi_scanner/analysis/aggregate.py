"""Bounded aggregation of rule hits into groups keyed by subject.

Memory grows with the number of distinct subjects, never with the number of events, and even
that is capped: when a rule has too many subjects, the smallest groups are folded into one
"and N more" roll-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.activity import Activity
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.threats import Threats

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime, timedelta

__all__ = [
    "MAX_BADGES",
    "MAX_DISTINCT",
    "MAX_EPISODE_STARTS",
    "MAX_EXAMPLES",
    "Aggregate",
    "Group",
    "GroupTable",
    "Rollup",
]

MAX_DISTINCT = 20_000  # distinct subjects a roll-up counts exactly
MAX_EXAMPLES = 3
MAX_BADGES = MAX_EXAMPLES * 3
MAX_EPISODE_STARTS = 256  # episode starts a group keeps, so that merged parts count exactly
_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.SEVERE: 2}
_MAX_TALLY_VALUES = 64


class Group:
    """One (rule, subject) group being built while events stream past."""

    __slots__ = (
        "_episode_span",
        "_episode_start",
        "_episode_starts",
        "_last_badges",
        "badges",
        "count",
        "display",
        "episodes",
        "examples",
        "fields",
        "first_seen",
        "last_seen",
        "score",
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
        self._last_badges: Iterable[str] = ()
        self.tallies: dict[str, dict[str, int]] = {}
        self.score = 0.0  # orders a summary's examples (and eviction among equals)
        self.episodes = 0  # runs of events close together (only for rules that ask)
        self._episode_start: datetime | None = None
        self._episode_span: timedelta | None = None
        self._episode_starts: list[datetime] = []  # the first MAX_EPISODE_STARTS, for merging

    def episode(self, time: datetime | None, span: timedelta) -> None:
        """Count ``time`` into the group's episodes.

        It starts a new episode unless it falls within ``span`` of the current episode's first
        event (a window, not a chain: a line that flaps every minute is many episodes, while two
        interfaces flipping a second apart are one).
        """
        self._episode_span = span
        start = self._episode_start
        if time is None:
            if start is None:
                self.episodes += 1
            return
        if start is None or abs(time - start) > span:
            self.episodes += 1
            self._episode_start = time
            if len(self._episode_starts) < MAX_EPISODE_STARTS:
                self._episode_starts.append(time)

    def _merge_episodes(self, other: Group) -> None:
        """Count the episodes of both parts as one pass would, when both kept every start.

        An episode cut in two by the split (its first events in one part, the rest in the
        other) counts once; with more starts than are kept, the counts are added.
        """
        span = self._episode_span or other._episode_span
        mine, theirs = self._episode_starts, other._episode_starts
        complete = len(mine) == self.episodes and len(theirs) == other.episodes
        if span is None or not complete:
            self.episodes += other.episodes
            return
        starts: list[datetime] = []
        for moment in sorted((*mine, *theirs)):
            if not starts or moment - starts[-1] > span:
                starts.append(moment)
        self.episodes = len(starts)
        self._episode_starts = starts[:MAX_EPISODE_STARTS]
        self._episode_span = span
        if len(starts) > MAX_EPISODE_STARTS:
            self._episode_starts = []  # not complete any more: later merges add counts

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
        # rules return the same (cached) badge tuple for most events: skip a repeat at once
        if badges and badges is not self._last_badges and len(self.badges) < MAX_BADGES:
            self._add_badges(badges)
            self._last_badges = badges
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
        self.score = max(self.score, other.score)
        self.count += other.count
        self._merge_episodes(other)
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
    """What was folded away when a rule had more subjects than the cap.

    Distinct subjects are counted exactly up to ``MAX_DISTINCT`` (a subject evicted twice counts
    once); beyond that, each further absorbed group counts as a new subject.
    """

    __slots__ = ("_extra", "count", "first_seen", "last_seen", "seen", "severity")

    def __init__(self) -> None:
        """Start empty."""
        self.seen: set[str] = set()
        self._extra = 0
        self.count = 0
        self.severity = Severity.LOW
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None

    @property
    def subjects(self) -> int:
        """How many distinct subjects were folded in."""
        return len(self.seen) + self._extra

    def _see(self, subject: str) -> None:
        if subject in self.seen:
            return
        if len(self.seen) < MAX_DISTINCT:
            self.seen.add(subject)
        else:
            self._extra += 1

    def absorb(self, group: Group) -> None:
        """Fold a whole group in."""
        self._see(group.subject)
        self.count += group.count
        if group.severity.rank > self.severity.rank:
            self.severity = group.severity
        self._widen(group.first_seen, group.last_seen)

    def merge(self, other: Rollup) -> None:
        """Fold in another part's roll-up."""
        for subject in other.seen:
            self._see(subject)
        self._extra += other._extra
        self.count += other.count
        if _RANK[other.severity] > _RANK[self.severity]:
            self.severity = other.severity
        self._widen(other.first_seen, other.last_seen)

    def _widen(self, first: datetime | None, last: datetime | None) -> None:
        if first is not None and (self.first_seen is None or first < self.first_seen):
            self.first_seen = first
        if last is not None and (self.last_seen is None or last > self.last_seen):
            self.last_seen = last


class GroupTable:
    """The groups of one rule, at most ``keep`` reported and about ``4 * keep`` held at once.

    With ``fold`` (``(threshold, per_hour)``, for a rule with a summary), groups that stay
    routine (low, and below the threshold) are evicted first and into :attr:`routine`, so the
    summary still counts them; other evicted groups go into :attr:`rollup`.
    """

    __slots__ = ("_high_water", "fold", "groups", "keep", "rollup", "routine")

    def __init__(self, keep: int = 50, fold: tuple[float, bool] | None = None) -> None:
        """Hold groups for one rule; report at most ``keep`` of them plus a roll-up."""
        self.keep = keep
        self.fold = fold
        self._high_water = keep * 4
        self.groups: dict[str, Group] = {}
        self.rollup = Rollup()
        self.routine = Rollup()

    def is_routine(self, group: Group) -> bool:
        """Whether a group is folded into its rule's summary rather than reported alone."""
        if self.fold is None or group.severity is not Severity.LOW:
            return False
        threshold, per_hour = self.fold
        if not per_hour:
            return group.count < threshold
        hours = 1.0
        if group.first_seen is not None and group.last_seen is not None:
            hours = max((group.last_seen - group.first_seen).total_seconds() / 3600, 1.0)
        return group.count / hours < threshold

    def _weight(self, group: Group) -> tuple[bool, int, int, float]:
        return (not self.is_routine(group), group.severity.rank, group.count, group.score)

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
        self.routine.merge(other.routine)

    def finish(self) -> list[Group]:
        """The ``keep`` heaviest groups (and every held routine one); the rest are rolled up."""
        routine = sum(1 for group in self.groups.values() if self.is_routine(group))
        self._evict(self.keep + routine)
        return list(self.groups.values())

    def _evict(self, target: int) -> None:
        if len(self.groups) <= target:
            return
        ranked = sorted(self.groups.values(), key=self._weight, reverse=True)
        for group in ranked[target:]:
            (self.routine if self.is_routine(group) else self.rollup).absorb(group)
            del self.groups[group.subject]


class Aggregate:
    """The group tables of one rule set over some events: small, picklable and mergeable."""

    __slots__ = ("activity", "tables", "threats")

    def __init__(
        self,
        tables: dict[str, GroupTable] | None = None,
        activity: Activity | None = None,
        threats: Threats | None = None,
    ) -> None:
        """Wrap per-rule tables (rule id -> table), the events per hour, the IPS numbers."""
        self.tables: dict[str, GroupTable] = tables if tables is not None else {}
        self.activity = activity if activity is not None else Activity()
        self.threats = threats if threats is not None else Threats()

    def merge(self, other: Aggregate) -> None:
        """Fold in the aggregate of another, disjoint part of the events."""
        self.activity.merge(other.activity)
        self.threats.merge(other.threats)
        for rule_id, table in other.tables.items():
            mine = self.tables.get(rule_id)
            if mine is None:
                self.tables[rule_id] = table
            else:
                mine.merge(table)
