"""Turning aggregated groups into findings: one per group, or one summary of routine groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.aggregate import MAX_EXAMPLES, Rollup
from unifi_scanner.analysis.findings import Finding, Severity, subject_key
from unifi_scanner.analysis.rule import EventRule, GroupView, SummaryView
from unifi_scanner.analysis.text import fill, human_list, when

if TYPE_CHECKING:
    from unifi_scanner.analysis.aggregate import Group
    from unifi_scanner.analysis.rule import Rule, RuleContext, Summary

__all__ = ["group_finding", "sentence", "summary_finding", "template_values"]

_TOP_SUBJECTS = 5


def template_values(group: Group) -> dict[str, object]:
    """The template fields of one group: its ``fields``, counts, times and tallies."""
    values: dict[str, object] = dict(group.fields)
    values.update(
        subject=group.display,
        count=group.count,
        times="once" if group.count == 1 else f"{group.count} times",
        first_seen=when(group.first_seen),
        last_seen=when(group.last_seen),
    )
    if group.episodes:
        values["episodes"] = group.episodes
        values["episode_times"] = "once" if group.episodes == 1 else f"{group.episodes} times"
    view = GroupView(group.count, group.first_seen, group.last_seen, group.severity)
    values["per_hour"] = f"{view.per_hour:.1f}"
    for dimension, counts in group.tallies.items():
        top = group.top(dimension)
        values[f"{dimension}_list"] = human_list([name for name, _ in top])
        values[f"{dimension}_top"] = ", ".join(f"{name} ({n})" for name, n in top)
        values[f"{dimension}_n"] = len(counts)
    return values


_OUR_ARTICLES = frozenset({"the", "a", "an", "your"})


def sentence(text: str) -> str:
    """``text`` with a capital first letter when it starts with one of our placeholder phrases.

    ``the gateway``, ``an unnamed device`` are ours; a name (``iPhone-Anna``) is left alone.
    """
    first, _, _ = text.partition(" ")
    return text[:1].upper() + text[1:] if first in _OUR_ARTICLES else text


def group_finding(rule: Rule, group: Group) -> Finding | None:
    """The finding for one group, or ``None`` when it has fewer events than ``min_count``."""
    severity = group.severity
    evidence: list[str] = []
    if isinstance(rule, EventRule):
        if group.count < rule.min_count:
            return None
        if rule.escalate is not None:
            # a rule that counts episodes escalates on them (a failover, not its events)
            count = group.episodes if rule.episode_gap_s is not None else group.count
            escalated = rule.escalate(GroupView(count, group.first_seen, group.last_seen, severity))
            severity = max(severity, escalated, key=lambda s: s.rank)
        evidence.append(
            f"{group.count} controller event(s) between {when(group.first_seen)} "
            f"and {when(group.last_seen)}."
        )
    else:
        evidence.append(f"Device and client statistics at {when(group.last_seen)}.")
    values = template_values(group)
    evidence.extend(
        f"Most frequent {dimension.replace('_', ' ')}: {values[dimension + '_top']}"
        for dimension in group.tallies
    )
    return Finding(
        rule=rule.id,
        severity=severity,
        title=sentence(fill(rule.title, values)),
        explanation=sentence(fill(rule.explanation, values)),
        remediation=tuple(sentence(fill(step, values)) for step in rule.remediation),
        subject=group.display,
        key="" if group.display == group.subject else subject_key(group.subject),
        count=group.count,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        examples=tuple(group.examples),
        badges=tuple(group.badges),
        evidence=tuple(evidence),
    )


def summary_finding(
    rule: Rule, summary: Summary, groups: list[Group], rest: Rollup, ctx: RuleContext
) -> Finding | None:
    """One site-level finding for a rule's routine groups.

    Args:
        rule: the rule the groups belong to.
        summary: how to word the fold.
        groups: the routine groups still held (the heaviest ones).
        rest: the routine groups evicted earlier, as totals.
        ctx: the scan's context.

    Returns:
        The finding, or ``None`` when nothing was folded.
    """
    total = Rollup()
    for group in groups:
        total.absorb(group)
    total.merge(rest)
    if not total.subjects:
        return None
    ranked = sorted(groups, key=lambda g: (g.score, g.count, g.display), reverse=True)
    values: dict[str, object] = dict(summary.fields(ctx)) if summary.fields is not None else {}
    if ranked:
        values.update({f"top_{k}": v for k, v in template_values(ranked[0]).items()})
    top = ranked[:_TOP_SUBJECTS]
    values.update(
        subjects=f"{total.subjects:,}",
        count=f"{total.count:,}",
        first_seen=when(total.first_seen),
        last_seen=when(total.last_seen),
        top_list=human_list([g.display for g in top], limit=_TOP_SUBJECTS),
    )
    if isinstance(summary.severity, Severity):
        severity = summary.severity
    else:
        severity = summary.severity(SummaryView(total.subjects, total.count, ctx))
    if isinstance(rule, EventRule):
        evidence = [
            (
                f"{total.count:,} controller event(s) from {total.subjects:,} subject(s) "
                f"between {when(total.first_seen)} and {when(total.last_seen)}."
            ),
        ]
        if top:
            evidence.append("Busiest: " + ", ".join(f"{g.display} ({g.count})" for g in top))
    else:
        evidence = [f"Device and client statistics at {when(total.last_seen)}."]
    return Finding(
        rule=rule.id,
        severity=severity,
        title=fill(summary.title, values),
        explanation=fill(summary.explanation, values),
        remediation=tuple(fill(step, values) for step in summary.remediation),
        subject=summary.subject,
        count=total.count,
        first_seen=total.first_seen,
        last_seen=total.last_seen,
        examples=tuple(fill(summary.example, template_values(g)) for g in ranked[:MAX_EXAMPLES]),
        badges=("summary",),
        evidence=tuple(evidence),
    )
