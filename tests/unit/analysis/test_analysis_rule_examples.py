"""docs/rules.md: every rule is listed with an example text that the engine really produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from unifi_scanner.analysis import DEFAULT_RULES, FALLBACK_RULE, EventKey
from unifi_scanner.collect.models import DeviceState, EventSource, Port, Temperature

RULES_DOC = Path(__file__).parents[3] / "docs" / "rules.md"

_OFFICE = {"ap": "00:00:00:00:00:0a", "ap_name": "AP-Office"}
_SWITCH = {"sw": "00:00:00:00:00:0b", "sw_name": "Switch 16"}
_GATEWAY = {"gw": "00:00:00:00:00:0c", "gw_name": "Gateway"}
_PHONE = {"user": "00:00:00:00:00:01", "hostname": "iPhone-Anna"}
_CONSOLE = {"dm": "00:00:00:00:00:0e", "dm_name": "Dream Machine"}
_LTE = {"lte": "00:00:00:00:00:0f", "lte_name": "LTE Backup"}
_RPS = {"sw": "00:00:00:00:00:10", "sw_name": "Power Backup"}


def _v2(key, client, **parameters):
    """A v2 system-log event about ``client`` whose parameters are objects, as normalised."""

    def make(build):
        return build.snapshot(
            [
                build.event(
                    key,
                    event_source=EventSource.SYSTEM_LOG,
                    client_mac="00:00:00:00:00:05",
                    client_name=client,
                    parameters={k: {"id": v, "name": v} for k, v in parameters.items()},
                )
            ]
        )

    return make


def _ips(signature, src, dst, action, **extra):
    return {
        "event_source": EventSource.IPS,
        "inner_alert_signature": signature,
        "inner_alert_signature_id": extra.pop("sid", 2_400_022),
        "inner_alert_action": action,
        "src_ip": src,
        "dest_ip": dst,
        **extra,
    }


def _events(key, times, **params):
    def make(build):
        return build.snapshot([build.event(key, minutes=i * 5, **params) for i in range(times)])

    return make


def _device(**overrides):
    return lambda build: build.snapshot(devices=[build.device(**overrides)])


# rule id -> what makes it fire (a snapshot factory over the conftest builders)
CASES = {
    "device.lost_contact": _events(EventKey.SW_LOST_CONTACT, 3, **_SWITCH),
    "device.offline": _device(state=DeviceState.HEARTBEAT_MISSED),
    "wan.failover": _events(EventKey.GW_WAN_TRANSITION, 2, **_GATEWAY),
    "device.isolated": _events(EventKey.AP_ISOLATED, 1, **_OFFICE),
    "device.restarted_unexpectedly": _events(EventKey.SW_RESTARTED_UNKNOWN, 3, **_SWITCH),
    "device.connected": _events(EventKey.SW_CONNECTED, 2, **_SWITCH),
    "ips.inside_threat": _events(
        EventKey.IPS_ALERT,
        4,
        **_ips("ET MALWARE Zbot Download", "192.168.1.42", "54.36.1.1", "allowed"),
    ),
    "ips.inbound_detected": _events(
        EventKey.IPS_ALERT,
        2,
        **_ips("ET DROP Spamhaus DROP Listed Traffic", "196.196.244.84", "192.168.1.2", "allowed"),
    ),
    "ips.inbound_blocked": _events(
        EventKey.IPS_ALERT,
        12,
        **_ips("ET SCAN Potential SSH Scan", "45.1.2.3", "192.168.1.2", "blocked", sid=2_001_219),
    ),
    "ips.inside_other": _events(
        EventKey.IPS_ALERT,
        2,
        **_ips("ET POLICY Dropbox Client", "192.168.1.50", "162.125.1.1", "allowed", sid=2_012_345),
    ),
    "ips.engine_event": _events(
        EventKey.IPS_ALERT,
        5,
        **_ips("SURICATA STREAM Packet with invalid ack", "1.2.3.4", "192.168.1.2", "allowed"),
    ),
    "admin.login_failed": _events(EventKey.AD_LOGIN_FAILED, 6, admin="admin", ip="203.0.113.9"),
    "admin.login": _events(EventKey.AD_LOGIN, 1, admin="anna", ip="192.168.1.20"),
    "client.roaming": _events(
        EventKey.WU_ROAM,
        34,
        ap_from="00:00:00:00:00:0a",
        ap_from_name="AP-Office",
        ap_to="00:00:00:00:00:0d",
        ap_to_name="AP-Hall",
        **_PHONE,
    ),
    "client.connections": _events(EventKey.WU_CONNECTED, 12, ssid="Home", **_PHONE),
    "wifi.radar_detected": _events(EventKey.AP_RADAR_DETECTED, 2, **_OFFICE),
    "wifi.interference": _events(EventKey.AP_POSSIBLE_INTERFERENCE, 4, **_OFFICE),
    "wifi.channel_changed": _events(EventKey.AP_CHANNEL_CHANGED, 3, channel_to="44", **_OFFICE),
    "client.poor_signal": lambda build: build.snapshot(
        clients=[build.client(name="Garden-Cam", signal=-82, essid="Home")]
    ),
    "device.temperature": _device(temperatures=(Temperature(name="CPU", celsius=84.0),)),
    "device.cpu_high": _device(cpu_pct=97.0),
    "device.memory_high": _device(mem_pct=93.0),
    "device.poe_budget": _device(
        name="Switch 24",
        type="usw",
        poe_budget_w=100.0,
        ports=(Port(index=1, name="Cam", up=True, poe_enabled=True, poe_power_w=97.0),),
    ),
    "device.firmware_upgradable": _device(upgradable=True, version="6.5.54", upgrade_to="6.6.55"),
    "device.end_of_life": _device(model_in_eol=True),
    "device.recent_reboot": _device(uptime_s=600),
    "device.firmware_upgraded": _events(
        EventKey.SW_UPGRADED, 1, version_from="4.0.66", version_to="4.3.13", **_SWITCH
    ),
    "event.other": _events("EVT_XX_Brand_New", 2, msg="Something new happened", subsystem="lan"),
    "device.readopted": _events("EVT_SW_AutoReadopted", 1, **_SWITCH),
    "device.restarted": _events("EVT_AP_Restarted", 1, admin="anna", **_OFFICE),
    "device.process_restarted": _events(
        "EVT_AP_RestartProc", 2, proc="hostapd", exit_status="139", **_OFFICE
    ),
    "device.pending_adoption": _events("EVT_SW_DiscoveredPending", 1, **_SWITCH),
    "device.firmware_failed": _events(
        "EVT_AP_FirmwareDownloadFailed", 1, curl_rc="6", http_rc="0", **_OFFICE
    ),
    "device.config_failed": _events(
        "EVT_GW_CommitError", 1, commit_errors="invalid rule", **_GATEWAY
    ),
    "device.host_key_mismatch": _events("EVT_SW_HostKeyMismatch", 1, **_SWITCH),
    "device.license": _events("EVT_GW_LicenseInvalid", 1, **_GATEWAY),
    "device.overheating": _events("EVT_SW_Overheat", 2, **_SWITCH),
    "poe.overload": _events("EVT_SW_PoeOverload", 2, port=8, **_SWITCH),
    "poe.disconnect": _events("EVT_SW_PoeDisconnect", 1, port=3, **_SWITCH),
    "power.rps": _events("EVT_USP_RpsPortPowerDelivering", 1, port=2, **_RPS),
    "power.outlet_cycled": _events("EVT_USP_OutletPowerCycle", 1, outlet=2, **_RPS),
    "network.loop": _events("EVT_SW_LoopDetected", 1, port=12, **_SWITCH),
    "network.stp_blocking": _events("EVT_SW_StpPortBlocking", 1, port=16, **_SWITCH),
    "network.rogue_dhcp": _events(
        "EVT_SW_DetectRogueDHCP",
        1,
        ip="192.168.1.77",
        mac="00:00:00:00:00:77",
        port=5,
        vlan=1,
        **_SWITCH,
    ),
    "dhcp.pool": _events("EVT_GW_DhcpPoolExhausted", 1, network_name="Guests", **_GATEWAY),
    "network.wireless_uplink": _events(
        "EVT_CF_VwireUnset",
        1,
        ap_from="00:00:00:00:00:0a",
        ap_from_name="AP-Office",
        ap_to="00:00:00:00:00:0d",
        ap_to_name="AP-Garden",
    ),
    "port.errors": _events("PORT_TRANSMISSION_ERRORS", 2, port=7, **_SWITCH),
    "network.service": _events("RADIUS_SERVER_ISSUE", 1),
    "client.ip_conflict": _events("CLIENT_IP_CONFLICT", 1, ip="192.168.1.40"),
    "wan.quality": _events("ISP_PACKET_LOSS_2", 3, **_GATEWAY),
    "lte.connection": _events("EVT_LTE_NotConnectedToLte", 1, **_LTE),
    "lte.data_limit": _events("EVT_LTE_Threshold", 1, used="9 GB", softlimit="10 GB", **_LTE),
    "wifi.rogue_ap": _events(
        "EVT_AP_DetectRogueAP", 1, essid="Office", mac="00:00:00:00:00:66", **_OFFICE
    ),
    "wifi.recommendation": _events("EVT_AP_MulticastBlockNoDevice", 1, ssid="Office", **_OFFICE),
    "firewall.blocked": _v2(
        "TRAFFIC_BLOCKED_KNOWN_SOURCE_CLIENT",
        "Lab-Camera",
        TRIGGER="Block cameras",
        DST_IP="198.51.100.24",
    ),
    "security.honeypot": _events("HONEYPOT_HIT_DETECTED_KNOWN_CLIENT", 1, **_PHONE),
    "security.ip_reputation": _events("EVT_GW_IpReputationAlert", 1, **_GATEWAY),
    "ips.update_failed": _events("EVT_GW_IPSUpdateError", 2, **_GATEWAY),
    "controller.storage": _events(
        "EVT_AD_HDUsableSpace", 1, usable_bytes="1 GB", total_bytes="32 GB"
    ),
    "controller.backup_failed": _events("EVT_AD_AutoBackupFailedCloudKeySDCardNotFound", 1),
    "controller.update_available": _events("EVT_AD_UpdateAvailable", 1, version="9.0.114"),
    "streams.failed": _events("EVT_PA_ScheduledStreamFailed", 1, name="Morning announcement"),
    "site.routine": _events("EVT_AP_Configured", 3, **_OFFICE),
}


# rule id -> routine input that folds into the rule's site-level summary
SUMMARY_CASES = {
    "site.routine": CASES["site.routine"],
    "client.roaming": _events(EventKey.WU_ROAM, 3, ap_from="00:00:00:00:00:0a", **_PHONE),
    "client.connections": _events(EventKey.WU_CONNECTED, 3, ssid="Home", **_PHONE),
    "client.poor_signal": CASES["client.poor_signal"],
}


def _documented_examples(heading: str = "Example texts") -> dict[str, str]:
    """A table of docs/rules.md under ``## heading``: rule id -> quoted title."""
    text = RULES_DOC.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([a-z_.]+)` \| (.+?) \|$", section, flags=re.MULTILINE))


def test_every_rule_has_a_case_and_a_documented_example():
    """Each built-in rule has an example case here and an example text in docs/rules.md."""
    ids = {rule.id for rule in DEFAULT_RULES} | {FALLBACK_RULE.id}
    assert set(CASES) == ids
    assert set(_documented_examples()) == ids


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_documented_example_is_what_the_rule_says(rule_id, engine, build):
    """The example in docs/rules.md is the title the engine produces for the example input."""
    findings = [f for f in engine.analyze(CASES[rule_id](build)) if f.rule == rule_id]
    assert findings, f"{rule_id} did not fire on its example"
    assert _documented_examples()[rule_id] == findings[0].title


def test_every_summarising_rule_has_a_documented_summary():
    """The rules with a site-level summary are exactly those in the doc's summary table."""
    ids = {rule.id for rule in DEFAULT_RULES if getattr(rule, "summary", None) is not None}
    assert set(SUMMARY_CASES) == ids
    assert set(_documented_examples("Summary texts")) == ids


@pytest.mark.parametrize("rule_id", sorted(SUMMARY_CASES))
def test_documented_summary_is_what_the_rule_says(rule_id, engine, build):
    """The summary title in docs/rules.md is what the engine says for routine input."""
    findings = [f for f in engine.analyze(SUMMARY_CASES[rule_id](build)) if f.rule == rule_id]
    assert [f.badges for f in findings] == [("summary",)]
    assert _documented_examples("Summary texts")[rule_id] == findings[0].title
