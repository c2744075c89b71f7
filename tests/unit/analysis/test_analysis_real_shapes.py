"""Events shaped like those real controllers send (quoted in public issue threads), issue 10.

The values are our own (anonymised MACs, made-up names); the field names, their combinations
and the message styles are those of real events: consoles name themselves in ``dm`` *and* ``gw``
fields with ``*_displayName``, their messages start with a bare MAC, next-generation gateways say
``Gateway[…]``, a UDM Pro's WAN message carries its WAN port's MAC, two interfaces of one failover
change a second apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.analysis import Engine, Severity
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import event_from_classic, event_from_ips

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
T0 = int(datetime(2026, 1, 5, 9, tzinfo=UTC).timestamp() * 1000)
CONSOLE = "00:00:00:00:00:0c"
CONSOLE_WAN = "00:00:00:00:00:0d"  # the WAN port's own MAC, one digit off
UXG = "00:00:00:00:00:0e"
SWITCH = "00:00:00:00:00:0b"


def _analyse(*items, ips=False):
    convert = event_from_ips if ips else event_from_classic
    events = tuple(sorted((convert(i) for i in items), key=lambda e: e.time))
    snapshot = Snapshot(
        site=Site(id="s1", name="default", description="Home"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW.replace(hour=0), end=NOW),
        events=events,
    )
    return Engine(now=lambda: NOW).analyze(snapshot)


def _console(key, msg, offset_s=0, **extra):
    return {
        "key": key,
        "dm": CONSOLE,
        "gw": CONSOLE,
        "dm_name": "Home Console",
        "dm_model": "UDM",
        "dm_displayName": "Home Console",
        "gw_displayName": "Home Console",
        "subsystem": "lan",
        "is_negative": key.endswith("Lost_Contact"),
        "site_id": "s1",
        "time": T0 + offset_s * 1000,
        "msg": msg,
        "_id": f"{key}-{offset_s}",
        **extra,
    }


def _uxg(key, msg, offset_s=0, **extra):
    return {
        "key": key,
        "xg": UXG,
        "gw": UXG,
        "xg_name": "Branch UXG",
        "xg_model": "UXGPRO",
        "gw_displayName": "Branch UXG",
        "xg_displayName": "Branch UXG",
        "subsystem": "lan",
        "site_id": "s1",
        "time": T0 + offset_s * 1000,
        "msg": msg,
        "_id": f"{key}-{offset_s}",
        **extra,
    }


def test_a_console_losing_contact_is_a_severe_named_finding():
    """EVT_DM_Lost_Contact with a bare-MAC message: severe, named, no MAC anywhere."""
    [finding] = _analyse(_console("EVT_DM_Lost_Contact", f"{CONSOLE} was disconnected"))
    assert (finding.rule, finding.severity, finding.subject) == (
        "device.lost_contact",
        Severity.SEVERE,
        "Home Console",
    )
    assert finding.title == "The console Home Console lost contact with the controller once"
    assert finding.examples == ("2026-01-05 09:00 UTC: Home Console was disconnected",)
    assert CONSOLE not in " ".join((finding.title, finding.explanation, *finding.examples))


def test_a_console_upgrade_and_restart_are_one_story():
    """A console's upgrade, restart and return are told as one finding about it."""
    findings = _analyse(
        _console(
            "EVT_DM_Upgraded",
            f'{CONSOLE} was upgraded from "4.0.5" to "4.0.6"',
            version_from="4.0.5",
            version_to="4.0.6",
        ),
        _console("EVT_DM_RestartedUnknown", f"{CONSOLE} was restarted", 60),
        _console("EVT_DM_Connected", f"{CONSOLE} was connected", 120),
    )
    [finding] = findings
    assert finding.subject == "Home Console"
    assert set(finding.parts) == {
        "device.firmware_upgraded",
        "device.restarted_unexpectedly",
        "device.connected",
    }
    assert finding.severity is Severity.MEDIUM  # a console restarting unexpectedly
    assert [line[:20] for line in finding.examples] == sorted(
        line[:20] for line in finding.examples
    )


def test_a_next_gen_gateway_losing_contact_and_readopting():
    """UXG events (``Gateway[…]`` messages, xg and gw fields) name the gateway, one story."""
    findings = _analyse(
        _uxg("EVT_XG_Lost_Contact", f"Gateway[{UXG}] was disconnected", is_negative=True),
        _uxg("EVT_XG_AutoReadopted", f"Gateway[{UXG}] was automatically readopted", 300),
        _uxg("EVT_XG_Connected", f"Gateway[{UXG}] was connected", 301),
    )
    [finding] = findings
    assert (finding.rule, finding.severity, finding.subject) == (
        "device.lost_contact",
        Severity.SEVERE,
        "Branch UXG",
    )
    assert "Gateway[Branch UXG] was automatically readopted" in " ".join(finding.examples)
    assert UXG not in finding.explanation + " ".join(finding.examples)


def test_two_wan_interfaces_flipping_a_second_apart_are_one_failover():
    """eth0 active and eth1 inactive one second apart: one switch-over, not two."""
    [finding] = _analyse(
        _uxg("EVT_GW_WANTransition", f"Gateway[{UXG}] WAN iface eth0 transition to state active",
             iface="eth0", state="active"),
        _uxg("EVT_GW_WANTransition", f"Gateway[{UXG}] WAN iface eth1 transition to state inactive",
             1, iface="eth1", state="inactive"),
        _uxg("EVT_GW_WANTransition", f"Gateway[{UXG}] WAN iface eth1 transition to state active",
             3600, iface="eth1", state="active"),
        _uxg("EVT_GW_WANTransition", f"Gateway[{UXG}] WAN iface eth0 transition to state inactive",
             3601, iface="eth0", state="inactive"),
    )  # fmt: skip
    assert finding.rule == "wan.failover"
    assert finding.title == "The internet connection on Branch UXG switched over 2 times"
    assert finding.count == 4
    assert "eth0 became active" in finding.explanation


def test_a_udm_pro_wan_message_with_its_port_mac_still_names_the_console():
    """The WAN port's MAC in the message (not the console's) reads as the console's name."""
    item = _console(
        "EVT_GW_WANTransition",
        f"Gateway[{CONSOLE_WAN}] WAN iface [eth8] transition to state [active]",
        iface="eth8",
        state="active",
    )
    [finding] = _analyse(item)
    assert finding.subject == "Home Console"
    assert finding.examples[0].endswith(
        "Gateway[Home Console] WAN iface [eth8] transition to state [active]"
    )


@pytest.mark.parametrize(
    ("key", "extra", "rule", "severity", "words"),
    [
        ("EVT_SW_PoeOverload", {"port": 5}, "poe.overload", Severity.MEDIUM, "port 5"),
        ("EVT_SW_StpPortBlocking", {"port": 16}, "network.stp_blocking", Severity.LOW, "port 16"),
        ("EVT_SW_AutoReadopted", {}, "device.readopted", Severity.LOW, "re-adopted"),
        (
            "EVT_SW_DetectRogueDHCP",
            {"ip": "192.168.1.1", "mac": "00:00:00:00:00:77", "port": 5, "vlan": 1},
            "network.rogue_dhcp",
            Severity.SEVERE,
            "Core Switch port 5 (VLAN 1)",
        ),
        (
            "EVT_USP_RpsPowerDeniedByPsuOverload",
            {"port": 3},
            "power.rps",
            Severity.MEDIUM,
            "port 3",
        ),
    ],
)
def test_switch_events_as_real_controllers_send_them(key, extra, rule, severity, words):
    """Switch events (sw, sw_name, sw_displayName, sw_model) name the switch, a specific rule."""
    item = {
        "key": key,
        "sw": SWITCH,
        "sw_name": "Core Switch",
        "sw_model": "US8P60",
        "sw_displayName": "Core Switch",
        "subsystem": "lan",
        "is_negative": True,
        "site_id": "s1",
        "time": T0,
        "msg": f"Switch[{SWITCH}] {key}",
        "_id": key,
        **extra,
    }
    [finding] = _analyse(item)
    assert (finding.rule, finding.severity) == (rule, severity)
    text = " ".join((finding.title, finding.explanation, *finding.examples))
    assert "Core Switch" in text
    assert words in text
    assert SWITCH not in text


def test_an_access_point_upgrade_failure_is_medium_and_named():
    """EVT_AP_UpgradeFailed (not in the catalogue, sent by real controllers) is understood."""
    [finding] = _analyse(
        {
            "key": "EVT_AP_UpgradeFailed",
            "ap": "00:00:00:00:00:0a",
            "ap_name": "Upstairs",
            "ap_model": "U7LT",
            "ap_displayName": "Upstairs",
            "subsystem": "wlan",
            "is_negative": True,
            "time": T0,
            "msg": "AP[00:00:00:00:00:0a] upgrade failed",
            "_id": "u",
        }
    )
    assert (finding.rule, finding.severity, finding.subject) == (
        "device.firmware_failed",
        Severity.MEDIUM,
        "Upstairs",
    )


def test_a_missed_scheduled_upgrade_names_the_device_from_mac():
    """EVT_AD_ScheduleUpgradeFailedNotFound names its device in ``mac`` (and an empty subsystem)."""
    [finding] = _analyse(
        {
            "mac": "00:00:00:00:00:0f",
            "key": "EVT_AD_ScheduleUpgradeFailedNotFound",
            "subsystem": "",
            "is_negative": True,
            "time": T0,
            "msg": "Device 00:00:00:00:00:0f not found for firmware upgrade",
            "_id": "s",
        }
    )
    assert (finding.rule, finding.subject) == ("device.firmware_failed", "00:00:00:00:00:0f")
    assert "missed a scheduled firmware update" in finding.explanation


def test_radar_on_channel_36_gets_channel_width_advice():
    """Radar on a non-DFS channel (a 160 MHz radio) is told to narrow, not to leave DFS."""
    [finding] = _analyse(
        {
            "ap": "00:00:00:00:00:0a",
            "ap_name": "Long Range",
            "radar_channel": "36",
            "freq": "5180",
            "key": "EVT_AP_RadarDetected",
            "subsystem": "wlan",
            "time": T0,
            "msg": "AP[00:00:00:00:00:0a] detected radar on channel 36 (5180 MHz)",
            "_id": "r",
        }
    )
    advice = finding.remediation[0]
    assert "80 MHz or less" in advice
    assert "non-DFS channel (36-48" not in advice


@pytest.mark.parametrize(
    ("signature", "sid", "label"),
    [
        ("ET DROP Dshield Block Listed Source group 1", 2_402_000, "DShield"),
        ("ET DROP Spamhaus DROP Listed Traffic Inbound group 23", 2_400_022, "Spamhaus"),
        ("ET CINS Active Threat Intelligence Poor Reputation IP group 80", 2_403_379, "CINS"),
    ],
)
def test_each_blocklist_is_named_by_its_own_signature(signature, sid, label):
    """DShield and Spamhaus DROP are different lists, even both under ET DROP."""
    [finding] = _analyse(
        {
            "_id": "i",
            "time": T0,
            "src_ip": "198.235.24.95",
            "dest_ip": "192.168.1.26",
            "inner_alert_action": "blocked",
            "inner_alert_signature": signature,
            "inner_alert_signature_id": sid,
            "inner_alert_category": "Misc Attack",
        },
        ips=True,
    )
    assert finding.rule == "ips.inbound_blocked"
    assert label in finding.title


def test_an_inside_coin_miner_under_et_policy_is_not_low():
    """ET POLICY Crypto Coin Miner Login from an inside host is at least medium (severe here)."""
    [finding] = _analyse(
        {
            "_id": "c",
            "time": T0,
            "src_ip": "192.168.1.60",
            "src_mac": "00:00:00:00:00:60",
            "dest_ip": "45.1.2.3",
            "inner_alert_action": "allowed",
            "inner_alert_signature": "ET POLICY Crypto Coin Miner Login",
            "inner_alert_signature_id": 2_022_886,
            "inner_alert_category": "Crypto Currency Mining Activity Detected",
        },
        ips=True,
    )
    assert finding.rule == "ips.inside_threat"
    assert finding.severity is Severity.SEVERE


@pytest.mark.parametrize(
    ("signature", "severity"),
    [
        ("ET INFO Possible Trojan Download via PowerShell", Severity.MEDIUM),
        ("ET HUNTING Suspicious Ransomware Note Filename", Severity.MEDIUM),
        ("ET INFO Dropbox.com Offsite File Backup in Use", Severity.LOW),
    ],
)
def test_inside_notices_that_mention_compromise_are_at_least_medium(signature, severity):
    """A milder family's signature naming malware, from an inside host, is never low."""
    [finding] = _analyse(
        {
            "_id": "n",
            "time": T0,
            "src_ip": "192.168.1.61",
            "src_mac": "00:00:00:00:00:61",
            "dest_ip": "45.1.2.3",
            "inner_alert_action": "allowed",
            "inner_alert_signature": signature,
            "inner_alert_signature_id": 2_030_000,
        },
        ips=True,
    )
    assert (finding.rule, finding.severity) == ("ips.inside_other", severity)
