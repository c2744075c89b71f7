"""The analysis engine: one pass over the events, then the device and client checks."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from unifi_scanner.analysis.aggregate import Group, GroupTable
from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.rule import (
    ClientRule,
    DeviceRule,
    EventRule,
    GroupView,
    Rule,
    RuleContext,
)
from unifi_scanner.analysis.rules import DEFAULT_RULES, FALLBACK_RULE
from unifi_scanner.analysis.text import fill, human_list, when

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from unifi_scanner.collect.models import Client, Device, Event, Snapshot

__all__ = ["Engine"]

_LOGGER = logging.getLogger(__name__)


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
        self._keyed: dict[EventKey, list[EventRule]] = {}
        self._unkeyed: list[EventRule] = []
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
            elif rule.keys:
                for key in rule.keys:
                    self._keyed.setdefault(key, []).append(rule)
            else:
                self._unkeyed.append(rule)
        self._rules.setdefault(fallback.id, fallback)

    def analyze(self, snapshot: Snapshot) -> list[Finding]:
        """Analyse one snapshot.

        Args:
            snapshot: what one scan collected.

        Returns:
            Findings, most severe first, then by count (largest first).
        """
        ctx = RuleContext(snapshot, self._now)
        run = _Run(self, ctx)
        for event in snapshot.events:
            run.feed(event)
        for device in snapshot.devices:
            for device_rule in self._device_rules:
                run.check(device_rule, device, device.name or device.mac)
        for client in snapshot.clients:
            for client_rule in self._client_rules:
                run.check(client_rule, client, ctx.client_label(client.mac))
        findings = run.findings()
        findings.sort(key=lambda f: (-f.severity.rank, -f.count, f.rule, f.subject))
        return findings


class _Run:
    """The mutable state of one :meth:`Engine.analyze` call."""

    __slots__ = ("_broken", "_ctx", "_engine", "_keys", "_tables")

    def __init__(self, engine: Engine, ctx: RuleContext) -> None:
        self._engine = engine
        self._ctx = ctx
        self._tables: dict[str, GroupTable] = {}
        self._keys: dict[str, EventKey] = {}
        self._broken: set[str] = set()

    def _table(self, rule_id: str) -> GroupTable:
        table = self._tables.get(rule_id)
        if table is None:
            table = self._tables[rule_id] = GroupTable(self._engine._max_subjects)  # noqa: SLF001
        return table

    def _key(self, raw: str) -> EventKey:
        key = self._keys.get(raw)
        if key is None:
            key = EventKey(raw)
            if len(self._keys) < 10_000:  # noqa: PLR2004  (bounded cache of distinct keys)
                self._keys[raw] = key
        return key

    def _failed(self, rule_id: str, err: Exception) -> None:
        if rule_id not in self._broken:
            self._broken.add(rule_id)
            _LOGGER.warning("rule %s failed and was skipped: %r", rule_id, err, exc_info=err)

    def feed(self, event: Event) -> None:
        engine = self._engine
        self._ctx.memo.clear()
        claimed = False
        candidates = engine._keyed.get(self._key(event.key), [])  # noqa: SLF001
        for rule in (*candidates, *engine._unkeyed):  # noqa: SLF001
            try:
                if rule.when is not None and not rule.when(event, self._ctx):
                    continue
                self._add_event(rule, event)
            except Exception as err:  # noqa: BLE001  (one bad rule must not stop the scan)
                self._failed(rule.id, err)
            else:
                claimed = True
        if not claimed:
            try:
                self._add_event(engine._fallback, event)  # noqa: SLF001
            except Exception as err:  # noqa: BLE001
                self._failed(engine._fallback.id, err)  # noqa: SLF001

    def _add_event(self, rule: EventRule, event: Event) -> None:
        # Everything that can raise runs before the group is touched, so a failing rule never
        # leaves a half-counted group behind.
        ctx = self._ctx
        subject = rule.subject(event, ctx)
        severity = rule.severity_for(event, ctx)
        display = rule.name(event, ctx) if rule.name is not None else ""
        example = rule.example(event, ctx) if rule.example is not None else event.message
        badges = rule.badges(event, ctx)
        tally = tuple(rule.tally(event, ctx))
        table = self._table(rule.id)
        group = table.get(subject)
        if group is None:
            group = table.create(subject, dict(rule.fields(event, ctx)))
        group.name(display)
        group.add(
            time=event.time,
            severity=severity,
            example=f"{when(event.time)}: {example}" if example else "",
            badges=badges,
            tally=tally,
        )

    def check(self, rule: DeviceRule | ClientRule, item: Device | Client, subject: str) -> None:
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
        group = table.get(subject) or table.create(subject, dict(values))
        group.add(time=self._ctx.now(), severity=severity, example="", badges=rule.badges, tally=())

    def findings(self) -> list[Finding]:
        result: list[Finding] = []
        for rule_id, table in self._tables.items():
            rule = self._engine._rules[rule_id]  # noqa: SLF001
            for group in table.finish():
                try:
                    finding = _finding(rule, group)
                except Exception as err:  # noqa: BLE001
                    self._failed(rule_id, err)
                    continue
                if finding is not None:
                    result.append(finding)
            rollup = table.rollup
            if rollup.subjects:
                result.append(
                    Finding(
                        rule=rule_id,
                        severity=rollup.severity,
                        title=f"…and {rollup.subjects} more of the same kind",
                        explanation=(
                            f"To keep the report short, {rollup.subjects} further subjects with "
                            f"{rollup.count} events for this check were summarised here."
                        ),
                        subject=f"{rollup.subjects} more",
                        count=rollup.count,
                        first_seen=rollup.first_seen,
                        last_seen=rollup.last_seen,
                        badges=("rolled up",),
                    )
                )
        return result


def _values(group: Group) -> dict[str, object]:
    values: dict[str, object] = dict(group.fields)
    values.update(
        subject=group.display,
        count=group.count,
        times="once" if group.count == 1 else f"{group.count} times",
        first_seen=when(group.first_seen),
        last_seen=when(group.last_seen),
    )
    view = GroupView(group.count, group.first_seen, group.last_seen, group.severity)
    values["per_hour"] = f"{view.per_hour:.1f}"
    for dimension, counts in group.tallies.items():
        top = group.top(dimension)
        values[f"{dimension}_list"] = human_list([name for name, _ in top])
        values[f"{dimension}_top"] = ", ".join(f"{name} ({n})" for name, n in top)
        values[f"{dimension}_n"] = len(counts)
    return values


def _finding(rule: Rule, group: Group) -> Finding | None:
    severity = group.severity
    evidence: list[str] = []
    if isinstance(rule, EventRule):
        if group.count < rule.min_count:
            return None
        if rule.escalate is not None:
            escalated = rule.escalate(
                GroupView(group.count, group.first_seen, group.last_seen, severity)
            )
            severity = max(severity, escalated, key=lambda s: s.rank)
        evidence.append(
            f"{group.count} controller event(s) between {when(group.first_seen)} "
            f"and {when(group.last_seen)}."
        )
    else:
        evidence.append(f"Device and client statistics at {when(group.last_seen)}.")
    values = _values(group)
    evidence.extend(
        f"Most frequent {dimension.replace('_', ' ')}: {values[dimension + '_top']}"
        for dimension in group.tallies
    )
    return Finding(
        rule=rule.id,
        severity=severity,
        title=fill(rule.title, values),
        explanation=fill(rule.explanation, values),
        remediation=tuple(fill(step, values) for step in rule.remediation),
        subject=group.display,
        count=group.count,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        examples=tuple(group.examples),
        badges=tuple(group.badges),
        evidence=tuple(evidence),
    )
