"""The local Cloudflare API over HTTP: the V4 envelope, tokens, tunnels, GraphQL and the faults.

Most tests drive the Starlette app in process through ``TestClient`` with a frozen clock;
one serves it on a loopback socket and reads it with the official ``cloudflare`` SDK.
Expected values are derived from ``data/cloudflare/demo.json`` (and ``pools.json``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import cloudflare
import pytest

from unifi_scanner.simulator.cloudflare import (
    ACCOUNT_ANALYTICS_READ,
    API_PREFIX,
    CF_CONTROL_PREFIX,
    CF_PERMISSIONS,
    CF_PLAN_LIMITS,
    DEFAULT_CF_TOKEN,
    TUNNEL_READ,
    ZONE_ANALYTICS_READ,
    ZONE_READ,
    CloudflareConfig,
    CloudflareFaults,
    CloudflareServer,
    PlanLimits,
    TokenSpec,
    create_cloudflare_app,
)
from unifi_scanner.simulator.cloudflare.dns import BLOCKED_DECISIONS
from unifi_scanner.simulator.cloudflare.pools import pools
from unifi_scanner.simulator.cloudflare.world import load_cloudflare_scenario

with warnings.catch_warnings():
    # starlette warns on import when httpx2 is missing; this module only needs its TestClient
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
DEMO = load_cloudflare_scenario("demo")
ACCOUNT_ID = DEMO["accounts"][0]["id"]
ZONES = {zone["name"]: zone for zone in DEMO["zones"]}
ZONE_ID = ZONES["example.com"]["id"]
TUNNELS = {tunnel["name"]: tunnel for tunnel in DEMO["tunnels"]}
SOURCES = DEMO["waf"]["sources"]
ATTACKER = "192.0.2.45"
FAULTS = f"{CF_CONTROL_PREFIX}/faults"
STATS = f"{CF_CONTROL_PREFIX}/stats"
TUNNELS_PATH = f"{API_PREFIX}/accounts/{ACCOUNT_ID}/cfd_tunnel"
DATASET_PATH = ["viewer", "zones", 0, "firewallEventsAdaptive"]

EVENTS_QUERY = """
query Events($zone: String!, $filter: ZoneFirewallEventsAdaptiveFilter_InputObject!,
             $limit: Int!, $order: [ZoneFirewallEventsAdaptiveOrderBy!]) {
  viewer {
    zones(filter: {zoneTag: $zone}) {
      zoneTag
      firewallEventsAdaptive(filter: $filter, limit: $limit, orderBy: $order) {
        action clientIP datetime rayName ruleId
        clientRequestHTTPHost clientRequestHTTPMethodName clientRequestPath
      }
    }
  }
}
"""

DNS_QUERY = """
query Dns($account: String!,
          $filter: AccountGatewayResolverQueriesAdaptiveGroupsFilter_InputObject!) {
  viewer {
    accounts(filter: {accountTag: $account}) {
      gatewayResolverQueriesAdaptiveGroups(filter: $filter, limit: 1000, orderBy: [count_DESC]) {
        count
        dimensions { queryName resolverDecision }
      }
    }
  }
}
"""

SETTINGS_QUERY = """
query Settings($zone: String!) {
  viewer {
    zones(filter: {zoneTag: $zone}) {
      settings { firewallEventsAdaptive { maxPageSize maxDuration notOlderThan enabled } }
    }
  }
}
"""


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(end: datetime = NOW) -> dict[str, str]:
    """The filter of the 24 hours up to ``end``."""
    return {"datetime_geq": _iso(end - timedelta(days=1)), "datetime_leq": _iso(end)}


def _auth(token: str = DEFAULT_CF_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(name="make_client")
def make_client_fixture():
    """Build an in-process client of a fresh local Cloudflare API (clock frozen at NOW)."""
    with contextlib.ExitStack() as stack:

        def _make(**overrides) -> TestClient:
            overrides.setdefault("now", lambda: NOW)
            app = create_cloudflare_app(CloudflareConfig(**overrides))
            client = TestClient(app)
            stack.enter_context(client)
            return client

        yield _make


@pytest.fixture(name="client")
def client_fixture(make_client):
    """A client of the demo scenario with the all-permission default token."""
    return make_client()


def _get(client: TestClient, path: str, token: str = DEFAULT_CF_TOKEN, **params):
    return client.get(f"{API_PREFIX}{path}", headers=_auth(token), params=params)


def _gql(client: TestClient, query: str, variables=None, token: str = DEFAULT_CF_TOKEN):
    response = client.post(
        f"{API_PREFIX}/graphql",
        headers=_auth(token),
        json={"query": query, "variables": variables or {}},
    )
    assert response.status_code == 200
    return response.json()


def _events(client: TestClient, filter_, *, zone: str = ZONE_ID, limit: int = 1000, order=None):
    """The rows of one successful firewallEventsAdaptive query."""
    variables = {"zone": zone, "filter": filter_, "limit": limit}
    if order is not None:
        variables["order"] = order
    answer = _gql(client, EVENTS_QUERY, variables)
    assert answer["errors"] is None, answer["errors"]
    (zone_answer,) = answer["data"]["viewer"]["zones"]
    assert zone_answer["zoneTag"] == zone
    return zone_answer["firewallEventsAdaptive"]


def _dataset_error(client: TestClient, filter_, *, limit: int = 10, token=DEFAULT_CF_TOKEN):
    """The one error of a firewallEventsAdaptive query that must fail (the field is null)."""
    answer = _gql(client, EVENTS_QUERY, {"zone": ZONE_ID, "filter": filter_, "limit": limit}, token)
    (zone_answer,) = answer["data"]["viewer"]["zones"]
    assert zone_answer == {"zoneTag": ZONE_ID, "firewallEventsAdaptive": None}
    (error,) = answer["errors"]
    assert error["path"] == DATASET_PATH
    return error


def _put_faults(client: TestClient, body):
    response = client.put(FAULTS, json=body)
    assert response.status_code == 200, response.text
    return response.json()


# --- the V4 envelope and paging -------------------------------------------------------------


def test_zones_answer_the_v4_envelope(client):
    """GET /zones answers success, empty errors/messages, every zone and a complete result_info."""
    body = _get(client, "/zones").json()
    assert body["success"] is True
    assert body["errors"] == []
    assert body["messages"] == []
    assert [zone["name"] for zone in body["result"]] == list(ZONES)
    assert [zone["id"] for zone in body["result"]] == [zone["id"] for zone in ZONES.values()]
    assert [zone["plan"]["legacy_id"] for zone in body["result"]] == [
        zone["plan"] for zone in ZONES.values()
    ]
    assert body["result_info"] == {
        "page": 1,
        "per_page": 20,
        "count": len(ZONES),
        "total_count": len(ZONES),
        "total_pages": 1,
    }


def test_pages_split_the_list_and_past_the_end_is_empty(client):
    """per_page=1 gives one zone a page; the page after the last is an empty result."""
    names = list(ZONES)
    for page, name in enumerate(names, start=1):
        body = _get(client, "/zones", page=page, per_page=1).json()
        assert [zone["name"] for zone in body["result"]] == [name]
        assert body["result_info"] == {
            "page": page,
            "per_page": 1,
            "count": 1,
            "total_count": len(names),
            "total_pages": len(names),
        }
    past = _get(client, "/zones", page=len(names) + 1, per_page=1).json()
    assert past["success"] is True
    assert past["result"] == []
    assert past["result_info"]["count"] == 0
    assert past["result_info"]["total_count"] == len(names)


@pytest.mark.parametrize(("asked", "served"), [(0, 1), (-5, 1), (1000, 1000), (5000, 1000)])
def test_per_page_is_held_within_its_bounds(client, asked, served):
    """per_page below 1 is served as 1 and above 1,000 as 1,000."""
    body = _get(client, "/zones", per_page=asked).json()
    assert body["result_info"]["per_page"] == served
    assert body["result_info"]["total_pages"] == -(-len(ZONES) // served)


@pytest.mark.parametrize("params", [{"per_page": "many"}, {"page": "first"}])
def test_paging_parameters_must_be_numbers(client, params):
    """A page or per_page that is not a number is a 400 with code 1001."""
    response = _get(client, "/zones", **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 1001


def test_zones_filter_by_name_and_account(client):
    """name= and account.id= narrow the zones; an unknown account matches none."""
    by_name = _get(client, "/zones", name="example.net").json()["result"]
    assert [zone["id"] for zone in by_name] == [ZONES["example.net"]["id"]]
    mine = _get(client, "/zones", **{"account.id": ACCOUNT_ID}).json()
    assert mine["result_info"]["total_count"] == len(ZONES)
    other = _get(client, "/zones", **{"account.id": "0" * 32}).json()
    assert other["result"] == []


def test_accounts_are_listed(client):
    """GET /accounts lists the scenario's account with its name."""
    body = _get(client, "/accounts").json()
    assert [(a["id"], a["name"]) for a in body["result"]] == [
        (a["id"], a["name"]) for a in DEMO["accounts"]
    ]
    assert body["result_info"]["total_count"] == len(DEMO["accounts"])


# --- tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/zones"),
        ("GET", "/accounts"),
        ("GET", "/user/tokens/verify"),
        ("GET", f"/accounts/{ACCOUNT_ID}/cfd_tunnel"),
        ("POST", "/graphql"),
    ],
)
def test_missing_authorization_is_400(client, method, path):
    """Without an Authorization header every API path answers 400 in the V4 envelope."""
    response = client.request(method, f"{API_PREFIX}{path}", json={"query": "{ viewer }"})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["result"] is None
    assert "Authorization" in body["errors"][0]["message"]


@pytest.mark.parametrize("header", ["Bearer not-a-token", f"Basic {DEFAULT_CF_TOKEN}", "Bearer"])
def test_unknown_token_is_401_code_1000(client, header):
    """An unknown token, or the right one under another scheme, is 401 with code 1000."""
    for method, path in (("GET", "/zones"), ("POST", "/graphql")):
        response = client.request(
            method, f"{API_PREFIX}{path}", headers={"Authorization": header}, json={}
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == 1000


def test_token_without_tunnel_read_is_403_on_cfd_tunnel(make_client):
    """Without Cloudflare Tunnel Read the tunnel list and connections are 403 (code 10000)."""
    client = make_client(tokens={"t": TokenSpec(permissions=CF_PERMISSIONS - {TUNNEL_READ})})
    tunnel_id = TUNNELS["office-nas"]["id"]
    for path in ("/cfd_tunnel", f"/cfd_tunnel/{tunnel_id}/connections"):
        response = _get(client, f"/accounts/{ACCOUNT_ID}{path}", token="t")
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == 10000
    assert _get(client, "/zones", token="t").status_code == 200


@pytest.mark.parametrize(
    ("permissions", "zones", "accounts"),
    [
        (frozenset({TUNNEL_READ, ACCOUNT_ANALYTICS_READ}), 0, 1),
        (frozenset({ZONE_READ}), 2, 0),
        (frozenset({ZONE_ANALYTICS_READ}), 2, 0),
        (frozenset(), 0, 0),
        (CF_PERMISSIONS, 2, 1),
    ],
)
def test_listing_follows_the_token_permissions(make_client, permissions, zones, accounts):
    """Zones need a zone permission, accounts an account permission; otherwise lists are empty."""
    client = make_client(tokens={"t": TokenSpec(permissions=permissions)})
    zone_body = _get(client, "/zones", token="t").json()
    assert zone_body["success"] is True
    assert zone_body["result_info"]["total_count"] == zones
    assert len(zone_body["result"]) == zones
    account_body = _get(client, "/accounts", token="t").json()
    assert len(account_body["result"]) == accounts


def test_user_token_verifies_as_active(client):
    """/user/tokens/verify answers the default token's id and status active."""
    body = _get(client, "/user/tokens/verify").json()
    assert body["success"] is True
    assert body["result"]["status"] == "active"
    assert len(body["result"]["id"]) == 32
    assert _get(client, f"/accounts/{ACCOUNT_ID}/tokens/verify").status_code == 401


def test_account_owned_token_is_verified_at_its_account(make_client):
    """An account-owned token is refused at /user/tokens/verify and answered at its account."""
    client = make_client(tokens={"acct": TokenSpec(owner="account")})
    refused = _get(client, "/user/tokens/verify", token="acct")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == 1000
    verified = _get(client, f"/accounts/{ACCOUNT_ID}/tokens/verify", token="acct")
    assert verified.status_code == 200
    assert verified.json()["result"]["status"] == "active"
    unknown = _get(client, f"/accounts/{'0' * 32}/tokens/verify", token="acct")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["code"] == 7003
    assert _get(client, "/zones", token="acct").status_code == 200


@pytest.mark.parametrize("status", ["disabled", "expired"])
def test_dead_token_verifies_with_its_status_and_is_refused_elsewhere(make_client, status):
    """A disabled or expired token: verify says so, other REST is 401, GraphQL has no data."""
    client = make_client(tokens={"dead": TokenSpec(status=status)})
    verify = _get(client, "/user/tokens/verify", token="dead")
    assert verify.status_code == 200
    assert verify.json()["result"]["status"] == status
    for path in ("/zones", "/accounts", f"/accounts/{ACCOUNT_ID}/cfd_tunnel"):
        response = _get(client, path, token="dead")
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == 1000
        assert status in response.json()["errors"][0]["message"]
    answer = _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID}, token="dead")
    assert answer["data"] is None
    assert "authenticated" in answer["errors"][0]["message"]


# --- tunnels --------------------------------------------------------------------------------


def test_tunnels_without_the_deleted_ones(client):
    """is_deleted=false lists every live tunnel with the demo's status; retired-vpn is hidden."""
    body = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel", is_deleted="false").json()
    live = {name: t["status"] for name, t in TUNNELS.items() if "deleted_ago" not in t}
    assert {t["name"]: t["status"] for t in body["result"]} == live
    assert set(live.values()) == {"healthy", "degraded", "down", "inactive"}
    assert "retired-vpn" not in live
    assert body["result_info"]["total_count"] == len(live)
    for tunnel in body["result"]:
        assert tunnel["id"] == TUNNELS[tunnel["name"]]["id"]
        assert tunnel["account_tag"] == ACCOUNT_ID
        assert tunnel["deleted_at"] is None
        assert tunnel["connections"] == []
        assert tunnel["tun_type"] == "cfd_tunnel"


def test_deleted_tunnels_and_all_tunnels(client):
    """is_deleted=true lists only retired-vpn (with deleted_at); no filter lists every tunnel."""
    deleted = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel", is_deleted="true").json()
    assert [t["name"] for t in deleted["result"]] == [
        name for name, t in TUNNELS.items() if "deleted_ago" in t
    ]
    expected = NOW - timedelta(minutes=TUNNELS["retired-vpn"]["deleted_ago"])
    assert deleted["result"][0]["deleted_at"] == expected.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    everything = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel").json()
    assert [t["name"] for t in everything["result"]] == list(TUNNELS)


def test_tunnels_filter_by_status_and_name(client):
    """status= and name= narrow the tunnel list."""
    down = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel", status="down").json()
    assert {t["name"] for t in down["result"]} == {
        name for name, t in TUNNELS.items() if t["status"] == "down"
    }
    named = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel", name="old-lab").json()
    assert [t["id"] for t in named["result"]] == [TUNNELS["old-lab"]["id"]]


@pytest.mark.parametrize("name", ["office-nas", "home-assistant", "old-lab"])
def test_tunnel_connections_follow_the_demo(client, name):
    """Connections list each connector with its conns, colos and pending flags from demo.json."""
    spec = TUNNELS[name]
    response = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel/{spec['id']}/connections")
    assert response.status_code == 200
    clients = response.json()["result"]
    assert len(clients) == len(spec["connectors"])
    for served, connector in zip(clients, spec["connectors"], strict=True):
        assert served["arch"] == connector["arch"]
        assert served["version"] == connector["version"]
        assert [(c["colo_name"], c["is_pending_reconnect"]) for c in served["conns"]] == [
            (colo, pending) for colo, pending, _ in connector["conns"]
        ]
        assert {c["origin_ip"] for c in served["conns"]} <= {connector["origin_ip"]}
        assert all(c["client_id"] == served["id"] for c in served["conns"])


def test_office_nas_has_two_connectors_and_eight_conns(client):
    """office-nas: 2 connectors, 8 connections in fra08 and ams01, none pending, ids unique."""
    spec = TUNNELS["office-nas"]
    path = f"/accounts/{ACCOUNT_ID}/cfd_tunnel/{spec['id']}/connections"
    clients = _get(client, path).json()["result"]
    conns = [conn for served in clients for conn in served["conns"]]
    assert len(clients) == 2
    assert len(conns) == sum(len(c["conns"]) for c in spec["connectors"]) == 8
    assert {c["colo_name"] for c in conns} == {"fra08", "ams01"}
    assert not any(c["is_pending_reconnect"] for c in conns)
    assert len({c["id"] for c in conns}) == len(conns)
    assert len({served["id"] for served in clients}) == 2


def test_unknown_tunnel_or_account_is_404(client):
    """An unknown tunnel is 404; an unknown account is 404 with code 7003."""
    unknown_tunnel = _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel/{'f' * 32}/connections")
    assert unknown_tunnel.status_code == 404
    assert unknown_tunnel.json()["success"] is False
    unknown_account = _get(client, f"/accounts/{'0' * 32}/cfd_tunnel")
    assert unknown_account.status_code == 404
    assert unknown_account.json()["errors"][0]["code"] == 7003


@pytest.mark.parametrize("path", ["/nope", "/zones/abc/dns_records", "/user"])
def test_unknown_path_is_404_code_7003(client, path):
    """A path the API does not know answers 404 JSON with code 7003 naming the path."""
    response = _get(client, path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["errors"][0]["code"] == 7003
    assert path in body["errors"][0]["message"]


# --- GraphQL: shapes ------------------------------------------------------------------------


def test_graphql_answers_only_the_fields_asked_for(client):
    """Each event row holds exactly the requested fields, under their aliases; errors is null."""
    query = """
    query($zone: String!, $filter: ZoneFirewallEventsAdaptiveFilter_InputObject!) {
      viewer { zones(filter: {zoneTag: $zone}) {
        firewallEventsAdaptive(filter: $filter, limit: 5) { ip: clientIP action when: datetime }
      } }
    }"""
    answer = _gql(client, query, {"zone": ZONE_ID, "filter": _day()})
    assert answer["errors"] is None
    (zone,) = answer["data"]["viewer"]["zones"]
    assert set(zone) == {"firewallEventsAdaptive"}
    rows = zone["firewallEventsAdaptive"]
    assert len(rows) == 5
    assert all(set(row) == {"ip", "action", "when"} for row in rows)


def test_graphql_fragments_select_the_same_fields(client):
    """A named fragment and an inline fragment answer what the plain selection answers."""
    plain = _events(client, _day(), limit=20)
    query = """
    query($zone: String!, $filter: ZoneFirewallEventsAdaptiveFilter_InputObject!) {
      viewer { zones(filter: {zoneTag: $zone}) { ...Zone } }
    }
    fragment Zone on zone {
      zoneTag
      firewallEventsAdaptive(filter: $filter, limit: 20) {
        ...Who
        ... on ZoneFirewallEventsAdaptive {
          datetime rayName ruleId clientRequestHTTPHost clientRequestHTTPMethodName
          clientRequestPath
        }
      }
    }
    fragment Who on ZoneFirewallEventsAdaptive { action clientIP }
    """
    answer = _gql(client, query, {"zone": ZONE_ID, "filter": _day()})
    assert answer["errors"] is None
    assert answer["data"]["viewer"]["zones"][0]["firewallEventsAdaptive"] == plain


def test_graphql_typename_and_zone_tag_in(client):
    """zoneTag_in answers one node per zone in order; __typename answers the type's name."""
    query = """
    query($zones: [String!]) {
      viewer { __typename zones(filter: {zoneTag_in: $zones}) { __typename zoneTag } }
    }"""
    ids = [zone["id"] for zone in ZONES.values()]
    answer = _gql(client, query, {"zones": ids})
    assert answer["errors"] is None
    viewer = answer["data"]["viewer"]
    assert viewer["__typename"] == "viewer"
    assert [zone["zoneTag"] for zone in viewer["zones"]] == ids


@pytest.mark.parametrize(
    "query",
    [
        "{ viewer { zones(filter: {zoneTag: 1}) { zoneTag } ",
        "query { viewer { zones(filter: {zoneTag: }) { zoneTag } } }",
    ],
)
def test_graphql_syntax_error_has_no_data(client, query):
    """A document that does not parse answers data null and a parse error message."""
    answer = _gql(client, query)
    assert answer["data"] is None
    (error,) = answer["errors"]
    assert error["message"].startswith("error parsing query")


@pytest.mark.parametrize(
    ("selection", "unknown"),
    [
        ("viewer { nope }", "nope"),
        ("viewer { zones(filter: {zoneTag: $zone}) { nope } }", "nope"),
        (
            (
                "viewer { zones(filter: {zoneTag: $zone}) { firewallEventsAdaptive("
                'limit: 1, filter: {datetime_geq: "2026-12-05T00:00:00Z"}) { colour } } }'
            ),
            "colour",
        ),
        ("viewer { zones(filter: {zoneTag: $zone}) { settings { nope { enabled } } } }", "nope"),
    ],
)
def test_graphql_unknown_field_has_no_data(client, selection, unknown):
    """A field the schema does not have makes the whole answer data null, naming the field."""
    answer = _gql(client, f"query($zone: String) {{ {selection} }}", {"zone": ZONE_ID})
    assert answer["data"] is None
    assert unknown in answer["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([1, 2], "JSON object"),
        ({"query": 3}, "query"),
        ({"query": "{ viewer { __typename } }", "variables": [1]}, "variables"),
        ({"query": "mutation { viewer { __typename } }"}, "only queries"),
        ({"query": "query A { viewer { __typename } } query B { viewer { __typename } }"}, "one"),
    ],
)
def test_graphql_bad_request_bodies_have_no_data(client, body, words):
    """A body that is not one query operation answers data null with the reason."""
    response = client.post(f"{API_PREFIX}/graphql", headers=_auth(), json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None
    assert words in answer["errors"][0]["message"]


def test_graphql_operation_name_picks_the_operation(client):
    """The operationName picks one of several operations in the document."""
    body = {
        "query": "query A { viewer { a: __typename } } query B { viewer { b: __typename } }",
        "operationName": "B",
    }
    answer = client.post(f"{API_PREFIX}/graphql", headers=_auth(), json=body).json()
    assert answer == {"data": {"viewer": {"b": "viewer"}}, "errors": None}


# --- GraphQL: firewall events ---------------------------------------------------------------


def test_events_stay_inside_the_time_filter_in_both_orders(client):
    """datetime_geq/leq bound the rows; ASC is oldest first and datetime_DESC the reverse."""
    start, end = NOW - timedelta(hours=3), NOW - timedelta(hours=1)
    window = {"datetime_geq": _iso(start), "datetime_leq": _iso(end)}
    ascending = _events(client, window)
    descending = _events(client, window, order=["datetime_DESC"])
    assert ascending
    times = [row["datetime"] for row in ascending]
    assert times == sorted(times)
    assert all(_iso(start) <= moment <= _iso(end) for moment in times)
    assert descending == ascending[::-1]
    whole_day = _events(client, _day())
    assert len(whole_day) > len(ascending)


def test_exclusive_bounds_drop_the_edge_events(client):
    """datetime_gt/lt exclude events exactly at the bounds that geq/leq include."""
    rows = _events(client, _day())
    first, last = rows[0]["datetime"], rows[-1]["datetime"]
    inclusive = _events(client, {"datetime_geq": first, "datetime_leq": last})
    exclusive = _events(client, {"datetime_gt": first, "datetime_lt": last})
    assert inclusive == rows
    on_edges = sum(1 for row in rows if row["datetime"] in {first, last})
    assert len(exclusive) == len(rows) - on_edges
    assert all(first < row["datetime"] < last for row in exclusive)


def test_limit_caps_the_rows_and_desc_gives_the_newest(client):
    """A limit of N with datetime_DESC answers the N newest events of the range."""
    newest_first = _events(client, _day(), order=["datetime_DESC"])
    assert len(newest_first) > 7
    assert _events(client, _day(), limit=7, order=["datetime_DESC"]) == newest_first[:7]
    assert _events(client, _day(), limit=0) == []


def test_events_are_never_later_than_the_clock(make_client):
    """With the clock set back after start-up, no event later than it is served."""
    clock = [NOW]
    client = make_client(now=lambda: clock[0])
    window = {"datetime_geq": _iso(NOW - timedelta(hours=2))}
    recent = NOW - timedelta(minutes=30)
    assert any(row["datetime"] > _iso(recent) for row in _events(client, window))
    clock[0] = recent
    rows = _events(client, {**window, "datetime_leq": _iso(NOW)})
    assert rows
    assert max(row["datetime"] for row in rows) <= _iso(recent)


def test_every_demo_event_of_the_day_has_a_unique_ray_name(client):
    """Both zones serve every demo event of the day (sources and noise) with unique rayNames."""
    rows = [row for zone in ZONES.values() for row in _events(client, _day(), zone=zone["id"])]
    expected = sum(source["count"] for source in SOURCES) + DEMO["waf"]["noise"]["count"]
    assert len(rows) == expected
    rays = [row["rayName"] for row in rows]
    assert len(set(rays)) == len(rays)


def test_the_attacker_has_exactly_its_demo_events(client):
    """192.0.2.45 has the demo's 42 + 18 blocked POSTs to shop.example.com/wp-login.php."""
    specs = [source for source in SOURCES if source["ip"] == ATTACKER]
    rows = _events(client, {**_day(), "clientIP": ATTACKER})
    assert len(rows) == sum(spec["count"] for spec in specs) == 60
    assert {row["action"] for row in rows} == {"block"}
    assert {row["clientRequestHTTPHost"] for row in rows} == {"shop.example.com"}
    assert {row["clientRequestPath"] for row in rows} == {"/wp-login.php"}
    assert {row["clientRequestHTTPMethodName"] for row in rows} == {"POST"}
    rules = pools()["rules"]
    assert Counter(row["ruleId"] for row in rows) == {
        rules[spec["rule"]]["id"]: spec["count"] for spec in specs
    }
    other_zone = ZONES["example.net"]["id"]
    assert _events(client, {**_day(), "clientIP": ATTACKER}, zone=other_zone) == []


def test_action_in_and_client_ip_filters(client):
    """action_in keeps only those actions; with clientIP it gives one source's exact count."""
    wanted = ["managed_challenge", "jschallenge"]
    rows = _events(client, {**_day(), "action_in": wanted})
    assert rows
    assert {row["action"] for row in rows} <= set(wanted)
    ip = "203.0.113.77"
    expected = sum(s["count"] for s in SOURCES if s["ip"] == ip and s["action"] in wanted)
    narrowed = _events(client, {**_day(), "action_in": wanted, "clientIP": ip})
    assert len(narrowed) == expected
    assert {row["clientIP"] for row in narrowed} == {ip}


def test_neq_and_or_filters(client):
    """action_neq drops an action; OR of two clientIPs is the union of both."""
    everything = _events(client, _day())
    not_blocked = _events(client, {**_day(), "action_neq": "block"})
    assert len(not_blocked) == sum(1 for row in everything if row["action"] != "block")
    ips = [ATTACKER, "203.0.113.77"]
    either = _events(client, {**_day(), "OR": [{"clientIP": ip} for ip in ips]})
    assert len(either) == sum(s["count"] for s in SOURCES if s["ip"] in ips)


def test_event_groups_count_by_dimension(client):
    """The firewallEventsAdaptiveGroups count the attacker's events by action and rule."""
    query = """
    query($zone: String!, $filter: ZoneFirewallEventsAdaptiveGroupsFilter_InputObject!) {
      viewer { zones(filter: {zoneTag: $zone}) {
        firewallEventsAdaptiveGroups(filter: $filter, limit: 10, orderBy: [count_DESC]) {
          n: count
          dimensions { action ruleId }
        }
      } }
    }"""
    answer = _gql(client, query, {"zone": ZONE_ID, "filter": {**_day(), "clientIP": ATTACKER}})
    assert answer["errors"] is None
    groups = answer["data"]["viewer"]["zones"][0]["firewallEventsAdaptiveGroups"]
    rules = pools()["rules"]
    specs = [source for source in SOURCES if source["ip"] == ATTACKER]
    assert groups == [
        {"n": spec["count"], "dimensions": {"action": "block", "ruleId": rules[spec["rule"]]["id"]}}
        for spec in sorted(specs, key=lambda spec: -spec["count"])
    ]


def test_unknown_filter_field_is_refused_even_on_an_empty_range(client):
    """An unknown filter key makes data null whether or not the range holds events."""
    quiet = NOW - timedelta(days=2)
    answer = _gql(
        client,
        EVENTS_QUERY,
        {"zone": ZONE_ID, "filter": {**_day(quiet), "colour": "red"}, "limit": 10},
    )
    assert answer["data"] is None
    assert "colour" in answer["errors"][0]["message"]


def test_unknown_group_dimension_is_refused_even_on_an_empty_range(client):
    """An unknown dimension of firewallEventsAdaptiveGroups makes data null on an empty range."""
    query = """
    query($zone: String!, $filter: ZoneFirewallEventsAdaptiveGroupsFilter_InputObject!) {
      viewer { zones(filter: {zoneTag: $zone}) {
        firewallEventsAdaptiveGroups(filter: $filter, limit: 5) { count dimensions { colour } }
      } }
    }"""
    answer = _gql(client, query, {"zone": ZONE_ID, "filter": _day(NOW - timedelta(days=2))})
    assert answer["data"] is None
    assert "colour" in answer["errors"][0]["message"]


# --- GraphQL: plan limits and permissions ---------------------------------------------------


def test_limit_above_max_page_size_is_a_quota_error(client):
    """A limit over the plan's maxPageSize nulls the dataset with extensions.code quota."""
    limits = CF_PLAN_LIMITS[ZONES["example.com"]["plan"]]
    error = _dataset_error(client, _day(), limit=limits.max_page_size + 1)
    assert error["extensions"]["code"] == "quota"
    assert str(limits.max_page_size) in error["message"]
    assert _events(client, _day(), limit=limits.max_page_size)


def test_range_wider_than_max_duration_is_a_quota_error(client):
    """A range one second wider than maxDuration is refused; exactly maxDuration is served."""
    limits = CF_PLAN_LIMITS[ZONES["example.com"]["plan"]]
    start = NOW - timedelta(seconds=limits.max_duration_s)
    exact = {"datetime_geq": _iso(start), "datetime_leq": _iso(NOW)}
    assert _events(client, exact)
    wider = {"datetime_geq": _iso(start - timedelta(seconds=1)), "datetime_leq": _iso(NOW)}
    error = _dataset_error(client, wider)
    assert error["extensions"]["code"] == "quota"
    assert "maxDuration" in error["message"]


def test_data_older_than_not_older_than_is_a_quota_error(client):
    """A start before notOlderThan is refused, even for a short range."""
    limits = CF_PLAN_LIMITS[ZONES["example.com"]["plan"]]
    start = NOW - timedelta(seconds=limits.not_older_than_s + 60)
    error = _dataset_error(
        client, {"datetime_geq": _iso(start), "datetime_leq": _iso(start + timedelta(hours=1))}
    )
    assert error["extensions"]["code"] == "quota"
    assert "notOlderThan" in error["message"]


def test_a_start_bound_is_required(client):
    """A filter without datetime_geq or datetime_gt is a quota error."""
    error = _dataset_error(client, {"datetime_leq": _iso(NOW)})
    assert error["extensions"]["code"] == "quota"


@pytest.mark.parametrize(
    ("scenario", "zone_name"),
    [("demo", "example.com"), ("demo", "example.net"), ("generated", "example.org")],
)
def test_settings_answer_the_plan_limits(make_client, scenario, zone_name):
    """settings{firewallEventsAdaptive{…}} answers the limits of the zone's plan."""
    zone = next(z for z in load_cloudflare_scenario(scenario)["zones"] if z["name"] == zone_name)
    limits = CF_PLAN_LIMITS[zone["plan"]]
    client = make_client(scenario=scenario)
    answer = _gql(client, SETTINGS_QUERY, {"zone": zone["id"]})
    assert answer["errors"] is None
    assert answer["data"]["viewer"]["zones"][0]["settings"]["firewallEventsAdaptive"] == {
        "maxPageSize": limits.max_page_size,
        "maxDuration": limits.max_duration_s,
        "notOlderThan": limits.not_older_than_s,
        "enabled": limits.enabled,
    }


def test_configured_plan_limits_are_answered_and_enforced(make_client):
    """CloudflareConfig.plan_limits changes both settings and the limit check."""
    tight = PlanLimits(max_page_size=3, max_duration_s=3600, not_older_than_s=7200)
    client = make_client(plan_limits={"pro": tight, "free": tight})
    settings = _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})["data"]["viewer"]["zones"][0]
    assert settings["settings"]["firewallEventsAdaptive"]["maxPageSize"] == 3
    error = _dataset_error(client, {"datetime_geq": _iso(NOW - timedelta(hours=1))}, limit=4)
    assert error["extensions"]["code"] == "quota"
    assert _dataset_error(client, _day(), limit=3)["extensions"]["code"] == "quota"


def test_token_without_zone_analytics_read_is_not_authorized(make_client):
    """Without Zone Analytics Read the dataset is null with a 'not authorized' authz error."""
    client = make_client(
        tokens={"t": TokenSpec(permissions=CF_PERMISSIONS - {ZONE_ANALYTICS_READ})}
    )
    error = _dataset_error(client, _day(), token="t")
    assert "not authorized" in error["message"]
    assert error["extensions"]["code"] == "authz"
    settings = _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID}, token="t")
    assert settings["data"]["viewer"]["zones"][0]["settings"] is None
    assert settings["errors"][0]["extensions"]["code"] == "authz"


@pytest.mark.parametrize(
    ("permissions", "zone"),
    [(frozenset(), ZONE_ID), (CF_PERMISSIONS, "0" * 32)],
)
def test_zone_the_token_cannot_see_is_not_authorized(make_client, permissions, zone):
    """A token with no permissions, or an unknown zoneTag, nulls the zones field (authz)."""
    client = make_client(tokens={"t": TokenSpec(permissions=permissions)})
    answer = _gql(client, SETTINGS_QUERY, {"zone": zone}, token="t")
    assert answer["data"] == {"viewer": {"zones": None}}
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "authz"
    assert error["path"] == ["viewer", "zones"]


# --- GraphQL: Gateway DNS -------------------------------------------------------------------


def test_blocked_dns_groups_match_the_demo(client):
    """resolverDecision_in [2,3,6,9] groups by name and decision with the demo's blocked counts."""
    expected: Counter[tuple[str, int]] = Counter()
    for spec in DEMO["dns"]["queries"]:
        if spec["decision"] in BLOCKED_DECISIONS:
            expected[spec["name"], spec["decision"]] += spec["count"]
    blocked = sorted(BLOCKED_DECISIONS)
    assert blocked == [2, 3, 6, 9]
    answer = _gql(
        client,
        DNS_QUERY,
        {"account": ACCOUNT_ID, "filter": {**_day(), "resolverDecision_in": blocked}},
    )
    assert answer["errors"] is None
    groups = answer["data"]["viewer"]["accounts"][0]["gatewayResolverQueriesAdaptiveGroups"]
    served = {
        (g["dimensions"]["queryName"], g["dimensions"]["resolverDecision"]): g["count"]
        for g in groups
    }
    assert served == dict(expected)
    assert sum(g["count"] for g in groups) == expected.total()
    counts = [g["count"] for g in groups]
    assert counts == sorted(counts, reverse=True)


def test_dns_groups_by_location_cover_every_query(client):
    """Grouped by locationName alone, the counts add up to every demo query of that location."""
    query = """
    query($account: String!,
          $filter: AccountGatewayResolverQueriesAdaptiveGroupsFilter_InputObject!) {
      viewer { accounts(filter: {accountTag: $account}) {
        gatewayResolverQueriesAdaptiveGroups(filter: $filter, limit: 10) {
          count dimensions { where: locationName }
        }
      } }
    }"""
    answer = _gql(client, query, {"account": ACCOUNT_ID, "filter": _day()})
    groups = answer["data"]["viewer"]["accounts"][0]["gatewayResolverQueriesAdaptiveGroups"]
    expected: Counter[str] = Counter()
    for spec in DEMO["dns"]["queries"]:
        expected[spec["location"]] += spec["count"]
    assert {g["dimensions"]["where"]: g["count"] for g in groups} == dict(expected)


def test_dns_without_zero_trust_has_no_access_to_the_path(make_client):
    """zero_trust=False: the DNS dataset is null with 'does not have access to the path'."""
    client = make_client(zero_trust=False)
    answer = _gql(client, DNS_QUERY, {"account": ACCOUNT_ID, "filter": _day()})
    (account,) = answer["data"]["viewer"]["accounts"]
    assert account["gatewayResolverQueriesAdaptiveGroups"] is None
    (error,) = answer["errors"]
    assert "does not have access to the path" in error["message"]
    assert error["path"] == ["viewer", "accounts", 0, "gatewayResolverQueriesAdaptiveGroups"]
    settings = _gql(
        client,
        "query($a: String!) { viewer { accounts(filter: {accountTag: $a}) {"
        " settings { gatewayResolverQueriesAdaptiveGroups { enabled } } } } }",
        {"a": ACCOUNT_ID},
    )
    assert settings["data"]["viewer"]["accounts"][0]["settings"] == {
        "gatewayResolverQueriesAdaptiveGroups": {"enabled": False}
    }


def test_dns_without_account_analytics_read_is_not_authorized(make_client):
    """Without Account Analytics Read the DNS dataset is null with an authz error."""
    permissions = CF_PERMISSIONS - {ACCOUNT_ANALYTICS_READ}
    client = make_client(tokens={"t": TokenSpec(permissions=permissions)})
    answer = _gql(client, DNS_QUERY, {"account": ACCOUNT_ID, "filter": _day()}, token="t")
    assert answer["data"]["viewer"]["accounts"][0]["gatewayResolverQueriesAdaptiveGroups"] is None
    assert answer["errors"][0]["extensions"]["code"] == "authz"
    assert "not authorized" in answer["errors"][0]["message"]


# --- faults and budgets ---------------------------------------------------------------------


def test_down_fault_answers_503_everywhere(client):
    """{"down": true} makes REST and GraphQL answer 503; control still works; DELETE heals."""
    assert _put_faults(client, {"down": True})["down"] is True
    for path in (
        "/zones",
        "/accounts",
        "/user/tokens/verify",
        f"/accounts/{ACCOUNT_ID}/cfd_tunnel",
    ):
        response = _get(client, path)
        assert response.status_code == 503
        assert response.json()["success"] is False
    graphql = client.post(f"{API_PREFIX}/graphql", headers=_auth(), json={"query": "{ viewer }"})
    assert graphql.status_code == 503
    assert client.get(STATS).status_code == 200
    assert client.delete(FAULTS).json()["down"] is False
    assert _get(client, "/zones").status_code == 200


def test_faults_can_be_set_at_start_up(make_client):
    """CloudflareConfig(faults=…) is in force from the first request."""
    client = make_client(faults=CloudflareFaults(down=True))
    assert _get(client, "/zones").status_code == 503
    assert client.get(FAULTS).json()["down"] is True


def test_down_fault_covers_unknown_paths(client):
    """While down, even a path the API does not route answers 503."""
    _put_faults(client, {"down": True})
    assert _get(client, "/zones/abc/dns_records").status_code == 503


def test_path_fault_on_every_path_covers_unknown_paths(client):
    """A status fault on "*" strikes a path the API does not route too."""
    _put_faults(client, {"paths": [{"kind": "status", "path": "*", "status": 500}]})
    assert _get(client, "/zones/abc/dns_records").status_code == 500


def test_rate_limit_fault_answers_429_twice(make_client):
    """{"rate_limit": 2}: two REST 429s with retry-after and code 971, GraphQL spared, then 200."""
    client = make_client(retry_after_s=42)
    _put_faults(client, {"rate_limit": 2})
    assert _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})["errors"] is None
    for left in (1, 0):
        response = _get(client, "/zones")
        assert response.status_code == 429
        assert response.headers["retry-after"] == "42"
        assert response.json()["errors"][0]["code"] == 971
        assert client.get(FAULTS).json()["rate_limit"] == left
    assert _get(client, "/zones").status_code == 200


def test_rate_limit_fault_uses_its_own_retry_after(client):
    """retry_after_s in the fault body is the 429's retry-after."""
    _put_faults(client, {"rate_limit": 1, "retry_after_s": 7})
    assert _get(client, "/accounts").headers["retry-after"] == "7"


def test_rate_limit_fault_with_zero_retry_after(client):
    """retry_after_s 0 (accepted by the parser) gives the shortest retry-after, 1 s."""
    _put_faults(client, {"rate_limit": 1, "retry_after_s": 0})
    assert _get(client, "/accounts").headers["retry-after"] == "1"


def test_graphql_budget_fault_answers_one_budget_error(client):
    """{"graphql_budget": 1}: one GraphQL answer is the budget error, the next is data."""
    _put_faults(client, {"graphql_budget": 1})
    assert _get(client, "/zones").status_code == 200
    spent = _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})
    assert spent["data"] is None
    (error,) = spent["errors"]
    assert error["extensions"]["code"] == "budget"
    assert "budget" in error["message"]
    assert _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})["errors"] is None


def test_graphql_quota_fault_strikes_the_next_dataset_query(client):
    """{"graphql_quota": 1}: queries without datasets pass; the next dataset read is quota."""
    _put_faults(client, {"graphql_quota": 1, "quota_message": "too much"})
    assert _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})["errors"] is None
    assert client.get(FAULTS).json()["graphql_quota"] == 1
    error = _dataset_error(client, _day())
    assert error["extensions"]["code"] == "quota"
    assert error["message"] == "too much"
    assert client.get(FAULTS).json()["graphql_quota"] == 0
    assert _events(client, _day())


def test_graphql_budget_config_refuses_queries_over_it(make_client):
    """CloudflareConfig(graphql_budget=1): the second query is the budget error naming the wait."""
    client = make_client(graphql_budget=1, retry_after_s=30)
    assert _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})["errors"] is None
    spent = _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})
    assert spent["data"] is None
    assert spent["errors"][0]["extensions"]["code"] == "budget"
    assert "30 seconds" in spent["errors"][0]["message"]


def test_path_status_fault_strikes_its_path_once(client):
    """A status fault on /zones with times 1 answers 500 once; /accounts is untouched."""
    fault = {"kind": "status", "path": "/zones", "status": 500, "times": 1}
    assert _put_faults(client, {"paths": [fault]})["paths"][0]["times"] == 1
    assert _get(client, "/accounts").status_code == 200
    struck = _get(client, "/zones")
    assert struck.status_code == 500
    assert struck.json()["errors"][0]["message"] == "Internal Server Error"
    assert client.get(FAULTS).json()["paths"] == []
    assert _get(client, "/zones").status_code == 200


def test_path_malformed_fault_cuts_the_json(client):
    """A malformed fault on /accounts answers a body that is not JSON; other paths are fine."""
    _put_faults(client, {"paths": [{"kind": "malformed", "path": "/accounts"}]})
    for _ in range(2):
        broken = _get(client, "/accounts")
        assert broken.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(broken.content)
    assert _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel").json()["success"] is True
    assert _get(client, "/zones").json()["success"] is True


def test_path_hang_fault_answers_after_its_seconds(client):
    """A short hang fault holds the request, then answers normally; release answers ok."""
    _put_faults(client, {"paths": [{"kind": "hang", "path": "/zones", "seconds": 0.01}]})
    assert _get(client, "/zones").json()["success"] is True
    assert client.post(f"{CF_CONTROL_PREFIX}/release").json() == {"released": True}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"nope": 1}, "nope"),
        ({"down": "yes"}, "down"),
        ({"rate_limit": -1}, "rate_limit"),
        ({"graphql_quota": True}, "graphql_quota"),
        ({"retry_after_s": -1}, "retry_after_s"),
        ({"quota_message": 5}, "quota_message"),
        ({"paths": {}}, "paths"),
        ({"paths": [{"kind": "boom"}]}, "kind"),
        ({"paths": [{"kind": "status", "status": 200}]}, "status"),
        ({"paths": [{"kind": "status", "times": 0}]}, "times"),
        ({"paths": [{"kind": "hang", "seconds": 0}]}, "seconds"),
        ({"paths": [{"kind": "status", "colour": 1}]}, "colour"),
        ([], "JSON object"),
    ],
)
def test_bad_fault_body_is_400_naming_the_key(client, body, named):
    """A wrong fault body is 400 with a message naming the key; the faults stay as they were."""
    before = client.get(FAULTS).json()
    response = client.put(FAULTS, json=body)
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert client.get(FAULTS).json() == before


def test_delete_clears_every_fault(client):
    """DELETE /__cf__/faults restores the defaults and every path answers again."""
    _put_faults(
        client,
        {
            "rate_limit": 3,
            "graphql_budget": 2,
            "graphql_quota": 1,
            "paths": [{"kind": "status", "path": "*"}],
        },
    )
    assert _get(client, "/accounts").status_code == 503
    cleared = client.delete(FAULTS).json()
    assert cleared == {
        "down": False,
        "rate_limit": 0,
        "graphql_budget": 0,
        "graphql_quota": 0,
        "retry_after_s": None,
        "quota_message": None,
        "paths": [],
    }
    assert _get(client, "/accounts").status_code == 200
    assert _events(client, _day())


def test_stats_count_requests_per_route(client):
    """GET /__cf__/stats counts requests per route (refused ones too) and rows served."""
    _get(client, "/zones")
    _get(client, "/zones", token="wrong")
    _get(client, f"/accounts/{ACCOUNT_ID}/cfd_tunnel")
    rows = _events(client, _day(), limit=9)
    stats = client.get(STATS).json()
    assert stats["requests"] == {
        "/zones": 2,
        "/accounts/{account_id}/cfd_tunnel": 1,
        "/graphql": 1,
    }
    assert stats["rows_served"] == len(rows) == 9
    assert stats["now"] == _iso(NOW)


def test_rest_budget_refuses_the_request_over_it(make_client):
    """rest_budget=3: the 4th REST request is 429 (971, retry-after 60), still so 59 s on."""
    clock = [NOW]
    client = make_client(now=lambda: clock[0], rest_budget=3, retry_after_s=60)
    for _ in range(3):
        assert _get(client, "/zones").status_code == 200
    over = _get(client, "/accounts")
    assert over.status_code == 429
    assert over.headers["retry-after"] == "60"
    assert over.json()["errors"][0]["code"] == 971
    clock[0] = NOW + timedelta(seconds=59)
    late = _get(client, "/zones")
    assert late.status_code == 429
    assert late.headers["retry-after"] == "1"
    assert _gql(client, SETTINGS_QUERY, {"zone": ZONE_ID})["errors"] is None


def test_rest_budget_lets_requests_through_after_retry_after(make_client):
    """Once the clock has moved retry-after (60 s) on, REST requests are answered again."""
    clock = [NOW]
    client = make_client(now=lambda: clock[0], rest_budget=3, retry_after_s=60)
    for _ in range(3):
        assert _get(client, "/zones").status_code == 200
    assert _get(client, "/zones").headers["retry-after"] == "60"
    clock[0] = NOW + timedelta(seconds=60)
    assert _get(client, "/zones").status_code == 200


# --- the official SDK over a socket ---------------------------------------------------------


async def _read_with_sdk() -> dict[str, Any]:
    config = CloudflareConfig(now=lambda: NOW)
    async with (
        CloudflareServer(config) as server,
        cloudflare.AsyncCloudflare(
            api_token=server.token, base_url=server.base_url, max_retries=0
        ) as sdk,
    ):
        zones = [zone async for zone in sdk.zones.list()]
        accounts = [account async for account in sdk.accounts.list()]
        tunnels = [
            tunnel
            async for tunnel in sdk.zero_trust.tunnels.cloudflared.list(
                account_id=accounts[0].id, is_deleted=False
            )
        ]
        office = next(tunnel.id for tunnel in tunnels if tunnel.name == "office-nas")
        assert office is not None
        connectors = [
            connector
            async for connector in sdk.zero_trust.tunnels.cloudflared.connections.get(
                office, account_id=accounts[0].id
            )
        ]
        graphql = await sdk.post(
            "/graphql",
            body={
                "query": EVENTS_QUERY,
                "variables": {
                    "zone": zones[0].id,
                    "filter": {**_day(), "clientIP": ATTACKER},
                    "limit": 100,
                },
            },
            cast_to=object,
        )
        return {
            "zones": zones,
            "accounts": accounts,
            "tunnels": tunnels,
            "connectors": connectors,
            "graphql": graphql,
            "requests": dict(server.state.requests),
        }


def test_official_sdk_reads_the_fake_over_a_socket():
    """The cloudflare SDK lists zones, accounts, tunnels, connections and posts GraphQL."""
    read = asyncio.run(_read_with_sdk())
    assert [(z.id, z.name, z.plan.legacy_id) for z in read["zones"]] == [
        (z["id"], z["name"], z["plan"]) for z in ZONES.values()
    ]
    assert [(a.id, a.name) for a in read["accounts"]] == [
        (a["id"], a["name"]) for a in DEMO["accounts"]
    ]
    live = {name: t["status"] for name, t in TUNNELS.items() if "deleted_ago" not in t}
    assert {t.name: t.status for t in read["tunnels"]} == live
    assert len(read["connectors"]) == len(TUNNELS["office-nas"]["connectors"])
    assert sum(len(c.conns) for c in read["connectors"]) == 8
    assert {conn.colo_name for c in read["connectors"] for conn in c.conns} == {"fra08", "ams01"}
    answer = read["graphql"]
    assert answer["errors"] is None
    rows = answer["data"]["viewer"]["zones"][0]["firewallEventsAdaptive"]
    assert len(rows) == sum(s["count"] for s in SOURCES if s["ip"] == ATTACKER)
    # every list fits one page: the SDK asked once more and got the empty page past the end
    assert read["requests"] == {
        "/zones": 2,
        "/accounts": 2,
        "/accounts/{account_id}/cfd_tunnel": 2,
        "/accounts/{account_id}/cfd_tunnel/{tunnel_id}/connections": 1,
        "/graphql": 1,
    }
