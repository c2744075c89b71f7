"""The Security section: the period's IPS alerts in numbers, the busiest sources, the verdict.

Built from the numbers the analysis counted (:class:`~unifi_scanner.analysis.Threats`), with
the abuse score of each source when the threat-intelligence integration looked it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner._untrusted import one_line

if TYPE_CHECKING:
    from unifi_scanner.reports.model import Report

__all__ = ["SOURCE_HEADER", "SecurityView", "SourceRow", "abuse_scores", "security_view"]

SOURCE_HEADER: Final = ("Address", "Country", "Alerts", "Blocked", "Abuse score")
_TOP: Final = 10


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One outside address of the top-sources table."""

    address: str
    country: str
    alerts: int
    blocked: int
    abuse: str

    @property
    def cells(self) -> tuple[str, ...]:
        """The row as table cells."""
        return (self.address, self.country, str(self.alerts), str(self.blocked), self.abuse)


@dataclass(frozen=True, slots=True)
class SecurityView:
    """What the Security section says.

    Attributes:
        summary: blocked against detected, inbound against outbound, in one sentence.
        verdict: what it means, in one sentence.
        sources: the busiest outside addresses.
        categories: the most frequent categories, with their counts.
    """

    summary: str
    verdict: str
    sources: tuple[SourceRow, ...]
    categories: tuple[tuple[str, int], ...]


def abuse_scores(report: Report) -> dict[str, int]:
    """Abuse scores (0-100) by address, from the threat-intelligence section when it ran."""
    scores: dict[str, int] = {}
    for section in report.integrations:
        rows: Any = section.data.get("addresses") if section.name == "abuseipdb" else None
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and isinstance(row.get("score"), int):
                scores[str(row.get("ip"))] = row["score"]
    return scores


def _verdict(alerts: int, detected: int, outbound: int) -> str:
    if outbound:
        return (
            "Devices inside your network set off alerts: deal with the severe findings about "
            "them first."
        )
    if detected:
        return (
            "Some attacks from outside were only detected, not stopped: set the IPS to block "
            "(Notify and Block)."
        )
    if alerts:
        return "Every alert was traffic from the internet that the gateway blocked: handled noise."
    return "No threat alerts in this period."


def security_view(report: Report) -> SecurityView | None:
    """The Security section of ``report``; ``None`` when the period had no IPS alert."""
    threats = report.threats
    if threats is None or not (threats.alerts or threats.engine):
        return None
    engine = (
        f" {threats.engine} Suricata engine event(s) (decoder and stream anomalies) are not "
        "counted as threats."
        if threats.engine
        else ""
    )
    summary = (
        f"{threats.alerts} IPS alert(s): {threats.blocked} blocked, {threats.detected} only "
        f"detected; {threats.inbound} from outside, {threats.outbound} from inside devices."
        f"{engine}"
    )
    scores = abuse_scores(report)
    sources = tuple(
        SourceRow(
            one_line(s.address),
            one_line(s.country or "-"),
            s.alerts,
            s.blocked,
            f"{scores[s.address]} %" if s.address in scores else "-",
        )
        for s in threats.top_sources(_TOP)
    )
    verdict = _verdict(threats.alerts, threats.detected, threats.outbound)
    categories = tuple((one_line(name), count) for name, count in threats.top_categories())
    return SecurityView(summary, verdict, sources, categories)
