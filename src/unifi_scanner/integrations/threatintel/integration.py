"""Threat intelligence: who are the outside addresses of this scan, according to AbuseIPDB.

An enricher. It takes the busiest outside addresses of the scan (the far end of IPS alerts —
inside devices' destinations first —, firewall blocks, v2 flows) and those the sources saw
(Cloudflare WAF), answers from its cache in the state store when it can (``cache_ttl_hours``),
looks the rest up (at most ``max_lookups`` per scan, stopping at the plan's daily limit) and

- lists them with abuse confidence, reports, network, usage type, country and Tor status;
- adds that line to every finding that names one of them;
- triages: an inside device talking to a known abuser makes its finding severe; a blocked
  inbound known abuser is said to be handled noise.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final

from unifi_scanner._addresses import Scope, canonical, scope
from unifi_scanner.analysis import Severity
from unifi_scanner.errors import IntegrationMisconfiguredError, IntegrationTransientError
from unifi_scanner.integrations.base import FindingNote, IntegrationResult
from unifi_scanner.integrations.correlate import (
    AddressSighting,
    gateway_addresses,
    mentions,
    remote_address,
)
from unifi_scanner.integrations.threatintel.client import (
    NAME,
    QuotaReachedError,
    Reputation,
    open_client,
)
from unifi_scanner.integrations.threatintel.render import ThreatIntelSectionRenderer

if TYPE_CHECKING:
    import re

    import httpx

    from unifi_scanner.analysis import Finding
    from unifi_scanner.collect.models import Snapshot
    from unifi_scanner.config import AbuseIpdbSettings, Settings
    from unifi_scanner.integrations.base import EnrichContext

__all__ = ["MAX_TRACKED", "ThreatIntelEnricher"]

MAX_TRACKED: Final = 20_000
"""Outside addresses counted one by one in a scan; more are left out of the ranking."""
MIN_CONSIDERED: Final = 50
"""The busiest addresses answered from the cache when it has them (at least this many, and
twice ``max_lookups``): cached answers are free, so they do not count against it."""
REQUEST_TIMEOUT_S: Final = 10.0
"""One lookup's longest wait: a hanging request must not take the answers already had."""
_SPARE: Final = 0.2
"""Of the integration's timeout, the part kept for the work after the lookups."""
_YIELD_EVERY: Final = 5_000
_HIGH_BADGE: Final = "known abuser"


@dataclass(slots=True)
class _Candidate:
    ip: str
    sighting: AddressSighting | None = None
    seen_by: list[str] = field(default_factory=list)

    @property
    def rank(self) -> tuple[int, int, int, str]:
        outbound = self.sighting.outbound if self.sighting else 0
        total = self.sighting.total if self.sighting else 0
        return (-outbound, -total, -len(self.seen_by), self.ip)

    def seen(self) -> str:
        lines = [f"UniFi: {self.sighting.describe()}"] if self.sighting else []
        lines += self.seen_by
        return "; ".join(lines)


async def _sightings(snapshot: Snapshot) -> dict[str, AddressSighting]:
    own = gateway_addresses(snapshot.devices)
    found: dict[str, AddressSighting] = {}
    for n, event in enumerate(snapshot.events):
        if n % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a million events must not block the loop
        address = remote_address(event, own)
        if address is None:
            continue
        sighting = found.get(address)
        if sighting is None:
            if len(found) >= MAX_TRACKED:
                continue
            sighting = found[address] = AddressSighting(address)
        sighting.add(event)
    return found


def _candidates(sightings: dict[str, AddressSighting], context: EnrichContext) -> list[_Candidate]:
    """Every outside address of the scan and its sources, busiest first (one spelling each)."""
    by_ip = {ip: _Candidate(ip, sighting) for ip, sighting in sightings.items()}
    for section in context.sources.sections:
        if section.stale_since is not None:
            continue  # a failed source's last good data: not this scan's addresses
        for address, line in section.addresses.items():
            ip = canonical(address)
            if ip is None or scope(ip) is not Scope.OUTSIDE:
                continue  # AbuseIPDB knows nothing of inside or anonymised addresses
            candidate = by_ip.setdefault(ip, _Candidate(ip))
            candidate.seen_by.append(f"{section.display_name}: {line}")
    return sorted(by_ip.values(), key=lambda c: c.rank)


@dataclass(slots=True)
class _Lookups:
    answers: dict[str, tuple[Reputation, bool]] = field(default_factory=dict)
    fresh: int = 0
    cached: int = 0
    quota: str | None = None
    outage: str | None = None
    refused: list[str] = field(default_factory=list)
    skipped: int = 0


def _verdict(reputation: Reputation, high: int) -> str:
    if reputation.score >= high:
        return "known abuser"
    if reputation.reports:
        return "reported"
    return "not reported"


class ThreatIntelEnricher:
    """AbuseIPDB threat intelligence (configured by ``UNIFI_ABUSEIPDB_API_KEY``).

    Args:
        settings: the scanner's settings.
        transport: an httpx transport instead of the network (unit tests).
    """

    name: ClassVar[str] = NAME
    display_name: ClassVar[str] = "Threat intelligence (AbuseIPDB)"
    section_renderer: ClassVar[ThreatIntelSectionRenderer] = ThreatIntelSectionRenderer()

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._section = settings.abuseipdb
        self._transport = transport

    def is_configured(self) -> bool:
        """True when the section has an API key."""
        return self._section is not None and self._section.api_key is not None

    def validate_config(self) -> str | None:
        """Name the missing key when the section exists without one."""
        if self._section is not None and self._section.api_key is None:
            return "threat intelligence needs UNIFI_ABUSEIPDB_API_KEY (or _FILE)"
        return None

    @property
    def settings(self) -> AbuseIpdbSettings:
        """The ``abuseipdb`` section (only when configured)."""
        if self._section is None:
            raise IntegrationMisconfiguredError("AbuseIPDB is not configured", integration=NAME)
        return self._section

    async def enrich(
        self, snapshot: Snapshot, findings: tuple[Finding, ...], context: EnrichContext
    ) -> IntegrationResult | None:
        """Look up the scan's busiest outside addresses and add what AbuseIPDB says.

        Returns:
            The section, the notes on the findings; None when the scan has no outside address.

        Raises:
            IntegrationMisconfiguredError: AbuseIPDB refused the key.
            IntegrationTransientError: AbuseIPDB failed before any address was known.
        """
        section = self.settings
        ranked = _candidates(await _sightings(snapshot), context)
        if not ranked:
            return None
        candidates = ranked[: max(MIN_CONSIDERED, 2 * section.max_lookups)]
        lookups = await self._look_up(candidates, context)
        if not lookups.answers and lookups.outage and not lookups.refused:
            raise IntegrationTransientError(lookups.outage, integration=NAME)
        names = {c.ip: c.name for c in snapshot.clients if c.ip and c.name}
        rows = sorted(
            (self._row(c, lookups, names) for c in candidates if c.ip in lookups.answers),
            key=lambda row: -int(row["score"]),
        )
        notes = _notes(findings, candidates, lookups, section.high_score)
        data: dict[str, Any] = {
            "looked_up": lookups.fresh,
            "from_cache": lookups.cached,
            "not_looked_up": len(ranked) - len(lookups.answers),
            "addresses": rows,
            "notes": _section_notes(lookups, section.cache_ttl_hours),
        }
        return IntegrationResult(name=NAME, success=True, data=data, notes=notes)

    async def _look_up(self, candidates: list[_Candidate], context: EnrichContext) -> _Lookups:
        """Answer from the cache what it has; look up the rest, busiest first, while allowed.

        At most ``max_lookups`` lookups; each waits :data:`REQUEST_TIMEOUT_S` at most, and
        none starts once the integration's timeout is nearly spent, so the answers had so far
        are always kept.
        """
        section = self.settings
        ttl = timedelta(hours=section.cache_ttl_hours)
        lookups = _Lookups()
        wanted: list[str] = []
        for candidate in candidates:
            cached = context.cache.get(_cache_key(candidate.ip, section.max_age_days), ttl)
            if cached is None:
                wanted.append(candidate.ip)
            elif cached.get("refused") is True:
                lookups.refused.append(candidate.ip)
            else:
                lookups.answers[candidate.ip] = (Reputation.from_data(candidate.ip, cached), True)
                lookups.cached += 1
        if wanted:
            await self._ask(wanted[: section.max_lookups], context, lookups)
            lookups.skipped = max(0, len(wanted) - section.max_lookups)
        context.cache.prune(ttl)
        return lookups

    async def _ask(self, wanted: list[str], context: EnrichContext, lookups: _Lookups) -> None:
        section = self.settings
        key = section.api_key.get_secret_value() if section.api_key else ""
        loop = asyncio.get_running_loop()
        stop_at = loop.time() + section.timeout_s * (1 - _SPARE)
        wait_s = min(REQUEST_TIMEOUT_S, section.timeout_s / 3)
        async with open_client(
            key,
            base_url=section.base_url,
            timeout_s=wait_s,
            max_age_days=section.max_age_days,
            now=context.now,
            transport=self._transport,
        ) as client:
            for ip in wanted:
                left = stop_at - loop.time()
                if left <= 0:
                    lookups.outage = "the time for lookups ran out"
                    break
                try:
                    async with asyncio.timeout(min(wait_s, left)):
                        reputation = await client.check(ip)
                except TimeoutError:
                    lookups.outage = f"AbuseIPDB did not answer within {min(wait_s, left):g} s"
                    break
                except QuotaReachedError as err:
                    when = f"{err.reset_at:%Y-%m-%d %H:%M} UTC" if err.reset_at else "tomorrow"
                    lookups.quota = f"{err} The next lookups are possible from {when}."
                    break
                except IntegrationTransientError as err:
                    lookups.outage = str(err)
                    break
                cache_key = _cache_key(ip, section.max_age_days)
                if reputation is None:
                    lookups.refused.append(ip)
                    context.cache.put(cache_key, {"refused": True})
                    continue
                context.cache.put(cache_key, reputation.as_data())
                lookups.answers[ip] = (reputation, False)
                lookups.fresh += 1

    def _row(
        self, candidate: _Candidate, lookups: _Lookups, names: dict[str, str]
    ) -> dict[str, Any]:
        reputation, cached = lookups.answers[candidate.ip]
        sighting = candidate.sighting
        return {
            "ip": candidate.ip,
            "score": reputation.score,
            "reports": reputation.reports,
            "users": reputation.users,
            "country": reputation.country,
            "isp": reputation.isp,
            "usage": reputation.usage,
            "tor": reputation.tor,
            "last_reported": reputation.last_reported,
            "verdict": _verdict(reputation, self.settings.high_score),
            "inside_devices": {
                names.get(device, device): count for device, count in sighting.inside.most_common(5)
            }
            if sighting
            else {},
            "seen": candidate.seen(),
            "cached": cached,
        }


def _cache_key(ip: str, max_age_days: int) -> str:
    """An answer counts reports of ``max_age_days``: another setting asks again."""
    return f"{ip}/{max_age_days}d"


def _section_notes(lookups: _Lookups, ttl_hours: float) -> list[str]:
    notes = []
    if lookups.quota:
        notes.append(f"AbuseIPDB's daily limit is reached: {lookups.quota}")
    if lookups.outage:
        notes.append(f"{lookups.outage}; the addresses not looked up are tried next scan.")
    if lookups.refused:
        notes.append("AbuseIPDB refused to look up: " + ", ".join(lookups.refused[:10]) + ".")
    if lookups.skipped:
        notes.append(
            f"{lookups.skipped} further address(es) wait for the next scan (at most "
            "UNIFI_ABUSEIPDB_MAX_LOOKUPS lookups per scan)."
        )
    if lookups.cached:
        notes.append(
            f"{lookups.cached} answer(s) came from the cache (kept {ttl_hours:g} h to stay "
            "inside the daily limit)."
        )
    return notes


def _texts(finding: Finding) -> tuple[str, ...]:
    return (
        finding.title,
        finding.subject,
        finding.explanation,
        *finding.examples,
        *finding.evidence,
    )


def _notes(
    findings: tuple[Finding, ...], candidates: list[_Candidate], lookups: _Lookups, high: int
) -> tuple[FindingNote, ...]:
    patterns: list[tuple[re.Pattern[str], Reputation]] = [
        (mentions(c.ip), lookups.answers[c.ip][0]) for c in candidates if c.ip in lookups.answers
    ]
    notes = []
    for finding in findings:
        texts = _texts(finding)
        named = [rep for pattern, rep in patterns if any(pattern.search(t) for t in texts)]
        if not named:
            continue
        evidence = tuple(f"{rep.ip}: AbuseIPDB {rep.describe()}." for rep in named[:5])
        worst = max(named, key=lambda rep: rep.score)
        severity = reason = None
        badges: tuple[str, ...] = ()
        if worst.score >= high:
            badges = (_HIGH_BADGE,)
            if "outbound" in finding.badges:
                severity = Severity.SEVERE
                reason = (
                    f"An inside device talked to {worst.ip}, which AbuseIPDB users report for "
                    f"abuse with {worst.score} % confidence: treat the device as compromised."
                )
            elif "blocked" in finding.badges and "inbound" in finding.badges:
                evidence += (
                    f"{worst.ip} is a known abuser and the gateway blocked it: handled noise.",
                )
        notes.append(
            FindingNote(
                fingerprint=finding.fingerprint,
                badges=badges,
                evidence=evidence,
                severity=severity,
                reason=reason,
            )
        )
    return tuple(notes)
