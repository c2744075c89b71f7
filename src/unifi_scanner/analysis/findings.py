"""The analysis result: :class:`Finding` and its :class:`Severity`."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from unifi_scanner.analysis.text import utc_iso

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Finding", "Severity", "subject_key"]


def subject_key(identity: str) -> str:
    """A short stable key for a subject's identity (a MAC) that does not show it: 12 hex digits."""
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:12]


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
        parts: the rules whose findings about this subject it tells together (the first is
            ``rule``); empty for a finding no story rule made.
        key: the subject's identity when its display name is not one (two clients may both be
            called ``iPhone``, a name may change): :func:`subject_key` of its MAC, so the
            report never shows the MAC of a named device; empty when ``subject`` is the
            identity.
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
    parts: tuple[str, ...] = ()
    key: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable identity, unique in one report: rule plus the subject's key (or subject)."""
        return f"{self.rule}:{self.key or self.subject}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-compatible data: the report's ``finding`` object.

        The one place a finding becomes a dict; :meth:`from_dict` reads it back.

        Returns:
            Every field, times as ISO-8601 UTC with a ``Z``, plus ``fingerprint``.
        """
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "title": self.title,
            "explanation": self.explanation,
            "remediation": list(self.remediation),
            "subject": self.subject,
            "count": self.count,
            "first_seen": None if self.first_seen is None else utc_iso(self.first_seen),
            "last_seen": None if self.last_seen is None else utc_iso(self.last_seen),
            "examples": list(self.examples),
            "badges": list(self.badges),
            "evidence": list(self.evidence),
            "parts": list(self.parts),
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Read back what :meth:`to_dict` wrote (``parts`` may be missing: older records).

        The key comes back from the fingerprint.

        Raises:
            KeyError: a field is missing.
            ValueError: a severity or time does not parse.
        """
        return cls(
            rule=data["rule"],
            severity=Severity(data["severity"]),
            title=data["title"],
            explanation=data["explanation"],
            remediation=tuple(data["remediation"]),
            subject=data["subject"],
            count=data["count"],
            first_seen=_parse(data["first_seen"]),
            last_seen=_parse(data["last_seen"]),
            examples=tuple(data["examples"]),
            badges=tuple(data["badges"]),
            evidence=tuple(data["evidence"]),
            parts=tuple(data.get("parts", ())),
            key=_key(data["rule"], data["subject"], data.get("fingerprint")),
        )


def _key(rule: str, subject: str, fingerprint: str | None) -> str:
    if fingerprint is None or not fingerprint.startswith(f"{rule}:"):
        return ""
    key = fingerprint[len(rule) + 1 :]
    return "" if key == subject else key


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
