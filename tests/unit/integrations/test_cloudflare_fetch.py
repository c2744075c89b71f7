"""The whole Cloudflare fetch through the real SDK, on an in-process transport.

The end-to-end tests use the local Cloudflare API over real sockets; these check the paging,
de-duplication, clamping and error paths with answers built here, one request at a time.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner.config import CloudflareSettings, Settings
from unifi_scanner.errors import IntegrationMisconfiguredError, IntegrationTransientError
from unifi_scanner.integrations import FetchWindow
from unifi_scanner.integrations.cloudflare import CloudflareIntegration

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
ACCOUNT = "a" * 32
ZONE = "z" * 32


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(result: Any, page: int = 1, total: int | None = None) -> dict[str, Any]:
    count = len(result) if isinstance(result, list) else 1
    return {
        "success": True,
        "errors": [],
        "messages": [],
        "result": result,
        "result_info": {
            "page": page,
            "per_page": 50,
            "count": count,
            "total_count": total or count,
        },
    }


class FakeCloudflare:
    """Answers like Cloudflare's API; ``events`` are the zone's firewall events."""

    def __init__(self, events: list[dict[str, Any]], *, page_size: int = 3) -> None:
        self.events = events
        self.page_size = page_size
        self.graphql_errors: list[dict[str, Any]] = []
        self.no_zero_trust = False
        self.tunnel_status = 200
        self.queries: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:  # noqa: PLR0911 (one per route)
        path = request.url.path.removeprefix("/client/v4")
        page = int(request.url.params.get("page", "1"))
        if path == "/user/tokens/verify":
            return httpx.Response(200, json=_envelope({"id": "t", "status": "active"}))
        if path == "/accounts":
            rows = [{"id": ACCOUNT, "name": "Example Co"}] if page == 1 else []
            return httpx.Response(200, json=_envelope(rows, page, 1))
        if path == "/zones":
            plan = {"id": "p", "name": "Free Website"}
            rows = [{"id": ZONE, "name": "example.com", "plan": plan}] if page == 1 else []
            return httpx.Response(200, json=_envelope(rows, page, 1))
        if path == f"/accounts/{ACCOUNT}/cfd_tunnel":
            if self.tunnel_status != 200:
                body = {
                    "success": False,
                    "errors": [{"code": 10000, "message": "Authentication error"}],
                }
                return httpx.Response(self.tunnel_status, json=body)
            rows = [
                {"id": "t1", "name": "old-lab", "status": "down", "conns_inactive_at": _iso(NOW)},
                {"id": "t2", "name": "nas", "status": "healthy", "conns_active_at": _iso(NOW)},
            ]
            return httpx.Response(200, json=_envelope(rows if page == 1 else [], page, 2))
        if path == f"/accounts/{ACCOUNT}/cfd_tunnel/t2/connections":
            conns = [{"colo_name": c, "is_pending_reconnect": False} for c in ("fra08", "ams01")]
            return httpx.Response(200, json=_envelope([{"id": "c", "conns": conns}]))
        if path == "/graphql":
            return httpx.Response(200, json=self._graphql(json.loads(request.content)))
        return httpx.Response(
            404, json={"success": False, "errors": [{"code": 7003, "message": "No route"}]}
        )

    def _graphql(self, body: dict[str, Any]) -> dict[str, Any]:
        query, variables = body["query"], body["variables"]
        self.queries.append(variables)
        if self.graphql_errors:
            return {"data": None, "errors": [self.graphql_errors.pop(0)]}
        if "settings" in query:
            limits = {
                "enabled": True,
                "maxPageSize": self.page_size,
                "maxDuration": 86400,
                "notOlderThan": 259200,
            }
            return {
                "data": {"viewer": {"zones": [{"settings": {"firewallEventsAdaptive": limits}}]}}
            }
        if "gatewayResolverQueriesAdaptiveGroups" in query:
            if self.no_zero_trust:
                error = {
                    "message": f"account '{ACCOUNT}' does not have access to the path",
                    "path": ["viewer"],
                }
                return {
                    "data": {
                        "viewer": {"accounts": [{"gatewayResolverQueriesAdaptiveGroups": None}]}
                    },
                    "errors": [error],
                }
            groups = [
                {
                    "count": 7,
                    "dimensions": {
                        "resolverDecision": 9,
                        "queryName": "c2.example",
                        "categoryNames": ["Malware"],
                        "locationName": "Office",
                    },
                },
                {
                    "count": 30,
                    "dimensions": {
                        "resolverDecision": 2,
                        "queryName": "ads.example",
                        "categoryNames": ["Advertisements"],
                        "locationName": "Home",
                    },
                },
            ]
            return {
                "data": {"viewer": {"accounts": [{"gatewayResolverQueriesAdaptiveGroups": groups}]}}
            }
        flt = variables["filter"]
        rows = [e for e in self.events if e["datetime"] >= flt["datetime_geq"]]
        if "datetime_lt" in flt:
            rows = [e for e in rows if e["datetime"] < flt["datetime_lt"]]
        if "datetime_leq" in flt:
            rows = [e for e in rows if e["datetime"] <= flt["datetime_leq"]]
        rows = sorted(rows, key=lambda e: e["datetime"], reverse=True)[: variables["limit"]]
        return {"data": {"viewer": {"zones": [{"firewallEventsAdaptive": rows}]}}}


def _event(n: int, when: datetime, ip: str = "192.0.2.45", action: str = "block") -> dict[str, Any]:
    return {
        "rayName": f"ray{n:04d}",
        "datetime": _iso(when),
        "action": action,
        "clientIP": ip,
        "clientCountryName": "CN",
        "clientAsn": "64502",
        "clientASNDescription": "Example Cloud",
        "clientRequestHTTPHost": "shop.example.com",
        "clientRequestPath": "/wp-login.php",
        "source": "firewallManaged",
        "ruleId": "r1",
    }


def _fetch(fake: FakeCloudflare, window: FetchWindow, **settings: Any):
    section = CloudflareSettings(
        api_token=SecretStr("token"), base_url="https://cf.test/client/v4", **settings
    )
    integration = CloudflareIntegration(
        Settings(cloudflare=section), transport=httpx.MockTransport(fake)
    )
    return asyncio.run(integration.fetch(window))


def test_events_are_paged_by_time_without_loss_or_double_counting():
    """Seven events, three per page, two pairs sharing a second: each is counted once."""
    events = [_event(i, NOW - timedelta(hours=1)) for i in range(2)]
    events += [_event(5 + i, NOW - timedelta(hours=2)) for i in range(2)]
    events += [_event(10 + i, NOW - timedelta(hours=3 + i)) for i in range(3)]
    fake = FakeCloudflare(events)
    result = _fetch(fake, FetchWindow(NOW - timedelta(hours=24), NOW))
    waf = result.data["waf"]
    assert result.success
    assert waf["events"] == 7
    assert waf["blocked"] == 7
    assert waf["top_sources"][0]["ip"] == "192.0.2.45"
    assert waf["top_sources"][0]["stopped"] == 7
    assert "192.0.2.45" in result.addresses
    assert any("datetime_leq" in q.get("filter", {}) for q in fake.queries)


def test_a_page_all_in_one_second_is_noted_not_looped():
    """More events in one second than a page holds: the rest is noted, the reading ends."""
    same = NOW - timedelta(hours=1)
    fake = FakeCloudflare([_event(i, same) for i in range(5)], page_size=2)
    result = _fetch(fake, FetchWindow(NOW - timedelta(hours=3), NOW))
    assert result.data["waf"]["events"] == 2
    assert any("could not be read" in note for note in result.data["waf"]["notes"])


def test_a_window_older_than_the_plan_keeps_is_clamped_and_said():
    """Four days back on a plan that keeps three: read from three days back, with a note."""
    fake = FakeCloudflare([_event(1, NOW - timedelta(hours=1))])
    result = _fetch(fake, FetchWindow(NOW - timedelta(days=4), NOW))
    zone = result.data["waf"]["zones"][0]
    assert any("keeps firewall events for 3 days" in note for note in zone["notes"])
    starts = {
        q["filter"]["datetime_geq"]
        for q in fake.queries
        if "filter" in q and "resolverDecision_in" not in q["filter"]
    }
    assert min(starts) >= _iso(NOW - timedelta(days=3))


def test_solved_challenges_are_not_counted_as_blocks():
    """A solved managed challenge is a pass."""
    events = [
        _event(1, NOW - timedelta(hours=1)),
        _event(2, NOW - timedelta(hours=2), action="managed_challenge_non_interactive_solved"),
    ]
    result = _fetch(FakeCloudflare(events), FetchWindow(NOW - timedelta(hours=24), NOW))
    assert result.data["waf"]["blocked"] == 1
    assert result.data["waf"]["passed"] == 1


def test_tunnels_and_dns_become_findings():
    """A down tunnel is severe; a healthy one lists its data centres; malware DNS is medium."""
    result = _fetch(FakeCloudflare([]), FetchWindow(NOW - timedelta(hours=24), NOW))
    tunnels = {t["name"]: t for t in result.data["tunnels"]["tunnels"]}
    assert tunnels["old-lab"]["status"] == "down"
    assert tunnels["nas"]["colos"] == ["ams01", "fra08"]
    assert result.data["dns"]["blocked"] == 37
    rules = {f.rule for f in result.findings}
    assert {"cloudflare.tunnel_down", "cloudflare.dns_threats"} <= rules


def test_an_account_without_zero_trust_gets_a_sentence():
    """No Gateway: the DNS part says so and the result is still a success."""
    fake = FakeCloudflare([])
    fake.no_zero_trust = True
    result = _fetch(fake, FetchWindow(NOW - timedelta(hours=24), NOW))
    assert result.success
    assert result.data["dns"]["available"] is False
    assert "does not use Cloudflare Zero Trust" in result.data["dns"]["notes"][0]


def test_a_refused_part_leaves_the_others_and_names_the_permission():
    """403 on tunnels: WAF and DNS are shown, one finding names Cloudflare Tunnel Read."""
    fake = FakeCloudflare([_event(1, NOW - timedelta(hours=1))])
    fake.tunnel_status = 403
    result = _fetch(fake, FetchWindow(NOW - timedelta(hours=24), NOW))
    assert not result.success
    assert "lacks Cloudflare Tunnel Read" in (result.error or "")
    assert result.data["waf"]["events"] == 1
    assert [f.rule for f in result.findings if f.rule == "integration.misconfigured"]


def test_every_part_refused_is_a_misconfigured_section():
    """No analytics and no tunnel permission at all: the whole fetch is refused."""
    fake = FakeCloudflare([])
    fake.tunnel_status = 403
    authz = {"message": "not authorized for that account", "extensions": {"code": "authz"}}
    fake.graphql_errors = [authz, authz]
    with pytest.raises(IntegrationMisconfiguredError, match="lacks"):
        _fetch(fake, FetchWindow(NOW - timedelta(hours=24), NOW))


def test_a_budget_error_is_transient():
    """GraphQL budget depleted: retried by the runner, counted by the breaker."""
    fake = FakeCloudflare([])
    fake.graphql_errors = [
        {"message": "rate limiter budget depleted", "extensions": {"code": "budget"}}
    ]
    with pytest.raises(IntegrationTransientError):
        _fetch(fake, FetchWindow(NOW - timedelta(hours=24), NOW))


def test_a_quota_error_narrows_the_range():
    """Quota on the first query: the range is halved and read again, nothing is lost."""
    fake = FakeCloudflare(
        [_event(1, NOW - timedelta(hours=1)), _event(2, NOW - timedelta(hours=20))]
    )
    quota = {"message": "time range too large", "extensions": {"code": "quota"}}
    fake.graphql_errors = []
    original = fake._graphql
    state = {"first": True}

    def once(body: dict[str, Any]) -> dict[str, Any]:
        if "firewallEventsAdaptive(" in body["query"] and state["first"]:
            state["first"] = False
            return {"data": None, "errors": [quota]}
        return original(body)

    fake._graphql = once  # type: ignore[method-assign]
    result = _fetch(fake, FetchWindow(NOW - timedelta(hours=24), NOW))
    assert result.data["waf"]["events"] == 2


def _runner_for(fake, store, clock, **section):
    from unifi_scanner.integrations import IntegrationRunner, RetryPolicy

    cf = CloudflareSettings(
        api_token=SecretStr("token"), base_url="https://cf.test/client/v4", **section
    )
    settings = Settings(cloudflare=cf)
    integration = CloudflareIntegration(settings, transport=httpx.MockTransport(fake))
    return IntegrationRunner(
        [integration],
        store=store,
        settings=settings,
        now=clock.now,
        retry=RetryPolicy(attempts=3, wait_initial_s=0.1, wait_jitter_s=0.0),
    )


def test_a_429_with_retry_after_is_waited_for_and_retried(store, clock):
    """Cloudflare answers 429 with retry-after: 7 once; the runner waits 7 s, then gets data."""
    from unifi_scanner.testing import run_with_clock

    fake = FakeCloudflare([_event(1, clock.now() - timedelta(hours=1))])
    answered: list[float] = []

    def limited(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/zones") and not answered:
            answered.append(0)
            body = {"success": False, "errors": [{"code": 971, "message": "Please wait"}]}
            return httpx.Response(429, json=body, headers={"retry-after": "7"})
        return fake(request)

    async def main():
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await _runner_for(limited, store, clock).run()
        return results, loop.time() - started

    results, elapsed = run_with_clock(main(), clock)
    section = results.get_section("cloudflare")
    assert section.success
    assert section.data["waf"]["events"] == 1
    assert elapsed >= 7.0


def test_api_down_for_fail_max_runs_opens_the_breaker_and_shows_the_last_good_data(store, clock):
    """One good run, then the API is down: after fail_max runs the circuit opens; old data shown."""
    from unifi_scanner.integrations import BreakerState, IntegrationStatus
    from unifi_scanner.testing import run_with_clock

    fake = FakeCloudflare([_event(1, clock.now() - timedelta(hours=1))])
    down = {"on": False}

    def switch(request: httpx.Request) -> httpx.Response:
        if down["on"]:
            raise httpx.ConnectError("connection refused", request=request)
        return fake(request)

    results = run_with_clock(_runner_for(switch, store, clock, fail_max=2).run(), clock)
    assert results.get_section("cloudflare").success
    down["on"] = True
    statuses = []
    for _ in range(3):
        clock.advance(600)  # scans every 10 minutes, within the breaker's hour
        results = run_with_clock(_runner_for(switch, store, clock, fail_max=2).run(), clock)
        section = results.get_section("cloudflare")
        statuses.append((section.status, section.breaker_state))
        assert section.data["waf"]["events"] == 1  # the last good data
        assert section.stale_since is not None
        assert (section.error_message or "").startswith("data from ")
    assert statuses[0] == (IntegrationStatus.FAILED, BreakerState.CLOSED)
    assert statuses[1][1] is BreakerState.OPEN
    assert statuses[2] == (IntegrationStatus.CIRCUIT_OPEN, BreakerState.OPEN)


def test_cloudflare_credentials_in_the_environment_never_replace_the_token(monkeypatch):
    """CLOUDFLARE_EMAIL / CLOUDFLARE_API_KEY (Terraform's) are ignored: only the token is sent."""
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "me@example.com")
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "global-key")
    fake = FakeCloudflare([])
    seen: list[httpx.Headers] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return fake(request)

    _fetch(spy, FetchWindow(NOW - timedelta(hours=24), NOW))
    assert seen
    assert all(h.get("authorization") == "Bearer token" for h in seen)
    assert not any("x-auth-key" in h or "x-auth-email" in h for h in seen)


def test_a_wrong_base_url_is_a_configuration_error_not_an_outage():
    """404 on the token check (the base URL lacks /client/v4): misconfigured, never retried."""

    def nowhere(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, json={"success": False, "errors": [{"code": 7003, "message": "No route"}]}
        )

    with pytest.raises(IntegrationMisconfiguredError, match="UNIFI_CLOUDFLARE_BASE_URL"):
        _fetch(nowhere, FetchWindow(NOW - timedelta(hours=24), NOW))


def test_an_account_id_the_token_does_not_see_is_named():
    """An account id the token does not see is named, not blamed on permissions."""
    with pytest.raises(IntegrationMisconfiguredError, match="UNIFI_CLOUDFLARE_ACCOUNT_ID"):
        _fetch(FakeCloudflare([]), FetchWindow(NOW - timedelta(hours=24), NOW), account_id="b" * 32)


def test_an_account_owned_token_is_verified_at_its_account():
    """/user/tokens/verify refuses account-owned tokens; the account's verify accepts it."""
    fake = FakeCloudflare([_event(1, NOW - timedelta(hours=1))])
    asked: list[str] = []

    def account_token(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path.endswith("/user/tokens/verify"):
            body = {"success": False, "errors": [{"code": 1000, "message": "Invalid API Token"}]}
            return httpx.Response(401, json=body)
        if request.url.path.endswith(f"/accounts/{ACCOUNT}/tokens/verify"):
            return httpx.Response(200, json=_envelope({"id": "t", "status": "active"}))
        return fake(request)

    result = _fetch(account_token, FetchWindow(NOW - timedelta(hours=24), NOW), account_id=ACCOUNT)
    assert result.data["waf"]["events"] == 1
    assert any(p.endswith(f"/accounts/{ACCOUNT}/tokens/verify") for p in asked)


def test_the_first_run_in_a_fresh_process_does_not_trip_the_loop_watchdog():
    """The SDK loads its resources lazily (0.6 s for zero_trust): loaded before the runner runs."""
    import subprocess
    import sys
    from pathlib import Path

    test = f"{Path(__file__)}::test_a_429_with_retry_after_is_waited_for_and_retried"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--no-cov", "-p", "no:randomly", test],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[3],
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_a_dns_quota_narrows_to_what_cloudflare_answers_and_says_so():
    """Gateway DNS refuses the week: the newer half is read and the rest is said, not hidden."""
    fake = FakeCloudflare([])
    original = fake._graphql
    asked: list[str] = []

    def quota_for_long(body: dict[str, Any]) -> dict[str, Any]:
        if "gatewayResolverQueriesAdaptiveGroups" in body["query"]:
            start = body["variables"]["filter"]["datetime_geq"]
            asked.append(start)
            if start < _iso(NOW - timedelta(days=2)):
                return {
                    "data": None,
                    "errors": [{"message": "range too large", "extensions": {"code": "quota"}}],
                }
        return original(body)

    fake._graphql = quota_for_long  # type: ignore[method-assign]
    result = _fetch(fake, FetchWindow(NOW - timedelta(days=7), NOW))
    dns = result.data["dns"]
    assert dns["blocked"] == 37
    assert len(asked) >= 2
    assert any("earlier ones could not be read" in note for note in dns["notes"])
