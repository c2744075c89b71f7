"""The analysis result: :class:`Finding` and its :class:`Severity`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Finding", "Severity"]


class Severity(enum.StrEnum):
    """How urgently a finding needs attention. Ordered: ``LOW < MEDIUM < SEVERE``."""

    LOW = "low"
    MEDIUM = "medium"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for severe."""
        return _RANK[self]


_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.SEVERE: 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One aggregated conclusion, written for a non-expert.

    Attributes:
        rule: the id of the rule that produced it (``device.offline``).
        severity: how urgent it is.
        title: one plain-English line.
        explanation: what happened and why it matters.
        remediation: numbered steps (given for medium and severe).
        subject: who or what it is about, by name where known (``AP-Office``).
        count: how many events were aggregated into it.
        first_seen: the earliest event (aware UTC).
        last_seen: the latest event (aware UTC).
        examples: up to a few short example lines.
        badges: short tags (``blocked``, ``inbound``, ``ET PRO``).
        evidence: what the conclusion rests on, one line each.
    """

    rule: str
    severity: Severity
    title: str
    explanation: str
    remediation: tuple[str, ...] = ()
    subject: str = ""
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    examples: tuple[str, ...] = ()
    badges: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable identity for history: rule plus subject."""
        return f"{self.rule}:{self.subject}"
