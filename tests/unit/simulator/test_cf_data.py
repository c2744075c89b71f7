"""The local Cloudflare API's data: timelines, series, the scenarios' worlds, WAF events and DNS.

These read the modules below the HTTP layer (and the state of a built app) directly; every
expected value is derived from ``data/cloudflare/*.json``.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from unifi_scanner.simulator.cloudflare import (
    CF_SCENARIOS,
    CloudflareConfig,
    CloudflareState,
    create_cloudflare_app,
)
from unifi_scanner.simulator.cloudflare.dns import (
    ALLOWED_DECISIONS,
    BLOCKED_DECISIONS,
    DNS_DIMENSIONS,
    OVERRIDE_DECISIONS,
    build_dns,
    dimension,
    group,
)
from unifi_scanner.simulator.cloudflare.pools import pick, pools, weighted
from unifi_scanner.simulator.cloudflare.series import ListSeries, Timed
from unifi_scanner.simulator.cloudflare.timeline import DAY_S, Timeline, spread
from unifi_scanner.simulator.cloudflare.waf import WAF_FIELDS, build_waf, ray_name
from unifi_scanner.simulator.cloudflare.world import build_world, load_cloudflare_scenario
from unifi_scanner.simulator.templates import load_json

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
NOW_S = int(NOW.timestamp())
DEMO = load_cloudflare_scenario("demo")
ATTACKER = "192.0.2.45"
DOCUMENTATION_NETS = tuple(
    ipaddress.ip_network(net) for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
RAY = re.compile(r"^[0-9a-f]{16}-[A-Z]{3}$")
PASSES = ("_solved", "_bypassed")


def _state(**overrides) -> CloudflareState:
    overrides.setdefault("now", lambda: NOW)
    state: CloudflareState = create_cloudflare_app(CloudflareConfig(**overrides)).state.cloudflare
    return state


def _demo_waf_rows() -> list[Timed]:
    """Every demo firewall event of every zone (a week back is far more than the demo spans)."""
    world = build_world("demo", NOW)
    waf = build_waf(world, seed=1, per_day=1)
    return [
        timed
        for zone in world.zones
        for timed in waf.scan(zone.id, NOW_S - 7 * DAY_S, NOW_S + 1, descending=False)
    ]


# --- Timeline and spread --------------------------------------------------------------------


@pytest.mark.parametrize("per_day", [1, 7, 1000, 86_400, 250_000])
@pytest.mark.parametrize(
    ("offset", "length"),
    [(0, 0), (0, 1), (13, 59), (-3600, 3600), (-DAY_S - 17, DAY_S + 17), (-5 * DAY_S, 400)],
)
def test_timeline_indexes_agree_with_time(per_day, offset, length):
    """indexes(start, end) is exactly the indexes whose time lies in [start, end)."""
    timeline = Timeline(per_day, f"test:{per_day}")
    start = NOW_S + offset
    end = start + length
    found = timeline.indexes(start, end)
    assert found.step == 1
    # the count is the window's share of per_day, give or take the jitter at both ends
    assert abs(len(found) - length * per_day / DAY_S) < 2
    checked = found if len(found) <= 20_000 else [*found[:2000], *found[-2000:], *found[::97]]
    assert all(start <= timeline.time(index) < end for index in checked)
    before, after = found.start - 1, found.stop
    assert before < 0 or timeline.time(before) < start
    assert timeline.time(after) >= end
    nearby = range(max(0, found.start - 50), found.start + min(len(found), 2000) + 50)
    times = [timeline.time(index) for index in nearby]
    assert times == sorted(times)


@pytest.mark.parametrize("per_day", [1, 24, 10_000])
def test_timeline_holds_per_day_events_in_each_day(per_day):
    """A UTC day [k*86400, (k+1)*86400) holds exactly events k*per_day to (k+1)*per_day - 1."""
    timeline = Timeline(per_day, "day")
    day = NOW_S // DAY_S
    assert timeline.indexes(day * DAY_S, (day + 1) * DAY_S) == range(
        day * per_day, (day + 1) * per_day
    )


def test_timeline_is_a_pure_function_of_its_salt():
    """The same salt gives the same times; another salt moves them."""
    first = [Timeline(100, "a").time(i) for i in range(1000, 1100)]
    again = [Timeline(100, "a").time(i) for i in range(1000, 1100)]
    other = [Timeline(100, "b").time(i) for i in range(1000, 1100)]
    assert first == again
    assert first != other


def test_timeline_empty_or_reversed_window_has_no_indexes():
    """A window whose end is not after its start is empty."""
    timeline = Timeline(1000, "empty")
    assert len(timeline.indexes(NOW_S, NOW_S)) == 0
    assert len(timeline.indexes(NOW_S, NOW_S - 3600)) == 0
    assert timeline.first_at_or_after(-10) == 0


@pytest.mark.parametrize(("from_ago", "to_ago", "count"), [(150, 40, 42), (10, 0, 50), (5, 5, 3)])
def test_spread_places_count_times_between_its_bounds(from_ago, to_ago, count):
    """Spread gives count sorted times near [from_ago, to_ago] minutes ago, none after anchor."""
    times = spread(NOW_S, from_ago, to_ago, count, 1, "salt")
    assert len(times) == count
    assert times == sorted(times)
    gap = (from_ago - to_ago) * 60 / max(count - 1, 1)
    slack = gap / 3 + 1
    assert times[0] >= NOW_S - from_ago * 60 - slack
    assert times[-1] <= min(NOW_S, NOW_S - to_ago * 60 + slack)
    assert spread(NOW_S, from_ago, to_ago, count, 1, "salt") == times


def test_spread_jitter_depends_on_the_salt_and_zero_count_is_empty():
    """Another salt jitters differently; a count of 0 gives no times."""
    assert spread(NOW_S, 600, 60, 30, "a") != spread(NOW_S, 600, 60, 30, "b")
    assert spread(NOW_S, 600, 60, 0, "a") == []


# --- series -----------------------------------------------------------------------------------


def test_list_series_scans_a_half_open_range_in_either_order():
    """ListSeries answers start <= time < end, oldest first or newest first; unknown key: none."""
    rows = [(t, {"t": t}) for t in (50, 10, 30, 20, 40)]
    series = ListSeries({"k": rows})
    assert [t for t, _ in series.scan("k", 20, 50, descending=False)] == [20, 30, 40]
    assert [t for t, _ in series.scan("k", 20, 50, descending=True)] == [40, 30, 20]
    assert [row["t"] for _, row in series.scan("k", 0, 100, descending=False)] == [
        10,
        20,
        30,
        40,
        50,
    ]
    assert list(series.scan("other", 0, 100, descending=False)) == []


# --- the generated scenario -------------------------------------------------------------------


@pytest.mark.parametrize("per_day", [240, 5000])
def test_generated_waf_has_per_day_events_per_zone(per_day):
    """The generated scenario holds waf_events_per_day events (±1) in the last 24 h of each zone."""
    state = _state(scenario="generated", waf_events_per_day=per_day)
    assert [zone.name for zone in state.world.zones] == [
        zone["name"] for zone in load_cloudflare_scenario("generated")["zones"]
    ]
    for zone in state.world.zones:
        rows = list(state.waf.scan(zone.id, NOW_S - DAY_S, NOW_S + 1, descending=False))
        assert abs(len(rows) - per_day) <= 1
        assert all(NOW_S - DAY_S <= moment <= NOW_S for moment, _ in rows)
        hosts = set(pools()["hosts"][zone.name])
        assert {row["clientRequestHTTPHost"] for _, row in rows} <= hosts
        rays = [row["rayName"] for _, row in rows]
        assert len(set(rays)) == len(rays)


def test_generated_dns_has_per_day_queries():
    """The generated scenario holds dns_queries_per_day Gateway queries (±1) a day per account."""
    state = _state(scenario="generated", dns_queries_per_day=700)
    (account,) = state.world.accounts
    rows = list(state.dns.scan(account.id, NOW_S - DAY_S, NOW_S, descending=False))
    assert abs(len(rows) - 700) <= 1
    names = {kind["name"] for kind in pools()["dns"]}
    assert {row["queryName"] for _, row in rows} <= names


def test_generated_series_builds_only_the_rows_read():
    """An hour of a 100,000-a-day series builds that hour's rows only, not the whole series."""
    state = _state(scenario="generated", waf_events_per_day=100_000)
    zone = state.world.zones[0]
    rows = list(state.waf.scan(zone.id, NOW_S - 3600, NOW_S, descending=True))
    assert abs(len(rows) - 100_000 / 24) < 2
    assert [moment for moment, _ in rows] == sorted((m for m, _ in rows), reverse=True)
    assert state.waf.built == len(rows)  # type: ignore[attr-defined]


def _generated_day(seed: int) -> list[Timed]:
    state = _state(scenario="generated", seed=seed, waf_events_per_day=300)
    return [
        timed
        for zone in state.world.zones
        for timed in state.waf.scan(zone.id, NOW_S - DAY_S, NOW_S, descending=False)
    ]


def test_generated_events_are_deterministic_per_seed():
    """Two apps with one seed serve the same events; another seed serves other ones."""
    first, again, other = _generated_day(7), _generated_day(7), _generated_day(8)
    assert first == again
    assert [row["rayName"] for _, row in first] != [row["rayName"] for _, row in other]
    assert [moment for moment, _ in first] != [moment for moment, _ in other]


def test_generated_events_do_not_depend_on_the_start_time():
    """Event i of a zone is the same whenever the app was started."""
    early = _state(scenario="generated", waf_events_per_day=300)
    late = _state(scenario="generated", waf_events_per_day=300, now=lambda: NOW + timedelta(days=1))
    zone = early.world.zones[0].id
    window = (NOW_S - 3 * 3600, NOW_S)
    assert list(early.waf.scan(zone, *window, descending=False)) == list(
        late.waf.scan(zone, *window, descending=False)
    )


# --- scenarios and worlds ---------------------------------------------------------------------


def test_unknown_scenario_is_a_value_error_naming_the_choices():
    """load_cloudflare_scenario('nope') raises ValueError listing every scenario."""
    with pytest.raises(ValueError, match="nope") as raised:
        load_cloudflare_scenario("nope")
    assert all(name in str(raised.value) for name in CF_SCENARIOS)


@pytest.mark.parametrize("scenario", CF_SCENARIOS)
def test_every_scenario_builds_a_consistent_world(scenario):
    """Each scenario's zones, accounts and tunnels have unique well-formed ids and real owners."""
    spec = load_cloudflare_scenario(scenario)
    world = build_world(scenario, NOW + timedelta(microseconds=123))
    assert world.anchor == NOW
    assert [zone.name for zone in world.zones] == [zone["name"] for zone in spec["zones"]]
    assert [zone.index for zone in world.zones] == list(range(len(world.zones)))
    ids = [account.id for account in world.accounts] + [zone.id for zone in world.zones]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{32}", item_id) for item_id in ids)
    for zone in world.zones:
        assert world.account(zone.account.id) is zone.account
        assert zone.plan in {"free", "pro", "business", "enterprise"}
        assert zone.name in pools()["hosts"]
    for tunnel in world.tunnels:
        assert str(uuid.UUID(tunnel.id)) == tunnel.id
        assert world.tunnel(tunnel.account.id, tunnel.id) is tunnel
        assert world.tunnel("0" * 32, tunnel.id) is None
        assert tunnel.status in {"healthy", "degraded", "down", "inactive"}
        assert tunnel.created_at < world.anchor


def test_world_lookups_answer_none_for_unknown_ids():
    """zone, zone_named and account answer None for what the scenario does not hold."""
    world = build_world("demo", NOW)
    assert world.zone("0" * 32) is None
    assert world.zone_named("nope.example") is None
    assert world.account("0" * 32) is None
    assert world.zone_named("example.net") is world.zone(DEMO["zones"][1]["id"])


def test_demo_tunnel_times_count_back_from_the_anchor():
    """A tunnel's deleted/active/inactive times are its 'ago' minutes before the anchor."""
    world = build_world("demo", NOW)
    for spec in DEMO["tunnels"]:
        tunnel = world.tunnel(spec["account"], spec["id"])
        assert tunnel is not None
        for field, key in (
            ("deleted_at", "deleted_ago"),
            ("conns_active_at", "active_ago"),
            ("conns_inactive_at", "inactive_ago"),
        ):
            expected = NOW - timedelta(minutes=spec[key]) if key in spec else None
            assert getattr(tunnel, field) == expected
        for connector, connector_spec in zip(tunnel.connectors, spec["connectors"], strict=True):
            assert connector.run_at == NOW - timedelta(minutes=connector_spec["run_ago"])
            assert [c.opened_at for c in connector.conns] == [
                NOW - timedelta(minutes=opened) for _, _, opened in connector_spec["conns"]
            ]


def test_zero_trust_false_takes_gateway_from_every_account():
    """build_world(zero_trust=False) marks every account without Zero Trust."""
    assert all(account.zero_trust for account in build_world("demo", NOW).accounts)
    assert not any(a.zero_trust for a in build_world("demo", NOW, zero_trust=False).accounts)


# --- WAF events ---------------------------------------------------------------------------------


def test_demo_waf_holds_every_source_and_the_noise_within_the_day():
    """The demo's events are its sources' counts plus the noise, all in the day before NOW."""
    rows = _demo_waf_rows()
    expected = sum(source["count"] for source in DEMO["waf"]["sources"])
    assert len(rows) == expected + DEMO["waf"]["noise"]["count"]
    assert all(NOW_S - DAY_S <= moment <= NOW_S for moment, _ in rows)


def test_demo_noise_reaches_both_zones():
    """Background noise lands in both demo zones, beside each zone's named sources."""
    world = build_world("demo", NOW)
    waf = build_waf(world, seed=1, per_day=1)
    named = {source["ip"] for source in DEMO["waf"]["sources"]}
    noise = {
        zone.name: sum(
            1
            for _, row in waf.scan(zone.id, NOW_S - DAY_S, NOW_S + 1, descending=False)
            if row["clientIP"] not in named
        )
        for zone in world.zones
    }
    assert sum(noise.values()) == DEMO["waf"]["noise"]["count"]
    assert all(count > 0 for count in noise.values()), noise


def test_demo_named_sources_have_their_exact_counts_and_noise_avoids_them():
    """Each named address has exactly its specs' events; no noise event uses one of them."""
    rows = _demo_waf_rows()
    rules = pools()["rules"]
    per_ip: Counter[str] = Counter()
    per_kind: Counter[tuple[str, str, str]] = Counter()
    for source in DEMO["waf"]["sources"]:
        per_ip[source["ip"]] += source["count"]
        per_kind[source["ip"], source["action"], rules[source["rule"]]["id"]] += source["count"]
    served_ip = Counter(row["clientIP"] for _, row in rows if row["clientIP"] in per_ip)
    served_kind = Counter(
        (row["clientIP"], row["action"], row["ruleId"])
        for _, row in rows
        if row["clientIP"] in per_ip
    )
    assert served_ip == per_ip
    assert served_kind == per_kind
    assert per_ip[ATTACKER] == 60
    noise_addresses = {client[0] for client in pools()["clients"]}
    assert ATTACKER not in noise_addresses
    assert not noise_addresses & set(per_ip)


def test_demo_addresses_are_documentation_addresses():
    """Every client address of the demo and the pools is an RFC 5737 documentation address."""
    addresses = {row["clientIP"] for _, row in _demo_waf_rows()}
    addresses |= {client[0] for client in pools()["clients"]}
    for address in addresses:
        ip = ipaddress.ip_address(address)
        assert any(ip in net for net in DOCUMENTATION_NETS), address


def test_only_the_attacker_appears_in_the_controller_demo():
    """The controller's demo shows 192.0.2.45 but no other named source or noise address."""
    controller = json.dumps(load_json("scenarios/demo.json"))
    assert ATTACKER in controller
    others = {s["ip"] for s in DEMO["waf"]["sources"]} - {ATTACKER}
    others |= {client[0] for client in pools()["clients"]}
    assert not {ip for ip in others if re.search(rf"\b{re.escape(ip)}\b", controller)}


def test_waf_rows_carry_every_field_consistently():
    """Each event has every WAF field; status, colo and datetime agree with action, ray, time."""
    for moment, row in _demo_waf_rows():
        assert set(row) == set(WAF_FIELDS)
        assert RAY.fullmatch(row["rayName"])
        assert row["edgeColoName"] == row["rayName"].rsplit("-", 1)[1].lower()
        assert row["datetime"] == datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        passed = row["action"] in {"log", "allow", "skip"} or row["action"].endswith(PASSES)
        assert row["edgeResponseStatus"] == (200 if passed else 403)


def test_pools_tables_reference_known_rules_and_rulesets():
    """Every kind and demo source names a known rule; every rule's ruleset exists or is empty."""
    data = pools()
    rules = data["rules"]
    assert {kind["rule"] for kind in data["kinds"]} <= set(rules)
    assert {source["rule"] for source in DEMO["waf"]["sources"]} <= set(rules)
    assert {rule["ruleset"] for rule in rules.values()} <= {*data["rulesets"], ""}
    decisions = BLOCKED_DECISIONS | ALLOWED_DECISIONS | OVERRIDE_DECISIONS
    assert {kind["decision"] for kind in data["dns"]} <= decisions
    assert {query["decision"] for query in DEMO["dns"]["queries"]} <= decisions


def test_weighted_lands_on_each_kind_as_often_as_its_weight():
    """Over one full cycle of rolls, weighted picks each kind exactly weight times."""
    kinds = pools()["kinds"]
    total = sum(kind["weight"] for kind in kinds)
    landed = Counter(id(weighted(kinds, roll)) for roll in range(total))
    assert landed == Counter({id(kind): kind["weight"] for kind in kinds})
    assert pick(["a", "b", "c"], 7) == "b"


def test_ray_names_are_unique_and_carry_the_zone_index():
    """ray_name is unique per (zone, ordinal) and starts with the zone's index."""
    world = build_world("generated", NOW)
    names = [ray_name(zone, ordinal, 1, "FRA") for zone in world.zones for ordinal in range(3000)]
    assert len(set(names)) == len(names)
    for zone in world.zones:
        assert ray_name(zone, 5, 1, "AMS").startswith(f"{zone.index:02x}")
    assert ray_name(world.zones[0], 5, 1, "AMS") != ray_name(world.zones[0], 5, 2, "AMS")


# --- DNS ----------------------------------------------------------------------------------------


def test_demo_dns_holds_every_query_within_the_day():
    """The demo's Gateway queries are its specs' counts, keyed by the DNS account, in the day."""
    world = build_world("demo", NOW)
    dns = build_dns(world, seed=1, per_day=1)
    account = DEMO["dns"]["account"]
    rows = list(dns.scan(account, NOW_S - 7 * DAY_S, NOW_S + 1, descending=False))
    assert len(rows) == sum(query["count"] for query in DEMO["dns"]["queries"])
    assert all(NOW_S - DAY_S <= moment <= NOW_S for moment, _ in rows)
    blocked = sum(1 for _, row in rows if row["resolverDecision"] in BLOCKED_DECISIONS)
    assert blocked == sum(
        q["count"] for q in DEMO["dns"]["queries"] if q["decision"] in BLOCKED_DECISIONS
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("datetime", "2026-12-05T11:47:39Z"),
        ("datetimeMinute", "2026-12-05T11:47:00Z"),
        ("datetimeFiveMinutes", "2026-12-05T11:45:00Z"),
        ("datetimeFifteenMinutes", "2026-12-05T11:45:00Z"),
        ("datetimeHour", "2026-12-05T11:00:00Z"),
        ("date", "2026-12-05"),
        ("queryName", "a.example"),
    ],
)
def test_dns_dimensions_truncate_time_to_their_unit(name, expected):
    """Time dimensions are the query's time truncated to their unit; others are the row's."""
    moment = int((NOW - timedelta(minutes=12, seconds=21)).timestamp())
    assert name in DNS_DIMENSIONS
    assert dimension(moment, {"queryName": "a.example"}, name) == expected


def test_group_counts_rows_per_dimension_tuple_in_first_seen_order():
    """Grouping counts each distinct tuple (lists included) in first-seen order."""
    rows = [
        (NOW_S, {"queryName": "b", "categoryNames": ["x", "y"]}),
        (NOW_S, {"queryName": "a", "categoryNames": ["x"]}),
        (NOW_S, {"queryName": "b", "categoryNames": ["x", "y"]}),
        (NOW_S, {"queryName": "b", "categoryNames": ["x"]}),
    ]
    assert group(rows, ["queryName", "categoryNames"]) == [
        {"count": 2, "dimensions": {"queryName": "b", "categoryNames": ["x", "y"]}},
        {"count": 1, "dimensions": {"queryName": "a", "categoryNames": ["x"]}},
        {"count": 1, "dimensions": {"queryName": "b", "categoryNames": ["x"]}},
    ]
    assert group(rows, []) == [{"count": 4, "dimensions": {}}]
