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
    """Run two asks nothing it knows, and spends its lookups on the next addresses.

    Cached answers do not count against max_lookups; after the TTL every address is asked again.
    """
    rig = Rig()
    first = rig.enrich(max_lookups=5)
    assert rig.checks == 5
    rig.clock.advance(3600)
    second = rig.enrich(max_lookups=5)
    assert second.data["from_cache"] == 5
    assert second.data["looked_up"] == 5, "the next five addresses, not the same five again"
    assert rig.checks == 10
    rows = _rows(second)
    assert {ip: rows[ip] for ip in _rows(first)} == {
        ip: {**row, "cached": True} for ip, row in _rows(first).items()
    }
    rig.clock.advance(3600)
    third = rig.enrich(max_lookups=50)
    assert third.data["from_cache"] == 10
    assert rig.checks == 10 + third.data["looked_up"]
    rig.clock.advance(24 * 3600)
    fourth = rig.enrich(max_lookups=50)
    assert fourth.data["from_cache"] == 0, "every answer is older than the TTL"
    assert fourth.data["looked_up"] == 10 + third.data["looked_up"]


def test_the_daily_limit_stops_lookups_and_says_when_they_resume():
    """A limit of 2: two answers, every other outside address not looked up, the reset said."""
    rig = Rig(daily_limit=2)
    result = rig.enrich(max_lookups=5)
    assert result.success
    assert result.data["looked_up"] == 2
    outside = asyncio.run(ti_module._sightings(_snapshot()))
    assert result.data["not_looked_up"] == len(outside) - 2
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
    (mine,) = [f for f in findings if f.subject == "office-pc" and "outbound" in f.badges]
    (note,) = [n for n in result.notes if n.fingerprint == mine.fingerprint]
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


# --- hand-made IPS alerts (the classic EVT_IPS_IpsAlert shape) -----------------------------

T0 = int(NOW.timestamp()) - 3600


def _alert(
    src: str,
    dst: str,
    n: int,
    *,
    mac: str | None = None,
    sig: str = "ET INFO Suspicious Domain Lookup",
    sid: int = 2_012_345,
    action: str = "allowed",
) -> dict[str, Any]:
    at = T0 + n * 60
    alert: dict[str, Any] = {
        "_id": f"{n:024x}",
        "key": "EVT_IPS_IpsAlert",
        "subsystem": "www",
        "timestamp": at,
        "time": at * 1000,
        "datetime": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "src_ip": src,
        "dest_ip": dst,
        "src_port": 50000,
        "dest_port": 443,
        "proto": "TCP",
        "inner_alert_action": action,
        "inner_alert_signature": sig,
        "inner_alert_signature_id": sid,
        "inner_alert_category": "Potentially Bad Traffic",
        "inner_alert_severity": 2,
        "catname": ["emerging-info"],
        "unique_alertid": f"alert-{n}",
        "msg": (
            f"IPS Alert 2: Potentially Bad Traffic. Signature {sig}. "
            f"From: {src}:50000, to: {dst}:443, protocol: TCP"
        ),
    }
    if mac:
        alert["src_mac"] = mac
    return alert


def _made(
    alerts: list[dict[str, Any]], clients: list[tuple[str, str, str]] = (), site: str = "default"
) -> Snapshot:
    return Snapshot(
        site=Site(id=site, name=site, description=site.title()),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=dedupe_events(event_from_ips(alert) for alert in alerts),
        clients=tuple(
            client_from_payload(
                {"mac": mac, "ip": ip, "name": name, "is_wired": True, "last_seen": T0}
            )
            for mac, ip, name in clients
        ),
    )


def test_two_devices_with_one_name_are_told_apart():
    """Two clients called iPhone: only the one that talked to the known abuser is raised."""
    snapshot = _made(
        [
            _alert("192.168.1.10", C2, 1, mac="00:00:00:00:00:01"),
            _alert("192.168.1.11", "192.0.2.11", 2, mac="00:00:00:00:00:02"),
        ],
        [
            ("00:00:00:00:00:01", "192.168.1.10", "iPhone"),
            ("00:00:00:00:00:02", "192.168.1.11", "iPhone"),
        ],
    )
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    phones = [f for f in findings if f.subject == "iPhone"]
    assert len(phones) == 2
    assert len({f.fingerprint for f in findings}) == len(findings), "fingerprints are unique"
    noted = apply_notes(findings, Rig().enrich(snapshot, findings).notes)
    by_source = {
        next(line for line in f.evidence if line.startswith("Most frequent source")): f
        for f in noted
        if f.subject == "iPhone"
    }
    guilty = by_source["Most frequent source: 192.168.1.10 (1)"]
    clean = by_source["Most frequent source: 192.168.1.11 (1)"]
    assert guilty.severity is Severity.SEVERE
    assert clean.severity is not Severity.SEVERE
    assert not any(C2 in line for line in clean.evidence)


def test_a_medium_outbound_finding_is_raised_to_severe_with_the_reason():
    """An inside device's finding that analysis called medium becomes severe, and says why."""
    snapshot = _made([_alert("192.168.1.10", C2, 1, mac="00:00:00:00:00:01")])
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    (mine,) = [f for f in findings if "outbound" in f.badges]
    assert mine.severity is not Severity.SEVERE, "the analysis alone does not call it severe"
    (raised,) = [
        f
        for f in apply_notes(findings, Rig().enrich(snapshot, findings).notes)
        if f.fingerprint == mine.fingerprint
    ]
    assert raised.severity is Severity.SEVERE
    assert any("treat the device as compromised" in line for line in raised.evidence)
    assert "known abuser" in raised.badges


def test_an_address_is_one_candidate_whatever_its_spelling():
    """2001:DB8:0:0::5 and 2001:db8::5 are one address; ::ffff:198.51.100.66 is 198.51.100.66."""
    snapshot = _made(
        [
            _alert("192.168.1.10", "2001:db8::5", 1, mac="00:00:00:00:00:01"),
            _alert("192.168.1.10", "2001:DB8:0:0::5", 2, mac="00:00:00:00:00:01"),
            _alert("192.168.1.10", "::ffff:198.51.100.66", 3, mac="00:00:00:00:00:01"),
            _alert("192.168.1.10", C2, 4, mac="00:00:00:00:00:01"),
        ]
    )
    found = asyncio.run(ti_module._sightings(snapshot))
    assert sorted(found) == ["198.51.100.66", "2001:db8::5"]
    assert (found[C2].total, found["2001:db8::5"].total) == (2, 2)
    rig = Rig()
    rig.enrich(snapshot)
    assert rig.checks == 2


def test_anonymised_addresses_are_never_sent():
    """Shared captures write 54.36.xxx.xxx: not an address, not looked up, no section."""
    rig = Rig()
    assert rig.enrich(_made([_alert("54.36.xxx.xxx", "192.168.1.10", 1)])) is None
    assert rig.checks == 0


def test_a_refused_address_is_remembered_like_an_answer():
    """A 422 is cached: the next scan does not spend a lookup on it again."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["ipAddress"])
        body = {
            "errors": [
                {"detail": "The ip address must be a valid IPv4 or IPv6 address.", "status": 422}
            ]
        }
        return httpx.Response(422, json=body)

    settings = Settings(
        abuseipdb=AbuseIpdbSettings(api_key=SecretStr("k"), base_url="http://x/api/v2")
    )
    enricher = ThreatIntelEnricher(settings, transport=httpx.MockTransport(handler))
    store = MemoryStateStore()
    snapshot = _made([_alert("192.168.1.10", C2, 1, mac="00:00:00:00:00:01")])

    def run() -> Any:
        context = EnrichContext(
            sources=IntegrationResults(),
            cache=RecordCache(store, enricher.name, lambda: NOW),
            now=lambda: NOW,
        )
        return asyncio.run(enricher.enrich(snapshot, (), context))

    first = run()
    assert any(C2 in note and "refused" in note for note in first.data["notes"])
    second = run()
    assert asked == [C2], "asked once"
    assert second.data["addresses"] == []
    assert any(C2 in note and "refused" in note for note in second.data["notes"])


def test_the_cache_is_per_report_age():
    """An answer counted over 90 days is not reused when reports now count over 30."""
    rig = Rig()
    snapshot = _made([_alert("192.168.1.10", C2, 1, mac="00:00:00:00:00:01")])
    rig.enrich(snapshot)
    rig.enrich(snapshot, max_age_days=30)
    assert rig.checks == 2
    rig.enrich(snapshot, max_age_days=30)
    assert rig.checks == 2


def test_an_address_followed_by_its_port_is_named():
    """UniFi writes 198.51.100.66:443; the pattern finds it there but not in a longer address."""
    from unifi_scanner.integrations.correlate import mentions

    assert mentions(C2).search("From: 192.168.1.10:50000, to: 198.51.100.66:443, protocol: TCP")
    assert not mentions(C2).search("to 198.51.100.661")
    assert not mentions(C2).search("to 198.51.100.66.5")
    assert not mentions("2001:db8::5").search("2001:db8::5:1")
    assert mentions("2001:db8::5").search("[2001:db8::5]:443")


def test_every_looked_up_address_a_finding_names_gets_its_evidence():
    """Nine blocked sources folded into one finding: each one its examples name has a line."""
    sources = [f"198.51.100.{i}" for i in range(31, 40)]
    alerts = [
        _alert(
            src,
            "203.0.113.30",
            i * 10 + k,
            sig="ET DROP Spamhaus DROP Listed Traffic Inbound group 3",
            sid=2_400_002,
            action="blocked",
        )
        for i, src in enumerate(sources)
        for k in range(9 - i)
    ]
    snapshot = _made(alerts)
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    (drop,) = [f for f in findings if f.rule == "ips.inbound_blocked"]
    named = {ip for ip in sources if any(f"{ip}:" in line for line in drop.examples)}
    assert named, "the examples name addresses with their port"
    result = Rig().enrich(snapshot, findings)
    (note,) = [n for n in result.notes if n.fingerprint == drop.fingerprint]
    assert named <= {line.split(":")[0] for line in note.evidence}


def test_cached_answers_do_not_use_up_the_lookups():
    """Eight addresses, five lookups a scan: the second scan looks up the other three."""
    snapshot = _made(
        [_alert(f"198.51.{i // 200}.{i % 200 + 1}", "192.168.1.10", i) for i in range(8)]
    )
    rig = Rig()
    first = rig.enrich(snapshot, max_lookups=5)
    assert first.data["looked_up"] == 5
    assert any("3 further address(es)" in note for note in first.data["notes"])
    second = rig.enrich(snapshot, max_lookups=5)
    assert (second.data["looked_up"], second.data["from_cache"]) == (3, 5)
    assert second.data["not_looked_up"] == 0


def test_a_hanging_lookup_keeps_the_answers_before_it():
    """The third request never answers: two answers and a note, well inside the timeout."""
    from unifi_scanner.integrations import IntegrationRunner, RetryPolicy
    from unifi_scanner.testing import run_with_clock

    clock = FakeClock(NOW)
    inner = httpx.ASGITransport(app=create_abuseipdb_app(AbuseIpdbConfig(now=clock.now)))
    calls = 0

    class Hanging(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            if calls > 2:
                await asyncio.sleep(10_000)
            return await inner.handle_async_request(request)

    settings = Settings(
        abuseipdb=AbuseIpdbSettings(
            api_key=SecretStr(DEFAULT_ABUSEIPDB_KEY), base_url="http://x/api/v2"
        )
    )
    snapshot = _made(
        [
            _alert("192.168.1.10", f"198.51.100.{60 + i}", i, mac="00:00:00:00:00:01")
            for i in range(5)
        ]
    )
    runner = IntegrationRunner(
        [ThreatIntelEnricher(settings, transport=Hanging())],
        store=MemoryStateStore(),
        settings=settings,
        now=clock.now,
        retry=RetryPolicy(attempts=1),
    )
    (section,) = run_with_clock(runner.enrich(snapshot, ()), clock).sections
    assert section.status is IntegrationStatus.OK
    assert len(section.data["addresses"]) == 2
    assert any("did not answer within 10 s" in note for note in section.data["notes"])
    assert section.duration_s < settings.abuseipdb.timeout_s


@pytest.mark.parametrize("key", ["MY KEY", "MYKEY\nX-Other: 1", "clé", "   "])
def test_a_key_an_http_header_cannot_carry_is_a_configuration_error_that_never_shows_it(key):
    """A key with a space, line break or non-ASCII letter: misconfigured, the key not repeated."""
    with pytest.raises(IntegrationMisconfiguredError) as caught:
        Rig().enrich(key=key)
    assert "UNIFI_ABUSEIPDB_API_KEY" in str(caught.value)
    if key.strip():
        assert key.strip() not in str(caught.value)


def test_spaces_pasted_around_the_key_are_ignored():
    """'KEY ' (copied with a trailing space or newline) works."""
    result = Rig().enrich(key=f" {DEFAULT_ABUSEIPDB_KEY}\n", max_lookups=1)
    assert result.data["looked_up"] == 1


def test_a_transport_error_that_quotes_the_key_is_redacted():
    """An httpx error whose text contains the key: the message says [key] instead."""

    class Quoting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.LocalProtocolError(f"Illegal header value {request.headers['Key']!r}")

    settings = Settings(
        abuseipdb=AbuseIpdbSettings(api_key=SecretStr("S3CRET-KEY"), base_url="http://x/api/v2")
    )
    enricher = ThreatIntelEnricher(settings, transport=Quoting())
    context = EnrichContext(
        sources=IntegrationResults(),
        cache=RecordCache(MemoryStateStore(), enricher.name, lambda: NOW),
        now=lambda: NOW,
    )
    with pytest.raises(IntegrationTransientError) as caught:
        asyncio.run(enricher.enrich(_snapshot(), (), context))
    assert "S3CRET-KEY" not in str(caught.value)
    assert "[key]" in str(caught.value)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-RateLimit-Reset": "1796515200"}, "2026-12-06 00:00 UTC"),
        ({"Retry-After": "3600"}, "2026-12-05 13:00 UTC"),
        ({"X-RateLimit-Reset": "9" * 40}, "tomorrow"),
        ({"X-RateLimit-Reset": "99999999999"}, "tomorrow"),
        ({"Retry-After": "9" * 30}, "tomorrow"),
        ({"Retry-After": "-5"}, "tomorrow"),
    ],
)
def test_limit_reset_headers_out_of_range_read_as_tomorrow(headers, expected):
    """Absurd reset times (overflowing, years away) do not crash: 'tomorrow' is said."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "errors": [{"detail": "Daily rate limit of 1000 requests exceeded.", "status": 429}]
        }
        return httpx.Response(429, json=body, headers=headers)

    settings = Settings(
        abuseipdb=AbuseIpdbSettings(api_key=SecretStr("k"), base_url="http://x/api/v2")
    )
    enricher = ThreatIntelEnricher(settings, transport=httpx.MockTransport(handler))
    context = EnrichContext(
        sources=IntegrationResults(),
        cache=RecordCache(MemoryStateStore(), enricher.name, lambda: NOW),
        now=lambda: NOW,
    )
    result = asyncio.run(enricher.enrich(_snapshot(), (), context))
    (note,) = [n for n in result.data["notes"] if "daily limit" in n]
    assert expected in note


def test_a_failed_sources_old_addresses_are_not_looked_up():
    """Cloudflare failed and shows last good data: its addresses are not this scan's."""
    stale = IntegrationSection(
        name="cloudflare",
        display_name="Cloudflare",
        success=False,
        status=IntegrationStatus.FAILED,
        addresses={"192.0.2.45": "60 requests stopped by the WAF"},
        stale_since=NOW - timedelta(hours=6),
    )
    empty = Snapshot(
        site=Site(id="s", name="default", description="Shop"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
    )
    rig = Rig()
    assert rig.enrich(empty, (), IntegrationResults((stale,))) is None
    assert rig.checks == 0
