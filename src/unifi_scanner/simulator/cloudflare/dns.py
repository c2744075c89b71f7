"""Zero Trust Gateway DNS queries (``gatewayResolverQueriesAdaptiveGroups``) and their grouping."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from unifi_scanner.simulator.cloudflare.pools import pools, weighted
from unifi_scanner.simulator.cloudflare.series import GeneratedSeries, ListSeries, Series, Timed
from unifi_scanner.simulator.cloudflare.timeline import Timeline, spread
from unifi_scanner.simulator.cloudflare.wire import JsonObject, digest, rfc3339

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from unifi_scanner.simulator.cloudflare.world import World

__all__ = [
    "ALLOWED_DECISIONS",
    "BLOCKED_DECISIONS",
    "DNS_DIMENSIONS",
    "OVERRIDE_DECISIONS",
    "build_dns",
    "dimension",
    "group",
]

BLOCKED_DECISIONS: frozenset[int] = frozenset({2, 3, 6, 9})
"""``resolverDecision`` values that are blocks."""
ALLOWED_DECISIONS: frozenset[int] = frozenset({5, 10})
"""5: allowed, no policy matched; 10: allowed by a rule."""
OVERRIDE_DECISIONS: frozenset[int] = frozenset({7, 8})
"""Overrides (safe search and the like)."""

_ROW_DIMENSIONS = (
    "resolverDecision",
    "queryName",
    "categoryNames",
    "policyName",
    "locationName",
    "srcIpCountry",
)
_TIME_DIMENSIONS = {
    "datetime": 1,
    "datetimeMinute": 60,
    "datetimeFiveMinutes": 300,
    "datetimeFifteenMinutes": 900,
    "datetimeHour": 3600,
}
DNS_DIMENSIONS: tuple[str, ...] = (*_ROW_DIMENSIONS, *_TIME_DIMENSIONS, "date")
"""Every dimension of a DNS query group the local API knows."""


def dimension(moment: int, row: JsonObject, name: str) -> Any:  # noqa: ANN401 - a JSON value
    """The value of one dimension of a query at ``moment`` (times truncated to their unit).

    Args:
        moment: the query's time (epoch seconds).
        row: the query.
        name: one of :data:`DNS_DIMENSIONS`.

    Returns:
        The value as the API writes it.
    """
    if name in _TIME_DIMENSIONS:
        unit = _TIME_DIMENSIONS[name]
        return rfc3339(datetime.fromtimestamp(moment - moment % unit, UTC))
    if name == "date":
        return datetime.fromtimestamp(moment, UTC).date().isoformat()
    return row[name]


def _frozen(value: Any) -> Any:  # noqa: ANN401 - a JSON value
    return tuple(value) if isinstance(value, list) else value


def group(
    rows: Iterable[Timed],
    dimensions: Sequence[str],
    value_of: Callable[[int, JsonObject, str], Any] = dimension,
) -> list[JsonObject]:
    """Count rows per distinct tuple of ``dimensions`` (in first-seen order).

    Args:
        rows: the rows (queries, events) and their times.
        dimensions: the dimensions to group by.
        value_of: ``(time, row, name) -> value`` (default: a DNS query's :func:`dimension`).

    Returns:
        ``[{"count": n, "dimensions": {name: value}}]``.
    """
    counts: Counter[tuple[Any, ...]] = Counter()
    values: dict[tuple[Any, ...], JsonObject] = {}
    for moment, row in rows:
        named = {name: value_of(moment, row, name) for name in dimensions}
        key = tuple(_frozen(named[name]) for name in dimensions)
        counts[key] += 1
        values.setdefault(key, named)
    return [{"count": counts[key], "dimensions": values[key]} for key in counts]


def _query(spec: JsonObject, location: str, country: str) -> JsonObject:
    return {
        "resolverDecision": int(spec["decision"]),
        "queryName": str(spec["name"]),
        "categoryNames": [str(c) for c in spec.get("categories", [])],
        "policyName": str(spec.get("policy", "")),
        "locationName": location,
        "srcIpCountry": country,
    }


def _scenario_rows(world: World, seed: int) -> dict[str, list[Timed]]:
    spec = world.spec.get("dns", {})
    account = str(spec.get("account", ""))
    anchor = int(world.anchor.timestamp())
    rows: list[Timed] = []
    for number, item in enumerate(spec.get("queries", [])):
        query = _query(item, str(item["location"]), str(item.get("country", "")))
        times = spread(
            anchor, item["from_ago"], item["to_ago"], int(item["count"]), seed, "d", number
        )
        rows.extend((moment, query) for moment in times)
    return {account: rows} if account else {}


def build_dns(world: World, *, seed: int, per_day: int) -> Series:
    """The Gateway DNS queries of a world: its scenario's, or generated for ``generated``.

    Args:
        world: the scenario's world.
        seed: the configuration's seed.
        per_day: ``generated``: queries per account per day.

    Returns:
        The queries, keyed by account id.
    """
    if not world.spec.get("generated"):
        return ListSeries(_scenario_rows(world, seed))
    data = pools()
    kinds: list[JsonObject] = data["dns"]
    locations = data["locations"]

    def build(account_id: str, index: int, moment: int) -> JsonObject:  # noqa: ARG001
        roll = digest(seed, account_id, "dns", index)
        chosen = weighted(kinds, roll)
        location, country = locations[(roll // 101) % len(locations)]
        return _query(chosen, str(location), str(country))

    timelines = {
        account.id: Timeline(max(1, per_day), f"{seed}:dns:{account.id}")
        for account in world.accounts
    }
    return GeneratedSeries(timelines, build)
