"""Threat intelligence end to end: scans over TLS with httpx talking to the local AbuseIPDB API."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.config import AbuseIpdbSettings
from unifi_scanner.simulator import SimulatorConfig
from unifi_scanner.simulator.abuseipdb import AbuseIpdbConfig, AbuseIpdbServer
from unifi_scanner.testing import FakeClock

from .conftest import FROZEN

if TYPE_CHECKING:
    from unifi_scanner.config import Settings

pytestmark = pytest.mark.e2e

UNDER_ATTACK = pytest.mark.parametrize(
    "sim_config", [SimulatorConfig(now=lambda: FROZEN, scenario="under-attack")]
)


def _configured(settings: Settings, server: AbuseIpdbServer) -> Settings:
    section = AbuseIpdbSettings(api_key=SecretStr(server.key), base_url=server.base_url)
    return settings.model_copy(update={"abuseipdb": section})


def _report(outcome: app.ScanOutcome, suffix: str = ".json") -> Any:
    text = next(Path(p) for p in outcome.files if p.endswith(suffix)).read_text(encoding="utf-8")
    return json.loads(text) if suffix == ".json" else text


def _section(report: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in report["integrations"] if s["name"] == "abuseipdb")


@UNDER_ATTACK
async def test_under_attack_noise_low_the_inside_device_severe_with_abuse_context(settings):
    """Blocked inbound noise stays low ('handled noise'); the C2 beacon names office-pc, severe."""
    clock = FakeClock(FROZEN)
    async with AbuseIpdbServer(AbuseIpdbConfig(now=clock.now)) as server:
        (outcome,) = await app.run_once(_configured(settings, server), now=clock.now)
    report = _report(outcome)
    section = _section(report)
    assert section["status"] == "ok"
    rows = {row["ip"]: row for row in section["data"]["addresses"]}
    assert rows["198.51.100.66"]["verdict"] == "known abuser"
    assert rows["198.51.100.66"]["inside_devices"] == {"office-pc": 8}
    beacon = next(f for f in report["findings"] if "office-pc" in f["title"])
    assert beacon["severity"] == "severe"
    assert "known abuser" in beacon["badges"]
    assert any("198.51.100.66: AbuseIPDB abuse confidence 96 %" in e for e in beacon["evidence"])
    noise = [f for f in report["findings"] if f["rule"] == "ips.inbound_blocked"]
    assert noise
    assert all(f["severity"] == "low" for f in noise)
    assert any(any("handled noise" in e for e in f["evidence"]) for f in noise)
    text = _report(outcome, ".txt")
    assert "Threat intelligence (AbuseIPDB)" in text
    assert "Bulletproof" in text


CLOCK = FakeClock(FROZEN)
"""The clock of the two-scan test: the simulated controller and the scans share it."""


def _attackers_return(site: Any, at: datetime) -> int:
    """The same IPS alerts again at ``at`` (new ids): the attackers came back."""
    again = 0
    for items in (site.events, site.ips_events, site.alarms):
        copies = []
        for item in items:
            if item.get("key") != "EVT_IPS_IpsAlert":
                continue
            copy = dict(item)
            copy["_id"] = hashlib.md5(f"{item['_id']}-again".encode()).hexdigest()[:24]  # noqa: S324
            copy["time"] = int(at.timestamp() * 1000)
            copy["datetime"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            copies.append(copy)
        items[:0] = copies
        again += len(copies)
    return again


@pytest.mark.parametrize("sim_config", [SimulatorConfig(now=CLOCK.now, scenario="under-attack")])
async def test_the_second_run_answers_from_the_cache(settings, simulator):
    """The attackers come back ten minutes later: the second scan asks AbuseIPDB nothing."""
    async with AbuseIpdbServer(AbuseIpdbConfig(now=CLOCK.now)) as server:
        configured = _configured(settings, server)
        (first,) = await app.run_once(configured, now=CLOCK.now)
        asked = sum(server.state.checks.values())
        CLOCK.advance(600)
        assert _attackers_return(simulator.state.site, CLOCK.now() - timedelta(minutes=5))
        (second,) = await app.run_once(configured, now=CLOCK.now)
        assert sum(server.state.checks.values()) == asked, "no new lookups"
    one, two = _section(_report(first)), _section(_report(second))
    assert one["data"]["looked_up"] == asked > 0
    assert two["data"]["looked_up"] == 0
    assert two["data"]["from_cache"] == asked
    assert {r["ip"]: r["score"] for r in two["data"]["addresses"]} == {
        r["ip"]: r["score"] for r in one["data"]["addresses"]
    }


@UNDER_ATTACK
async def test_an_abuseipdb_outage_leaves_the_report_intact_with_a_note(settings):
    """The API down on the first run: the report is whole; the section says what happened."""
    async with AbuseIpdbServer(AbuseIpdbConfig(now=lambda: FROZEN)) as server:
        async with httpx.AsyncClient() as client:
            await client.put(f"{server.control_url}/faults", json={"down": True})
        (outcome,) = await app.run_once(_configured(settings, server), now=lambda: FROZEN)
    report = _report(outcome)
    section = _section(report)
    assert section["status"] == "failed"
    assert "503" in section["error"]
    assert "no earlier data" in section["error"]
    beacon = next(f for f in report["findings"] if "office-pc" in f["title"])
    assert beacon["severity"] == "severe", "the UniFi findings are all there"
    assert "known abuser" not in beacon["badges"]
    assert "Threat intelligence (AbuseIPDB)" in _report(outcome, ".txt")


@UNDER_ATTACK
async def test_a_wrong_key_is_one_finding_naming_the_setting(settings):
    """401: the section fails with the setting named, and one misconfiguration finding."""
    async with AbuseIpdbServer(AbuseIpdbConfig(now=lambda: FROZEN)) as server:
        section = AbuseIpdbSettings(api_key=SecretStr("wrong"), base_url=server.base_url)
        configured = settings.model_copy(update={"abuseipdb": section})
        (outcome,) = await app.run_once(configured, now=lambda: FROZEN)
    report = _report(outcome)
    assert "UNIFI_ABUSEIPDB_API_KEY" in _section(report)["error"]
    refused = [f for f in report["findings"] if f["rule"] == "integration.misconfigured"]
    assert len(refused) == 1


async def test_analyze_of_an_export_looks_up_addresses_and_keeps_only_the_cache(tmp_path):
    """`analyze` with a key: the section and triage as in a scan; run two answers from the cache.

    The state file gains the cache and nothing else: an export's runs never become the
    service's status, breakers or last good data.
    """
    import os

    from unifi_scanner.integrations.records import STATUS_NAMESPACE
    from unifi_scanner.simulator.scenarios import load_scenario
    from unifi_scanner.simulator.site import build_site
    from unifi_scanner.state import SqliteStateStore

    from .rig import run_cli

    site = build_site(load_scenario("under-attack"), network=9, now_s=int(FROZEN.timestamp()))
    alerts = tmp_path / "ips.json"
    alerts.write_text(json.dumps({"meta": {"rc": "ok"}, "data": site.ips_events}), "utf-8")
    clients = tmp_path / "sta.json"
    clients.write_text(json.dumps({"meta": {"rc": "ok"}, "data": site.clients}), "utf-8")
    state = tmp_path / "state.sqlite3"
    async with AbuseIpdbServer(AbuseIpdbConfig()) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
        env |= {
            "UNIFI_STATE_PATH": str(state),
            "UNIFI_ABUSEIPDB_API_KEY": server.key,
            "UNIFI_ABUSEIPDB_BASE_URL": server.base_url,
        }
        reports = []
        for _ in range(2):
            finished = await run_cli(
                "analyze", str(alerts), str(clients), "--format", "json", env=env, timeout_s=120
            )
            assert finished.returncode == 0, finished.stderr
            reports.append(json.loads(finished.stdout))
        asked = sum(server.state.checks.values())
    first, second = (_section(report) for report in reports)
    assert first["status"] == "ok"
    assert first["data"]["looked_up"] == asked > 0
    assert second["data"]["looked_up"] == 0
    assert second["data"]["from_cache"] == asked
    beacon = next(f for f in reports[0]["findings"] if "office-pc" in f["title"])
    assert beacon["severity"] == "severe"
    assert "known abuser" in beacon["badges"]
    store = SqliteStateStore(state, lambda: FROZEN)
    try:
        assert store.records(STATUS_NAMESPACE) == {}, "no status of an export's run"
        assert len(store.records("integration_cache:abuseipdb")) == asked
    finally:
        store.close()
