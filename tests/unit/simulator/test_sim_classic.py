"""Classic endpoints: envelope, paging of stat/event, filters, Network 10 removals."""

from __future__ import annotations

import pytest

from unifi_scanner.simulator import DEFAULT_API_KEY, EVENT_LIMIT

KEY = {"X-API-KEY": DEFAULT_API_KEY}
BASE = "/proxy/network/api/s/default"


def now_ms(clock) -> int:
    return int(clock().timestamp() * 1000)


@pytest.mark.parametrize(
    "path",
    ["stat/sysinfo", "stat/health", "stat/device", "stat/sta", "rest/setting", "get/setting"],
)
async def test_classic_envelope(make_client, path):
    """Each classic endpoint answers the ok envelope with a non-empty data list."""
    client = make_client()
    body = (await client.get(f"{BASE}/{path}", headers=KEY)).json()
    assert body["meta"] == {"rc": "ok"}
    assert body["data"]


async def test_self_sites(make_client):
    """self/sites lists the default site."""
    client = make_client()
    body = (await client.get("/proxy/network/api/self/sites", headers=KEY)).json()
    assert [s["name"] for s in body["data"]] == ["default"]


@pytest.mark.parametrize(
    ("network", "version", "has_server_version"), [(9, "9.", True), (10, "10.", False)]
)
async def test_sysinfo_and_status_follow_network(make_client, network, version, has_server_version):
    """Sysinfo reports the Network version; /status has server_version only before 10."""
    client = make_client(network=network)
    info = (await client.get(f"{BASE}/stat/sysinfo", headers=KEY)).json()["data"][0]
    assert info["version"].startswith(version)
    status = (await client.get("/proxy/network/status")).json()
    assert status["meta"]["up"] is True
    assert ("server_version" in status["meta"]) is has_server_version


async def test_unknown_site_is_no_site_context(make_client):
    """An unknown site answers 400 api.err.NoSiteContext."""
    client = make_client()
    response = await client.get("/proxy/network/api/s/nosuch/stat/device", headers=KEY)
    assert response.status_code == 400
    assert response.json()["meta"] == {"rc": "error", "msg": "api.err.NoSiteContext"}


async def test_stat_device_macs_filter(make_client):
    """POST stat/device with macs returns only those devices."""
    client = make_client()
    devices = (await client.get(f"{BASE}/stat/device", headers=KEY)).json()["data"]
    wanted = devices[1]["mac"]
    body = (await client.post(f"{BASE}/stat/device", json={"macs": [wanted]}, headers=KEY)).json()
    assert [d["mac"] for d in body["data"]] == [wanted]


async def test_stat_event_pages_with_meta_count(make_client):
    """Over 3000 events: one page holds 3000, meta.count the total, _start moves on."""
    client = make_client(scenario="busy-office")
    body = {"_sort": "-time", "within": 24, "_start": 0, "_limit": 5000}
    first = (await client.post(f"{BASE}/stat/event", json=body, headers=KEY)).json()
    total = first["meta"]["count"]
    assert len(first["data"]) == EVENT_LIMIT < total
    times = [e["time"] for e in first["data"]]
    assert times == sorted(times, reverse=True)
    rest = (
        await client.post(f"{BASE}/stat/event", json=body | {"_start": EVENT_LIMIT}, headers=KEY)
    ).json()
    assert len(rest["data"]) == min(EVENT_LIMIT, total - EVENT_LIMIT)
    assert rest["meta"]["count"] == total
    assert {e["_id"] for e in first["data"]}.isdisjoint({e["_id"] for e in rest["data"]})


async def test_stat_event_within_and_sort(make_client, clock):
    """The within body limits events to the last N hours; _sort=time sorts ascending."""
    client = make_client()
    body = {"_sort": "time", "within": 1, "_limit": 3000}
    data = (await client.post(f"{BASE}/stat/event", json=body, headers=KEY)).json()["data"]
    assert data
    assert all(e["time"] >= now_ms(clock) - 3_600_000 for e in data)
    assert [e["time"] for e in data] == sorted(e["time"] for e in data)
    assert (
        "count"
        not in (await client.post(f"{BASE}/stat/event", json=body, headers=KEY)).json()["meta"]
    )


async def test_list_alarm_archived_filter(make_client):
    """?archived=false leaves out archived alarms."""
    client = make_client()
    everything = (await client.get(f"{BASE}/list/alarm", headers=KEY)).json()["data"]
    active = (await client.get(f"{BASE}/list/alarm?archived=false", headers=KEY)).json()["data"]
    assert any(a["archived"] for a in everything)
    assert active
    assert not any(a["archived"] for a in active)
    assert len(active) < len(everything)


async def test_ips_event_window_and_limit(make_client, clock):
    """stat/ips/event honours start/end (ms) and _limit."""
    client = make_client()
    end = now_ms(clock)
    body = {"start": end - 3_600_000, "end": end, "_limit": 10000}
    hour = (await client.post(f"{BASE}/stat/ips/event", json=body, headers=KEY)).json()["data"]
    assert hour
    assert all(end - 3_600_000 <= a["time"] <= end for a in hour)
    day = body | {"start": end - 86_400_000, "_limit": 2}
    assert (
        len((await client.post(f"{BASE}/stat/ips/event", json=day, headers=KEY)).json()["data"])
        == 2
    )


async def test_ips_setting(make_client):
    """get/setting has a key:ips entry with ips_mode."""
    client = make_client()
    data = (await client.get(f"{BASE}/get/setting", headers=KEY)).json()["data"]
    ips = next(s for s in data if s["key"] == "ips")
    assert ips["ips_mode"] in {"disabled", "ids", "ips", "ipsInline"}


@pytest.mark.parametrize(
    ("method", "path", "status", "msg"),
    [
        ("POST", "stat/event", 404, "api.err.NotFound"),
        ("POST", "stat/ips/event", 404, "api.err.NotFound"),
        ("GET", "list/alarm", 400, "api.err.InvalidObject"),
    ],
)
async def test_network_10_removals(make_client, method, path, status, msg):
    """On Network 10 stat/event and stat/ips/event are 404 and list/alarm is 400 InvalidObject."""
    client = make_client(network=10)
    response = await client.request(method, f"{BASE}/{path}", json={}, headers=KEY)
    assert response.status_code == status
    assert response.json()["meta"]["msg"] == msg


async def test_invalid_json_body_is_400(make_client):
    """A stat/event body that is not a JSON object answers 400."""
    client = make_client()
    response = await client.post(f"{BASE}/stat/event", content=b"[1,", headers=KEY)
    assert response.status_code == 400
