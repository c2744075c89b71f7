"""CyberSecure end to end: scans of the simulated controller over TLS, and offline analyze."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from unifi_scanner import app
from unifi_scanner.simulator import SimulatorConfig
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.site import build_site

from .conftest import FROZEN, frozen_now
from .rig import run_cli

pytestmark = pytest.mark.e2e


def _files(outcome: app.ScanOutcome) -> dict[str, str]:
    return {Path(p).suffix: Path(p).read_text(encoding="utf-8") for p in outcome.files}


def _section(report: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in report["integrations"] if s["name"] == "cybersecure")


@pytest.mark.parametrize(
    "sim_config",
    [
        SimulatorConfig(now=frozen_now, scenario="under-attack", network=9),
        SimulatorConfig(now=frozen_now, scenario="under-attack", network=10),
    ],
    ids=["network-9", "network-10"],
)
async def test_under_attack_detect_only_and_the_et_pro_badge_in_every_format(settings, simulator):
    """Switched to IDS: a medium detect-only finding; the ET PRO C2 finding badged CyberSecure."""
    for entry in simulator.state.site.settings:
        if entry.get("key") == "ips":
            entry["ips_mode"] = "ids"  # the controller's setting, changed at run time
    (outcome,) = await app.run_once(settings, now=frozen_now)
    files = _files(outcome)
    report = json.loads(files[".json"])
    section = _section(report)
    assert section["status"] == "ok"
    assert section["data"]["protection"]["mode"] == "ids"
    assert section["data"]["signatures"]["enhanced"] == "active"
    rules = {f["rule"]: f for f in report["findings"]}
    assert rules["cybersecure.detect_only"]["severity"] == "medium"
    badged = [f for f in report["findings"] if "CyberSecure" in f["badges"]]
    assert badged
    assert all("ET PRO" in f["badges"] for f in badged)
    assert any(f["severity"] == "severe" and "pos-terminal" in f["title"] for f in badged)
    assert "CyberSecure" in files[".txt"]
    assert "Enhanced signatures (ET PRO): active" in files[".txt"]
    assert "CyberSecure" in files[".md"]
    assert "CyberSecure" in files[".html"]


@pytest.mark.parametrize(
    "sim_config", [SimulatorConfig(now=frozen_now, scenario="failing-hardware")]
)
async def test_ips_switched_off_is_severe(settings):
    """failing-hardware has IPS disabled: one severe finding, the section says 'off'."""
    (outcome,) = await app.run_once(settings, now=frozen_now)
    report = json.loads(_files(outcome)[".json"])
    section = _section(report)
    assert section["data"]["protection"]["mode_text"] == "off"
    (off,) = [f for f in report["findings"] if f["rule"] == "cybersecure.ips_off"]
    assert off["severity"] == "severe"


async def test_disabled_by_setting_leaves_no_findings(settings):
    """UNIFI_CYBERSECURE_ENABLED=false: a 'disabled' status row, no CyberSecure findings."""
    configured = settings.model_copy(
        update={"cybersecure": settings.cybersecure.model_copy(update={"enabled": False})}
    )
    (outcome,) = await app.run_once(configured, now=frozen_now)
    report = json.loads(_files(outcome)[".json"])
    assert _section(report)["status"] == "disabled"
    assert not [f for f in report["findings"] if f["rule"].startswith("cybersecure.")]
    assert not [f for f in report["findings"] if "CyberSecure" in f["badges"]]


async def test_analyze_of_an_export_runs_cybersecure_offline(tmp_path):
    """Exported IPS alerts and settings, analysed offline: the same section and badge."""
    site = build_site(load_scenario("under-attack"), network=9, now_s=int(FROZEN.timestamp()))
    alerts = tmp_path / "ips.json"
    alerts.write_text(json.dumps({"meta": {"rc": "ok"}, "data": site.ips_events}), "utf-8")
    setting = tmp_path / "setting.json"
    setting.write_text(json.dumps({"meta": {"rc": "ok"}, "data": site.settings}), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    env["UNIFI_STATE_PATH"] = str(tmp_path / "state.sqlite3")
    finished = await run_cli(
        "analyze", str(alerts), str(setting), "--format", "json", env=env, timeout_s=120
    )
    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout)
    section = _section(report)
    assert section["data"]["protection"]["mode"] == "ips"
    assert section["data"]["signatures"]["enhanced"] == "active"
    assert any("CyberSecure" in f["badges"] for f in report["findings"])
    assert "cybersecure.detect_only" not in {f["rule"] for f in report["findings"]}
