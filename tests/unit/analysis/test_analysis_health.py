"""Device health rules over stat/device values."""

from __future__ import annotations

import pytest

from unifi_scanner.analysis import Severity
from unifi_scanner.collect.models import DeviceState, Port, Temperature


def _ports(*watts):
    return tuple(
        Port(index=i, name=f"Port {i}", up=True, poe_enabled=True, poe_power_w=w)
        for i, w in enumerate(watts, 1)
    )


HEALTH_CASES = [
    pytest.param(
        {"type": "usw", "temperatures": (Temperature(name="general", celsius=72),)},
        ("device.temperature", Severity.MEDIUM),
        id="switch-warm",
    ),
    pytest.param(
        {"type": "usw", "temperatures": (Temperature(name="general", celsius=56),)},
        None,
        id="switch-normal",
    ),
    pytest.param(
        {"type": "ugw", "temperatures": (Temperature(name="CPU", celsius=66),)},
        None,
        id="gateway-cpu-normal",
    ),
    pytest.param(
        {"type": "ugw", "temperatures": (Temperature(name="CPU", celsius=97),)},
        ("device.temperature", Severity.SEVERE),
        id="gateway-critical",
    ),
    pytest.param(
        {"type": "uap", "overheating": True},
        ("device.temperature", Severity.MEDIUM),
        id="overheating-flag",
    ),
    pytest.param({"cpu_pct": 97.5}, ("device.cpu_high", Severity.MEDIUM), id="cpu-high"),
    pytest.param({"cpu_pct": 3.1}, None, id="cpu-normal"),
    pytest.param({"mem_pct": 93.0}, ("device.memory_high", Severity.MEDIUM), id="mem-high"),
    pytest.param(
        {"type": "usw", "poe_budget_w": 100.0, "ports": _ports(40.0, 45.0)},
        ("device.poe_budget", Severity.LOW),
        id="poe-85pct-low",
    ),
    pytest.param(
        {"type": "usw", "poe_budget_w": 100.0, "ports": _ports(50.0, 47.0)},
        ("device.poe_budget", Severity.MEDIUM),
        id="poe-97pct-medium",
    ),
    pytest.param(
        {"type": "usw", "poe_budget_w": 222.0, "ports": _ports(4.84, 3.24, None)},
        None,
        id="poe-low-use",
    ),
    pytest.param(
        {"upgradable": True, "version": "4.0.42", "upgrade_to": "6.6.55"},
        ("device.firmware_upgradable", Severity.LOW),
        id="upgradable",
    ),
    pytest.param({"model_in_eol": True}, ("device.end_of_life", Severity.LOW), id="eol"),
    pytest.param({"uptime_s": 600}, ("device.recent_reboot", Severity.LOW), id="recent-reboot"),
    pytest.param({"uptime_s": None}, None, id="uptime-unknown"),
    pytest.param(
        {"uptime_s": 0, "state": DeviceState.DISCONNECTED},
        ("device.offline", Severity.MEDIUM),
        id="down-is-offline-not-a-reboot",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), HEALTH_CASES)
def test_device_health(engine, build, overrides, expected):
    """Each device statistic past its threshold gives the expected finding."""
    findings = engine.analyze(build.snapshot(devices=[build.device(name="Core", **overrides)]))
    got = [(f.rule, f.severity) for f in findings]
    assert got == ([expected] if expected else [])
    for finding in findings:
        assert finding.subject == "Core"
        assert "{" not in finding.title + finding.explanation
        if finding.severity is not Severity.LOW:
            assert finding.remediation


def test_poe_text_gives_watts(engine, build):
    """The PoE finding says how many watts of the budget are used."""
    snap = build.snapshot(
        devices=[build.device(type="usw", poe_budget_w=100.0, ports=_ports(50.0, 47.0))]
    )
    [finding] = engine.analyze(snap)
    assert "97.0 W" in finding.explanation
    assert "97%" in finding.title
