"""Cloudflare end to end: the official SDK over real HTTP to the local Cloudflare API.

Each test runs a whole scan of the simulated controller (TLS) with the Cloudflare integration
pointed at the local Cloudflare API on loopback, and reads the reports the user would read.
The expected numbers come from the local API's own scenario file, not from the integration.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.config import CloudflareSettings
from unifi_scanner.simulator.cloudflare import (
    ACCOUNT_SETTINGS_READ,
    TUNNEL_READ,
    ZONE_READ,
    CloudflareConfig,
    CloudflareServer,
    TokenSpec,
)
from unifi_scanner.simulator.templates import load_json
from unifi_scanner.testing import FakeClock

from .conftest import FROZEN, frozen_now
from .rig import cli_env, run_cli

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from unifi_scanner.config import Settings

pytestmark = pytest.mark.e2e

DEMO: dict[str, Any] = load_json("cloudflare/demo.json")


def _with_cloudflare(settings: Settings, cf: CloudflareServer, **section: Any) -> Settings:
    cloudflare = CloudflareSettings(
        api_token=SecretStr(section.pop("token", cf.token)), base_url=cf.base_url, **section
    )
    return settings.model_copy(update={"cloudflare": cloudflare})


def _report(outcome: app.ScanOutcome, suffix: str = ".json") -> Any:
    path = next(Path(p) for p in outcome.files if p.endswith(suffix))
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if suffix == ".json" else text


def _section(report: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in report["integrations"] if s["name"] == "cloudflare")


@pytest.fixture(name="cf")
async def cf_fixture() -> AsyncIterator[CloudflareServer]:
    """The local Cloudflare API (demo scenario) on loopback, on the e2e frozen clock."""
    async with CloudflareServer(CloudflareConfig(now=frozen_now)) as server:
        yield server


def _blocked_dns(window_h: float, settle_min: float) -> int:
    """Gateway DNS blocks of the demo scenario inside the first run's window."""
    return sum(
        q["count"]
        for q in DEMO["dns"]["queries"]
        if q["decision"] in {2, 3, 6, 9}
        and q["from_ago"] <= window_h * 60
        and q["to_ago"] >= settle_min
    )


async def test_full_data_reaches_every_format_with_findings_and_correlation(settings, cf):
    """Tunnels, WAF and DNS as the scenario has them; severe tunnel finding; 192.0.2.45 in both."""
    (outcome,) = await app.run_once(_with_cloudflare(settings, cf), now=frozen_now)
    report = _report(outcome)
    section = _section(report)
    assert section["status"] == "ok"
    data = section["data"]

    tunnels = {t["name"]: t for t in data["tunnels"]["tunnels"]}
    listed = {t["name"]: t["status"] for t in DEMO["tunnels"] if "deleted_ago" not in t}
    assert {name: t["status"] for name, t in tunnels.items()} == listed
    assert tunnels["office-nas"]["connections"] == 8
    assert tunnels["office-nas"]["colos"] == ["ams01", "fra08"]

    attacker = [s for s in DEMO["waf"]["sources"] if s["ip"] == "192.0.2.45"]
    top = data["waf"]["top_sources"][0]
    assert top["ip"] == "192.0.2.45"
    assert top["stopped"] == sum(s["count"] for s in attacker)
    assert data["dns"]["available"] is True
    assert data["dns"]["blocked"] == _blocked_dns(24, 5)

    rules = {f["rule"]: f for f in report["findings"]}
    assert rules["cloudflare.tunnel_down"]["severity"] == "severe"
    assert "old-lab" in rules["cloudflare.tunnel_down"]["title"]
    assert rules["cloudflare.tunnel_degraded"]["severity"] == "medium"
    assert rules["cloudflare.waf_source"]["subject"].startswith("192.0.2.45")
    assert rules["cloudflare.dns_threats"]["severity"] == "medium"

    correlated = rules["correlation.address"]
    assert correlated["subject"] == "192.0.2.45"
    assert "192.0.2.45" in section["correlated"]
    badged = [
        f
        for f in report["findings"]
        if f["rule"].startswith("ips.") and "also seen by Cloudflare" in f["badges"]
    ]
    assert badged, "the UniFi IPS finding about 192.0.2.45 carries the badge"

    text = _report(outcome, ".txt")
    assert "Tunnels: 1 down, 1 degraded, 1 healthy, 1 inactive" in text
    assert "malware-c2[.]example" in text
    assert "malware-c2.example" not in text, "harmful domains are defanged"
    markdown = _report(outcome, ".md")
    assert "also at your UniFi gateway" in markdown
    html = _report(outcome, ".html")
    assert "Rules that fired most" in html
    assert "WordPress - Brute force login attempt" in html


async def test_a_token_without_analytics_gets_one_finding_and_the_tunnels(settings):
    """Tunnel Read but no Analytics Read: tunnels shown; WAF and DNS named as refused."""
    token = "tunnels-only"
    config = CloudflareConfig(
        now=frozen_now,
        tokens={token: TokenSpec(frozenset({TUNNEL_READ, ZONE_READ, ACCOUNT_SETTINGS_READ}))},
    )
    async with CloudflareServer(config) as cf:
        (outcome,) = await app.run_once(_with_cloudflare(settings, cf, token=token), now=frozen_now)
    report = _report(outcome)
    section = _section(report)
    assert section["status"] == "failed"
    assert "Zone Analytics Read" in section["error"]
    assert "Account Analytics Read" in section["error"]
    assert {t["name"] for t in section["data"]["tunnels"]["tunnels"]} >= {"old-lab"}
    assert "Zone Analytics Read" in section["data"]["waf"]["skipped"]
    assert "Account Analytics Read" in section["data"]["dns"]["skipped"]
    refused = [f for f in report["findings"] if f["rule"] == "integration.misconfigured"]
    assert len(refused) == 1
    assert "Zone Analytics Read" in refused[0]["title"]
    assert "cloudflare.tunnel_down" in {f["rule"] for f in report["findings"]}


async def test_a_token_that_can_read_nothing_is_a_misconfigured_section(settings):
    """A token that sees zones only: the section names every missing permission; report whole."""
    token = "nothing"
    config = CloudflareConfig(now=frozen_now, tokens={token: TokenSpec(frozenset({ZONE_READ}))})
    async with CloudflareServer(config) as cf:
        (outcome,) = await app.run_once(_with_cloudflare(settings, cf, token=token), now=frozen_now)
    report = _report(outcome)
    section = _section(report)
    assert section["status"] == "failed"
    assert "Zone Analytics Read" in section["error"]
    assert "sees no Cloudflare account" in section["error"]
    refused = [f for f in report["findings"] if f["rule"] == "integration.misconfigured"]
    assert len(refused) == 1
    assert any(f["rule"].startswith("ips.") for f in report["findings"]), "UniFi findings stay"
    assert not [f for f in report["findings"] if f["rule"].startswith("cloudflare.tunnel")]


async def test_a_graphql_budget_error_is_retried_to_success(settings, cf):
    """The first GraphQL answer is 'budget': the runner retries and the section has the data."""
    async with httpx.AsyncClient() as client:
        answer = await client.put(f"{cf.control_url}/faults", json={"graphql_budget": 1})
        assert answer.status_code == 200
    (outcome,) = await app.run_once(_with_cloudflare(settings, cf), now=frozen_now)
    section = _section(_report(outcome))
    assert section["status"] == "ok"
    assert section["data"]["waf"]["top_sources"][0]["ip"] == "192.0.2.45"
    assert cf.state.faults.graphql_budget == 0, "the budget error was served"


async def test_a_429_retry_after_is_honoured(settings):
    """The first REST call gets 429 with retry-after 1: the next attempt waits at least 1 s."""
    config = CloudflareConfig(now=frozen_now, retry_after_s=1)
    async with CloudflareServer(config) as cf:
        async with httpx.AsyncClient() as client:
            await client.put(f"{cf.control_url}/faults", json={"rate_limit": 1})
        started = time.monotonic()
        (outcome,) = await app.run_once(_with_cloudflare(settings, cf), now=frozen_now)
        elapsed = time.monotonic() - started
        verified = cf.state.requests["/user/tokens/verify"]
    section = _section(_report(outcome))
    assert section["status"] == "ok"
    assert verified == 2, "refused once, then answered"
    assert elapsed >= 1.0


async def test_the_api_down_for_fail_max_runs_opens_the_breaker_with_the_last_good_data(
    settings,
):
    """One good run, then the API down: after fail_max runs the breaker opens; old data shown."""
    clock = FakeClock(FROZEN)
    async with CloudflareServer(CloudflareConfig(now=clock.now)) as cf:
        configured = _with_cloudflare(settings, cf, fail_max=2)
        (first,) = await app.run_once(configured, now=clock.now)
        assert _section(_report(first))["status"] == "ok"
        async with httpx.AsyncClient() as client:
            await client.put(f"{cf.control_url}/faults", json={"down": True})
        seen = []
        for _ in range(3):
            clock.advance(600)
            (outcome,) = await app.run_once(configured, now=clock.now)
            section = _section(_report(outcome))
            seen.append((section["status"], section["data"]["waf"]["top_sources"][0]["ip"]))
            assert section["stale_since"] is not None
            assert (section["error"] or "").startswith("data from ")
        text = _report(outcome, ".txt")
    assert seen[0] == ("failed", "192.0.2.45")
    assert seen[-1] == ("circuit-open", "192.0.2.45")
    assert "data from" in text


async def test_an_account_without_zero_trust_gets_a_sentence_not_an_error(settings):
    """No Zero Trust: the DNS part says so; the rest of the section is there; no DNS finding."""
    async with CloudflareServer(CloudflareConfig(now=frozen_now, zero_trust=False)) as cf:
        (outcome,) = await app.run_once(_with_cloudflare(settings, cf), now=frozen_now)
    report = _report(outcome)
    section = _section(report)
    assert section["status"] == "ok"
    assert section["data"]["dns"]["available"] is False
    assert "does not use Cloudflare Zero Trust Gateway DNS" in " ".join(
        section["data"]["dns"]["notes"]
    )
    assert "cloudflare.dns_threats" not in {f["rule"] for f in report["findings"]}
    assert section["data"]["waf"]["events"] > 0


async def test_the_integrations_command_lists_cloudflare_with_its_state(settings, cf):
    """After a run, `unifi-scanner integrations` shows Cloudflare configured, ok, breaker closed."""
    configured = _with_cloudflare(settings, cf)
    await app.run_once(configured, now=frozen_now)
    env = cli_env(
        configured,
        UNIFI_CLOUDFLARE_API_TOKEN=cf.token,
        UNIFI_CLOUDFLARE_BASE_URL=cf.base_url,
        COLUMNS="200",
    )
    finished = await run_cli("integrations", env=env)
    assert finished.returncode == 0, finished.stderr
    line = next(x for x in finished.stdout.splitlines() if "Cloudflare" in x)
    assert "yes" in line
    assert "ok" in line
    assert "closed" in line
    assert cf.token not in finished.stdout + finished.stderr


async def test_demo_report_has_the_cloudflare_section(tmp_path):
    """`unifi-scanner demo` starts the local Cloudflare API: its report has the section."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    finished = await run_cli("demo", "--out", str(tmp_path), "--format", "json", env=env)
    assert finished.returncode == 0, finished.stderr
    report = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    section = _section(report)
    assert section["status"] == "ok"
    assert section["correlated"].keys() == {"192.0.2.45"}
    assert {f["rule"] for f in report["findings"]} >= {
        "cloudflare.tunnel_down",
        "correlation.address",
    }
