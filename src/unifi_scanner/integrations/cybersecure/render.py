"""The CyberSecure section in every format: protection in force, signature sources, ET PRO."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.integrations.render import (
    Block,
    BlockSectionRenderer,
    SectionView,
    section_note,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.integrations.base import IntegrationSection

__all__ = ["CyberSecureSectionRenderer", "view_of"]

_ENHANCED: Final = {
    "active": "Enhanced signatures (ET PRO): active",
    "not seen": "Enhanced signatures (ET PRO): not seen in this period",
    "unknown": "Enhanced signatures (ET PRO): cannot be told",
}


def _yes(value: object) -> str:
    return "on" if value else "off"


def _protection(part: Mapping[str, Any]) -> Block:
    rows = [
        ("Mode", str(part.get("mode_text") or "not stated")),
        ("Categories", f"{len(part.get('categories') or [])} enabled"),
        ("DNS filtering", _yes(part.get("dns_filtering"))),
        ("Honeypot", _yes(part.get("honeypot"))),
        ("Never inspected", str(len(part.get("allow_list") or [])) + " address(es) or network(s)"),
        ("Silenced signatures", str(len(part.get("silenced") or []))),
    ]
    lines = []
    if part.get("missing"):
        lines.append("Not checked: " + ", ".join(part["missing"]) + ".")
    lines += [
        f"Never inspected: {entry.get('value')}" + (" (broad)" if entry.get("broad") else "")
        for entry in part.get("allow_list") or []
    ][:10]
    summary = "blocks what it detects" if part.get("blocks") else "does not block"
    return Block("Protection in force", summary, ("Setting", "Value"), rows, lines)


def _signatures(part: Mapping[str, Any]) -> list[Block]:
    by_source = part.get("by_source") or {}
    sources = [(str(source), str(count)) for source, count in by_source.items()]
    summary = (
        f"{part.get('threat_alerts', 0)} threat alert(s); "
        f"{part.get('engine_events', 0)} engine event(s), which are not threats"
    )
    blocks = [Block("Where the alerts came from", summary, ("Rule set", "Alerts"), sources)]
    title = _ENHANCED.get(str(part.get("enhanced")), "Enhanced signatures (ET PRO)")
    pro = part.get("pro") or {}
    lines = [str(part.get("evidence") or "")]
    if pro.get("alerts"):
        lines.append(
            f"ET PRO caught {pro['alerts']} alert(s) the free ET OPEN set has no signature for "
            f"({pro.get('blocked', 0)} blocked)."
        )
    devices = ", ".join(f"{d['name']} ({d['count']})" for d in pro.get("inside_devices") or [])
    if devices:
        lines.append(f"Inside devices involved: {devices}.")
    rows = [
        (
            str(s.get("sid") if s.get("sid") is not None else "—"),
            str(s.get("name")),
            str(s.get("count")),
        )
        for s in pro.get("signatures") or []
    ]
    blocks.append(Block(title, "", ("Sid", "ET PRO signature", "Alerts"), rows, lines))
    return blocks


def view_of(section: IntegrationSection) -> SectionView:
    """Return the CyberSecure section as blocks of plain strings."""
    data = section.data
    if not data:
        return SectionView(section_note(section), "No data.", [])
    blocks: list[Block] = []
    if "protection" in data:
        blocks.append(_protection(data["protection"]))
    else:
        blocks.append(
            Block("Protection in force", lines=["The controller did not give its IPS settings."])
        )
    if "signatures" in data:
        blocks.extend(_signatures(data["signatures"]))
    return SectionView(section_note(section), "", blocks)


class CyberSecureSectionRenderer(BlockSectionRenderer):
    """Render the CyberSecure section."""

    def view(self, section: IntegrationSection) -> SectionView:
        """Return the section as blocks of plain strings."""
        return view_of(section)
