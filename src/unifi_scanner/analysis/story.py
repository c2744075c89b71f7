"""One story per subject: everything a report says about one device (or client) in one finding.

A switch that lost contact, came back, restarted and is now over its PoE budget is one problem
to its owner, not four cards. Rules marked with a ``story`` (``device`` or ``client``) give
parts; the parts about one subject (the same MAC) become one finding with the highest severity
of its parts, the most important part's title and steps first, a sentence for each other part,
and one timeline of examples.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Final

from unifi_scanner.analysis.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["LEAD_ORDER", "tell"]

LEAD_ORDER: Final = (
    "ips.inside_threat",
    "device.offline",
    "device.lost_contact",
    "network.loop",
    "network.rogue_dhcp",
    "power.rps",
    "device.isolated",
    "device.temperature",
    "device.overheating",
    "poe.overload",
    "device.poe_budget",
    "wan.failover",
    "device.firmware_failed",
)
"""Among parts of equal severity, the one that leads (gives the title): what is wrong now and
what takes the most down first; then by number of events."""

_RANK: Final = {rule: i for i, rule in enumerate(LEAD_ORDER)}
MAX_TIMELINE: Final = 8
MAX_STEPS: Final = 6


def _lead_key(finding: Finding) -> tuple[int, int, int, str]:
    return (
        -finding.severity.rank,
        _RANK.get(finding.rule, len(_RANK)),
        -finding.count,
        finding.rule,
    )


def _unique(items: Iterable[str], limit: int | None = None) -> tuple[str, ...]:
    kept = tuple(dict.fromkeys(items))
    return kept if limit is None else kept[:limit]


def tell(parts: list[Finding]) -> Finding:
    """One finding from the parts of one subject's story.

    Args:
        parts: findings about the same subject (at least one).

    Returns:
        The single part unchanged (but with ``parts`` set), or their combination.
    """
    ordered = sorted(parts, key=_lead_key)
    lead = ordered[0]
    rules = _unique(p.rule for p in ordered)
    if len(ordered) == 1:
        return _with_parts(lead, rules)
    others = ordered[1:]
    also = " ".join(_sentence(p.title) for p in others)
    steps = [*lead.remediation]
    for part in others:
        if part.severity.rank > 0:  # a low part is information, its steps are not needed
            steps.extend(part.remediation)
    firsts = [p.first_seen for p in ordered if p.first_seen is not None]
    lasts = [p.last_seen for p in ordered if p.last_seen is not None]
    return Finding(
        rule=lead.rule,
        severity=lead.severity,
        title=f"{lead.title} (and {len(others)} more about it)",
        explanation=f"{lead.explanation} Also about {lead.subject}: {also}",
        remediation=_unique(steps, MAX_STEPS),
        subject=lead.subject,
        key=lead.key,
        count=sum(p.count for p in ordered),
        first_seen=min(firsts, default=None),
        last_seen=max(lasts, default=None),
        examples=_timeline(ordered),
        badges=_unique(b for p in ordered for b in p.badges),
        evidence=_unique(e for p in ordered for e in p.evidence),
        parts=rules,
    )


def _sentence(title: str) -> str:
    return title if title.endswith((".", "!", "?")) else f"{title}."


def _timeline(parts: list[Finding]) -> tuple[str, ...]:
    """Every part's examples in time order (they start with ``YYYY-MM-DD HH:MM UTC``)."""
    lines = sorted({line for p in parts for line in p.examples})
    return tuple(lines[-MAX_TIMELINE:])


def _with_parts(finding: Finding, rules: tuple[str, ...]) -> Finding:
    if finding.parts == rules:
        return finding
    return dataclasses.replace(finding, parts=rules)
