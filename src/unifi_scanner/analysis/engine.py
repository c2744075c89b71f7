"""The analysis engine: one pass over the events, then the device and client checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from unifi_scanner import vocabulary
from unifi_scanner._gc import relaxed_gc
from unifi_scanner.analysis.activity import Activity
from unifi_scanner.analysis.aggregate import (
    MAX_BADGES,
    MAX_EXAMPLES,
    Aggregate,
    GroupTable,
)
from unifi_scanner.analysis.conclude import group_finding, summary_finding
from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.analysis.keys import warn_unknown_key
from unifi_scanner.analysis.names import readable_message
from unifi_scanner.analysis.rule import (
    ClientRule,
    DeviceRule,
    EventRule,
    Rule,
    RuleContext,
)
from unifi_scanner.analysis.rules import DEFAULT_RULES, FALLBACK_RULE
from unifi_scanner.analysis.story import tell
from unifi_scanner.analysis.text import when
from unifi_scanner.analysis.threats import Threats
from unifi_scanner.collect.normalize import mac_id

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable
    from datetime import datetime

    from unifi_scanner.collect.models import Client, Device, Event, Snapshot

__all__ = ["Analysis", "Engine"]

_LOGGER = logging.getLogger(__name__)
_MAX_DISTINCT_KEYS = 10_000  # bound on the per-run dispatch cache


class _Switch:
    """Rules sharing one ``route`` function: it runs once and picks the rules to try."""

    __slots__ = ("by_value", "route", "rules")

    def __init__(self, route: Callable[[Event, RuleContext], Hashable]) -> None:
        self.route = route
        self.rules: tuple[EventRule, ...] = ()
        self.by_value: dict[Hashable, tuple[EventRule, ...]] = {}

    def add(self, rule: EventRule, value: Hashable) -> None:
        self.rules = (*self.rules, rule)
        self.by_value[value] = (*self.by_value.get(value, ()), rule)


# A block: rules sharing one gate, as steps that are either plain rules (tried in turn) or a
# switch (tried only when routed to).
_Step = tuple[EventRule, ...] | _Switch
_Block = tuple["Callable[[Event], bool] | None", tuple[_Step, ...]]


@dataclass(frozen=True, slots=True)
class Analysis:
    """What :meth:`Engine.run` found: the findings, the events per hour, the IPS alerts' numbers."""

    findings: list[Finding]
    activity: Activity
    threats: Threats


_RANKS: Final = {severity: severity.rank for severity in Severity}


class Engine:
    """Turns a :class:`~unifi_scanner.collect.models.Snapshot` into sorted findings.

    Events are streamed once; each goes to every rule that claims it, and an event no rule
    claims goes to the fallback rule, so nothing is dropped. A rule that raises is logged once
    and skipped for that event; analysis never raises.
    """

    def __init__(
        self,
        rules: Iterable[Rule] = DEFAULT_RULES,
        *,
        now: Callable[[], datetime],
        fallback: EventRule = FALLBACK_RULE,
        max_subjects: int = 50,
    ) -> None:
        """Set up the rule index.

        Args:
            rules: the rules to run.
            now: the injected clock (aware UTC).
            fallback: the rule for events no other rule claims.
            max_subjects: findings kept per rule; the rest are rolled up into one.
        """
        self._now = now
        self._fallback = fallback
        self._max_subjects = max_subjects
        self._keyed: dict[str, list[EventRule]] = {}
        self._unkeyed: list[EventRule] = []
        self._by_vocabulary: dict[str, EventRule] = {}
        self._device_rules: list[DeviceRule] = []
        self._client_rules: list[ClientRule] = []
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self._rules:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            self._rules[rule.id] = rule
            if isinstance(rule, DeviceRule):
                self._device_rules.append(rule)
            elif isinstance(rule, ClientRule):
                self._client_rules.append(rule)
            elif rule.keys or rule.vocabulary:
                for key in rule.keys:
                    self._keyed.setdefault(key, []).append(rule)
                if rule.vocabulary:
                    self._by_vocabulary[rule.id] = rule
            else:
                self._unkeyed.append(rule)
        self._rules.setdefault(fallback.id, fallback)

    def analyze(self, snapshot: Snapshot) -> list[Finding]:
        """Analyse one snapshot (its events are iterated exactly once).

        Args:
            snapshot: what one scan collected.

        Returns:
            Findings, most severe first, then by count (largest first).
        """
        return self.run(snapshot).findings

    def run(self, snapshot: Snapshot) -> Analysis:
        """Analyse one snapshot: the findings and the events per hour (one pass over events)."""
        aggregate = self.aggregate(snapshot)
        return Analysis(self.conclude(snapshot, aggregate), aggregate.activity, aggregate.threats)

    def aggregate(self, snapshot: Snapshot, events: Iterable[Event] | None = None) -> Aggregate:
        """Fold events into per-rule groups, without making any text yet.

        Several aggregates of disjoint parts of the events (e.g. made in worker processes, one
        per group of export pages) can be merged with :meth:`Aggregate.merge` and then given to
        :meth:`conclude`; the result is that of one :meth:`analyze` over all the events.

        Args:
            snapshot: the scan; its devices and clients name the subjects.
            events: the events to fold in; ``snapshot.events`` (iterated once) when ``None``.

        Returns:
            The groups, small and picklable.
        """
        run = _Run(self, RuleContext(snapshot, self._now), {})
        with relaxed_gc():  # millions of short-lived, acyclic objects stream through here
            for event in snapshot.events if events is None else events:
                run.feed(event)
        return Aggregate(run.tables, run.activity, run.threats)

    def conclude(self, snapshot: Snapshot, aggregate: Aggregate) -> list[Finding]:
        """Run the device and client checks and turn the groups into sorted findings.

        Args:
            snapshot: the scan (its events are not read again).
            aggregate: what :meth:`aggregate` returned, possibly merged from several parts.

        Returns:
            Findings, most severe first, then by count (largest first).
        """
        ctx = RuleContext(snapshot, self._now)
        run = _Run(self, ctx, aggregate.tables)
        for device in snapshot.devices:
            for device_rule in self._device_rules:
                run.check(device_rule, device, device.mac.lower(), device.name or device.mac)
        for client in snapshot.clients:
            for client_rule in self._client_rules:
                run.check(client_rule, client, client.mac.lower(), ctx.client_label(client.mac))
        findings = run.findings()
        findings.sort(key=lambda f: (-f.severity.rank, -f.count, f.rule, f.subject))
        return findings


def _add_step(steps: list[_Step], rule: EventRule) -> None:
    """Append a rule to a block: to the switch of its route, else to the plain rules."""
    if rule.route is None:
        if steps and not isinstance(steps[-1], _Switch):
            steps[-1] = (*steps[-1], rule)
        else:
            steps.append((rule,))
        return
    route, value = rule.route
    switch = next((s for s in steps if isinstance(s, _Switch) and s.route is route), None)
    if switch is None:
        switch = _Switch(route)
        steps.append(switch)
    switch.add(rule, value)


class _Run:
    """The mutable state of one :meth:`Engine.analyze` call."""

    __slots__ = (
        "_broken",
        "_ctx",
        "_dispatch",
        "_engine",
        "_rank",
        "activity",
        "tables",
        "threats",
    )

    def __init__(self, engine: Engine, ctx: RuleContext, tables: dict[str, GroupTable]) -> None:
        self._engine = engine
        self._ctx = ctx
        self.tables = tables
        self.activity = Activity()
        self.threats = Threats()
        self._rank = -1  # the highest severity the current event was judged at
        # raw key -> the rules that may claim it (keyed first, then key-less) in blocks that
        # share one gate, so a shared gate runs once per event and a failed one skips its block
        self._dispatch: dict[str, tuple[_Block, ...]] = {}
        self._broken: set[str] = set()

    def _table(self, rule_id: str) -> GroupTable:
        table = self.tables.get(rule_id)
        if table is None:
            rule = self._engine._rules.get(rule_id)  # noqa: SLF001
            summary = rule.summary if isinstance(rule, EventRule | ClientRule) else None
            fold = None
            if summary is not None:
                threshold = float("inf") if summary.threshold is None else summary.threshold
                fold = (threshold, summary.per_hour)
            keep = self._engine._max_subjects  # noqa: SLF001
            table = self.tables[rule_id] = GroupTable(keep, fold)
        return table

    def _candidates(self, raw: str) -> tuple[_Block, ...]:
        engine = self._engine
        keyed = engine._keyed.get(raw, [])  # noqa: SLF001
        entry = vocabulary.lookup(raw)
        if entry is None:
            warn_unknown_key(raw)  # once per key; the event still reaches a rule or the fallback
            listed = None
        else:
            listed = engine._by_vocabulary.get(entry.rule)  # noqa: SLF001
        rules = (*keyed, *(() if listed is None or listed in keyed else (listed,)))
        blocks: list[tuple[Callable[[Event], bool] | None, list[_Step]]] = []
        for rule in (*rules, *engine._unkeyed):  # noqa: SLF001
            if not blocks or blocks[-1][0] is not rule.gate:
                blocks.append((rule.gate, []))
            _add_step(blocks[-1][1], rule)
        found = tuple((gate, tuple(steps)) for gate, steps in blocks)
        if len(self._dispatch) < _MAX_DISTINCT_KEYS:
            self._dispatch[raw] = found
        return found

    def _failed(self, rule_id: str, err: Exception) -> None:
        if rule_id not in self._broken:
            self._broken.add(rule_id)
            _LOGGER.warning("rule %s failed and was skipped: %r", rule_id, err, exc_info=err)

    def feed(self, event: Event) -> None:
        memo = self._ctx.memo
        if memo:
            memo.clear()
        self._rank = -1
        blocks = self._dispatch.get(event.key)
        if blocks is None:
            blocks = self._candidates(event.key)
        claimed = False
        for gate, steps in blocks:
            if gate is not None:
                try:
                    if not gate(event):
                        continue
                except Exception as err:  # noqa: BLE001  (a failing gate skips its rules only)
                    self._gate_failed(steps, err)
                    continue
            if self._run_block(steps, event):
                claimed = True
        if not claimed:
            self._fall_back(event)
        self._count(event)

    def _count(self, event: Event) -> None:
        """Add the event to the timeline, and the alert the IPS rules parsed to the numbers."""
        if self._rank >= 0:
            self.activity.add(event.time, self._rank)
        parsed = self._ctx.memo.get("ips")
        if parsed is not None:
            self.threats.add(parsed)

    def _fall_back(self, event: Event) -> None:
        fallback = self._engine._fallback  # noqa: SLF001
        try:
            self._add_event(fallback, event)
        except Exception as err:  # noqa: BLE001
            self._failed(fallback.id, err)

    def _run_block(self, steps: tuple[_Step, ...], event: Event) -> bool:
        claimed = False
        ctx = self._ctx
        for step in steps:
            rules = self._route(step, event) if type(step) is _Switch else step
            for rule in rules:  # type: ignore[union-attr]
                try:
                    if rule.when is not None and not rule.when(event, ctx):
                        continue
                    self._add_event(rule, event)
                except Exception as err:  # noqa: BLE001  (one bad rule must not stop the scan)
                    self._failed(rule.id, err)
                else:
                    claimed = True
        return claimed

    def _route(self, switch: _Switch, event: Event) -> tuple[EventRule, ...]:
        try:
            return switch.by_value.get(switch.route(event, self._ctx), ())
        except Exception as err:  # noqa: BLE001  (a failing route skips its rules, not the scan)
            for rule in switch.rules:
                self._failed(rule.id, err)
            return ()

    def _gate_failed(self, steps: tuple[_Step, ...], err: Exception) -> None:
        for step in steps:
            for rule in step.rules if isinstance(step, _Switch) else step:
                self._failed(rule.id, err)

    def _add_event(self, rule: EventRule, event: Event) -> None:
        # Everything that can raise runs before the group is touched, so a failing rule never
        # leaves a half-counted group behind. Display names, examples and badges are only
        # computed while the group still has room for them: no text is made per event.
        ctx = self._ctx
        subject = rule.subject(event, ctx)
        severity = (
            rule.severity if isinstance(rule.severity, Severity) else rule.severity(event, ctx)
        )
        tally = rule.tally(event, ctx)
        if type(tally) is not tuple:
            tally = tuple(tally)
        table = self.tables.get(rule.id) or self._table(rule.id)
        group = table.groups.get(subject)
        new = group is None
        display = ""
        if rule.name is not None and (new or group.display == subject):  # type: ignore[union-attr]
            display = rule.name(event, ctx)
        example = ""
        if new or len(group.examples) < MAX_EXAMPLES:  # type: ignore[union-attr]
            text = (
                rule.example(event, ctx)
                if rule.example is not None
                else readable_message(event, ctx)
            )
            example = f"{when(event.time)}: {text}" if text else ""
        badges: tuple[str, ...] = ()
        if new or len(group.badges) < MAX_BADGES:  # type: ignore[union-attr]
            badges = rule.badges(event, ctx)
        if group is None:
            group = table.create(subject, dict(rule.fields(event, ctx)))
        if display:
            group.name(display)
        if rule.episode_gap_s is not None:
            group.episode(event.time, timedelta(seconds=rule.episode_gap_s))
        group.add(time=event.time, severity=severity, example=example, badges=badges, tally=tally)
        rank = _RANKS[severity]
        self._rank = max(self._rank, rank)

    def check(
        self, rule: DeviceRule | ClientRule, item: Device | Client, subject: str, display: str
    ) -> None:
        try:
            values = rule.check(item, self._ctx)  # type: ignore[arg-type]
            if values is None:
                return
            if isinstance(rule.severity, Severity):
                severity = rule.severity
            else:
                severity = rule.severity(item, values)  # type: ignore[arg-type]
        except Exception as err:  # noqa: BLE001  (one bad rule must not stop the scan)
            self._failed(rule.id, err)
            return
        table = self._table(rule.id)
        group = table.get(subject)
        if group is None:
            group = table.create(subject, dict(values))
            group.name(display)
            summary = rule.summary if isinstance(rule, ClientRule) else None
            if summary is not None and summary.rank is not None:
                group.score = summary.rank(values)
        group.add(time=self._ctx.now(), severity=severity, example="", badges=rule.badges, tally=())

    def findings(self) -> list[Finding]:
        result: list[Finding] = []
        stories: dict[tuple[str, str], list[Finding]] = {}
        for rule_id, table in self.tables.items():
            rule = self._engine._rules.get(rule_id)  # noqa: SLF001
            if rule is None:  # an aggregate made with other rules
                continue
            for finding, key in self._table_findings(rule, table):
                if key is None:
                    result.append(finding)
                else:
                    stories.setdefault(key, []).append(finding)
        for parts in stories.values():
            try:
                result.append(tell(parts))
            except Exception as err:  # noqa: BLE001  (a story that cannot be told stays in parts)
                self._failed("story", err)
                result.extend(parts)
        return result

    def _table_findings(
        self, rule: Rule, table: GroupTable
    ) -> list[tuple[Finding, tuple[str, str] | None]]:
        result: list[tuple[Finding, tuple[str, str] | None]] = []
        summary = rule.summary if isinstance(rule, EventRule | ClientRule) else None
        routine = []
        for group in table.finish():
            if summary is not None and table.is_routine(group):
                routine.append(group)
                continue
            try:
                finding = group_finding(rule, group)
            except Exception as err:  # noqa: BLE001
                self._failed(rule.id, err)
                continue
            if finding is not None:
                # only a MAC identifies a subject: unnamed or name-only groups stay on their own
                told = rule.story is not None and mac_id(group.subject) is not None
                result.append((finding, (rule.story, group.subject) if told else None))  # type: ignore[arg-type]
        if summary is not None:
            try:
                folded = summary_finding(rule, summary, routine, table.routine, self._ctx)
            except Exception as err:  # noqa: BLE001
                self._failed(rule.id, err)
            else:
                if folded is not None:
                    result.append((folded, None))
        rollup = table.rollup
        if rollup.subjects:
            rolled = (
                Finding(
                    rule=rule.id,
                    severity=rollup.severity,
                    title=f"…and {rollup.subjects} more of the same kind",
                    explanation=(
                        f"To keep the report short, {rollup.subjects} further subjects with "
                        f"{rollup.count} events for this check were summarised here."
                    ),
                    subject=f"{rollup.subjects} more",
                    key="rolled up",
                    count=rollup.count,
                    first_seen=rollup.first_seen,
                    last_seen=rollup.last_seen,
                    badges=("rolled up",),
                ),
                None,
            )
            result.append(rolled)
        return result
