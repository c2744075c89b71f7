"""Fault switches and the /__sim__ control endpoints."""

from __future__ import annotations

import json

import pytest

from unifi_scanner.simulator import DEFAULT_API_KEY, Faults

KEY = {"X-API-KEY": DEFAULT_API_KEY}
DEVICES = "/proxy/network/api/s/default/stat/device"


@pytest.mark.parametrize("status", [502, 503])
async def test_status_fault(make_client, status):
    """The status fault answers every controller request with 502/503; control still works."""
    client = make_client()
    await client.post("/__sim__/faults", json={"status": status})
    assert (await client.get(DEVICES, headers=KEY)).status_code == status
    assert (await client.post("/api/auth/login", json={})).status_code == status
    assert (await client.get("/__sim__/state")).json()["faults"]["status"] == status


async def test_starting_up_fault(make_client, credentials):
    """starting_up answers 200 text/html "starting up", also to login."""
    client = make_client()
    await client.post("/__sim__/faults", json={"starting_up": True})
    response = await client.post("/api/auth/login", json=credentials)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "starting up" in response.text


async def test_malformed_fault_only_hits_named_endpoint(make_client):
    """A malformed endpoint returns broken JSON; others stay valid."""
    client = make_client()
    await client.post("/__sim__/faults", json={"malformed": ["stat/device"]})
    broken = await client.get(DEVICES, headers=KEY)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.text)
    assert (await client.get("/proxy/network/api/s/default/stat/sta", headers=KEY)).json()["data"]


async def test_delay_fault_uses_injected_sleep(make_client):
    """The delay fault awaits the injected sleep with the configured seconds."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    client = make_client(sleep=fake_sleep, faults=Faults(delay=1.5))
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200
    assert slept == [1.5]


async def test_reset_restores_configured_faults(make_client):
    """POST /__sim__/reset puts the faults back to the configured ones."""
    client = make_client()
    await client.post("/__sim__/faults", json={"status": 503})
    await client.post("/__sim__/reset")
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200


async def test_faults_rejects_unknown_switch(make_client):
    """An unknown fault name is refused with 400."""
    client = make_client()
    assert (await client.post("/__sim__/faults", json={"explode": True})).status_code == 400


async def test_ws_send_needs_message_and_data(make_client):
    """ws-send validates its body and reports how many sockets got the frame."""
    client = make_client()
    assert (await client.post("/__sim__/ws-send", json={"message": "events"})).status_code == 400
    sent = await client.post("/__sim__/ws-send", json={"message": "events", "data": []})
    assert sent.json() == {"sent": 0}
