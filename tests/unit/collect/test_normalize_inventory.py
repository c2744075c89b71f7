"""Devices, clients, sysinfo and sites normalised from the real captures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from unifi_scanner.collect import (
    DeviceState,
    Flavour,
    client_from_payload,
    controller_info_from_sysinfo,
    device_from_payload,
    normalize_all,
    site_from_payload,
)
from unifi_scanner.collect.normalize import temperatures_from_payload


def _item(document):
    if isinstance(document, dict) and "data" in document:
        return document["data"][0]
    return document


def test_stat_device_capture_all_normalise(load_capture):
    """Every item of aiounifi_stat_device.json normalises, MACs lower-case, nothing skipped."""
    result = normalize_all(
        device_from_payload, load_capture("aiounifi_stat_device.json")["data"], what="devices"
    )
    assert result.skipped == 0
    assert [d.model for d in result.items] == ["UGW3", "US16P150", "US8", "USMINI", "U7PG2"]
    assert all(d.mac == d.mac.lower() for d in result.items)


def test_us16p150_poe_and_temperature(load_capture):
    """US16P150: poe_power "3.24" is a float, budget 135 W, general_temperature 56, CPU 100."""
    device = device_from_payload(load_capture("aiounifi_device_usw_16_poe.json"))
    assert device.mac == "fc:ec:da:11:22:33"
    assert device.name == "Switch 16"
    assert device.state is DeviceState.CONNECTED
    port3 = next(p for p in device.ports if p.index == 3)
    assert port3.poe_power_w == 3.24
    assert port3.poe_enabled
    assert port3.poe_good is True
    assert device.poe_budget_w == 135.0
    assert device.temperatures[0].celsius == 56.0
    assert device.cpu_pct == 100.0
    assert device.mem_pct == 49.3
    assert device.upgradable
    assert device.upgrade_to == "4.0.80.10875"
    assert device.version == "4.0.66.10832"


def test_usg_temperature_list_and_system_stats(load_capture):
    """USG3: the temperatures list reads CPU 66.0, Local 48.75, PHY 50.25; ports use positions."""
    device = device_from_payload(load_capture("aiounifi_device_ugw_usg3.json"))
    assert {t.name: t.celsius for t in device.temperatures} == {
        "CPU": 66.0,
        "Local": 48.75,
        "PHY": 50.25,
    }
    assert device.cpu_pct == 0.0
    assert device.mem_pct == 25.0
    assert device.uptime_s == 3971869
    assert device.last_seen == datetime(2020, 4, 29, 15, 55, 40, tzinfo=UTC)
    assert [p.index for p in device.ports] == [1, 2, 3]
    assert device.poe_budget_w is None


def test_uap_without_temperature(load_capture):
    """UAP-AC-Pro with has_temperature false has no readings; system-stats cpu 3.1."""
    device = device_from_payload(load_capture("aiounifi_device_uap_ac_pro.json"))
    assert device.type == "uap"
    assert device.temperatures == ()
    assert device.cpu_pct == 3.1
    assert device.mem_pct == 27.4


def test_flex_mini_memory_from_sys_stats(load_capture):
    """Flex Mini has empty system-stats; memory comes from sys_stats used/total."""
    device = device_from_payload(load_capture("aiounifi_device_usw_flex_mini.json"))
    assert device.cpu_pct is None
    assert device.mem_pct == 80.5
    assert not any(p.poe_enabled for p in device.ports)


@pytest.mark.parametrize(
    ("capture", "model", "cpu"),
    [
        ("aiounifi_device_usw_8.json", "US8", 56.3),
        ("aiounifi_device_pdu_pro.json", "USPPDUP", 1.1),
        ("unpoller_example_uap.json", "U7PG2", 24.7),
        ("unpoller_example_ugw.json", "UGW3", 14.0),
        ("unpoller_example_pdu.json", "USPPDUP", 1.8),
    ],
)
def test_other_device_captures(load_capture, capture, model, cpu):
    """Each remaining device capture normalises with its model and string CPU figure."""
    device = device_from_payload(_item(load_capture(capture)))
    assert device.model == model
    assert device.cpu_pct == cpu
    assert device.state is DeviceState.CONNECTED
    assert device.poe_budget_w is None


def test_us24p250_named_poe_ports(load_capture):
    """US24P250: budget 222 W, temperature 43, "Camera: Gate" draws 4.84 W."""
    device = device_from_payload(load_capture("unpoller_example_usw.json"))
    assert device.poe_budget_w == 222.0
    assert device.temperatures[0].celsius == 43.0
    gate = next(p for p in device.ports if p.name == "Camera: Gate")
    assert gate.poe_power_w == 4.84
    ups = next(p for p in device.ports if p.name == "APC UPS")
    assert ups.poe_power_w == 0.0
    assert not ups.poe_enabled


def test_legacy_temps_dict_shapes(load_capture):
    """trek-e samples: "72 C" strings, a bare general_temperature and partial system-stats."""
    samples = load_capture("trek-e_synthetic_samples.json")
    usg = samples["device_stats_usg_temps_dict"]["value"]
    assert {t.name: t.celsius for t in temperatures_from_payload(usg)} == {
        "Board (CPU)": 72.0,
        "Board (PHY)": 68.0,
    }
    general = device_from_payload(samples["device_stats_general_temperature"]["value"])
    assert general.temperatures[0].celsius == 65.5
    assert general.model == "unknown"
    assert general.state is DeviceState.UNKNOWN
    partial = device_from_payload(samples["device_stats_usw_partial"]["value"])
    assert partial.cpu_pct == 15.2
    assert partial.uptime_s == 7776000
    assert partial.temperatures[0].celsius == 72.0


def test_unknown_state_code_maps_to_unknown():
    """A state code outside the table becomes UNKNOWN instead of failing."""
    assert device_from_payload({"mac": "AA:BB", "state": 42}).state is DeviceState.UNKNOWN


def test_unusable_items_are_skipped_counted_and_logged_once():
    """Items without a MAC (or not objects) are skipped, counted, with one warning per batch."""
    with capture_logs() as logs:
        result = normalize_all(
            device_from_payload, [{"mac": "AA"}, {"name": "x"}, "junk"], what="devices"
        )
    assert [d.mac for d in result.items] == ["aa"]
    assert result.skipped == 2
    assert "without a mac" in (result.first_problem or "")
    assert [entry["event"] for entry in logs] == ["skipped items that could not be normalised"]


def test_clients_capture(load_capture):
    """stat/sta: a wired camera on switch port 3 and a wireless client with rssi and signal."""
    wired, wireless = (
        client_from_payload(item) for item in load_capture("aiounifi_stat_sta.json")["data"]
    )
    assert wired.mac == "ac:cc:de:12:34:56"
    assert wired.name == "camera-acccde123456"
    assert wired.is_wired
    assert wired.sw_mac == "fc:ec:da:11:22:33"
    assert wired.sw_port == 3
    assert wireless.name == "Client 1"
    assert wireless.essid == "SSID"
    assert wireless.rssi == 35
    assert wireless.signal == -61
    assert wireless.ap_mac == "80:2a:a8:00:01:02"
    assert not wireless.is_wired


def test_sysinfo_and_site_captures(load_capture):
    """stat/sysinfo gives version 7.4.162 and hostname UDMP; self/sites gives site default."""
    info = controller_info_from_sysinfo(
        load_capture("aiounifi_stat_sysinfo.json")["data"][0], Flavour.UNIFI_OS
    )
    assert info.version == "7.4.162"
    assert info.hostname == "UDMP"
    assert info.update_available is False
    site = site_from_payload(load_capture("aiounifi_self_sites.json")["data"][0])
    assert (site.id, site.name, site.description) == (
        "5e231c10931eb902acf25112",
        "default",
        "Default",
    )
    assert controller_info_from_sysinfo(None, Flavour.LEGACY).version is None
