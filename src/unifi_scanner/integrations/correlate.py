"""Correlation: outside addresses an integration saw that the UniFi data shows too.

An integration lists the outside addresses it saw (:attr:`IntegrationResult.addresses`). After
analysis, one pass over the scan's events finds those the gateway met as well (IPS alerts,
firewall blocks, any event naming the address), and each one is called out in both places:

- in the findings: one finding per address (the busiest first, at most
  :data:`MAX_ADDRESS_FINDINGS`), and a badge on every UniFi finding that names the address;
- in the integration's section: :attr:`IntegrationSection.correlated` says what UniFi saw.

Nothing here names an integration: any integration that lists addresses takes part.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from unifi_scanner._addresses import Scope, canonical, scope
from unifi_scanner.analysis import (
    Direction,
    Finding,
    Severity,
    is_threat_event,
    param_text,
    parse_alert,
    v2_parameter,
)
from unifi_scanner.collect.normalize import as_text
from unifi_scanner.integrations.base import IntegrationResults

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime
    from typing import Any

    from unifi_scanner.collect.models import Device, Event, Snapshot
    from unifi_scanner.integrations.base import IntegrationSection

__all__ = [
    "MAX_ADDRESS_FINDINGS",
    "AddressSighting",
    "correlate",
    "gateway_addresses",
    "mentions",
    "remote_address",
    "unifi_sightings",
]

MAX_ADDRESS_FINDINGS: Final = 5
"""Addresses that get a finding of their own; the others are counted in the last one."""

_ADDRESS_FIELDS: Final = ("src_ip", "dest_ip", "dst_ip")
_V2_FIELDS: Final = ("SRC_IP", "DST_IP")


@dataclass(slots=True)
class AddressSighting:
    """What the UniFi data shows of one outside address.

    Attributes:
        address: the address.
        alerts: IPS alerts from or to it.
        outbound: those of them an inside device raised talking to it.
        inside: the inside devices that talked to it, by name (or address).
        blocked: how many of those the gateway blocked.
        other: other events naming it (firewall blocks, …).
        signatures: the IPS signatures, by count.
        country: its country, when an alert said.
        first_seen: the earliest event.
        last_seen: the latest event.
    """

    address: str
    alerts: int = 0
    blocked: int = 0
    other: int = 0
    signatures: Counter[str] = field(default_factory=Counter)
    country: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    outbound: int = 0
    inside: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Every event naming the address."""
        return self.alerts + self.other

    @property
    def all_blocked(self) -> bool:
        """True when every IPS alert was blocked (events that are no alert are blocks)."""
        return self.blocked == self.alerts

    def describe(self) -> str:
        """One line for people: ``3 IPS alerts (ET SCAN …), all blocked``."""
        parts: list[str] = []
        if self.alerts:
            top = ", ".join(name for name, _ in self.signatures.most_common(2))
            verdict = (
                "all blocked"
                if self.all_blocked
                else "none blocked"
                if self.blocked == 0
                else f"{self.blocked} blocked"
            )
            noun = "IPS alert" if self.alerts == 1 else "IPS alerts"
            parts.append(f"{self.alerts} {noun} ({top}), {verdict}")
        if self.other:
            noun = "other event" if self.other == 1 else "other events"
            parts.append(f"{self.other} {noun} (firewall blocks and logs)")
        return "; ".join(parts)

    def add(self, event: Event) -> None:
        """Count ``event``, which names this address."""
        when = event.time
        self.first_seen = when if self.first_seen is None else min(self.first_seen, when)
        self.last_seen = when if self.last_seen is None else max(self.last_seen, when)
        if not is_threat_event(event):
            self.other += 1
            return
        alert = parse_alert(event)
        self.alerts += 1
        self.blocked += alert.blocked
        self.signatures[alert.signature] += 1
        if alert.direction is not Direction.OUTBOUND and alert.src_ip == self.address:
            self.country = self.country or alert.src_country
        if alert.direction is Direction.OUTBOUND:
            self.outbound += 1
            self.inside[alert.src_name or alert.src_ip or "an inside device"] += 1


def _outside(address: str | None, own: frozenset[str]) -> str | None:
    """The address in its one spelling when it is a whole outside address, not our own."""
    ip = canonical(address)
    return ip if ip is not None and ip not in own and scope(ip) is Scope.OUTSIDE else None


def _flow_end(params: Mapping[str, Any], side: str) -> str | None:
    end = params.get(side)
    return as_text(end.get("ip")) if isinstance(end, dict) else None


def remote_address(event: Event, own: frozenset[str]) -> str | None:
    """Return the outside end of an event, or None.

    That is the attacker of an inbound alert, the server of an outbound one; never the
    gateway's own WAN address, never an inside address.
    """
    if is_threat_event(event):
        alert = parse_alert(event)
        first, second = (
            (alert.dst_ip, alert.src_ip)
            if alert.direction is Direction.OUTBOUND
            else (alert.src_ip, alert.dst_ip)
        )
        return _outside(first, own) or _outside(second, own)
    params = event.params
    candidates = [param_text(event, name) for name in _ADDRESS_FIELDS]
    if event.key.startswith(("THREAT_", "TRAFFIC_", "HONEYPOT_")):
        candidates += [v2_parameter(event, name) for name in _V2_FIELDS]
    candidates += [_flow_end(params, "source"), _flow_end(params, "destination")]
    return next((ip for ip in candidates if _outside(ip, own)), None)


def gateway_addresses(devices: Iterable[Device]) -> frozenset[str]:
    """The WAN addresses of the site's gateways (an alert's far end is often one of them)."""
    found: set[str] = set()
    for device in devices:
        raw = device.raw
        for key in ("wan1", "wan2", "uplink"):
            port = raw.get(key)
            if isinstance(port, dict) and (ip := canonical(as_text(port.get("ip")))):
                found.add(ip)
        for key in ("last_wan_ip", "wan_ip"):
            if ip := canonical(as_text(raw.get(key))):
                found.add(ip)
    return frozenset(found)


def unifi_sightings(
    events: Iterable[Event], wanted: Iterable[str], own: Iterable[str] = ()
) -> dict[str, AddressSighting]:
    """Return what ``events`` show of each of the ``wanted`` addresses (one pass).

    Only the outside end of each event counts, and never one of the ``own`` addresses (the
    gateway's WAN address is the far end of every inbound alert, and the owner visiting
    their own site puts it in the integration's list too).

    Args:
        events: the scan's events.
        wanted: the addresses to look for.
        own: the site's own outside addresses.

    Returns:
        One sighting per wanted address that appears, by address (in its one spelling,
        :func:`~unifi_scanner._addresses.canonical`).
    """
    mine = frozenset(ip for address in own if (ip := canonical(address)))
    targets = frozenset(ip for address in wanted if (ip := canonical(address))) - mine
    sightings: dict[str, AddressSighting] = {}
    if not targets:
        return sightings
    for event in events:
        address = remote_address(event, mine)
        if address is None or address not in targets:
            continue
        sighting = sightings.get(address)
        if sighting is None:
            sighting = sightings[address] = AddressSighting(address)
        sighting.add(event)
    return sightings


def _joined(seen: Iterable[tuple[str, str]]) -> str:
    return " and ".join(dict.fromkeys(name for name, _ in seen))


def mentions(address: str) -> re.Pattern[str]:
    """A pattern that finds ``address`` in text, not inside a longer address.

    An IPv4 address may be followed by its port (``198.51.100.66:443``, as IPS messages write
    it); an IPv6 address followed by ``:`` would be a longer one.
    """
    after = r"(?!\w|\.\d)" if ":" not in address else r"(?![\w:]|\.\d)"
    return re.compile(rf"(?<![\w.:]){re.escape(address)}{after}")


def _badged(finding: Finding, patterns: Mapping[str, tuple[re.Pattern[str], str]]) -> Finding:
    texts = (finding.title, finding.subject, *finding.examples, *finding.evidence)
    badges = list(finding.badges)
    evidence = list(finding.evidence)
    for address, (pattern, seen_by) in patterns.items():
        if any(pattern.search(text) for text in texts):
            badge = f"also seen by {seen_by}"
            if badge not in badges:
                badges.append(badge)
            evidence.append(f"{address} was also seen by {seen_by}.")
    if len(badges) == len(finding.badges) and len(evidence) == len(finding.evidence):
        return finding
    return dataclasses.replace(finding, badges=tuple(badges), evidence=tuple(evidence))


def _address_finding(
    sighting: AddressSighting, seen: Sequence[tuple[str, str]], others: int
) -> Finding:
    names = _joined(seen)
    where = "; ".join(f"{name}: {line}" for name, line in seen)
    country = f" ({sighting.country})" if sighting.country else ""
    evidence = [f"UniFi: {sighting.describe()}.", *(f"{name}: {line}." for name, line in seen)]
    if others:
        evidence.append(
            f"{others} more {'address appears' if others == 1 else 'addresses appear'} in both; "
            f"the {names} section marks them."
        )
    return Finding(
        rule="correlation.address",
        severity=Severity.LOW if sighting.all_blocked else Severity.MEDIUM,
        title=f"{sighting.address}{country} targeted both your network and {names}",
        explanation=(
            f"The same outside address reached your UniFi gateway ({sighting.describe()}) and "
            f"{names} ({where}). One source probing both your internet connection and what "
            "you publish elsewhere is more deliberate than the background noise every "
            "address on the internet gets."
            + (
                ""
                if sighting.all_blocked
                else " Some of its traffic was only detected, not blocked, at the gateway."
            )
        ),
        remediation=(
            (
                f"Block {sighting.address} at both ends: a UniFi firewall rule on the WAN and "
                f"a {names} rule (an IP access or WAF custom rule)."
            ),
            (
                "Check that what it tried (the ports and paths in the evidence) is patched and "
                "exposed no more than it must be."
            ),
            "If it keeps coming back from the same network, block that network's range.",
        ),
        subject=sighting.address,
        count=sighting.total,
        first_seen=sighting.first_seen,
        last_seen=sighting.last_seen,
        badges=(f"also seen by {names}",),
        evidence=tuple(evidence),
    )


def correlate(
    results: IntegrationResults, snapshot: Snapshot, findings: Sequence[Finding]
) -> tuple[tuple[Finding, ...], IntegrationResults]:
    """Call out the addresses both an integration and the UniFi data saw, in both places.

    Args:
        results: the integrations' sections (each with the addresses it saw).
        snapshot: the scan's data.
        findings: the analysis' findings.

    Returns:
        The findings (badged, plus one per shared address) and the sections (each with what
        UniFi saw of its addresses). Unchanged when no integration listed addresses.
    """
    by_address: dict[str, list[tuple[str, str]]] = {}
    for section in results.sections:
        if section.stale_since is not None:
            continue  # a failed source's last good data: not what it saw this period
        for address, line in section.addresses.items():
            if ip := canonical(address):
                by_address.setdefault(ip, []).append((section.display_name, line))
    sightings = unifi_sightings(snapshot.events, by_address, gateway_addresses(snapshot.devices))
    if not sightings:
        return tuple(findings), results
    patterns = {address: (mentions(address), _joined(by_address[address])) for address in sightings}
    badged = [_badged(finding, patterns) for finding in findings]
    ranked = sorted(sightings.values(), key=lambda s: (-s.total, s.address))
    shown = ranked[:MAX_ADDRESS_FINDINGS]
    others = len(ranked) - len(shown)
    last = len(shown) - 1
    extra = [
        _address_finding(sighting, by_address[sighting.address], others if i == last else 0)
        for i, sighting in enumerate(shown)
    ]
    sections = tuple(_with_correlated(section, sightings) for section in results.sections)
    return (
        (*badged, *extra),
        IntegrationResults(sections, results.findings, results.renderers),
    )


def _with_correlated(
    section: IntegrationSection, sightings: Mapping[str, AddressSighting]
) -> IntegrationSection:
    correlated = {
        address: sightings[ip].describe()
        for address in section.addresses
        if (ip := canonical(address)) is not None and ip in sightings
    }
    if not correlated:
        return section
    return dataclasses.replace(section, correlated=correlated)
