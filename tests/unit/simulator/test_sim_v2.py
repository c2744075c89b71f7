"""v2 system-log and traffic-flows: paging, filters and errorCode errors."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from unifi_scanner.collect.normalize import event_from_system_log
from unifi_scanner.simulator import DEFAULT_API_KEY

KEY = {"X-API-KEY": DEFAULT_API_KEY}
V2 = "/proxy/network/v2/api/site/default"
CLASSIC = "/proxy/network/api/s/default"


async def test_system_log_all_pages(make_client):
    """system-log/all pages with page_number, total_element_count and total_page_count."""
    client = make_client(network=10, scenario="busy-office")
    body = {"timestampFrom": 0, "timestampTo": 2**53, "pageNumber": 1, "pageSize": 1000}
    reply = (await client.post(f"{V2}/system-log/all", json=body, headers=KEY)).json()
    assert reply["page_number"] == 1
    assert len(reply["data"]) == 1000
    assert reply["total_page_count"] == math.ceil(reply["total_element_count"] / 1000)


async def test_system_log_threat_entries(make_client):
    """The threat-alert class holds THREAT_*_V3 entries with SRC_IP/DST_IP/DEVICE parameters."""
    client = make_client(network=10)
    body = {"pageNumber": 0, "pageSize": 100, "threatTypes": ["HONEYPOT", "THREAT"]}
    data = (await client.post(f"{V2}/system-log/threat-alert", json=body, headers=KEY)).json()[
        "data"
    ]
    assert data
    for entry in data:
        assert entry["category"] == "SECURITY"
        assert entry["key"] in {"THREAT_BLOCKED_V3", "THREAT_DETECTED_V3"}
        assert {"SRC_IP", "DST_IP", "DEVICE"} <= set(entry["parameters"])
        assert "{SRC_IP}" in entry["message_raw"]


async def test_system_log_filters(make_client):
    """Categories and severities filter the entries; critical holds only HIGH and above."""
    client = make_client(network=10)
    body = {
        "pageNumber": 0,
        "pageSize": 100,
        "categories": ["UNIFI_DEVICES"],
        "severities": ["HIGH"],
    }
    data = (await client.post(f"{V2}/system-log/all", json=body, headers=KEY)).json()["data"]
    assert data
    assert all(e["category"] == "UNIFI_DEVICES" and e["severity"] == "HIGH" for e in data)
    assert any(e["key"] == "DEVICE_UNREACHABLE" for e in data)
    critical = (
        await client.post(f"{V2}/system-log/critical", json={"pageSize": 100}, headers=KEY)
    ).json()
    assert all(e["severity"] in {"HIGH", "VERY_HIGH"} for e in critical["data"])


@pytest.mark.parametrize(
    "body",
    [
        {"pageSize": 100, "categories": ["MONITORING"]},
        {"pageSize": 100, "severities": ["SEVERE"]},
        {"pageSize": 50},
        {"pageSize": 1001},
    ],
)
async def test_system_log_rejects_bad_bodies(make_client, body):
    """Invalid categories, severities or page sizes answer 400 with errorCode."""
    client = make_client(network=10)
    response = await client.post(f"{V2}/system-log/all", json=body, headers=KEY)
    assert response.status_code == 400
    assert response.json()["errorCode"] == 400


async def test_system_log_count_and_unknown_class(make_client):
    """system-log/count answers a count; an unknown class is 404."""
    client = make_client(network=10)
    count = (await client.post(f"{V2}/system-log/count", json={}, headers=KEY)).json()
    assert count["count"] > 0
    assert (await client.post(f"{V2}/system-log/nope", json={}, headers=KEY)).status_code == 404


async def test_traffic_flows_page(make_client):
    """traffic-flows pages IPS flows with has_next."""
    client = make_client(network=10)
    body = {
        "pageNumber": 0,
        "pageSize": 5,
        "policy_type": ["INTRUSION_PREVENTION"],
        "search_text": "",
    }
    first = (await client.post(f"{V2}/traffic-flows", json=body, headers=KEY)).json()
    assert len(first["data"]) == 5
    assert first["has_next"] is True
    last = (
        await client.post(f"{V2}/traffic-flows", json=body | {"pageNumber": 2}, headers=KEY)
    ).json()
    assert last["has_next"] is False
    flow = first["data"][0]
    assert {"ips", "action", "risk", "source", "destination", "direction"} <= set(flow)
    assert flow["ips"]["advanced_information"].startswith("IPS Alert")


async def test_traffic_flows_page_size_limit(make_client):
    """A pageSize over 100 answers 400 errorCode."""
    client = make_client(network=10)
    response = await client.post(f"{V2}/traffic-flows", json={"pageSize": 101}, headers=KEY)
    assert response.status_code == 400
    assert response.json()["errorCode"] == 400


async def test_traffic_flows_other_policy_is_empty(make_client):
    """A policy_type without INTRUSION_PREVENTION yields no IPS flows."""
    client = make_client(network=10)
    body = {"pageSize": 100, "policy_type": ["FIREWALL"]}
    assert (await client.post(f"{V2}/traffic-flows", json=body, headers=KEY)).json()["data"] == []


async def test_v2_unknown_site(make_client):
    """An unknown site on v2 answers 400 errorCode."""
    client = make_client(network=10)
    response = await client.post("/proxy/network/v2/api/site/x/traffic-flows", json={}, headers=KEY)
    assert response.json()["errorCode"] == 400


async def test_system_log_client_entries_look_like_captured_rows(make_client):
    """A roam is CLIENT_ROAMED_2 / CLIENT_ROAMED with the captured row's fields and tokens."""
    client = make_client(network=10)
    body = {"pageNumber": 0, "pageSize": 100}
    data = (await client.post(f"{V2}/system-log/client-alert", json=body, headers=KEY)).json()
    roams = [e for e in data["data"] if e["key"] == "CLIENT_ROAMED_2"]
    assert roams
    for roam in roams:
        assert roam["event"] == "CLIENT_ROAMED"
        assert (roam["category"], roam["subcategory"]) == ("CLIENT_DEVICES", "MONITORING_WIFI")
        assert (roam["target"], roam["type"]) == ("CLIENT", "CLIENT_CONNECTION")
        assert roam["title_raw"] == "WiFi Client Roamed"
        assert roam["message_raw"].startswith("{CLIENT} roamed from {DEVICE_FROM} to {DEVICE_TO}")
        assert {"CLIENT", "DEVICE_FROM", "DEVICE_TO"} <= set(roam["parameters"])


async def test_system_log_placeholders_all_have_parameters(make_client):
    """Every {TOKEN} in an entry's message_raw names one of its parameters."""
    client = make_client(network=10, scenario="demo")
    body = {"pageNumber": 0, "pageSize": 1000}
    entries = (await client.post(f"{V2}/system-log/all", json=body, headers=KEY)).json()["data"]
    assert entries
    for entry in entries:
        tokens = set(re.findall(r"\{([A-Z_]+)\}", entry["message_raw"]))
        assert tokens <= set(entry["parameters"]), entry["key"]
        assert entry["event"] == re.sub(r"_V?\d+$", "", entry["key"])


async def test_system_log_entries_map_back_to_the_classic_events(make_client):
    """The normaliser turns each entry back into its stat/event twin's key (Network 9 has both)."""
    client = make_client(network=9, scenario="demo")
    classic_body = {"_sort": "-time", "within": 24 * 30, "_limit": 3000}
    classic = (await client.post(f"{CLASSIC}/stat/event", json=classic_body, headers=KEY)).json()[
        "data"
    ]
    body = {"timestampFrom": 0, "timestampTo": 2**53, "pageNumber": 0, "pageSize": 1000}
    entries = (await client.post(f"{V2}/system-log/all", json=body, headers=KEY)).json()["data"]
    twins = Counter(e["key"] for e in classic if e["key"] != "EVT_IPS_IpsAlert")
    mapped = Counter(
        event_from_system_log(e).key for e in entries if not e["key"].startswith("THREAT_")
    )
    assert twins
    assert mapped == twins
