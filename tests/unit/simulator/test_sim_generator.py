"""The event generator: deterministic, paged without materialising, sized by its knobs."""

from __future__ import annotations

import itertools

import pytest

from unifi_scanner.simulator import (
    DEFAULT_API_KEY,
    EVENT_LIMIT,
    GeneratorSpec,
    build_site,
    generated_config,
    load_scenario,
)

NOW_S = 1_772_452_800
KEY = {"X-API-KEY": DEFAULT_API_KEY}
V2 = "/proxy/network/v2/api/site/default"
CLASSIC = "/proxy/network/api/s/default"


def site_with(spec: GeneratorSpec, seed: int = 1):
    scenario = load_scenario("busy-office", generator=spec)
    return build_site(scenario, network=10, now_s=NOW_S, generator=spec, seed=seed)


def test_same_seed_same_page_other_seed_other_page():
    """The same seed gives the same page; another seed gives another."""
    spec = GeneratorSpec(events_per_day=50_000)
    first = site_with(spec, seed=7).system_log_feed().page(20_000, 21_000)
    again = site_with(spec, seed=7).system_log_feed().page(20_000, 21_000)
    other = site_with(spec, seed=8).system_log_feed().page(20_000, 21_000)
    assert first == again
    assert [e["id"] for e in first] != [e["id"] for e in other]


@pytest.mark.parametrize("size", [100, 333, 1000])
def test_pages_concatenate_to_the_same_sequence(size):
    """Whatever the page size, the pages concatenate to the whole sequence, newest first."""
    feed = site_with(GeneratorSpec(events_per_day=2_500)).event_feed()
    whole = list(feed)
    pages = itertools.chain.from_iterable(
        feed.page(start, start + size) for start in range(0, len(feed), size)
    )
    assert list(pages) == whole
    times = [e["time"] for e in whole]
    assert times == sorted(times, reverse=True)


def test_oldest_first_pages_are_the_reverse():
    """Pages counted from the oldest record concatenate to the reversed sequence."""
    feed = site_with(GeneratorSpec(events_per_day=1_000)).event_feed()
    pages = [feed.page(s, s + 300, oldest_first=True) for s in range(0, len(feed), 300)]
    assert list(itertools.chain.from_iterable(pages)) == list(feed)[::-1]


def test_counts_match_the_knobs():
    """Devices, clients and events match the knobs; the IPS share is one in a hundred."""
    spec = GeneratorSpec(devices=37, clients=1_500, events_per_day=30_000, days=2.5)
    scenario = load_scenario("busy-office", generator=spec)
    site = site_with(spec)
    kinds = [d["type"] for d in site.devices]
    assert (kinds.count("uap"), kinds.count("usw"), kinds.count("ugw")) == (30, 6, 1)
    assert len(scenario["clients"]) == 1_500
    assert len({c["mac"] for c in scenario["clients"]}) == 1_500
    gen = site.generator
    assert gen is not None
    assert gen.total == 75_000
    assert len(site.system_log_feed()) == 75_000 + len(site.system_log)
    assert gen.ips_total == 750
    assert len(site.flow_feed()) == 750 + len(site.flows)
    assert gen.built == 0


def test_generated_events_span_the_days():
    """Generated events reach back ``days`` days and none is in the future."""
    gen = site_with(GeneratorSpec(events_per_day=1_000, days=3)).generator
    assert gen is not None
    now_ms = NOW_S * 1000
    assert gen.time_ms(0) <= now_ms
    assert now_ms - 3 * 86_400_000 <= gen.time_ms(gen.total - 1) < now_ms - 2.99 * 86_400_000


def test_generated_macs_are_the_sites():
    """Every device and client MAC a generated event names is in the site model."""
    spec = GeneratorSpec(events_per_day=5_000)
    scenario = load_scenario("busy-office", generator=spec)
    site = site_with(spec)
    known = {d["mac"] for d in site.devices} | {c["mac"] for c in scenario["clients"]}
    for event in site.event_feed():
        for field in ("ap", "sw", "gw", "ap_from", "ap_to", "user"):
            if field in event:
                assert event[field] in known, (field, event["key"])


def test_window_maps_to_an_index_range():
    """A time window holds exactly the records whose time is inside it."""
    feed = site_with(GeneratorSpec(events_per_day=10_000)).system_log_feed()
    low, high = NOW_S * 1000 - 7_200_000, NOW_S * 1000 - 3_600_000
    inside = feed.window(low, high)
    expected = [e for e in feed if low <= e["timestamp"] <= high]
    assert list(inside) == expected
    assert len(inside) == len(expected) > 0


async def test_serving_a_deep_page_builds_only_that_page(make_client):
    """Page 9,999 of a 1,000,000-event generator builds 100 records, not the pages before."""
    client = make_client(
        network=10, scenario="busy-office", generator=GeneratorSpec(events_per_day=1_000_000)
    )
    body = {"pageNumber": 9_999, "pageSize": 100}
    reply = (await client.post(f"{V2}/system-log/all", json=body, headers=KEY)).json()
    assert len(reply["data"]) == 100
    assert reply["total_element_count"] >= 1_000_000
    assert client.app.state.sim.site.generator.built == 100


async def test_classic_stat_event_caps_and_counts(make_client):
    """Classic stat/event over generated events: 3000 a page and meta.count the total."""
    client = make_client(generator=GeneratorSpec(events_per_day=12_000))
    body = {"_sort": "-time", "within": 24, "_start": 9_000, "_limit": 5000}
    reply = (await client.post(f"{CLASSIC}/stat/event", json=body, headers=KEY)).json()
    assert len(reply["data"]) == EVENT_LIMIT
    assert reply["meta"]["count"] > 12_000
    site = client.app.state.sim.site
    assert EVENT_LIMIT - len(site.events) <= site.generator.built <= EVENT_LIMIT


async def test_traffic_flows_page_the_ips_share(make_client):
    """traffic-flows pages the generated IPS alerts with has_next until the last page."""
    client = make_client(network=10, generator=GeneratorSpec(events_per_day=20_000))
    ids, number = [], 0
    while True:
        body = {"pageNumber": number, "pageSize": 100, "policy_type": ["INTRUSION_PREVENTION"]}
        reply = (await client.post(f"{V2}/traffic-flows", json=body, headers=KEY)).json()
        ids += [f["id"] for f in reply["data"]]
        number += 1
        if not reply["has_next"]:
            break
    assert len(ids) == len(set(ids)) == reply["total_count"] > 200
    assert all(f["policy_type"] == "INTRUSION_PREVENTION" for f in reply["data"])


async def test_filtered_classes_walk_lazily(make_client):
    """A class filter over generated entries still pages and counts correctly."""
    client = make_client(network=10, generator=GeneratorSpec(events_per_day=5_000))
    body = {"pageNumber": 0, "pageSize": 100}
    threats = (await client.post(f"{V2}/system-log/threat-alert", json=body, headers=KEY)).json()
    count = (await client.post(f"{V2}/system-log/count", json={}, headers=KEY)).json()
    assert threats["data"]
    assert all(e["category"] == "SECURITY" for e in threats["data"])
    assert threats["total_element_count"] >= 50
    assert count["count"] >= 5_000


def test_generated_config_sets_the_knobs():
    """generated_config turns the CLI knobs into a busy-office config with a generator."""
    config = generated_config(devices=20, clients=300, events_per_day=7, days=2, seed=5)
    assert config.scenario == "busy-office"
    assert config.seed == 5
    assert config.generator == GeneratorSpec(devices=20, clients=300, events_per_day=7, days=2)
    assert generated_config(network=10).generator == GeneratorSpec()


@pytest.mark.parametrize("sort", ["-time", "time"])
async def test_classic_type_filter_over_generated_events(make_client, sort):
    """stat/event with a type pages only that key, in either order, with meta.count."""
    client = make_client(generator=GeneratorSpec(events_per_day=4_000))
    body = {"_sort": sort, "within": 24, "type": "EVT_WU_Roam", "_start": 10, "_limit": 50}
    reply = (await client.post(f"{CLASSIC}/stat/event", json=body, headers=KEY)).json()
    everything = {"_sort": sort, "within": 24, "type": "EVT_WU_Roam", "_limit": 3000}
    full = (await client.post(f"{CLASSIC}/stat/event", json=everything, headers=KEY)).json()
    assert {e["key"] for e in reply["data"]} == {"EVT_WU_Roam"}
    assert reply["data"] == full["data"][10:60]
    assert reply["meta"]["count"] == len(full["data"]) > 500
    times = [e["time"] for e in full["data"]]
    assert times == sorted(times, reverse=sort == "-time")
