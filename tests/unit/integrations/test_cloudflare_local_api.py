"""The integration through the official SDK against the local Cloudflare API, in process.

The SDK's httpx client is given an ASGI transport to the local API's app: every request goes
through the SDK, the V4 envelope and the GraphQL executor exactly as over a socket, without
one. Budgets, caps and limits are checked against what the scenario holds.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner.config import CloudflareSettings, Settings
from unifi_scanner.integrations.base import FetchWindow, IntegrationResult
from unifi_scanner.integrations.cloudflare import client as cf_client
from unifi_scanner.integrations.cloudflare import integration as cf_integration
from unifi_scanner.integrations.cloudflare.client import BudgetError
from unifi_scanner.integrations.cloudflare.integration import CloudflareIntegration
from unifi_scanner.simulator.cloudflare import (
    DEFAULT_CF_TOKEN,
    CloudflareConfig,
    create_cloudflare_app,
)

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
WINDOW = FetchWindow(NOW - timedelta(hours=24), NOW - timedelta(minutes=5))


def _fetch(config: CloudflareConfig, **section: Any) -> IntegrationResult:
    app = create_cloudflare_app(config)
    settings = Settings(
        cloudflare=CloudflareSettings(
            api_token=SecretStr(DEFAULT_CF_TOKEN),
            base_url="http://cloudflare.local/client/v4",
            **section,
        )
    )
    integration = CloudflareIntegration(settings, transport=httpx.ASGITransport(app=app))
    return asyncio.run(integration.fetch(WINDOW))


def _zones(result: IntegrationResult) -> dict[str, dict[str, Any]]:
    return {zone["name"]: zone for zone in result.data["waf"]["zones"]}


def test_the_whole_demo_is_read_with_a_handful_of_queries():
    """Two small zones and one account: a complete reading, no notes about limits."""
    result = _fetch(CloudflareConfig(now=lambda: NOW))
    assert result.success
    zones = _zones(result)
    assert all(not zone["notes"] for zone in zones.values())
    assert result.data["waf"]["events"] == sum(zone["events"] for zone in zones.values())


def test_a_budget_spent_mid_run_keeps_what_was_read_and_says_what_was_not():
    """Budget of 3 queries: DNS and example.com are read; example.net is said to be cut short."""
    full = _zones(_fetch(CloudflareConfig(now=lambda: NOW)))
    result = _fetch(CloudflareConfig(now=lambda: NOW, graphql_budget=3))
    assert result.success
    zones = _zones(result)
    assert zones["example.com"]["events"] == full["example.com"]["events"]
    assert not zones["example.com"]["notes"]
    (note,) = zones["example.net"]["notes"]
    assert "lower bound" in note
    assert "rate limit" in note
    assert result.data["dns"]["available"] is True


def test_a_budget_spent_before_any_answer_is_retried_by_the_runner():
    """No GraphQL answer at all: the fetch raises the transient BudgetError (the runner retries)."""
    with pytest.raises(BudgetError, match="rate limit"):
        _fetch(CloudflareConfig(now=lambda: NOW, graphql_budget=0))


def test_one_run_sends_at_most_its_query_allowance(monkeypatch):
    """With an allowance of 2 queries, the reading stops there and says so; nothing is sent more."""
    monkeypatch.setattr(cf_client, "MAX_QUERIES", 2)
    config = CloudflareConfig(now=lambda: NOW)
    app = create_cloudflare_app(config)
    settings = Settings(
        cloudflare=CloudflareSettings(
            api_token=SecretStr(DEFAULT_CF_TOKEN), base_url="http://cloudflare.local/client/v4"
        )
    )
    integration = CloudflareIntegration(settings, transport=httpx.ASGITransport(app=app))
    result = asyncio.run(integration.fetch(WINDOW))
    assert app.state.cloudflare.requests["/graphql"] == 2
    notes = [note for zone in _zones(result).values() for note in zone["notes"]]
    assert any("allowance of 2" in note for note in notes)


def test_addresses_beyond_the_cap_are_counted_in_totals_only(monkeypatch):
    """Five addresses tallied one by one: totals unchanged, the rest said in a note."""
    full = _fetch(CloudflareConfig(now=lambda: NOW))
    monkeypatch.setattr(cf_integration, "MAX_ADDRESSES", 5)
    monkeypatch.setattr("unifi_scanner.integrations.cloudflare.waf.MAX_ADDRESSES", 5)
    capped = _fetch(CloudflareConfig(now=lambda: NOW))
    assert capped.data["waf"]["events"] == full.data["waf"]["events"]
    assert capped.data["waf"]["blocked"] == full.data["waf"]["blocked"]
    assert len(capped.data["waf"]["top_sources"]) == 5
    (note,) = [n for n in capped.data["waf"]["notes"] if "first 5 addresses" in n]
    assert note.startswith(f"{capped.data['waf']['events'] - _listed(capped):,} events")


def _listed(result: IntegrationResult) -> int:
    return sum(source["total"] for source in result.data["waf"]["top_sources"])
