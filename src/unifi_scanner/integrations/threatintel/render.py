"""The threat-intelligence section in every format: each address, its reputation, what saw it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.integrations.render import (
    Block,
    BlockSectionRenderer,
    SectionView,
    section_note,
)

if TYPE_CHECKING:
    from unifi_scanner.integrations.base import IntegrationSection

__all__ = ["ThreatIntelSectionRenderer", "view_of"]


def view_of(section: IntegrationSection) -> SectionView:
    """Return the section as blocks of plain strings."""
    data = section.data
    if not data:
        return SectionView(section_note(section), "No data.", [])
    rows = [
        (
            str(a.get("ip")),
            f"{a.get('score', 0)} %",
            str(a.get("reports", 0)),
            ", ".join(str(x) for x in (a.get("isp"), a.get("usage"), a.get("country")) if x) or "—",
            "yes" if a.get("tor") else "no",
            str(a.get("verdict") or ""),
            str(a.get("seen") or "—"),
        )
        for a in data.get("addresses") or []
    ]
    summary = (
        f"{data.get('looked_up', 0)} looked up, {data.get('from_cache', 0)} from the cache, "
        f"{data.get('not_looked_up', 0)} not looked up"
    )
    header = ("Address", "Abuse", "Reports", "Network", "Tor", "Verdict", "Seen")
    block = Block("Outside addresses", summary, header, rows, list(data.get("notes") or []))
    period = "Reputation from AbuseIPDB: how sure its users are that an address is abusive."
    return SectionView(section_note(section), period, [block])


class ThreatIntelSectionRenderer(BlockSectionRenderer):
    """Render the threat-intelligence section."""

    def view(self, section: IntegrationSection) -> SectionView:
        """Return the section as blocks."""
        return view_of(section)
