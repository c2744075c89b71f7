"""WAF and firewall events per zone (``firewallEventsAdaptive``), paged, de-duplicated, tallied.

GraphQL has no cursors here: pages move the datetime filter. Events come newest first; the
next page asks for events no later than the oldest one seen (``datetime_leq``), so events that
share a second with a page's end are not lost, and ``rayName`` drops the ones seen twice. The
window is clamped to the zone's plan limits, read from the ``settings`` query, and each clamp
is said in the section.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.integrations.cloudflare.client import (
    ZONE_ANALYTICS,
    BudgetError,
    NotAvailableError,
    QuotaError,
    rfc3339,
    utc,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from unifi_scanner.integrations.base import FetchWindow
    from unifi_scanner.integrations.cloudflare.client import CloudflareApi
    from unifi_scanner.integrations.cloudflare.discovery import Zone

__all__ = ["EVENTS_QUERY", "LIMITS_QUERY", "Limits", "WafTally", "action_class", "read_zone"]

LIMITS_QUERY: Final = """query ZoneLimits($zoneTag: string) {
  viewer {
    zones(filter: {zoneTag: $zoneTag}) {
      settings {
        firewallEventsAdaptive { enabled maxPageSize maxDuration notOlderThan }
      }
    }
  }
}"""

EVENTS_QUERY: Final = """query WafEvents(
  $zoneTag: string, $filter: ZoneFirewallEventsAdaptiveFilter_InputObject, $limit: uint64!
) {
  viewer {
    zones(filter: {zoneTag: $zoneTag}) {
      firewallEventsAdaptive(filter: $filter, limit: $limit, orderBy: [datetime_DESC]) {
        action clientAsn clientASNDescription clientCountryName clientIP
        clientRequestHTTPHost clientRequestHTTPMethodName clientRequestPath clientRequestQuery
        datetime description rayName ruleId rulesetId source userAgent
      }
    }
  }
}"""

_PART: Final = "WAF events"
_MAX_SPLITS: Final = 12
_MAX_RULE_NAMES: Final = 1000
MAX_ADDRESSES: Final = 20_000
"""Client addresses tallied one by one; events from more are counted in the totals only."""
MAX_PAGE: Final = 2000
"""Rows asked for per query at most: a page is counted in one synchronous step."""
_MARGIN: Final = timedelta(minutes=1)
_SMALLEST_CHUNK: Final = timedelta(minutes=1)
_BLOCKED: Final = frozenset({"block", "drop", "connection_close", "deny"})
_CHALLENGES: Final = frozenset({"challenge", "jschallenge", "managed_challenge"})
_ALLOWED: Final = frozenset({"allow", "bypass", "skip"})


def action_class(action: str) -> str:
    """Return what an action did: ``blocked``, ``challenged``, ``passed``, ``allowed``, ``logged``.

    Challenges that were solved or bypassed (``*_solved``, ``*_bypassed``, ``*_skipped``) are
    passes, not blocks; a failed challenge stopped the request.
    """
    action = action.lower()
    if action in _BLOCKED or action.endswith("_failed"):
        return "blocked"
    if action in _CHALLENGES:
        return "challenged"
    if action.endswith(("_solved", "_bypassed", "_skipped")):
        return "passed"
    if action in _ALLOWED:
        return "allowed"
    return "logged"


class _ZoneRefusedError(Exception):
    """Cloudflare refused a range of one zone that narrowing does not fix."""


@dataclass(frozen=True, slots=True)
class Limits:
    """A zone's plan limits for firewall events (Cloudflare's ``settings`` query)."""

    enabled: bool = True
    max_page_size: int = 1000
    max_duration: timedelta = timedelta(days=1)
    not_older_than: timedelta = timedelta(days=3)


def _int(value: object, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


async def _limits(api: CloudflareApi, zone: Zone) -> Limits:
    data = await api.graphql(
        LIMITS_QUERY, {"zoneTag": zone.id}, permission=ZONE_ANALYTICS, part=_PART
    )
    zones = data.get("viewer", {}).get("zones") or []
    node = (zones[0].get("settings") or {}).get("firewallEventsAdaptive") if zones else None
    if not isinstance(node, dict):
        return Limits()
    default = Limits()
    return Limits(
        enabled=node.get("enabled") is not False,
        max_page_size=_int(node.get("maxPageSize"), default.max_page_size),
        max_duration=timedelta(seconds=_int(node.get("maxDuration"), 86_400)),
        not_older_than=timedelta(seconds=_int(node.get("notOlderThan"), 259_200)),
    )


@dataclass(slots=True)
class _Client:
    stopped: int = 0
    total: int = 0
    country: str | None = None
    asn: str | None = None
    zones: Counter[str] = field(default_factory=Counter)
    hosts: Counter[str] = field(default_factory=Counter)
    paths: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class WafTally:
    """Every zone's events, counted once each (by ``rayName``), in bounded tallies."""

    max_events: int
    seen: set[str] = field(default_factory=set)
    classes: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    rules: Counter[tuple[str, str]] = field(default_factory=Counter)
    rule_names: dict[str, str] = field(default_factory=dict)
    hosts: Counter[str] = field(default_factory=Counter)
    paths: Counter[tuple[str, str]] = field(default_factory=Counter)
    clients: dict[str, _Client] = field(default_factory=dict)
    zone_classes: dict[str, Counter[str]] = field(default_factory=dict)
    hourly: dict[str, Counter[datetime]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None
    """Why reading stopped for every zone still to come (a spent query budget), if it did."""
    unlisted: int = 0
    """Events from addresses beyond :data:`MAX_ADDRESSES`: counted, but not per address."""

    def add(self, zone: Zone, row: Mapping[str, Any]) -> bool:
        """Count one event; False when it was seen already (same ``rayName``)."""
        ray = str(row.get("rayName") or "")
        if ray:
            if ray in self.seen:
                return False
            self.seen.add(ray)
        action = str(row.get("action") or "unknown")
        kind = action_class(action)
        self.classes[kind] += 1
        self.zone_classes.setdefault(zone.name, Counter())[kind] += 1
        self.actions[action] += 1
        source = str(row.get("source") or "unknown")
        self.sources[source] += 1
        rule = str(row.get("ruleId") or "")
        if rule:
            self.rules[rule, source] += 1
            if rule not in self.rule_names and len(self.rule_names) < _MAX_RULE_NAMES:
                self.rule_names[rule] = _text(row.get("description")) or ""
        host = str(row.get("clientRequestHTTPHost") or zone.name)
        path = str(row.get("clientRequestPath") or "/")
        stopped = kind in {"blocked", "challenged"}
        if stopped:
            self.hosts[host] += 1
            self.paths[host, path] += 1
            when = utc(row.get("datetime"))
            if when is not None:
                hour = when.replace(minute=0, second=0, microsecond=0)
                self.hourly.setdefault(zone.name, Counter())[hour] += 1
        self._client(row, zone, host, path, stopped=stopped)
        return True

    def _client(
        self, row: Mapping[str, Any], zone: Zone, host: str, path: str, *, stopped: bool
    ) -> None:
        ip = str(row.get("clientIP") or "")
        if not ip:
            return
        client = self.clients.get(ip)
        if client is None:
            if len(self.clients) >= MAX_ADDRESSES:
                self.unlisted += 1
                return
            client = self.clients[ip] = _Client()
        client.total += 1
        client.country = client.country or _text(row.get("clientCountryName"))
        if client.asn is None and (number := row.get("clientAsn")):
            name = _text(row.get("clientASNDescription"))
            client.asn = f"AS{number} {name}" if name else f"AS{number}"
        if stopped:
            client.stopped += 1
            client.zones[zone.name] += 1
            client.hosts[host] += 1
            client.paths[path] += 1

    zone_start: int = 0
    """How many events were seen before the zone being read now."""

    @property
    def full(self) -> bool:
        """True when the zone being read reached :attr:`max_events` (its reading stops)."""
        return len(self.seen) - self.zone_start >= self.max_events


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _chunks(start: datetime, end: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    chunks: list[tuple[datetime, datetime]] = []
    hi = end
    while hi > start:
        lo = max(start, hi - size)
        chunks.append((lo, hi))
        hi = lo
    return chunks


async def _page(
    api: CloudflareApi, zone: Zone, lo: datetime, upper: tuple[str, str], limit: int
) -> list[Mapping[str, Any]]:
    variables = {
        "zoneTag": zone.id,
        "limit": limit,
        "filter": {"datetime_geq": rfc3339(lo), upper[0]: upper[1]},
    }
    data = await api.graphql(EVENTS_QUERY, variables, permission=ZONE_ANALYTICS, part=_PART)
    zones = data.get("viewer", {}).get("zones") or []
    rows = zones[0].get("firewallEventsAdaptive") if zones else None
    return [row for row in rows or [] if isinstance(row, dict)]


def _about_range(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("range", "duration", "time", "period", "interval"))


async def _read_chunk(  # noqa: PLR0917 (one call site, all needed)
    api: CloudflareApi,
    zone: Zone,
    chunk: tuple[datetime, datetime],
    limit: int,
    tally: WafTally,
    refused: list[str],
) -> list[tuple[datetime, datetime]]:
    """Read one chunk page by page; return the halves to read instead when it is too long.

    Only a quota error about the range is narrowed (down to :data:`_SMALLEST_CHUNK`, at most
    :data:`_MAX_SPLITS` times per zone); any other quota error ends the zone, said once.
    """
    lo, hi = chunk
    upper = ("datetime_lt", rfc3339(hi))
    while not tally.full:
        try:
            rows = await _page(api, zone, lo, upper, limit)
        except QuotaError as err:
            splittable = _about_range(str(err)) and hi - lo > _SMALLEST_CHUNK
            if not splittable or len(refused) >= _MAX_SPLITS:
                refused.append(f"{err} (from {lo:%Y-%m-%d %H:%M} UTC)")
                raise _ZoneRefusedError from err
            refused.append("")
            middle = lo + (hi - lo) / 2
            return [(middle, hi), (lo, middle)]
        for row in rows:
            tally.add(zone, row)
        await asyncio.sleep(0)  # a large page is counted in one go: let others run between
        if len(rows) < limit:
            return []
        oldest = min(str(row.get("datetime") or "") for row in rows)
        if upper == ("datetime_leq", oldest):
            tally.notes.append(
                f"{zone.name}: {limit} or more events in the second {oldest}; "
                f"any beyond {limit} could not be read."
            )
            upper = ("datetime_lt", oldest)
        else:
            upper = ("datetime_leq", oldest)
    return []


async def read_zone(
    api: CloudflareApi, zone: Zone, window: FetchWindow, tally: WafTally
) -> dict[str, Any]:
    """Read one zone's events of ``window`` into ``tally``; return the zone's row.

    Args:
        api: the run's API.
        zone: the zone.
        window: the period to read.
        tally: where the events are counted.

    Returns:
        ``{name, id, plan, from, to, events, notes}`` for the section.
    """
    row: dict[str, Any] = {"name": zone.name, "id": zone.id, "plan": zone.plan, "notes": []}
    if tally.stopped is not None:
        row["notes"].append(f"not read: {tally.stopped}")
        return row
    before = tally.zone_start = len(tally.seen)
    try:
        await _read_zone(api, zone, window, tally, row)
    except BudgetError as err:
        if not api.answered:
            raise
        tally.stopped = str(err)
        row["notes"].append(f"reading stopped, the counts are a lower bound: {err}")
    row["events"] = len(tally.seen) - before
    row.update(tally.zone_classes.get(zone.name, Counter()))
    return row


async def _read_zone(
    api: CloudflareApi, zone: Zone, window: FetchWindow, tally: WafTally, row: dict[str, Any]
) -> None:
    try:
        limits = await _limits(api, zone)
    except NotAvailableError:
        row["notes"].append("the zone's plan does not include firewall analytics")
        return
    except QuotaError as err:
        row["notes"].append(f"Cloudflare refused to say the zone's limits ({err})")
        return
    if not limits.enabled:
        row["notes"].append("firewall analytics are not enabled for this zone")
        return
    start = window.start
    oldest = api.now() - limits.not_older_than + _MARGIN
    if start < oldest:
        days = limits.not_older_than.total_seconds() / 86_400
        row["notes"].append(
            f"Cloudflare keeps firewall events for {days:g} days on the {zone.plan}; "
            f"events before {oldest:%Y-%m-%d %H:%M} UTC could not be read"
        )
        start = oldest
    row["from"], row["to"] = start.isoformat(), window.end.isoformat()
    pending = _chunks(start, window.end, limits.max_duration)
    limit = min(limits.max_page_size, MAX_PAGE)
    refused: list[str] = []
    try:
        while pending and not tally.full:
            pending[:0] = await _read_chunk(api, zone, pending.pop(0), limit, tally, refused)
    except _ZoneRefusedError:
        row["notes"].append(
            f"Cloudflare refused part of the period, so the counts are a lower bound: {refused[-1]}"
        )
    if tally.full:
        row["notes"].append(
            f"stopped after {tally.max_events:,} events (UNIFI_CLOUDFLARE_MAX_EVENTS); "
            "the counts are a lower bound"
        )
