"""v2 system-log keys become the classic keys the rules match (docs/v2-system-log.md)."""

from __future__ import annotations

import pytest

from unifi_scanner.collect.normalize import V2_TO_CLASSIC, classic_key, event_from_system_log

STAMP = 1_784_344_502_809
CLIENT = {"id": "5A:8E:B5:CE:B2:E9", "name": "iPhone - Personal", "hostname": "iPhone"}


def _entry(key: str, parameters: dict, **extra: object) -> dict:
    return {
        "id": "6a5aefb651c96f670443f18b",
        "key": key,
        "category": "CLIENT_DEVICES",
        "severity": "LOW",
        "status": "NEW",
        "timestamp": STAMP,
        "message_raw": "{CLIENT} did something on {DEVICE}.",
        "parameters": parameters,
        **extra,
    }


def _device(model: str | None, mac: str = "70:a7:41:c5:1b:c8") -> dict:
    device = {"id": mac, "name": "unifi-device", "ip": "10.0.0.2"}
    return device | ({"model": model} if model else {})


def test_captured_roam_becomes_a_classic_roam():
    """CLIENT_ROAMED_2 → EVT_WU_Roam with client, ap_from/ap_to and the v2 key kept."""
    entry = _entry(
        "CLIENT_ROAMED_2",
        {
            "CLIENT": CLIENT,
            "DEVICE_FROM": {"id": "70:a7:41:c5:1b:c8", "name": "unifi-ap-main-1"},
            "DEVICE_TO": {"id": "f0:9f:c2:70:65:9a", "name": "unifi-ap-indoor"},
            "RADIO_BAND": {"name": "na"},
            "PREVIOUS_RADIO_BAND": {"name": "ng"},
        },
        event="CLIENT_ROAMED",
        subcategory="MONITORING_WIFI",
        message_raw="{CLIENT} roamed from {DEVICE_FROM} to {DEVICE_TO}.",
    )
    event = event_from_system_log(entry)
    assert event.key == "EVT_WU_Roam"
    assert event.params["v2_key"] == "CLIENT_ROAMED_2"
    assert event.client_mac == "5a:8e:b5:ce:b2:e9"
    assert event.client_name == "iPhone - Personal"
    assert (event.params["ap_from"], event.params["ap_to"]) == (
        "70:a7:41:c5:1b:c8",
        "f0:9f:c2:70:65:9a",
    )
    assert event.params["ap_to_name"] == "unifi-ap-indoor"
    assert (event.params["radio_from"], event.params["radio_to"]) == ("ng", "na")
    assert event.subsystem == "wlan"
    assert event.message == "iPhone - Personal roamed from unifi-ap-main-1 to unifi-ap-indoor."


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("CLIENT_CONNECTED_WIRELESS_2", "EVT_WU_Connected"),
        ("CLIENT_DISCONNECTED_WIRELESS_2", "EVT_WU_Disconnected"),
        ("CLIENT_CONNECTED_WIRED_2", "EVT_LU_Connected"),
        ("CLIENT_DISCONNECTED_WIRED_2", "EVT_LU_Disconnected"),
        ("CLIENT_ROAMED_3", "EVT_WU_Roam"),
        ("ROGUE_AP_DETECTED_V2", "EVT_AP_DetectRogueAP"),
    ],
)
def test_client_keys_with_any_version_suffix(key, expected):
    """Client and rogue-AP keys map whatever their version suffix."""
    assert event_from_system_log(_entry(key, {"CLIENT": CLIENT})).key == expected


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"DEVICE": _device("UGW3")}, "EVT_GW_Lost_Contact"),
        ({"DEVICE": _device("UDM-Pro")}, "EVT_GW_Lost_Contact"),
        ({"DEVICE": _device("UCG-Fiber")}, "EVT_GW_Lost_Contact"),
        ({"DEVICE": _device("US16P150")}, "EVT_SW_Lost_Contact"),
        ({"DEVICE": _device("USW-Pro-Max-16-PoE")}, "EVT_SW_Lost_Contact"),
        ({"DEVICE": _device("U7PG2")}, "EVT_AP_Lost_Contact"),
        ({"DEVICE": _device("UAP-nanoHD")}, "EVT_AP_Lost_Contact"),
        ({"SWITCH": _device(None)}, "EVT_SW_Lost_Contact"),
        ({"DEVICE": _device("UCK-G2-Plus")}, "EVT_DM_Lost_Contact"),
        ({"DEVICE": _device("USP-RPS")}, "EVT_USP_Lost_Contact"),
        ({"DEVICE": _device("UBB")}, "EVT_BB_Lost_Contact"),
        ({"DEVICE": _device("Mystery-1")}, "EVT_DEV_Lost_Contact"),
        ({"DEVICE": _device(None)}, "EVT_DEV_Lost_Contact"),
    ],
)
def test_generic_device_key_takes_the_kind_from_the_model(parameters, expected):
    """DEVICE_UNREACHABLE takes the family by model, else parameter name, else a plain device."""
    event = event_from_system_log(_entry("DEVICE_UNREACHABLE", parameters))
    assert event.key == expected
    assert event.device_mac == "70:a7:41:c5:1b:c8"
    assert event.params["v2_key"] == "DEVICE_UNREACHABLE"


def test_device_entries_fill_classic_parameters():
    """An upgrade keeps its versions, a wired event takes DEVICE_WITH_PORT as its device."""
    upgrade = event_from_system_log(
        _entry(
            "DEVICE_UPDATED",
            {
                "DEVICE": _device("US8P60"),
                "VERSION_FROM": {"name": "6.6.55"},
                "VERSION_TO": {"name": "6.6.61"},
            },
        )
    )
    wired = event_from_system_log(
        _entry(
            "CLIENT_DISCONNECTED_WIRED_2",
            {
                "CLIENT": CLIENT,
                "DEVICE_WITH_PORT": {"id": "18:e8:29:29:0b:2e", "name": "sw Port 3"},
            },
        )
    )
    assert upgrade.key == "EVT_SW_Upgraded"
    assert (upgrade.params["version_from"], upgrade.params["version_to"]) == ("6.6.55", "6.6.61")
    assert wired.device_mac == "18:e8:29:29:0b:2e"
    assert wired.device_name == "sw Port 3"


def test_event_field_names_the_entry_when_the_key_is_unknown():
    """A new key version falls back to the bare name real entries carry in ``event``."""
    entry = _entry("DEVICE_RECONNECTED_FANCY_9", {"DEVICE": _device("U6LITE")})
    entry["event"] = "DEVICE_RECONNECTED"
    assert classic_key(entry) == "EVT_AP_Connected"


@pytest.mark.parametrize(
    "key", ["ISP_HIGH_LATENCY", "ADMIN_ACCESS", "DEVICE_RECONNECTED_SEVERAL_TIMES"]
)
def test_unknown_keys_are_kept_as_they_are(key):
    """A key without a classic twin stays (it reaches event.other) and gets no v2_key."""
    event = event_from_system_log(_entry(key, {"DEVICE": _device("UGW3")}, subcategory="X_Y"))
    assert event.key == key
    assert "v2_key" not in event.params
    assert event.subsystem == "X_Y"
    assert classic_key({"key": key}) is None


def test_threat_entries_keep_their_key():
    """THREAT_BLOCKED_V3 stays an IPS threat key with its addresses."""
    entry = _entry(
        "THREAT_BLOCKED_V3",
        {"SRC_IP": {"id": "192.168.1.50"}, "DST_IP": {"id": "198.51.100.5"}},
        event="THREAT_BLOCKED",
        category="SECURITY",
    )
    event = event_from_system_log(entry)
    assert event.key == "THREAT_BLOCKED_V3"
    assert (event.params["src_ip"], event.params["dest_ip"]) == ("192.168.1.50", "198.51.100.5")


def test_every_table_entry_is_a_classic_key():
    """Each mapping names an EVT_ key, with {D} only where the device decides."""
    for v2_name, classic in V2_TO_CLASSIC.items():
        assert classic.startswith("EVT_"), v2_name
        assert not v2_name.endswith(("_2", "_V2", "_V3")), v2_name
