"""Zero Trust Gateway DNS blocks (``gatewayResolverQueriesAdaptiveGroups``), per account.

``resolverDecision`` is a number: 2, 3, 6 and 9 are blocks (by policy, by category, …); 5 and
10 are allowed; 7 and 8 are overrides. Only blocks are read. An account without Zero Trust
gets a sentence, not an error.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.integrations.cloudflare.client import (
    ACCOUNT_ANALYTICS,
    BudgetError,
    NotAvailableError,
    QuotaError,
    rfc3339,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.integrations.base import FetchWindow
    from unifi_scanner.integrations.cloudflare.client import CloudflareApi
    from unifi_scanner.integrations.cloudflare.discovery import Account

__all__ = ["BLOCKED_DECISIONS", "DNS_QUERY", "THREAT_CATEGORIES", "is_threat", "read_dns"]

BLOCKED_DECISIONS: Final = (2, 3, 6, 9)

DNS_QUERY: Final = """query GatewayDnsBlocks(
  $accountTag: string, $filter: AccountGatewayResolverQueriesAdaptiveGroupsFilter_InputObject,
  $limit: uint64!
) {
  viewer {
    accounts(filter: {accountTag: $accountTag}) {
      gatewayResolverQueriesAdaptiveGroups(filter: $filter, limit: $limit, orderBy: [count_DESC]) {
        count
        dimensions { resolverDecision queryName categoryNames policyName locationName }
      }
    }
  }
}"""

THREAT_CATEGORIES: Final = (
    "malware",
    "phishing",
    "command and control",
    "botnet",
    "spyware",
    "cryptomining",
    "spam",
    "new domains",
    "newly seen domains",
)
"""Category words that mean a device tried to reach something harmful (a finding)."""

_PART: Final = "Gateway DNS"
_SHORTEST: Final = timedelta(hours=1)
_LIMIT: Final = 1000
_TOP: Final = 10


def is_threat(category: str) -> bool:
    """True for a category that means a device tried to reach something harmful."""
    lowered = category.lower()
    return any(word in lowered for word in THREAT_CATEGORIES[:6])


def _top(counter: Counter[str], key: str) -> list[dict[str, Any]]:
    return [{key: name, "count": count} for name, count in counter.most_common(_TOP)]


def _groups(data: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    accounts = data.get("viewer", {}).get("accounts") or []
    rows = accounts[0].get("gatewayResolverQueriesAdaptiveGroups") if accounts else None
    return [row for row in rows or [] if isinstance(row, dict)]


async def _query(
    api: CloudflareApi, account: Account, window: FetchWindow, notes: list[str]
) -> Mapping[str, Any]:
    """Ask for the blocks of ``window``; on a quota error, for the newer half, down to an hour.

    What could not be asked for is said in ``notes``.
    """
    start = window.start
    while True:
        variables = {
            "accountTag": account.id,
            "limit": _LIMIT,
            "filter": {
                "datetime_geq": rfc3339(start),
                "datetime_lt": rfc3339(window.end),
                "resolverDecision_in": list(BLOCKED_DECISIONS),
            },
        }
        try:
            data = await api.graphql(DNS_QUERY, variables, permission=ACCOUNT_ANALYTICS, part=_PART)
        except QuotaError:
            if window.end - start <= _SHORTEST:
                raise
            start = window.end - (window.end - start) / 2
            continue
        if start > window.start:
            notes.append(
                f"{account.name}: Cloudflare answers DNS blocks only from "
                f"{start:%Y-%m-%d %H:%M} UTC on; earlier ones could not be read."
            )
        return data


async def read_dns(
    api: CloudflareApi, accounts: Iterable[Account], window: FetchWindow
) -> dict[str, Any]:
    """Read the blocked DNS queries of ``window`` of every account.

    Args:
        api: the run's API.
        accounts: the accounts.
        window: the period.

    Returns:
        ``{available, note, blocked, by_category, top_domains, by_location, threats}``.
    """
    categories: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    locations: Counter[str] = Counter()
    threats: Counter[tuple[str, str]] = Counter()
    threat_domains: Counter[str] = Counter()
    available = False
    notes: list[str] = []
    blocked = 0
    for account in accounts:
        try:
            data = await _query(api, account, window, notes)
        except NotAvailableError:
            notes.append(f"{account.name} does not use Cloudflare Zero Trust Gateway DNS.")
            continue
        except QuotaError as err:
            notes.append(f"{account.name}: Cloudflare refused the DNS query ({err}).")
            continue
        except BudgetError as err:
            if not api.answered:
                raise
            notes.append(f"{account.name}: not read ({err}).")
            continue
        available = True
        rows = list(_groups(data))
        if len(rows) >= _LIMIT:
            notes.append(f"{account.name}: only the {_LIMIT} largest groups were read.")
        for row in rows:
            count = int(row.get("count") or 0)
            dims = row.get("dimensions") or {}
            names = [str(c) for c in dims.get("categoryNames") or [] if c] or ["Uncategorised"]
            domain = str(dims.get("queryName") or "?")
            location = str(dims.get("locationName") or "no location")
            blocked += count
            domains[domain] += count
            locations[location] += count
            for name in names:
                categories[name] += count
            if any(is_threat(name) for name in names):
                label = next(name for name in names if is_threat(name))
                threats[label, location] += count
                threat_domains[domain] += count
    return {
        "available": available,
        "notes": notes,
        "blocked": blocked,
        "by_category": _top(categories, "category"),
        "top_domains": _top(domains, "domain"),
        "by_location": _top(locations, "location"),
        "threats": [
            {"category": cat, "location": loc, "count": n}
            for (cat, loc), n in threats.most_common(_TOP)
        ],
        "threat_domains": _top(threat_domains, "domain"),
    }
