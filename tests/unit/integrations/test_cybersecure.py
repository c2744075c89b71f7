"""CyberSecure on real alert shapes: signature sources, protection in force, the badge."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from unifi_scanner.analysis import Engine, Severity
from unifi_scanner.collect.dedup import dedupe_events
from unifi_scanner.collect.models import ControllerInfo, Event, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import (
    event_from_ips,
    event_from_system_log,
    event_from_traffic_flow,
)
from unifi_scanner.config import Settings
from unifi_scanner.integrations import (
    EnrichContext,
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
    RecordCache,
    apply_notes,
)
from unifi_scanner.integrations.cybersecure import (
    BADGE,
    NAME,
    CyberSecureEnricher,
    CyberSecureSectionRenderer,
    SignatureSource,
    read,
    source_of,
)
from unifi_scanner.integrations.cybersecure.protection import AllowEntry, protection_findings
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.site import build_site
from unifi_scanner.testing import MemoryStateStore

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
WINDOW = Window(start=datetime(2026, 1, 4, 12, tzinfo=UTC), end=NOW)


def _snapshot(events: list[Event], ips_settings: dict[str, Any] | None = None) -> Snapshot:
    return Snapshot(
        site=Site(id="s", name="default", description="Default"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=WINDOW,
        events=tuple(events),
        ips_settings=ips_settings,
    )


def _enrich(snapshot: Snapshot, findings: tuple[Any, ...] = ()):
    context = EnrichContext(
        sources=IntegrationResults(),
        cache=RecordCache(MemoryStateStore(), NAME, lambda: NOW),
        now=lambda: NOW,
    )
    return asyncio.run(CyberSecureEnricher(Settings()).enrich(snapshot, findings, context))


@pytest.mark.parametrize(
    ("sid", "name", "expected"),
    [
        (2_850_001, "ETPRO TROJAN Something", SignatureSource.ET_PRO),
        (2_800_000, "ET MALWARE renamed", SignatureSource.ET_PRO),
        (2_899_999, None, SignatureSource.ET_PRO),
        (2_900_000, None, SignatureSource.OTHER),
        (None, "ETPRO MALWARE no id", SignatureSource.ET_PRO),
        (9_999_999, "ETPRO POLICY odd id", SignatureSource.ET_PRO),
        (2_003_337, "ET MALWARE Suspicious User Agent", SignatureSource.ET_OPEN),
        (
            2_400_022,
            "ET DROP Spamhaus DROP Listed Traffic Inbound group 23",
            SignatureSource.ET_OPEN,
        ),
        (2_200_003, "SURICATA IPv4 truncated packet", SignatureSource.ENGINE),
        (2_299_999, None, SignatureSource.ENGINE),
        (2_615_000, "ET HUNTING something", SignatureSource.HUNTING),
        (2_750_000, None, SignatureSource.ET_OTHER),
        (1_000_001, "LOCAL my rule", SignatureSource.LOCAL),
        (None, "SURICATA STREAM bad window", SignatureSource.ENGINE),
        (None, "GPL ATTACK_RESPONSE id check returned root", SignatureSource.ET_OPEN),
        (None, "Something else", SignatureSource.UNKNOWN),
        (None, None, SignatureSource.UNKNOWN),
    ],
)
def test_signature_sources_by_id_then_name(sid, name, expected):
    """Ranges decide; an ETPRO name wins; a name decides only without an id."""
    assert source_of(sid, name) is expected
    assert expected.threat is (expected is not SignatureSource.ENGINE)


@pytest.mark.parametrize(
    ("name", "sid"),
    [
        ("ETPRO TROJAN Something", 2_250_001),  # an ET PRO name with an engine-range id
        ("SURICATA STREAM bad window", 2_000_500),  # an engine name with an ET OPEN id
        ("etpro trojan lower case", None),
        ("ETPRO_TROJAN no space", None),
        ("ET MALWARE renamed", 2_800_000),
        ("ET INFO plain", 2_250_000),
        ("  SURICATA leading spaces", None),
    ],
)
def test_the_analysis_and_the_section_agree_on_et_pro_and_engine_events(name, sid):
    """One test decides: the badge and triage of the analysis, the rule set of the section."""
    from unifi_scanner.analysis import parse_alert
    from unifi_scanner.analysis.ips import Triage

    item = {
        "_id": "0" * 24,
        "key": "EVT_IPS_IpsAlert",
        "timestamp": 1_796_500_000,
        "src_ip": "192.168.1.10",
        "dest_ip": "198.51.100.66",
        "inner_alert_signature": name,
        "inner_alert_signature_id": sid,
        "inner_alert_action": "allowed",
    }
    alert = parse_alert(event_from_ips(item))
    source = source_of(alert.signature_id, alert.signature)
    assert alert.is_pro is (source is SignatureSource.ET_PRO)
    assert (alert.triage is Triage.ENGINE) is (source is SignatureSource.ENGINE)


def test_classic_captures_with_only_et_open_never_claim_no_subscription(load_capture):
    """Real stat/ips/event items (ET OPEN sids): 'not seen', and never 'not subscribed'."""
    items = load_capture("composed_stat_ips_event.json")["data"]
    events = [event_from_ips(item) for item in items]
    result = _enrich(_snapshot(events))
    assert result is not None
    signatures = result.data["signatures"]
    assert signatures["enhanced"] == "not seen"
    assert "does not show whether CyberSecure is subscribed" in signatures["evidence"]
    assert signatures["by_source"] == {"ET OPEN": len(items)}
    assert signatures["pro"]["alerts"] == 0
    assert "protection" not in result.data, "no IPS settings in an export of alerts only"


def _under_attack(network: int) -> tuple[list[Event], dict[str, Any]]:
    """The under-attack scenario as the simulator serves it (shapes checked against captures)."""
    site = build_site(load_scenario("under-attack"), network=network, now_s=int(NOW.timestamp()))
    if network == 10:
        events = [event_from_traffic_flow(f) for f in site.flows]
        events += [event_from_system_log(e) for e in site.system_log]
    else:
        events = [event_from_ips(item) for item in site.ips_events]
    ips = next(s for s in site.settings if s.get("key") == "ips")
    return list(dedupe_events(events)), ips  # as the collector keeps them


@pytest.mark.parametrize("network", [9, 10], ids=["classic", "v2"])
def test_an_et_pro_alert_is_evidence_and_its_finding_gets_the_badge(network):
    """One ETPRO alert in the scenario: 'active' with that signature as evidence; badge added."""
    events, ips = _under_attack(network)
    snapshot = _snapshot(events, ips)
    findings = tuple(Engine(now=lambda: NOW).analyze(snapshot))
    result = _enrich(snapshot, findings)
    assert result is not None
    signatures = result.data["signatures"]
    assert signatures["enhanced"] == "active"
    (pro,) = signatures["pro"]["signatures"]
    assert pro["sid"] in range(2_800_000, 2_900_000)
    assert pro["name"] in signatures["evidence"]
    noted = apply_notes(findings, result.notes)
    badged = [f for f in noted if BADGE in f.badges]
    assert badged
    assert all("ET PRO" in f.badges for f in badged)
    assert all(any("CyberSecure subscription" in e for e in f.evidence) for f in badged)
    assert [f for f in noted if BADGE not in f.badges], "only the ET PRO findings are badged"


def test_engine_events_are_counted_apart_and_never_threats():
    """Suricata engine events (2200000-2299999) are counted, not threats, not let through."""
    alert = {
        "_id": "e1",
        "key": "EVT_IPS_IpsAlert",
        "time": int(NOW.timestamp() * 1000) - 60_000,
        "datetime": "2026-01-05T11:59:00Z",
        "msg": "IPS Alert 3: Generic Protocol Command Decode.",
        "src_ip": "198.51.100.7",
        "dest_ip": "192.168.1.20",
        "inner_alert_action": "allowed",
        "inner_alert_signature": "SURICATA STREAM ESTABLISHED packet out of window",
        "inner_alert_signature_id": 2_210_020,
        "inner_alert_category": "Generic Protocol Command Decode",
        "inner_alert_severity": 3,
    }
    snapshot = _snapshot([event_from_ips(alert)], {"key": "ips", "ips_mode": "ids"})
    result = _enrich(snapshot)
    assert result is not None
    signatures = result.data["signatures"]
    assert signatures["engine_events"] == 1
    assert signatures["threat_alerts"] == 0
    assert signatures["enhanced"] == "unknown"
    (detect_only,) = [f for f in result.findings if f.rule == "cybersecure.detect_only"]
    assert "let through" not in detect_only.title


@pytest.mark.parametrize(
    ("mode", "rule", "severity"),
    [
        ("disabled", "cybersecure.ips_off", Severity.SEVERE),
        ("ids", "cybersecure.detect_only", Severity.MEDIUM),
        ("ips", None, None),
        ("ipsInline", None, None),
    ],
)
def test_the_mode_decides_the_finding(mode, rule, severity):
    """IPS off is severe, detect-only medium, blocking nothing to say."""
    settings = {
        "key": "ips",
        "ips_mode": mode,
        "enabled_categories": ["emerging-malware", "botcc", "emerging-exploit", "drop", "phishing"],
    }
    protection = read(settings)
    found = protection_findings(protection, threats=5, let_through=5 if mode == "ids" else 0)
    modes = [f for f in found if f.rule in {"cybersecure.ips_off", "cybersecure.detect_only"}]
    if rule is None:
        assert modes == []
        assert protection.blocks
    else:
        (finding,) = modes
        assert (finding.rule, finding.severity) == (rule, severity)
    if mode == "ids":
        assert "5 threat(s) were let through" in modes[0].title


def test_missing_essential_categories_are_named():
    """Malware on but no C2, exploit, known-attacker or phishing categories: one medium finding."""
    protection = read(
        {"ips_mode": "ips", "enabled_categories": ["emerging-malware", "emerging-scan"]}
    )
    (finding,) = protection_findings(protection, threats=0, let_through=0)
    assert finding.rule == "cybersecure.categories"
    assert finding.severity is Severity.MEDIUM
    for name in (
        "botnet command and control",
        "exploits",
        "addresses of known attackers",
        "phishing",
    ):
        assert name in finding.title
    assert "malware" not in finding.title.split("for", 1)[1].split(",")[0]


def test_only_list_categories_missing_is_low_and_old_names_count():
    """Spamhaus (the old name of drop) covers known attackers; only phishing missing: low."""
    protection = read(
        {
            "ips_mode": "ips",
            "enabled_categories": ["emerging-trojan", "botcc", "exploit-kit", "spamhaus"],
        }
    )
    (finding,) = protection_findings(protection, threats=0, let_through=0)
    assert finding.severity is Severity.LOW
    assert finding.title == "The IPS does not check for phishing"


def test_no_category_list_is_no_category_finding():
    """An empty or absent list says nothing either way: no finding is made from it."""
    for settings in ({"ips_mode": "ips"}, {"ips_mode": "ips", "enabled_categories": []}):
        assert protection_findings(read(settings), threats=0, let_through=0) == ()


@pytest.mark.parametrize(
    ("entry", "broad"),
    [
        ({"value": "10.0.0.0/8", "mode": "subnet", "direction": "both"}, True),
        ({"value": "192.168.0.0/16", "mode": "subnet", "direction": "src"}, True),
        ({"value": "192.168.1.0/24", "mode": "subnet", "direction": "both"}, False),
        ({"value": "192.168.1.20", "mode": "ip", "direction": "dest"}, False),
        ({"value": "5f0c2d0e1e2a", "mode": "network", "direction": "both"}, True),
        ({"value": "2001:db8::/32", "mode": "subnet", "direction": "both"}, True),
        ({"value": "2001:db8::/64", "mode": "subnet", "direction": "both"}, False),
        ({"value": "not an address", "mode": "subnet", "direction": "both"}, False),
    ],
)
def test_broad_exemptions(entry, broad):
    """A network, or a /16 (IPv6 /48) or wider, is broad; single hosts and /24s are not."""
    assert AllowEntry(entry["value"], entry["mode"], entry["direction"]).broad is broad


def test_exemptions_and_silenced_signatures_become_one_finding():
    """A /8 never inspected and a signature silenced for everyone: medium, both in the evidence."""
    protection = read(
        {
            "ips_mode": "ips",
            "suppression": {
                "whitelist": [
                    {"value": "10.0.0.0/8", "mode": "subnet", "direction": "both"},
                    {"value": "192.168.1.9", "mode": "ip", "direction": "src"},
                ],
                "alerts": [
                    {
                        "id": 2_013_028,
                        "signature": "ET POLICY curl User-Agent Outbound",
                        "type": "all",
                    },
                    {
                        "id": 2_019_401,
                        "signature": "ET POLICY Vulnerable Java Version",
                        "type": "track",
                        "tracking": [{"direction": "src", "mode": "ip", "value": "192.168.1.9"}],
                    },
                ],
            },
        }
    )
    (finding,) = protection_findings(protection, threats=0, let_through=0)
    assert finding.rule == "cybersecure.allow_list"
    assert finding.severity is Severity.MEDIUM
    assert any("10.0.0.0/8" in line for line in finding.evidence)
    assert any("curl User-Agent" in line for line in finding.evidence)
    assert not any("192.168.1.9" in line for line in finding.evidence)
    assert protection.tracked == ("ET POLICY Vulnerable Java Version (sid 2019401)",)


def test_malformed_settings_lose_nothing_else():
    """Wrong types everywhere: read as not set, no exception, mode not stated."""
    protection = read(
        {
            "ips_mode": 3,
            "enabled_categories": "emerging-malware",
            "suppression": [],
            "dns_filtering": "yes",
        }
    )
    assert protection.mode is None
    assert protection.mode_text == "not stated"
    assert protection.categories == frozenset()
    assert protection_findings(protection, threats=1, let_through=1) == ()


def test_nothing_to_say_without_settings_or_alerts():
    """No IPS settings and no IPS alerts: no section at all."""
    assert _enrich(_snapshot([])) is None


def test_the_section_renders_in_every_format_with_hostile_names_inert():
    """A signature name with markup is escaped in HTML and Markdown; the verdict is shown."""
    hostile = "ETPRO TROJAN <img src=x onerror=alert(1)> [x](http://evil)"
    section = IntegrationSection(
        name="cybersecure",
        display_name="CyberSecure",
        success=True,
        status=IntegrationStatus.OK,
        data={
            "protection": {
                "mode_text": "detect and block",
                "blocks": True,
                "missing": ["phishing"],
            },
            "signatures": {
                "threat_alerts": 3,
                "engine_events": 1,
                "by_source": {"ET OPEN": 2, "ET PRO": 1},
                "enhanced": "active",
                "evidence": "1 alert(s) came from ET PRO signatures",
                "pro": {
                    "alerts": 1,
                    "blocked": 1,
                    "signatures": [{"sid": 2850001, "name": hostile, "count": 1}],
                },
            },
        },
    )
    renderer = CyberSecureSectionRenderer()
    text = renderer.text(section)
    assert "Enhanced signatures (ET PRO): active" in text
    assert "Not checked: phishing." in text
    html = str(renderer.html(section))
    assert "<img" not in html
    assert "&lt;img" in html
    markdown = renderer.markdown(section)
    assert "[x](http" not in markdown
    assert renderer.json(section)["data"]["signatures"]["enhanced"] == "active"


def test_controller_text_in_a_section_cannot_add_lines_or_escape_codes():
    """An exemption value with line breaks and escapes: one line in text, inert in Markdown."""
    from unifi_scanner.integrations.cybersecure.render import CyberSecureSectionRenderer

    section = IntegrationSection(
        name="cybersecure",
        display_name="CyberSecure",
        success=True,
        status=IntegrationStatus.OK,
        data={
            "protection": {
                "mode_text": "detect and block",
                "allow_list": [
                    {"value": "10.0.0.5\n\nCRITICAL: all clear\x1b[2J\u202e", "broad": False}
                ],
            }
        },
    )
    renderer = CyberSecureSectionRenderer()
    text = renderer.text(section)
    assert not any(line.startswith("CRITICAL") for line in text.splitlines())
    for rendered in (text, renderer.markdown(section), str(renderer.html(section))):
        assert "\x1b" not in rendered
        assert "\u202e" not in rendered
        assert "[U+202E]" in rendered.replace("\\", "")
