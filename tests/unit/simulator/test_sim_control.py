"""The /__sim__/faults control API, its isolation from controller paths, and the flows switch."""

from __future__ import annotations

from pathlib import Path

import pytest

import unifi_scanner
from unifi_scanner.simulator import DEFAULT_API_KEY, EndpointFault, Faults

KEY = {"X-API-KEY": DEFAULT_API_KEY}
DEVICES = "/proxy/network/api/s/default/stat/device"
FLOWS = "/proxy/network/v2/api/site/default/traffic-flows"
CURRENT_FLOWS = {
    "timestampFrom": 0,
    "timestampTo": 4_102_444_800_000,
    "pageNumber": 0,
    "pageSize": 100,
    "policy_type": ["INTRUSION_PREVENTION"],
}


async def test_get_shows_configured_faults(make_client):
    """GET /__sim__/faults lists the start-up rules with their hits and the global switches."""
    rule = EndpointFault(kind="503", endpoint="stat/event", times=2)
    client = make_client(faults=Faults(delay=0.0, endpoints=(rule,)))
    faults = (await client.get("/__sim__/faults")).json()
    assert faults["status"] is None
    assert faults["endpoints"] == [
        {
            "kind": "503",
            "endpoint": "stat/event",
            "times": 2,
            "after": 0,
            "per_path": False,
            "every": 1,
            "hits": 0,
        }
    ]


async def test_post_appends_rules_and_delete_clears_everything(make_client):
    """POST adds one rule or a list (keeping counters); DELETE clears rules and switches."""
    client = make_client()
    one = await client.post("/__sim__/faults", json={"kind": "502", "endpoint": "stat/device"})
    assert [r["kind"] for r in one.json()["endpoints"]] == ["502"]
    assert (await client.get(DEVICES, headers=KEY)).status_code == 502
    body = {"starting_up": False, "endpoints": [{"kind": "429", "endpoint": "stat/sta"}]}
    both = (await client.post("/__sim__/faults", json=body)).json()
    assert [(r["kind"], r["hits"]) for r in both["endpoints"]] == [("502", 1), ("429", 0)]
    await client.post("/__sim__/faults", json={"status": 503})
    cleared = (await client.delete("/__sim__/faults")).json()
    assert (cleared["status"], cleared["endpoints"]) == (None, [])
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200


async def test_delete_one_endpoint_keeps_the_others(make_client):
    """DELETE /__sim__/faults?endpoint=… drops only that endpoint's rules."""
    client = make_client()
    body = {
        "endpoints": [
            {"kind": "503", "endpoint": "stat/device"},
            {"kind": "503", "endpoint": "stat/sta"},
        ]
    }
    await client.post("/__sim__/faults", json=body)
    left = (await client.delete("/__sim__/faults", params={"endpoint": "stat/device"})).json()
    assert [r["endpoint"] for r in left["endpoints"]] == ["stat/sta"]
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200


async def test_reset_restores_start_up_rules_with_fresh_counters(make_client):
    """POST /__sim__/reset puts back the configured rules, their counters at zero."""
    rule = EndpointFault(kind="503", endpoint="stat/device", times=1)
    client = make_client(faults=Faults(endpoints=(rule,)))
    assert (await client.get(DEVICES, headers=KEY)).status_code == 503
    assert (await client.get(DEVICES, headers=KEY)).status_code == 200
    await client.post("/__sim__/reset")
    assert (await client.get(DEVICES, headers=KEY)).status_code == 503


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "explode"},
        {"kind": "503", "times": -1},
        {"kind": "503", "times": "once"},
        {"kind": "503", "colour": "red"},
        {"kind": "429", "seconds": "soon"},
        {"endpoints": {"kind": "503"}},
        {"endpoints": [{"endpoint": "stat/sta"}]},
        {"malformed": "stat/device"},
        [],
    ],
)
async def test_invalid_bodies_are_refused_and_change_nothing(make_client, body):
    """A bad rule or switch answers 400 with a reason; the fault set is unchanged."""
    client = make_client()
    reply = await client.post("/__sim__/faults", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]
    assert (await client.get("/__sim__/faults")).json()["endpoints"] == []


async def test_control_is_not_reachable_under_controller_paths(make_client, login):
    """/__sim__ under the Network prefix or a site path is no control endpoint, even logged in."""
    client = make_client()
    await login(client)
    for path in ("/proxy/network/__sim__/faults", "/proxy/network/api/s/default/__sim__/faults"):
        reply = await client.post(path, json={"status": 503})
        assert reply.status_code in {401, 403, 404, 405}
    assert (await client.get("/__sim__/faults")).json()["status"] is None
    assert (await client.post("/__sim__faults", json={"status": 503})).status_code == 404


async def test_faults_never_apply_to_the_control_endpoints(make_client):
    """A catch-all fault leaves /__sim__/ working, so it can always be cleared."""
    client = make_client()
    await client.post("/__sim__/faults", json={"kind": "503", "endpoint": ""})
    await client.post("/__sim__/faults", json={"kind": "hang", "endpoint": "*"})
    assert (await client.get("/__sim__/faults")).status_code == 200
    assert (await client.delete("/__sim__/faults")).status_code == 200


def test_the_project_outside_the_simulator_never_names_the_control_prefix():
    """No module but the simulator's builds a /__sim__ path, so no scan can reach it."""
    root = Path(unifi_scanner.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "simulator" not in path.relative_to(root).parts
        and "__sim__" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


async def test_flows_old_form_switch_rejects_the_current_payload(make_client):
    """flows-old-form answers 400 to the current payload; the older form still pages the flows."""
    client = make_client()
    current = (await client.post(FLOWS, headers=KEY, json=CURRENT_FLOWS)).json()
    await client.post(
        "/__sim__/faults", json={"kind": "flows-old-form", "endpoint": "traffic-flows"}
    )
    rejected = await client.post(FLOWS, headers=KEY, json=CURRENT_FLOWS)
    assert rejected.status_code == 400
    assert set(rejected.json()) == {"errorCode", "message"}
    old = await client.post(FLOWS, headers=KEY, json={"limit": 2, "offset": 1, "timeRange": "30d"})
    assert old.status_code == 200
    page = old.json()
    assert page["data"] == current["data"][1:3]
    assert page["has_next"] is (current["total_count"] > 3)
    assert page["page_size"] == 2


@pytest.mark.parametrize(
    "body",
    [{"limit": 0}, {"limit": 5, "offset": -1}, {"limit": 5, "timeRange": "1y"}, {"timeRange": []}],
)
async def test_old_flows_form_validates(make_client, body):
    """The older traffic-flows form answers 400 to a bad limit, offset or timeRange."""
    client = make_client()
    assert (await client.post(FLOWS, headers=KEY, json=body)).status_code == 400


async def test_old_flows_form_windows_by_time_range(make_client):
    """The older form's timeRange "1h" holds no more flows than "30d"."""
    client = make_client()
    short = (await client.post(FLOWS, headers=KEY, json={"timeRange": "1h"})).json()
    long = (await client.post(FLOWS, headers=KEY, json={"timeRange": "30d"})).json()
    assert short["total_count"] <= long["total_count"]
    assert long["total_count"] > 0
