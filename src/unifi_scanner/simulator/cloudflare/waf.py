"""Firewall events (``firewallEventsAdaptive`` rows) of the scenarios and of the generator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from unifi_scanner.simulator.cloudflare.pools import pick, pools, weighted
from unifi_scanner.simulator.cloudflare.series import GeneratedSeries, ListSeries, Series, Timed
from unifi_scanner.simulator.cloudflare.timeline import Timeline, spread
from unifi_scanner.simulator.cloudflare.wire import JsonObject, digest, rfc3339

if TYPE_CHECKING:
    from unifi_scanner.simulator.cloudflare.world import World, Zone

__all__ = ["WAF_FIELDS", "build_waf", "ray_name"]

WAF_FIELDS: tuple[str, ...] = (
    "action",
    "clientASNDescription",
    "clientAsn",
    "clientCountryName",
    "clientIP",
    "clientRequestHTTPHost",
    "clientRequestHTTPMethodName",
    "clientRequestPath",
    "clientRequestQuery",
    "clientRequestScheme",
    "datetime",
    "description",
    "edgeColoName",
    "edgeResponseStatus",
    "kind",
    "matchIndex",
    "rayName",
    "ruleId",
    "rulesetId",
    "sampleInterval",
    "source",
    "userAgent",
)
"""Every field of a firewall event the local API knows."""

_RAY_MULTIPLIER = 0x9E3779B97F4A7C15  # odd: multiplying by it is a bijection modulo 2**56
_RAY_BITS = 56
_PASSED_SUFFIXES = ("_solved", "_bypassed")
_NOT_STOPPED = frozenset({"log", "allow", "skip", "bypass"})
_FORBIDDEN = 403
_OK = 200


def ray_name(zone: Zone, ordinal: int, seed: int, colo: str) -> str:
    """A Ray ID unique among every event served: the zone's index, then a bijection of ``ordinal``.

    Args:
        zone: the event's zone.
        ordinal: the event's number within its zone (unique per zone).
        seed: the configuration's seed.
        colo: the data centre's code (``FRA``).

    Returns:
        ``<16 hex digits>-<COLO>``.
    """
    mixed = (ordinal * _RAY_MULTIPLIER + digest(seed, zone.id)) % (1 << _RAY_BITS)
    return f"{zone.index % 256:02x}{mixed:014x}-{colo}"


def _status(action: str) -> int:
    if action in _NOT_STOPPED or action.endswith(_PASSED_SUFFIXES):
        return _OK
    return _FORBIDDEN


def _event(  # noqa: PLR0917 - one private builder, every value named at its call sites
    moment: int,
    ray: str,
    client: list[Any],
    request: tuple[str, str, str, str],
    action: str,
    rule_key: str,
    user_agent: str,
) -> JsonObject:
    """One event row: ``client`` is ``[ip, country, asn, asn name]``, ``request`` host…query."""
    rules = pools()["rules"]
    rule = rules[rule_key]
    host, method, path, query = request
    return {
        "action": action,
        "clientASNDescription": str(client[3]),
        "clientAsn": str(client[2]),
        "clientCountryName": str(client[1]),
        "clientIP": str(client[0]),
        "clientRequestHTTPHost": host,
        "clientRequestHTTPMethodName": method,
        "clientRequestPath": path,
        "clientRequestQuery": query,
        "clientRequestScheme": "https",
        "datetime": rfc3339(datetime.fromtimestamp(moment, UTC)),
        "description": str(rule["description"]),
        "edgeColoName": ray.rsplit("-", 1)[-1].lower(),
        "edgeResponseStatus": _status(action),
        "kind": "firewall",
        "matchIndex": 0,
        "rayName": ray,
        "ruleId": str(rule["id"]),
        "rulesetId": str(pools()["rulesets"].get(rule["ruleset"], "")),
        "sampleInterval": 1,
        "source": str(rule["source"]),
        "userAgent": user_agent,
    }


def _drawn(  # noqa: PLR0917 - one private builder, every value named at its call sites
    zone: Zone, moment: int, ordinal: int, roll: int, seed: int, client: list[Any]
) -> JsonObject:
    """An event drawn from the pools by ``roll`` (background noise and generated events)."""
    data = pools()
    kind = weighted(data["kinds"], roll)
    roll //= 97
    hosts = data["hosts"].get(zone.name) or [zone.name]
    request = (
        str(pick(hosts, roll)),
        str(pick(data["methods"], roll // 7)),
        str(pick(data["paths"], roll // 53)),
        str(pick(data["queries"], roll // 1009)),
    )
    colo = str(pick(data["colos"], roll // 8191))
    user_agent = str(pick(data["user_agents"], roll // 65_537))
    ray = ray_name(zone, ordinal, seed, colo)
    return _event(moment, ray, client, request, str(kind["action"]), str(kind["rule"]), user_agent)


def _scenario_rows(world: World, seed: int) -> dict[str, list[Timed]]:
    """The scenario's named sources and its background noise, per zone id."""
    spec = world.spec.get("waf", {})
    anchor = int(world.anchor.timestamp())
    rows: dict[str, list[Timed]] = {zone.id: [] for zone in world.zones}
    ordinals = dict.fromkeys(rows, 0)
    data = pools()
    for number, source in enumerate(spec.get("sources", [])):
        zone = world.zone_named(str(source["zone"]))
        if zone is None:
            continue
        client = [source["ip"], source["country"], source["asn"], source["asn_name"]]
        times = spread(
            anchor, source["from_ago"], source["to_ago"], int(source["count"]), seed, number
        )
        for k, moment in enumerate(times):
            roll = digest(seed, world.scenario, "source", number, k)
            request = (
                str(source["host"]),
                str(source.get("method", "GET")),
                str(pick(source["paths"], roll)),
                str(source.get("query", "")),
            )
            ray = ray_name(zone, ordinals[zone.id], seed, str(pick(data["colos"], roll // 7)))
            ordinals[zone.id] += 1
            row = _event(
                moment, ray, client, request, source["action"], source["rule"], source["user_agent"]
            )
            rows[zone.id].append((moment, row))
    noise = spec.get("noise")
    if noise and world.zones:
        clients = data["clients"]
        times = spread(anchor, noise["from_ago"], noise["to_ago"], int(noise["count"]), seed, "n")
        for k, moment in enumerate(times):
            roll = digest(seed, world.scenario, "noise", k)
            zone = world.zones[0] if roll % 3 or len(world.zones) == 1 else world.zones[1]
            client = clients[k % len(clients)]  # round robin: no noise address stands out
            row = _drawn(zone, moment, ordinals[zone.id], roll // 3, seed, client)
            ordinals[zone.id] += 1
            rows[zone.id].append((moment, row))
    return rows


def build_waf(world: World, *, seed: int, per_day: int) -> Series:
    """The firewall events of a world: its scenario's, or generated ones for ``generated``.

    Args:
        world: the scenario's world.
        seed: the configuration's seed.
        per_day: ``generated``: events per zone per day.

    Returns:
        The events, keyed by zone id.
    """
    if not world.spec.get("generated"):
        return ListSeries(_scenario_rows(world, seed))
    zones = {zone.id: zone for zone in world.zones}
    clients = pools()["clients"]

    def build(zone_id: str, index: int, moment: int) -> JsonObject:
        roll = digest(seed, zone_id, index)
        client = clients[roll % len(clients)]
        return _drawn(zones[zone_id], moment, index, roll // 31, seed, client)

    timelines = {
        zone.id: Timeline(max(1, per_day), f"{seed}:waf:{zone.id}") for zone in zones.values()
    }
    return GeneratedSeries(timelines, build)
