"""IPS triage and admin-login rules, as (payload, expected finding) tables."""

from __future__ import annotations

import pytest

from unifi_scanner.analysis import EventKey, Severity
from unifi_scanner.analysis import ips as ips_module
from unifi_scanner.collect.models import EventSource
from unifi_scanner.collect.normalize import event_from_system_log, event_from_traffic_flow

SPAMHAUS = {
    "src_ip": "196.196.244.84",
    "src_mac": "f0:9f:c2:c4:bb:f1",
    "src_port": 51413,
    "dest_ip": "192.168.3.2",
    "dest_port": 36881,
    "proto": "UDP",
    "srcipCountry": "SE",
    "srcipASN": "AS42607 Internet Carrier Limited",
    "dstipCountry": False,
    "catname": "spamhaus",
    "inner_alert_action": "allowed",
    "inner_alert_signature_id": 2400022,
    "inner_alert_signature": "ET DROP Spamhaus DROP Listed Traffic Inbound group 23",
    "inner_alert_category": "Misc Attack",
    "inner_alert_severity": 2,
    "subsystem": "www",
}

MALWARE_OUT = {
    "src_ip": "192.168.1.199",
    "src_mac": "00:50:b6:96:76:6e",
    "dest_ip": "54.36.xxx.xxx",
    "dest_port": 80,
    "catname": ["emerging-malware"],
    "inner_alert_action": "allowed",
    "inner_alert_signature_id": 2003337,
    "inner_alert_signature": "ET MALWARE Suspicious User Agent (Autoupdate)",
    "inner_alert_category": "A Network Trojan was Detected",
    "inner_alert_severity": 1,
}


def _classic(**changes):
    return {**SPAMHAUS, **changes}


def _ips(**changes):
    return {"key": "EVT_IPS_IpsAlert", **_classic(**changes)}


def _flow(signature, sid, *, action, src, dst, direction, client_name=None, mac=None):
    source = {"ip": src, "port": 50000, "region": "CN", "network_name": "Default"}
    if client_name:
        source["client_name"] = client_name
    if mac:
        source["mac"] = mac
    return {
        "key": "TRAFFIC_FLOW",
        "event_source": EventSource.TRAFFIC_FLOW,
        "action": action,
        "risk": "high",
        "direction": direction,
        "protocol": "TCP",
        "service": "HTTP",
        "count": 1,
        "source": source,
        "destination": {"ip": dst, "port": 443},
        "ips": {
            "advanced_information": f"IPS Alert 2: Misc Attack. Signature {signature}. "
            f"From: {src}:50000, to: {dst}:443, protocol: TCP",
            "signature_id": sid,
            "category_name": "Misc Attack",
        },
    }


IPS_CASES = [
    pytest.param(
        _ips(),
        (
            "ips.inbound_detected",
            Severity.MEDIUM,
            "Traffic from known-bad networks (Spamhaus DROP list)",
        ),
        id="spamhaus-allowed-inbound-medium",
    ),
    pytest.param(
        _ips(inner_alert_action="blocked"),
        (
            "ips.inbound_blocked",
            Severity.LOW,
            "Traffic from known-bad networks (Spamhaus DROP list)",
        ),
        id="spamhaus-blocked-inbound-low",
    ),
    pytest.param(
        _ips(
            inner_alert_action="blocked",
            inner_alert_signature="ET SCAN Suspicious inbound to mySQL port 3306",
            inner_alert_signature_id=2010937,
        ),
        ("ips.inbound_blocked", Severity.LOW, "Port and vulnerability scans"),
        id="scan-blocked-low",
    ),
    pytest.param(
        _ips(
            inner_alert_action="blocked",
            inner_alert_signature="ET CINS Active Threat Intelligence Poor Reputation IP group 42",
            inner_alert_signature_id=2403341,
        ),
        (
            "ips.inbound_blocked",
            Severity.LOW,
            "Traffic from poorly reputed addresses (CINS Army list)",
        ),
        id="cins-blocked-low",
    ),
    pytest.param(
        _ips(
            inner_alert_action="blocked",
            inner_alert_signature="ET TOR Known Tor Exit Node Traffic group 12",
            inner_alert_signature_id=2520022,
        ),
        ("ips.inbound_blocked", Severity.LOW, "Traffic from the Tor anonymity network"),
        id="tor-blocked-low",
    ),
    pytest.param(
        _ips(
            inner_alert_action="blocked",
            inner_alert_signature="ET DSHIELD Block Listed Source",
            inner_alert_signature_id=2402000,
        ),
        ("ips.inbound_blocked", Severity.LOW, "Traffic from top attackers (DShield list)"),
        id="dshield-blocked-low",
    ),
    pytest.param(
        {"key": "EVT_IPS_IpsAlert", **MALWARE_OUT},
        ("ips.inside_threat", Severity.SEVERE, "Anna-Laptop"),
        id="malware-outbound-resolved-by-ip-severe",
    ),
    pytest.param(
        {
            "key": "EVT_IPS_IpsAlert",
            **MALWARE_OUT,
            "src_ip": "192.168.1.77",
            "src_mac": "00:00:00:00:00:07",
            "inner_alert_action": "blocked",
            "inner_alert_signature": "ETPRO TROJAN Win32/Emotet CnC Activity",
            "inner_alert_signature_id": 2834567,
        },
        ("ips.inside_threat", Severity.SEVERE, "Kitchen-PC"),
        id="etpro-trojan-blocked-resolved-by-mac-severe",
    ),
    pytest.param(
        {
            "key": "EVT_IPS_IpsAlert",
            **MALWARE_OUT,
            "src_ip": "192.168.1.50",
            "src_mac": "00:00:00:00:00:09",
            "inner_alert_signature": "ET COINMINER Monero Mining Pool Login",
            "inner_alert_signature_id": 2024792,
        },
        ("ips.inside_threat", Severity.SEVERE, "192.168.1.50 (00:00:00:00:00:09)"),
        id="coinminer-unknown-host-named-by-ip-severe",
    ),
    pytest.param(
        _ips(
            inner_alert_signature="SURICATA STREAM Packet with invalid timestamp",
            inner_alert_signature_id=2210044,
        ),
        ("ips.engine_event", Severity.LOW, "SURICATA STREAM Packet with invalid timestamp"),
        id="suricata-engine-event-low",
    ),
    pytest.param(
        _ips(
            inner_alert_signature="GPL ATTACK_RESPONSE id check returned root",
            inner_alert_signature_id=2221000,
        ),
        ("ips.engine_event", Severity.LOW, "GPL ATTACK_RESPONSE id check returned root"),
        id="engine-sid-range-wins-over-name",
    ),
    pytest.param(
        _ips(
            src_ip="192.168.1.20",
            dest_ip="192.168.1.1",
            inner_alert_signature="ET SCAN Nmap Scripting Engine User-Agent Detected",
            inner_alert_signature_id=2009358,
        ),
        ("ips.inside_other", Severity.MEDIUM, "192.168.1.20 (f0:9f:c2:c4:bb:f1)"),
        id="internal-scan-unblocked-medium",
    ),
    pytest.param(
        _ips(
            src_ip="192.168.1.20",
            src_mac="00:00:00:00:00:01",
            dest_ip="52.1.2.3",
            inner_alert_signature="ET POLICY Dropbox.com Offsite File Backup in Use",
            inner_alert_signature_id=2012647,
        ),
        ("ips.inside_other", Severity.LOW, "iPhone-Anna"),
        id="outbound-policy-low",
    ),
    pytest.param(
        _flow(
            "ET SCAN Suspicious inbound to MSSQL port 1433",
            2010935,
            action="blocked",
            src="203.0.113.7",
            dst="192.168.1.10",
            direction="incoming",
        ),
        ("ips.inbound_blocked", Severity.LOW, "Port and vulnerability scans"),
        id="v2-flow-scan-blocked-low",
    ),
    pytest.param(
        _flow(
            "ET MALWARE Win32/Agent Tesla Exfil",
            2030171,
            action="allowed",
            src="192.168.1.50",
            dst="45.9.20.1",
            direction="outgoing",
            client_name="Kids-PC",
            mac="00:00:00:00:00:50",
        ),
        ("ips.inside_threat", Severity.SEVERE, "Kids-PC"),
        id="v2-flow-malware-outbound-severe",
    ),
    pytest.param(
        _flow(
            "ET EXPLOIT Apache log4j RCE Attempt",
            2034647,
            action="allowed",
            src="203.0.113.9",
            dst="x",
            direction="incoming",
        ),
        ("ips.inbound_detected", Severity.MEDIUM, "Exploit attempts"),
        id="v2-flow-direction-field-used-when-ip-unknown",
    ),
    pytest.param(
        {
            "key": "THREAT_BLOCKED_V3",
            "event_source": EventSource.SYSTEM_LOG,
            "category": "SECURITY",
            "SRC_IP": {"name": "130.12.180.122", "target_id": "130.12.180.122"},
            "DST_IP": {"name": "192.168.0.26", "target_id": "192.168.0.26"},
            "DEVICE": {"name": "Dream Machine Pro", "model": "UDM-Pro"},
        },
        ("ips.inbound_blocked", Severity.LOW, "Other intrusion alerts"),
        id="v2-system-log-threat-blocked-low",
    ),
    pytest.param(
        {
            "key": "THREAT_DETECTED_V3",
            "event_source": EventSource.SYSTEM_LOG,
            "category": "SECURITY",
            "parameters": {
                "SRC_IP": {"name": "192.168.0.26", "ip": "192.168.0.26"},
                "DST_IP": {"name": "185.1.1.1"},
            },
            "msg": "Threat detected. Signature ET TROJAN Observed Malicious SSL Cert (Lumma)",
        },
        ("ips.inside_threat", Severity.SEVERE, "192.168.0.26"),
        id="v2-system-log-nested-params-outbound-trojan-severe",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), IPS_CASES)
def test_ips_triage(engine, build, payload, expected):
    """Each IPS shape lands in the expected triage rule, severity and subject."""
    payload = dict(payload)
    key = payload.pop("key")
    clients = [
        build.client(mac="00:00:00:00:00:01", name="iPhone-Anna", ip="192.168.1.30"),
        build.client(mac="00:00:00:00:00:02", name="Anna-Laptop", ip="192.168.1.199"),
        build.client(mac="00:00:00:00:00:07", name="Kitchen-PC"),
    ]
    findings = engine.analyze(build.snapshot([build.event(key, **payload)], clients=clients))
    assert [(f.rule, f.severity, f.subject) for f in findings] == [expected]
    finding = findings[0]
    assert finding.title
    assert "{" not in finding.title
    assert "unknown" not in finding.title
    if finding.severity is not Severity.LOW:
        assert len(finding.remediation) >= 2


def test_blocked_inbound_noise_aggregates_by_family_with_top_sources(engine, build):
    """Many blocked DROP alerts become one low finding naming the busiest sources."""
    events = [
        build.event(
            "EVT_IPS_IpsAlert",
            minutes=i,
            **_classic(
                inner_alert_action="blocked", src_ip=f"198.51.100.{i % 3}", srcipCountry="RU"
            ),
        )
        for i in range(30)
    ]
    [finding] = engine.analyze(build.snapshot(events))
    assert (finding.rule, finding.count, finding.severity) == (
        "ips.inbound_blocked",
        30,
        Severity.LOW,
    )
    assert "198.51.100.0 (RU) (10)" in finding.explanation
    assert len(finding.examples) == 3
    assert set(finding.badges) >= {"blocked", "inbound"}


def test_outbound_threat_explains_category_and_names_the_host(engine, build):
    """The severe finding says what malware traffic means and tells how to isolate the host."""
    snap = build.snapshot(
        [build.event("EVT_IPS_IpsAlert", **MALWARE_OUT)],
        clients=[build.client(mac="00:50:b6:96:76:6e", name="Office-NAS")],
    )
    [finding] = engine.analyze(snap)
    assert finding.subject == "Office-NAS"
    assert "malicious software" in finding.explanation
    assert "only logged it" in finding.explanation
    assert finding.remediation[0].startswith("Take Office-NAS off the network")
    assert "00:50:b6" not in finding.title + finding.explanation


def test_etpro_signature_gets_a_badge(engine, build):
    """Signature ids in the ET PRO range are badged so subscriptions can be inferred."""
    payload = _classic(
        inner_alert_signature="ETPRO DROP Known bad host", inner_alert_signature_id=2800123
    )
    [finding] = engine.analyze(build.snapshot([build.event("EVT_IPS_IpsAlert", **payload)]))
    assert "ET PRO" in finding.badges


@pytest.mark.parametrize(
    ("failures", "severity"),
    [(1, Severity.LOW), (5, Severity.MEDIUM), (25, Severity.SEVERE)],
)
def test_failed_admin_logins_escalate_with_count(engine, build, failures, severity):
    """Repeated failed admin logins read as a brute-force attempt."""
    events = [
        build.event(
            "EVT_AD_LoginFailed", minutes=i, admin="admin", ip="203.0.113.5", subsystem="lan"
        )
        for i in range(failures)
    ]
    [finding] = engine.analyze(build.snapshot(events))
    assert (finding.rule, finding.severity, finding.subject) == (
        "admin.login_failed",
        severity,
        "admin",
    )
    assert "203.0.113.5" in finding.explanation


def test_admin_login_is_reported_low(engine, build):
    """A successful admin login is listed with its source address."""
    [finding] = engine.analyze(
        build.snapshot([build.event("EVT_AD_Login", admin="anna", ip="192.168.1.30")])
    )
    assert (finding.rule, finding.severity, finding.subject) == (
        "admin.login",
        Severity.LOW,
        "anna",
    )
    assert "192.168.1.30" in finding.explanation


def test_bounded_caches_clear_when_full_and_results_stay_right(build, engine, monkeypatch):
    """With a tiny cache limit the family cache stays bounded; triage holds."""
    monkeypatch.setattr(ips_module, "_CACHE_LIMIT", 1)
    monkeypatch.setattr(ips_module, "_FAMILY_CACHE", {})
    events = [
        build.event(
            EventKey.IPS_ALERT,
            minutes=i,
            _id=f"c{i}",
            event_source=EventSource.IPS,
            src_ip=f"45.1.2.{i + 1}",
            dest_ip="192.168.1.2",
            inner_alert_action="blocked",
            inner_alert_signature=f"ET {family} something",
        )
        for i, family in enumerate(("DROP", "SCAN", "WHATEVER"))
    ]
    findings = engine.analyze(build.snapshot(events))
    assert sorted(f.rule for f in findings) == ["ips.inbound_blocked"] * 3
    assert len(ips_module._FAMILY_CACHE) <= 1


@pytest.mark.parametrize(
    ("src", "dst", "direction"),
    [
        ("196.196.244.84", "192.168.3.2", "inbound"),
        ("192.168.1.199", "54.36.xxx.xxx", "outbound"),  # anonymised octets read as 0
        ("10.0.0.5", "172.16.0.9", "internal"),
        ("100.64.1.1", "8.8.8.8", "outbound"),  # carrier-grade NAT is inside
        ("100.128.1.1", "192.168.1.2", "inbound"),  # just past 100.64.0.0/10
        ("172.32.0.1", "192.168.1.2", "inbound"),  # just past 172.16.0.0/12
        ("169.254.3.3", "1.1.1.1", "outbound"),  # link-local
        ("fd00::1", "2001:db8::1", "outbound"),  # unique-local IPv6 inside
        ("300.1.2.3", "192.168.1.2", "unknown"),  # not an address: no scope, no hint
        ("", "192.168.1.2", "unknown"),
    ],
)
def test_direction_comes_from_the_address_scopes(build, src, dst, direction):
    """Inside (RFC 1918, CGNAT, link-local, ULA) and outside addresses give the direction."""
    event = build.event(EventKey.IPS_ALERT, src_ip=src, dest_ip=dst, inner_alert_signature="ET X")
    assert ips_module.parse_alert(event).direction.value == direction


@pytest.mark.parametrize(
    "changes",
    [
        {"inner_alert_signature": ["ET DROP", "listed"]},  # a list where text belongs
        {"catname": [{"odd": 1}], "inner_alert_category": {"name": "Misc Attack"}},
        {"inner_alert_signature_id": {"id": 1}, "inner_alert_action": ["blocked"]},
    ],
)
def test_alerts_with_odd_field_types_still_triage(build, engine, changes):
    """Unhashable values where text belongs neither crash the cache nor lose the alert."""
    event = build.event(EventKey.IPS_ALERT, event_source=EventSource.IPS, **_classic(**changes))
    [finding] = engine.analyze(build.snapshot([event]))
    assert finding.rule.startswith("ips.")
    assert finding.count == 1


def _triage_of(event):
    return ips_module.parse_alert(event).triage.value


def test_equal_numbers_of_other_types_do_not_share_a_cached_answer(build):
    """An id of 2200005.0 read before 2200005 does not change how the second alert is read."""
    signature = "Custom rule read twice"

    def alert(sid):
        fields = _classic(inner_alert_signature_id=sid, inner_alert_signature=signature)
        return build.event(EventKey.IPS_ALERT, **fields)

    assert _triage_of(alert(2200005.0)) != "engine"  # not an integer id: no engine range
    assert _triage_of(alert(2200005)) == "engine"  # a Suricata engine id, whatever came before


def test_a_non_text_signature_still_lets_the_message_name_it(build):
    """A signature that is not text (true) is ignored and the message's signature is used."""
    event = build.event(
        EventKey.IPS_ALERT,
        msg="IPS Alert 1: x. Signature ET TROJAN Zbot beacon",
        **_classic(inner_alert_signature=True, src_ip="192.168.1.42", dest_ip="45.1.2.3"),
    )
    alert = ips_module.parse_alert(event)
    assert alert.signature == "ET TROJAN Zbot beacon"
    assert alert.triage.value == "inside_threat"


def test_family_from_category_is_not_hidden_by_an_earlier_alert_without_one(build):
    """An unnamed family learnt without categories does not mask a later alert's category."""
    bare = _classic(inner_alert_signature="Custom rule 77", catname=None, inner_alert_category="")
    named = {**bare, "inner_alert_category": "A Network Trojan was detected"}
    inside = {"src_ip": "192.168.1.42", "dest_ip": "45.1.2.3"}
    assert _triage_of(build.event(EventKey.IPS_ALERT, **{**bare, **inside})) == "inside_other"
    assert _triage_of(build.event(EventKey.IPS_ALERT, **{**named, **inside})) == "inside_threat"


def test_system_log_signature_parameter_gives_the_family_hints():
    """A v2 threat whose SIGNATURE parameter names a trojan, from an inside host, is severe."""
    entry = {
        "id": "t1",
        "key": "THREAT_DETECTED_V3",
        "category": "SECURITY",
        "timestamp": 1_767_500_000_000,
        "message_raw": "{SRC_IP} to {DST_IP}: {SIGNATURE}",
        "parameters": {
            "SRC_IP": {"name": "192.168.1.42", "target_id": "192.168.1.42"},
            "DST_IP": {"name": "45.1.2.3", "target_id": "45.1.2.3"},
            "SIGNATURE": {"name": "MALWARE-CNC Win.Trojan.Zeus beacon"},
        },
    }
    assert _triage_of(event_from_system_log(entry)) == "inside_threat"


def test_normalised_flows_use_both_category_texts():
    """A flow's ips_category ("emerging-trojan") counts even when category_name says less."""
    flow = {
        "id": "f1",
        "time": 1_767_500_000_000,
        "action": "allowed",
        "direction": "outgoing",
        "source": {"ip": "192.168.1.42", "port": 50000, "mac": "00:11:22:33:44:55"},
        "destination": {"ip": "45.1.2.3", "port": 443},
        "ips": {
            "signature": "Custom rule 77",
            "signature_id": 9_000_077,
            "category_name": "Misc activity",
            "ips_category": "emerging-trojan",
        },
    }
    alert = ips_module.parse_alert(event_from_traffic_flow(flow))
    assert (alert.triage.value, alert.src_mac) == ("inside_threat", "00:11:22:33:44:55")
