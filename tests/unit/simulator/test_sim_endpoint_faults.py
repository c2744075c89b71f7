"""Per-endpoint faults: each kind on one endpoint, ``times``/``after`` limits, hang release."""

from __future__ import annotations

import asyncio
import json

import pytest

from unifi_scanner.simulator import DEFAULT_API_KEY, EndpointFault, Faults

KEY = {"X-API-KEY": DEFAULT_API_KEY}
API = "/proxy/network/api/s/default"
DEVICES = f"{API}/stat/device"
CLIENTS = f"{API}/stat/sta"
EVENTS = f"{API}/stat/event"
FLOWS = "/proxy/network/v2/api/site/default/traffic-flows"
SITES = "/proxy/network/api/self/sites"


async def _add(client, **rule) -> None:
    reply = await client.post("/__sim__/faults", json=rule)
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    ("path", "endpoint", "method"),
    [(DEVICES, "stat/device", "GET"), (EVENTS, "stat/event", "POST"), (SITES, "self/sites", "GET")],
)
@pytest.mark.parametrize("kind", ["500", "502", "503"])
async def test_status_kinds_hit_only_their_endpoint(make_client, kind, path, endpoint, method):
    """A 5xx rule answers that status as HTML on its endpoint; another endpoint still answers."""
    client = make_client()
    await _add(client, kind=kind, endpoint=endpoint)
    broken = await client.request(method, path, headers=KEY, json={})
    assert broken.status_code == int(kind)
    assert broken.headers["content-type"].startswith("text/html")
    assert (await client.get(CLIENTS, headers=KEY)).json()["meta"]["rc"] == "ok"


async def test_starting_up_on_one_endpoint(make_client):
    """starting-up answers 200 text/html "starting up" on its endpoint only."""
    client = make_client()
    await _add(client, kind="starting-up", endpoint="stat/device")
    reply = await client.get(DEVICES, headers=KEY)
    assert (reply.status_code, "starting up" in reply.text) == (200, True)
    assert reply.headers["content-type"].startswith("text/html")
    assert (await client.get(CLIENTS, headers=KEY)).status_code == 200


@pytest.mark.parametrize("kind", ["malformed-json", "truncated-json", "unexpected-shape"])
async def test_broken_json_kinds(make_client, kind):
    """Malformed and truncated bodies are not JSON; unexpected-shape is JSON but not an object."""
    client = make_client()
    await _add(client, kind=kind, endpoint="stat/device")
    reply = await client.get(DEVICES, headers=KEY)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    if kind == "unexpected-shape":
        assert reply.json() == "ok"
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(reply.text)
    assert (await client.get(CLIENTS, headers=KEY)).json()["data"]


async def test_truncated_json_is_a_prefix_of_the_real_reply(make_client):
    """truncated-json cuts the endpoint's real reply in half, with a matching Content-Length."""
    client = make_client()
    whole = (await client.get(DEVICES, headers=KEY)).content
    await _add(client, kind="truncated-json", endpoint="stat/device")
    cut = await client.get(DEVICES, headers=KEY)
    assert whole.startswith(cut.content)
    assert len(cut.content) == len(whole) // 2
    assert int(cut.headers["content-length"]) == len(cut.content)


async def test_rc_error_classic_body(make_client):
    """rc-error answers the classic error envelope with the given message and status."""
    client = make_client()
    await _add(client, kind="rc-error", endpoint="stat/device", message="api.err.Busy", status=400)
    reply = await client.get(DEVICES, headers=KEY)
    assert reply.status_code == 400
    assert reply.json() == {"meta": {"rc": "error", "msg": "api.err.Busy"}, "data": []}


async def test_v2_error_body(make_client):
    """v2-error answers {"errorCode","message"} (default 500 "Internal error")."""
    client = make_client()
    await _add(client, kind="v2-error", endpoint="traffic-flows")
    reply = await client.post(FLOWS, headers=KEY, json={})
    assert reply.status_code == 500
    assert reply.json() == {"errorCode": 500, "message": "Internal error"}


@pytest.mark.parametrize(("seconds", "header"), [(None, "1"), (30, "30"), (0.25, "0.25")])
async def test_429_with_retry_after(make_client, seconds, header):
    """429 carries Retry-After (default 1 second)."""
    client = make_client()
    rule = {"kind": "429", "endpoint": "stat/event"} | (
        {} if seconds is None else {"seconds": seconds}
    )
    await _add(client, **rule)
    reply = await client.post(EVENTS, headers=KEY, json={})
    assert reply.status_code == 429
    assert reply.headers["retry-after"] == header


async def test_429_on_the_login_answers_the_login_rate_limit(make_client):
    """A 429 on the login answers UniFi OS's login-limit body with Retry-After, once (#11)."""
    client = make_client()
    await _add(client, kind="429", endpoint="api/auth/login", seconds=5, times=1)
    login = {"username": "admin", "password": "simulator-password"}
    limited = await client.post("/api/auth/login", json=login)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "5")
    assert limited.json()["code"] == "AUTHENTICATION_FAILED_LIMIT_REACHED"
    assert (await client.post("/api/auth/login", json=login)).status_code == 200


async def test_times_limits_the_fault_then_the_endpoint_recovers(make_client):
    """A rule with times=1 fails the first request only; the next one is served."""
    client = make_client()
    await _add(client, kind="503", endpoint="stat/device", times=1)
    assert (await client.get(DEVICES, headers=KEY)).status_code == 503
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200
    faults = (await client.get("/__sim__/faults")).json()
    assert faults["endpoints"][0]["hits"] == 1


async def test_after_lets_requests_through_first(make_client):
    """after=2 serves two requests, then fails the next ``times``."""
    client = make_client()
    await _add(client, kind="502", endpoint="stat/device", after=2, times=1)
    statuses = [(await client.get(DEVICES, headers=KEY)).status_code for _ in range(4)]
    assert statuses == [200, 200, 502, 200]


async def test_per_path_counts_each_path(make_client):
    """per_path applies ``times`` to each distinct path (endpoint "" matches every one)."""
    client = make_client()
    await _add(client, kind="503", endpoint="", times=1, per_path=True)
    assert (await client.get(DEVICES, headers=KEY)).status_code == 503
    assert (await client.get(CLIENTS, headers=KEY)).status_code == 503
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200


async def test_endpoint_matches_whole_trailing_segments(make_client):
    """Endpoints match whole trailing segments: "event" hits stat/event, "ice" no device."""
    client = make_client()
    await _add(client, kind="503", endpoint="ice")
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200
    await _add(client, kind="503", endpoint="event")
    assert (await client.post(EVENTS, headers=KEY, json={})).status_code == 503


async def test_latency_uses_the_injected_sleep(make_client):
    """A latency rule awaits the configured sleep with the rule's seconds, on its endpoint only."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    rule = EndpointFault(kind="latency", endpoint="stat/device", seconds=2.5)
    client = make_client(sleep=fake_sleep, faults=Faults(endpoints=(rule,)))
    assert (await client.get(CLIENTS, headers=KEY)).status_code == 200
    assert slept == []
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200
    assert slept == [2.5]


async def test_session_expiry_after_n_requests(make_client, login):
    """session-expiry with after=2 forgets the session on the third request (401), once."""
    client = make_client()
    await login(client)
    await _add(client, kind="session-expiry", endpoint="", after=2, times=1)
    statuses = [(await client.get(DEVICES)).status_code for _ in range(3)]
    assert statuses == [200, 200, 401]
    await login(client)
    assert (await client.get(DEVICES)).status_code == 200


async def test_csrf_rotation_every_n_requests(make_client, login):
    """csrf-rotation every=2 sends X-Updated-CSRF-Token on every second matching request."""
    client = make_client()
    headers = await login(client)
    await _add(client, kind="csrf-rotation", endpoint="stat/device", every=2)
    rotated = []
    for _ in range(4):
        reply = await client.post(DEVICES, headers=headers, json={})
        assert reply.status_code == 200
        rotated.append(reply.headers.get("x-updated-csrf-token"))
        if rotated[-1]:
            headers = {"X-CSRF-Token": rotated[-1]}
    assert [token is not None for token in rotated] == [False, True, False, True]
    assert rotated[1] != rotated[3]


async def test_hang_holds_until_released(make_client):
    """A hang rule holds the request until POST /__sim__/release, then it is served."""
    client = make_client()
    await _add(client, kind="hang", endpoint="stat/device")
    pending = asyncio.ensure_future(client.get(DEVICES, headers=KEY))
    for _ in range(100):
        if (await client.get("/__sim__/state")).json()["held"] == 1:
            break
        await asyncio.sleep(0)
    assert not pending.done()
    assert (await client.post("/__sim__/release")).json() == {"released": 1}
    assert (await pending).status_code == 200


async def test_hang_is_bounded_by_its_seconds(make_client):
    """A hang rule's ``seconds`` bounds how long a request is held."""
    client = make_client()
    await _add(client, kind="hang", endpoint="stat/device", seconds=0)
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200


async def test_delete_releases_held_requests(make_client):
    """DELETE /__sim__/faults clears the rules and lets held requests go."""
    client = make_client()
    await _add(client, kind="hang", endpoint="")
    pending = asyncio.ensure_future(client.get(DEVICES, headers=KEY))
    for _ in range(100):
        if (await client.get("/__sim__/state")).json()["held"] == 1:
            break
        await asyncio.sleep(0)
    await client.delete("/__sim__/faults")
    assert (await pending).status_code == 200
