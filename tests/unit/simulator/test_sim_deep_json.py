"""The ``deep-json`` fault: valid JSON nested far deeper than any client should accept."""

from __future__ import annotations

from unifi_scanner.simulator import DEFAULT_API_KEY

KEY = {"X-API-KEY": DEFAULT_API_KEY}
DEVICES = "/proxy/network/api/s/default/stat/device"
CLIENTS = "/proxy/network/api/s/default/stat/sta"


async def test_deep_json_nests_one_item_1000_deep_on_its_endpoint_only(make_client):
    """The envelope holds one item of arrays 1,000 deep; other endpoints answer as usual."""
    client = make_client()
    reply = await client.post(
        "/__sim__/faults", json={"kind": "deep-json", "endpoint": "stat/device"}
    )
    assert reply.status_code == 200, reply.text

    broken = await client.get(DEVICES, headers=KEY)

    assert (broken.status_code, broken.headers["content-type"]) == (200, "application/json")
    body = broken.content
    prefix = b'{"meta":{"rc":"ok"},"data":['
    assert body == prefix + b"[" * 1_000 + b"]" * 1_000 + b"]}"
    assert (await client.get(CLIENTS, headers=KEY)).json()["data"]
