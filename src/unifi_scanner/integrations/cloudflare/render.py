"""The Cloudflare section in every format: tunnels, WAF summary, DNS blocks, notes.

Everything Cloudflare sends is untrusted text (paths, user agents, domain names): HTML goes
through an autoescaping Jinja environment, Markdown through one escaper (``markdown_escape``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.integrations.render import (
    Block,
    BlockSectionRenderer,
    SectionView,
    defang,
    section_note,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.integrations.base import IntegrationSection

__all__ = ["CloudflareSectionRenderer", "source_name", "view_of"]


def _time(text: object) -> str:
    if not isinstance(text, str) or not text:
        return "—"
    return f"{datetime.fromisoformat(text):%Y-%m-%d %H:%M} UTC"


_SOURCES: Final = {
    "asn": "IP access rules (network)",
    "bic": "Browser integrity check",
    "botfight": "Bot fight mode",
    "country": "IP access rules (country)",
    "dlp": "Data loss prevention",
    "firewallcustom": "Custom rules",
    "firewallmanaged": "Managed rules",
    "firewallrules": "Firewall rules",
    "hot": "Hotlink protection",
    "ip": "IP access rules",
    "iprange": "IP access rules (range)",
    "l7ddos": "DDoS protection",
    "ratelimit": "Rate limiting",
    "securitylevel": "Security level",
    "ualockdown": "User-agent blocking",
    "uablock": "User-agent blocking",
    "validation": "Invalid request",
    "waf": "Managed rules (previous version)",
    "zonelockdown": "Zone lockdown",
    "apishield": "API Shield",
    "apishieldschemavalidation": "API Shield schema validation",
    "apishieldtokenvalidation": "API Shield token validation",
    "sanitycheck": "Request sanity check",
    "linkmaze": "AI Labyrinth",
}
"""Plain names of the security features a firewall event's ``source`` names."""


def source_name(source: str) -> str:
    """Return the plain name of an event's ``source`` (``firewallManaged`` → "Managed rules")."""
    return _SOURCES.get(source.lower(), source)


def _tunnels(part: Mapping[str, Any]) -> Block:
    if "skipped" in part:
        return Block("Tunnels", lines=[f"Not read: {part['skipped']}."])
    tunnels = part.get("tunnels") or []
    counts: dict[str, int] = {}
    for tunnel in tunnels:
        counts[tunnel["status"]] = counts.get(tunnel["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no tunnels"
    rows = [
        (
            str(t.get("name")),
            str(t.get("status")),
            _time(t.get("since")),
            str(t.get("connections", 0)),
            ", ".join(t.get("colos") or []) or "—",
        )
        for t in tunnels
    ]
    header = ("Tunnel", "Status", "Since", "Connections", "Data centres")
    return Block("Tunnels", summary, header, rows, list(part.get("notes") or []))


def _correlated(ip: str, correlated: Mapping[str, str]) -> str:
    seen = correlated.get(ip)
    return f"also at your UniFi gateway: {seen}" if seen else ""


def _waf(part: Mapping[str, Any], correlated: Mapping[str, str]) -> list[Block]:
    if "skipped" in part:
        return [Block("WAF and firewall events", lines=[f"Not read: {part['skipped']}."])]
    zones = part.get("zones") or []
    summary = (
        f"{part.get('events', 0)} events on {len(zones)} zone(s): {part.get('blocked', 0)} "
        f"blocked, {part.get('challenged', 0)} challenged, {part.get('passed', 0)} challenges "
        f"passed, {part.get('allowed', 0)} allowed, {part.get('logged', 0)} logged"
    )
    lines = [f"{zone['name']}: {note}." for zone in zones for note in zone.get("notes") or []]
    lines += list(part.get("notes") or [])
    sources = [
        (
            str(s.get("ip")),
            ", ".join(x for x in (s.get("country"), s.get("asn")) if x) or "—",
            f"{s.get('stopped', 0)} of {s.get('total', 0)}",
            f"{s.get('top_host') or '—'} {s.get('top_path') or ''}".strip(),
            _correlated(str(s.get("ip")), correlated) or "—",
        )
        for s in part.get("top_sources") or []
    ]
    blocks = [
        Block(
            "WAF and firewall events",
            summary,
            ("Source", "Country, network", "Stopped", "Mostly", "UniFi"),
            sources,
            lines,
        )
    ]
    paths = [
        (str(p.get("host")), str(p.get("path")), str(p.get("count")))
        for p in part.get("top_paths") or []
    ]
    if paths:
        blocks.append(Block("Most attacked paths", "", ("Host", "Path", "Stopped"), paths))
    rules = [
        (
            source_name(str(r.get("source"))),
            str(r.get("description") or r.get("rule")),
            str(r.get("count")),
        )
        for r in part.get("top_rules") or []
    ]
    if rules:
        blocks.append(Block("Rules that fired most", "", ("Feature", "Rule", "Events"), rules))
    more = [
        f"{ip}: also at your UniFi gateway ({seen}), not among the top sources above."
        for ip, seen in correlated.items()
        if ip not in {row[0] for row in sources}
    ]
    blocks[0].lines.extend(more)
    return blocks


def _domain(name: str, harmful: set[str]) -> str:
    return f"{defang(name)} (harmful)" if name in harmful else name


def _dns(part: Mapping[str, Any]) -> Block:
    title = "Gateway DNS (Zero Trust)"
    if "skipped" in part:
        return Block(title, lines=[f"Not read: {part['skipped']}."])
    notes = list(part.get("notes") or [])
    if not part.get("available"):
        return Block(title, lines=notes or ["No account uses Zero Trust Gateway DNS."])
    categories = ", ".join(f"{c['category']} {c['count']}" for c in part.get("by_category") or [])
    locations = ", ".join(f"{c['location']} {c['count']}" for c in part.get("by_location") or [])
    harmful = {str(d.get("domain")) for d in part.get("threat_domains") or []}
    rows = [
        (_domain(str(d.get("domain")), harmful), str(d.get("count")))
        for d in part.get("top_domains") or []
    ]
    lines = [f"By category: {categories}." if categories else "", *notes]
    if locations:
        lines.insert(1, f"By location: {locations}.")
    summary = f"{part.get('blocked', 0)} queries blocked"
    return Block(title, summary, ("Blocked domain", "Queries"), rows, [x for x in lines if x])


def view_of(section: IntegrationSection) -> SectionView:
    """Return the section as plain strings (what every format shows)."""
    data = section.data
    window = data.get("window") or {}
    accounts = ", ".join(data.get("accounts") or []) or "none"
    period = (
        f"From {_time(window.get('start'))} to {_time(window.get('end'))}; accounts: {accounts}."
    )
    if not data:
        return SectionView(section_note(section), "No data.", [])
    blocks: list[Block] = []
    if "tunnels" in data:
        blocks.append(_tunnels(data["tunnels"]))
    if "waf" in data:
        blocks.extend(_waf(data["waf"], section.correlated))
    if "dns" in data:
        blocks.append(_dns(data["dns"]))
    if data.get("notes"):
        blocks.append(Block("Notes", lines=list(data["notes"])))
    return SectionView(section_note(section), period, blocks)


class CloudflareSectionRenderer(BlockSectionRenderer):
    """Render the Cloudflare section (the model for integrations that bring their own)."""

    def view(self, section: IntegrationSection) -> SectionView:
        """Return the section as blocks of plain strings."""
        return view_of(section)
