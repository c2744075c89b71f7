"""CyberSecure: what protection the gateway has, and what its enhanced signatures caught.

An enricher: it reads the scan's IPS settings and IPS alerts (no credentials, no network),
and says

- the protection really in force (mode, categories, DNS filtering, honeypot, exemptions), with
  a finding wherever it is weaker than it looks;
- which rule sets the alerts came from, and whether the enhanced ET PRO signatures of a
  CyberSecure subscription are active, concluded from evidence only (an alert from an ET PRO
  signature), never from their absence;
- a **CyberSecure** badge on every finding an ET PRO signature caused.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

from unifi_scanner.analysis import Direction, is_threat_event, parse_alert
from unifi_scanner.integrations.base import EnrichContext, FindingNote, IntegrationResult
from unifi_scanner.integrations.cybersecure.protection import Protection, protection_findings, read
from unifi_scanner.integrations.cybersecure.render import CyberSecureSectionRenderer
from unifi_scanner.integrations.cybersecure.signatures import SignatureSource, source_of

if TYPE_CHECKING:
    from unifi_scanner.analysis import Finding
    from unifi_scanner.collect.models import Snapshot
    from unifi_scanner.config import Settings

__all__ = ["BADGE", "NAME", "CyberSecureEnricher"]

NAME: Final = "cybersecure"
BADGE: Final = "CyberSecure"
PRO_BADGE: Final = "ET PRO"
_TOP: Final = 5
_YIELD_EVERY: Final = 5_000


@dataclass(slots=True)
class _Tally:
    """What one pass over the alerts counts."""

    sources: Counter[SignatureSource] = field(default_factory=Counter)
    threats: int = 0
    let_through: int = 0
    pro: int = 0
    pro_blocked: int = 0
    pro_signatures: Counter[tuple[int | None, str]] = field(default_factory=Counter)
    pro_hosts: Counter[str] = field(default_factory=Counter)
    first_pro: tuple[int | None, str] | None = None


async def _tally(snapshot: Snapshot) -> _Tally:
    tally = _Tally()
    for n, event in enumerate(snapshot.events):
        if n % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a million events must not block the loop
        if not is_threat_event(event):
            continue
        alert = parse_alert(event)
        source = source_of(alert.signature_id, alert.signature)
        tally.sources[source] += 1
        if not source.threat:
            continue
        tally.threats += 1
        tally.let_through += not alert.blocked
        if source is SignatureSource.ET_PRO:
            tally.pro += 1
            tally.pro_blocked += alert.blocked
            signature = (alert.signature_id, alert.signature)
            tally.pro_signatures[signature] += 1
            tally.first_pro = tally.first_pro or signature
            if alert.direction in {Direction.OUTBOUND, Direction.INTERNAL}:
                tally.pro_hosts[alert.src_name or alert.src_ip or "an inside device"] += 1
    return tally


def _named(signature: tuple[int | None, str]) -> str:
    sid, name = signature
    return f"{name} (sid {sid})" if sid is not None else name


def _verdict(tally: _Tally) -> tuple[str, str]:
    """Whether enhanced signatures are active, and the evidence (never from absence)."""
    if tally.pro:
        example = _named(tally.first_pro) if tally.first_pro else "an ET PRO signature"
        return (
            "active",
            (
                f"{tally.pro} alert(s) came from ET PRO signatures, which only a CyberSecure "
                f"subscription loads (for example {example})."
            ),
        )
    if tally.threats:
        return (
            "not seen",
            (
                f"The {tally.threats} threat alert(s) of this period all came from free rule "
                "sets (ET OPEN and others). That does not show whether CyberSecure is "
                "subscribed: ET PRO signatures only appear when they catch something."
            ),
        )
    return (
        "unknown",
        (
            "There were no threat alerts in this period, so the signature sets in use cannot be "
            "told from them."
        ),
    )


def _protection_data(protection: Protection) -> dict[str, Any]:
    return {
        "mode": protection.mode,
        "mode_text": protection.mode_text,
        "blocks": protection.blocks,
        "categories": sorted(protection.categories),
        "missing": [name for name, _ in protection.missing],
        "dns_filtering": protection.dns_filtering,
        "honeypot": protection.honeypot,
        "allow_list": [
            {"value": e.value, "mode": e.mode, "direction": e.direction, "broad": e.broad}
            for e in protection.allow_list[:50]
        ],
        "silenced": list(protection.silenced[:50]),
        "tracked": list(protection.tracked[:50]),
    }


def _signature_data(tally: _Tally) -> dict[str, Any]:
    status, evidence = _verdict(tally)
    return {
        "threat_alerts": tally.threats,
        "engine_events": tally.sources.get(SignatureSource.ENGINE, 0),
        "by_source": {str(source): count for source, count in tally.sources.most_common()},
        "enhanced": status,
        "evidence": evidence,
        "pro": {
            "alerts": tally.pro,
            "blocked": tally.pro_blocked,
            "signatures": [
                {"sid": sid, "name": name, "count": count}
                for (sid, name), count in tally.pro_signatures.most_common(_TOP)
            ],
            "inside_devices": [
                {"name": name, "count": count} for name, count in tally.pro_hosts.most_common(_TOP)
            ],
        },
    }


def _notes(findings: tuple[Finding, ...]) -> tuple[FindingNote, ...]:
    return tuple(
        FindingNote(
            fingerprint=finding.fingerprint,
            badges=(BADGE,),
            evidence=(
                (
                    "Caught by Proofpoint ET PRO signatures, which come with a CyberSecure "
                    "subscription; the free ET OPEN set has no such signature."
                ),
            ),
        )
        for finding in findings
        if PRO_BADGE in finding.badges
    )


class CyberSecureEnricher:
    """The CyberSecure enricher (on by default: it needs no credentials).

    Args:
        settings: the scanner's settings (``UNIFI_CYBERSECURE_ENABLED=false`` turns it off).
    """

    name: ClassVar[str] = NAME
    display_name: ClassVar[str] = "CyberSecure"
    section_renderer: ClassVar[CyberSecureSectionRenderer] = CyberSecureSectionRenderer()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def is_configured(self) -> bool:
        """Always: it reads only what the scan collected."""
        return True

    def validate_config(self) -> str | None:
        """Nothing to configure."""
        return None

    async def enrich(
        self,
        snapshot: Snapshot,
        findings: tuple[Finding, ...],
        context: EnrichContext,  # noqa: ARG002 (it needs neither the sources nor a cache)
    ) -> IntegrationResult | None:
        """Read the IPS settings and alerts of one site.

        Args:
            snapshot: the site's scan.
            findings: the analysis' findings.
            context: the run's sources and cache (unused).

        Returns:
            The section, its findings and the CyberSecure badges; None when the site has
            neither IPS settings nor IPS alerts.
        """
        tally = await _tally(snapshot)
        settings = snapshot.ips_settings
        if settings is None and not tally.sources:
            return None
        data: dict[str, Any] = {"signatures": _signature_data(tally)}
        found: tuple[Finding, ...] = ()
        if settings is not None:
            protection = read(settings)
            data["protection"] = _protection_data(protection)
            found = protection_findings(
                protection, threats=tally.threats, let_through=tally.let_through
            )
        return IntegrationResult(
            name=NAME, success=True, data=data, findings=found, notes=_notes(findings)
        )
