"""The period's IPS alerts in numbers: blocked or detected, inbound or outbound, what, who.

Counted in the analysis' one pass, from the alert the IPS rules parsed: by category and by
outside address.

Small and mergeable like the groups: categories and addresses are counted one by one up to a
bound, the rest in totals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from unifi_scanner._addresses import Scope, scope
from unifi_scanner.analysis.ips import Direction, Triage

if TYPE_CHECKING:
    from unifi_scanner.analysis.ips import IpsAlert

__all__ = ["MAX_TRACKED", "SourceCount", "Threats"]

MAX_TRACKED: Final = 10_000
"""Outside addresses (and categories) counted one by one; more go to the totals only."""


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One outside address: its alerts, how many were blocked, its country when known."""

    address: str
    alerts: int
    blocked: int
    country: str | None


class Threats:
    """IPS alerts of a period, in numbers (engine events counted apart, not as threats)."""

    __slots__ = (
        "alerts",
        "blocked",
        "categories",
        "countries",
        "engine",
        "inbound",
        "outbound",
        "source_blocked",
        "sources",
    )

    def __init__(self) -> None:
        """Start empty."""
        self.alerts = 0
        self.blocked = 0
        self.inbound = 0
        self.outbound = 0
        self.engine = 0
        self.categories: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.source_blocked: Counter[str] = Counter()
        self.countries: dict[str, str] = {}

    def add(self, alert: IpsAlert) -> None:
        """Count one parsed alert."""
        if alert.triage is Triage.ENGINE:
            self.engine += 1
            return
        self.alerts += 1
        blocked = alert.blocked
        self.blocked += blocked
        outbound = alert.direction is Direction.OUTBOUND
        if outbound:
            self.outbound += 1
        else:
            self.inbound += 1
        category = alert.info.label or alert.category or alert.family or "unclassified"
        if category in self.categories or len(self.categories) < MAX_TRACKED:
            self.categories[category] += 1
        remote = alert.dst_ip if outbound else alert.src_ip
        if not remote or scope(remote) is not Scope.OUTSIDE:
            return
        if remote in self.sources or len(self.sources) < MAX_TRACKED:
            self.sources[remote] += 1
            self.source_blocked[remote] += blocked
            if not outbound and alert.src_country and remote not in self.countries:
                self.countries[remote] = alert.src_country

    def merge(self, other: Threats) -> None:
        """Fold in the counts of another, disjoint part of the events."""
        self.alerts += other.alerts
        self.blocked += other.blocked
        self.inbound += other.inbound
        self.outbound += other.outbound
        self.engine += other.engine
        for name, count in other.categories.items():
            if name in self.categories or len(self.categories) < MAX_TRACKED:
                self.categories[name] += count
        for address, count in other.sources.items():
            if address in self.sources or len(self.sources) < MAX_TRACKED:
                self.sources[address] += count
                self.source_blocked[address] += other.source_blocked[address]
        for address, country in other.countries.items():
            self.countries.setdefault(address, country)

    @property
    def detected(self) -> int:
        """Alerts the gateway only detected (did not block)."""
        return self.alerts - self.blocked

    def top_sources(self, limit: int = 10) -> list[SourceCount]:
        """The busiest outside addresses."""
        return [
            SourceCount(address, count, self.source_blocked[address], self.countries.get(address))
            for address, count in sorted(self.sources.items(), key=lambda kv: (-kv[1], kv[0]))[
                :limit
            ]
        ]

    def top_categories(self, limit: int = 8) -> list[tuple[str, int]]:
        """The most frequent categories."""
        return sorted(self.categories.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
