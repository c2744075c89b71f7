"""Apply the enrichers' notes to the analysis' findings: badges, evidence, a raised severity."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.integrations.base import FindingNote

__all__ = ["apply_notes"]


def apply_notes(findings: Sequence[Finding], notes: Iterable[FindingNote]) -> tuple[Finding, ...]:
    """Return ``findings`` with each note applied to the finding it names (by fingerprint).

    Badges and evidence lines are added once each, in order; a note's severity raises a
    finding (never lowers it) and its reason joins the evidence. A note about a finding that
    is not there is dropped.

    Args:
        findings: the analysis' findings.
        notes: the enrichers' notes.

    Returns:
        The findings, in the same order.
    """
    by_fingerprint: dict[str, list[FindingNote]] = {}
    for note in notes:
        by_fingerprint.setdefault(note.fingerprint, []).append(note)
    if not by_fingerprint:
        return tuple(findings)
    return tuple(_applied(f, by_fingerprint.get(f.fingerprint, ())) for f in findings)


def _applied(finding: Finding, notes: Sequence[FindingNote]) -> Finding:
    if not notes:
        return finding
    badges = list(finding.badges)
    evidence = list(finding.evidence)
    severity = finding.severity
    for note in notes:
        badges += [badge for badge in note.badges if badge not in badges]
        evidence += [line for line in note.evidence if line not in evidence]
        if note.severity is not None and note.severity.rank > severity.rank:
            severity = note.severity
            if note.reason and note.reason not in evidence:
                evidence.append(note.reason)
    return dataclasses.replace(
        finding, badges=tuple(badges), evidence=tuple(evidence), severity=severity
    )
