"""The whole vocabulary through a real scan: classic and v2 endpoints, named stories (issue 10)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.config import Settings
from unifi_scanner.simulator import SimulatorConfig, SimulatorServer
from unifi_scanner.simulator.scenarios import load_scenario

from .conftest import frozen_now

pytestmark = pytest.mark.e2e

DEADLINE_S = 60
_MAC = re.compile(r"(?i)(?:[0-9a-f]{2}:){5}[0-9a-f]{2}")


async def _report(scenario: str, network: int, directory: Path) -> dict:
    config = SimulatorConfig(now=frozen_now, network=network, scenario=scenario)
    async with SimulatorServer(config, tls=True) as server, asyncio.timeout(DEADLINE_S):
        settings = Settings(
            host=server.host,
            port=server.port,
            username=config.username,
            password=SecretStr(config.password),
            ca_bundle=server.ca_pem_path,
            state_path=directory / "state.sqlite3",
            output_dir=directory / "reports",
            report_formats=("json",),
        )
        (outcome,) = await app.run_once(settings, now=frozen_now)
    assert outcome.problems == ()
    path = next(Path(p) for p in outcome.files if p.endswith(".json"))
    return json.loads(path.read_text(encoding="utf-8"))


def _known_macs(scenario: dict) -> set[str]:
    return {d["mac"] for d in scenario["devices"]} | {c["mac"] for c in scenario["clients"]}


def _stories(report: dict) -> dict[str, list[dict]]:
    by_subject: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        by_subject.setdefault(finding["subject"], []).append(finding)
    return by_subject


@pytest.mark.parametrize("network", [9, 10])
async def test_every_key_through_a_real_scan(tmp_path, caplog, network):
    """Every key the controller sends reaches a specific finding, by name, on both APIs."""
    scenario = load_scenario("every-event")
    with caplog.at_level(logging.WARNING):
        report = await _report("every-event", network, tmp_path)
    rules = {f["rule"] for f in report["findings"]}
    assert "event.other" not in rules
    assert not [r for r in caplog.records if "unknown event key" in r.getMessage()]
    text = json.dumps(report)
    assert set(_MAC.findall(text)) & _known_macs(scenario) == set()  # never a named MAC
    stories = _stories(report)
    with_events = {spec["device"] for spec in scenario["events"] if "device" in spec}
    for device in scenario["devices"]:
        told = len(stories.get(device["name"], []))
        assert told <= 1, device["name"]  # never two findings about one device
        assert told == 1 or device["name"] not in with_events, device["name"]
    assert len(with_events) >= 8  # every family's device had events
    assert "site.routine" in rules


async def test_classic_and_v2_tell_the_same_stories(tmp_path):
    """The every-event site gives the same findings from stat/event and from the system log.

    The system log carries the documented v2 names where public sources show one and, for the
    rest, the simulator's convention (the classic key with v2 parameters): this proves names,
    parameters and severities survive the v2 path, not that Ubiquiti names those rows so.
    """
    classic = await _report("every-event", 9, tmp_path / "n9")
    v2 = await _report("every-event", 10, tmp_path / "n10")

    def shape(report: dict) -> set[tuple[str, str, str, tuple[str, ...]]]:
        return {
            (f["subject"], f["severity"], f["rule"], tuple(sorted(f["parts"])))
            for f in report["findings"]
        }

    assert shape(v2) == shape(classic)


# device -> (leading rule, severity, rules that must be parts of its one finding)
CONSOLE_TROUBLE = {
    "Edge-UXG": (
        "device.lost_contact",
        "severe",
        {"device.readopted", "device.connected", "wan.failover"},
    ),
    "Rack-CloudKey": (
        "device.lost_contact",
        "severe",
        {"device.restarted_unexpectedly", "device.connected"},
    ),
    "Desk-Switch": ("network.loop", "severe", set()),
    "Core-Switch": ("poe.overload", "medium", set()),
    "AP-Stockroom": ("device.firmware_failed", "medium", {"device.firmware_upgradable"}),
}


@pytest.mark.parametrize("network", [9, 10])
async def test_console_trouble_gives_one_named_finding_per_device(tmp_path, network):
    """Console and gateway outages are severe, each device is one finding, by name."""
    scenario = load_scenario("console-trouble")
    report = await _report("console-trouble", network, tmp_path)
    stories = _stories(report)
    for device, (rule, severity, parts) in CONSOLE_TROUBLE.items():
        [finding] = stories[device]
        assert (finding["rule"], finding["severity"]) == (rule, severity), device
        assert parts <= set(finding["parts"]), device
    uxg = stories["Edge-UXG"][0]
    assert "switched over 2 times" in uxg["explanation"]  # four interface changes, two failovers
    [rogue] = [f for f in report["findings"] if f["rule"] == "network.rogue_dhcp"]
    assert rogue["severity"] == "severe"
    assert "office-router" in rogue["subject"]
    assert set(_MAC.findall(json.dumps(report))) & _known_macs(scenario) == set()
    assert "event.other" not in {f["rule"] for f in report["findings"]}


async def test_failing_hardware_gives_one_named_finding_per_device(tmp_path):
    """Each failing device is told once: the switch, the gateway and both flapping APs."""
    scenario = load_scenario("failing-hardware")
    report = await _report("failing-hardware", 9, tmp_path)
    stories = _stories(report)
    for name in ("Gateway", "Switch-Rack", "AP-Floor2", "AP-Floor3"):
        assert len(stories[name]) == 1, name
    switch = stories["Switch-Rack"][0]
    assert switch["severity"] == "severe"  # 88 °C with the overheating flag
    assert {"device.temperature", "poe.overload", "device.restarted_unexpectedly"} <= set(
        switch["parts"]
    )
    assert stories["AP-Floor3"][0]["rule"] == "device.offline"
    gateway = stories["Gateway"][0]  # 90 °C: over its 85 °C warning, under its 95 °C limit
    assert gateway["severity"] == "medium"
    assert {"device.cpu_high", "device.memory_high"} <= set(gateway["parts"])
    assert set(_MAC.findall(json.dumps(report))) & {d["mac"] for d in scenario["devices"]} == set()
