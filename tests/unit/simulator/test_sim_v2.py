"""v2 system-log and traffic-flows: paging, filters and errorCode errors."""

from __future__ import annotations

import math

import pytest

from unifi_scanner.simulator import DEFAULT_API_KEY

KEY = {"X-API-KEY": DEFAULT_API_KEY}
V2 = "/proxy/network/v2/api/site/default"


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
    assert any(e["key"] == "DEVICE_OFFLINE" for e in data)
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
