"""Threat intelligence through httpx against the local AbuseIPDB API (in process)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner.analysis import Engine, Severity
from unifi_scanner.collect.dedup import dedupe_events
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import (
    client_from_payload,
    device_from_payload,
    event_from_ips,
)
from unifi_scanner.config import AbuseIpdbSettings, Settings
from unifi_scanner.errors import IntegrationMisconfiguredError, IntegrationTransientError
from unifi_scanner.integrations import (
    EnrichContext,
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
    RecordCache,
    apply_notes,
    default_registry,
)
from unifi_scanner.integrations.threatintel import Reputation, ThreatIntelEnricher
from unifi_scanner.integrations.threatintel import integration as ti_module
from unifi_scanner.simulator.abuseipdb import (
    DEFAULT_ABUSEIPDB_KEY,
    AbuseIpdbConfig,
    AbuseIpdbFaults,
    create_abuseipdb_app,
)
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.site import build_site
from unifi_scanner.testing import FakeClock, MemoryStateStore

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
C2 = "198.51.100.66"
DROP = "198.51.100.31"


def _snapshot() -> Snapshot:
    site = build_site(load_scenario("under-attack"), network=9, now_s=int(NOW.timestamp()))
    return Snapshot(
        site=Site(id="s", name="default", description="Shop"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=dedupe_events(event_from_ips(item) for item in site.ips_events),
        devices=tuple(device_from_payload(item) for item in site.devices),
        clients=tuple(client_from_payload(item) for item in site.clients),
    )


class Rig:
    """The enricher, the local API's app and a store that outlives one run."""

    def __init__(self, **config: Any) -> None:
        self.clock = FakeClock(NOW)
        self.app = create_abuseipdb_app(AbuseIpdbConfig(now=self.clock.now, **config))
        self.store = MemoryStateStore()

    @property
    def checks(self) -> int:
        return sum(self.app.state.abuseipdb.checks.values())

    def faults(self, **faults: Any) -> None:
        self.app.state.abuseipdb.faults = AbuseIpdbFaults(**faults)

    def enrich(
        self,
        snapshot: Snapshot | None = None,
        findings: tuple[Any, ...] = (),
        sources: IntegrationResults | None = None,
        **section: Any,
    ):
        settings = Settings(
            abuseipdb=AbuseIpdbSettings(
                api_key=SecretStr(section.pop("key", DEFAULT_ABUSEIPDB_KEY)),
                base_url="http://abuseipdb.local/api/v2",
                **section,
            )
        )
        enricher = ThreatIntelEnricher(settings, transport=httpx.ASGITransport(app=self.app))
        context = EnrichContext(
            sources=sources or IntegrationResults(),
            cache=RecordCache(self.store, enricher.name, self.clock.now),
            now=self.clock.now,
        )
        return asyncio.run(enricher.enrich(snapshot or _snapshot(), findings, context))


def _rows(result) -> dict[str, dict[str, Any]]:
    return {row["ip"]: row for row in result.data["addresses"]}


def test_the_busiest_outside_addresses_are_looked_up_inside_devices_first():
    """Outbound destinations rank first; every looked-up address has its reputation."""
    rig = Rig()
    result = rig.enrich(max_lookups=3)
    rows = _rows(result)
    assert set(rows) >= {C2, "198.51.100.77"}, "the two C2 servers come first"
    assert len(rows) == 3
    assert rows[C2]["score"] == 96
    assert rows[C2]["verdict"] == "known abuser"
    assert rows[C2]["inside_devices"] == {"office-pc": 8}
    assert result.data["looked_up"] == 3
    assert rig.checks == 3


def test_the_second_run_answers_from_the_cache_until_it_is_too_old():
    """Run two asks nothing; after the TTL every address is asked again."""
    rig = Rig()
    first = rig.enrich(max_lookups=5)
    asked = rig.checks
    rig.clock.advance(3600)
    second = rig.enrich(max_lookups=5)
    assert rig.checks == asked, "no new lookups"
    assert second.data["from_cache"] == 5
    assert second.data["looked_up"] == 0
    assert _rows(second) == {ip: {**row, "cached": True} for ip, row in _rows(first).items()}
    rig.clock.advance(24 * 3600)
    rig.enrich(max_lookups=5)
    assert rig.checks == asked + 5


def test_the_daily_limit_stops_lookups_and_says_when_they_resume():
    """A limit of 2: two answers, the rest not looked up, the reset time in a note."""
    rig = Rig(daily_limit=2)
    result = rig.enrich(max_lookups=5)
    assert result.success
    assert result.data["looked_up"] == 2
    assert result.data["not_looked_up"] == 3
    (note,) = [n for n in result.data["notes"] if "daily limit" in n]
    assert "2026-12-06 00:00 UTC" in note


def test_a_refused_key_is_a_configuration_error():
    """401: misconfigured, naming the setting."""
    with pytest.raises(IntegrationMisconfiguredError, match="UNIFI_ABUSEIPDB_API_KEY"):
        Rig().enrich(key="wrong")


def test_an_outage_before_any_answer_is_transient_and_after_cache_is_a_note():
    """Down with nothing cached: transient (retried, then last good). With a cache: a note."""
    rig = Rig()
    rig.faults(down=True)
    with pytest.raises(IntegrationTransientError, match="503"):
        rig.enrich(max_lookups=3)
    rig.faults()
    rig.enrich(max_lookups=3)
    rig.faults(down=True)
    result = rig.enrich(max_lookups=5)
    assert result.data["from_cache"] == 3
    assert any("tried next scan" in note for note in result.data["notes"])


def test_triage_an_inside_device_and_a_known_abuser_is_severe_blocked_noise_stays_low():
    """Notes raise the beacon finding's severity only when the device talked out; noise stays."""
    snapshot = _snapshot()
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    result = Rig().enrich(snapshot, findings, max_lookups=10)
    noted = {f.fingerprint: f for f in apply_notes(findings, result.notes)}
    beacon = next(f for f in noted.values() if "office-pc" in f.title)
    assert beacon.severity is Severity.SEVERE
    assert "known abuser" in beacon.badges
    assert any(f"{C2}: AbuseIPDB abuse confidence 96 %" in e for e in beacon.evidence)
    drop = next(f for f in noted.values() if "Spamhaus" in f.title)
    assert drop.severity is Severity.LOW
    assert any("handled noise" in e for e in drop.evidence)


def test_a_low_score_outbound_finding_is_not_raised(monkeypatch):
    """An outbound finding whose address is barely reported: evidence only, severity kept."""
    snapshot = _snapshot()
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    rig = Rig()
    rig.app.state.abuseipdb.known[C2]["score"] = 10
    result = rig.enrich(snapshot, findings, max_lookups=10)
    (note,) = [n for n in result.notes if "office-pc" in n.subject]
    assert note.severity is None
    assert note.badges == ()


def test_addresses_the_sources_saw_are_looked_up_too():
    """Cloudflare's addresses join the ranking, with what Cloudflare saw."""
    sources = IntegrationResults(
        (
            IntegrationSection(
                name="cloudflare",
                display_name="Cloudflare",
                success=True,
                status=IntegrationStatus.OK,
                addresses={"192.0.2.45": "60 requests stopped by the WAF"},
            ),
        )
    )
    empty = Snapshot(
        site=Site(id="s", name="default", description="Shop"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
    )
    result = Rig().enrich(empty, (), sources)
    (row,) = result.data["addresses"]
    assert row["ip"] == "192.0.2.45"
    assert row["score"] == 100
    assert row["seen"] == "Cloudflare: 60 requests stopped by the WAF"


def test_nothing_to_look_up_is_no_section():
    """No outside address anywhere: no section."""
    empty = Snapshot(
        site=Site(id="s", name="default", description="Shop"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
    )
    assert Rig().enrich(empty) is None


def test_tracked_addresses_are_bounded(monkeypatch):
    """Beyond MAX_TRACKED distinct addresses, new ones are left out of the ranking."""
    monkeypatch.setattr(ti_module, "MAX_TRACKED", 2)
    result = Rig().enrich(max_lookups=10)
    assert len(result.data["addresses"]) == 2


def test_configuration_states():
    """No section: silent; a section without a key: one warning naming it; with a key: on."""
    assert [i.name for i in default_registry().select(Settings()).configured] == ["cybersecure"]
    half = ThreatIntelEnricher(Settings(abuseipdb=AbuseIpdbSettings()))
    assert not half.is_configured()
    assert "UNIFI_ABUSEIPDB_API_KEY" in (half.validate_config() or "")
    full = ThreatIntelEnricher(Settings(abuseipdb=AbuseIpdbSettings(api_key=SecretStr("k"))))
    assert full.is_configured()
    assert full.validate_config() is None


def test_reputations_read_wrong_types_as_unknown():
    """Strings for numbers, a score over 100, missing fields: read safely."""
    rep = Reputation.from_data(
        "192.0.2.1",
        {"abuseConfidenceScore": 150, "totalReports": "many", "isTor": "yes", "isp": "  "},
    )
    assert (rep.score, rep.reports, rep.tor, rep.isp) == (100, 0, False, None)
    assert rep.describe() == "never reported to AbuseIPDB"
    assert Reputation.from_data("192.0.2.1", rep.as_data()) == rep


def test_the_section_renders_every_format_with_hostile_text_inert():
    """An ISP name with markup is escaped in HTML and Markdown."""
    from unifi_scanner.integrations.threatintel import ThreatIntelSectionRenderer

    hostile = "<script>alert(1)</script> [x](http://evil)"
    section = IntegrationSection(
        name="abuseipdb",
        display_name="Threat intelligence (AbuseIPDB)",
        success=True,
        status=IntegrationStatus.OK,
        data={
            "looked_up": 1,
            "from_cache": 0,
            "not_looked_up": 0,
            "addresses": [
                {"ip": C2, "score": 96, "reports": 5, "isp": hostile, "verdict": "known abuser"}
            ],
            "notes": [],
        },
    )
    renderer = ThreatIntelSectionRenderer()
    assert "96 %" in renderer.text(section)
    assert "<script>" not in str(renderer.html(section))
    assert "[x](http" not in renderer.markdown(section)
