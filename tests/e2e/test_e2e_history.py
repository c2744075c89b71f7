"""Findings that remember, end to end: three scans of a site that changes between them.

Run 1 finds the failing hardware; the owner acknowledges the gateway's (medium) trouble.
Before run 2, AP-Floor2 comes back. Before run 3, AP-Floor3 comes back, AP-Floor2 goes down
again, and the gateway's CPU reaches 99 °C.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from unifi_scanner import app
from unifi_scanner.simulator import SimulatorConfig
from unifi_scanner.testing import FakeClock

from .conftest import FROZEN
from .rig import run_cli

pytestmark = pytest.mark.e2e

CLOCK = FakeClock(FROZEN)


def _json(outcome: app.ScanOutcome) -> dict[str, Any]:
    path = next(Path(p) for p in outcome.files if p.endswith(".json"))
    return json.loads(path.read_text(encoding="utf-8"))


def _text(outcome: app.ScanOutcome, suffix: str) -> str:
    return next(Path(p) for p in outcome.files if p.endswith(suffix)).read_text(encoding="utf-8")


def _about(report: dict[str, Any], subject: str) -> dict[str, Any]:
    (finding,) = [f for f in report["findings"] if f["subject"] == subject]
    return finding


def _env(settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    env["UNIFI_STATE_PATH"] = str(settings.state_path)
    return env


def _check_second_text(text: str) -> None:
    """The acknowledged gateway is one line under its heading, not a card among the others."""
    assert "Acknowledged (1)" in text
    assert "Resolved since the last report" in text
    assert "Ongoing since" in text
    cards = text.split("SEVERE: act now", 1)[1]
    assert "About: Gateway" not in cards
    quiet = text.split("Acknowledged (1)", 1)[1].split("\n\n", 1)[0]
    assert "Gateway" in quiet
    assert "new one ordered" in quiet


def _device(simulator: Any, name: str) -> dict[str, Any]:
    return next(d for d in simulator.state.site.devices if d.get("name") == name)


@pytest.mark.parametrize(
    "sim_config", [SimulatorConfig(now=CLOCK.now, scenario="failing-hardware")]
)
async def test_three_scans_new_ongoing_resolved_recurring_and_acknowledged(
    settings, simulator, tmp_path
):
    """Ongoing since run 1; resolved and recurring in run 3; the ack holds until severe."""
    (first,) = await app.run_once(settings, now=CLOCK.now)
    one = _json(first)
    assert one["changes"]["resolved"] == []
    assert {f["status"] for f in one["findings"]} == {"new"}
    assert set(one["changes"]["new"]) == {f["fingerprint"] for f in one["findings"]}
    gateway = _about(one, "Gateway")
    assert gateway["severity"] == "medium"

    env = _env(settings)
    done = await run_cli("ack", gateway["fingerprint"], "--note", "new one ordered", env=env)
    assert done.returncode == 0, done.stderr
    assert "Gateway" in done.stdout
    listed = await run_cli("ack", "--list", env=env)
    assert gateway["fingerprint"] in listed.stdout
    assert "new one ordered" in listed.stdout

    CLOCK.advance(600)
    _device(simulator, "AP-Floor2").update(state=1, uptime=3 * 86400)
    (second,) = await app.run_once(settings, now=CLOCK.now)
    two = _json(second)
    switch = _about(two, "Switch-Rack")
    assert (switch["status"], switch["reports_count"]) == ("ongoing", 2)
    assert switch["first_reported"] == one["generated_at"]
    assert "AP-Floor2" not in {f["subject"] for f in two["findings"]}, [
        (f["rule"], f["title"], f["evidence"])
        for f in two["findings"]
        if f["subject"] == "AP-Floor2"
    ]
    resolved = {r["subject"] for r in two["changes"]["resolved"]}
    assert "AP-Floor2" in resolved
    quiet = _about(two, "Gateway")
    assert quiet["acknowledged"]["note"] == "new one ordered"
    assert two["summary"]["acknowledged"] == 1
    assert two["summary"]["medium"] == sum(
        1 for f in two["findings"] if f["severity"] == "medium" and not f["acknowledged"]
    )
    _check_second_text(_text(second, ".txt"))

    CLOCK.advance(600)
    _device(simulator, "AP-Floor3").update(state=1, uptime=3 * 86400)
    _device(simulator, "AP-Floor2").update(state=0, uptime=0)
    _device(simulator, "Gateway")["temperatures"][0]["value"] = 99.0
    (third,) = await app.run_once(settings, now=CLOCK.now)
    three = _json(third)
    floor2 = _about(three, "AP-Floor2")
    assert (floor2["status"], floor2["first_reported"]) == ("recurring", one["generated_at"])
    assert floor2["fingerprint"] in three["changes"]["recurring"]
    assert "AP-Floor3" in {r["subject"] for r in three["changes"]["resolved"]}
    hot = _about(three, "Gateway")
    assert hot["severity"] == "severe"
    assert hot["acknowledged"] is None, "severe voids the acknowledgement"
    assert three["summary"]["acknowledged"] == 0
    listed = await run_cli("ack", "--list", env=env)
    assert "No finding is acknowledged." in listed.stdout
    for suffix in (".txt", ".md", ".html"):
        shown = _text(third, suffix)
        assert "Back again" in shown, suffix
        assert "Resolved since the last report" in shown, suffix
    _check_history_page(settings.output_dir, [one, two, three], tmp_path)


def _check_history_page(directory: Path, reports: list[dict[str, Any]], tmp_path: Path) -> None:
    """index.html, opened in Chromium, lists every run with links, and what stands longest."""
    from .test_e2e_html_browser import _chromium, _dump_dom

    index = json.loads((directory / ".history" / "index.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in index["reports"]] == [r["report_id"] for r in reports]
    dom = _dump_dom(_chromium(), (directory / "index.html").as_uri(), tmp_path / "history-profile")
    assert "Reports (3)" in dom
    for entry in index["reports"]:
        for name in entry["files"].values():
            assert f'href="{name}"' in dom
    standing = dom.split("Longest-standing open findings", 1)[1].split("</table>", 1)[0]
    assert "Switch-Rack" in standing
    assert dom.count('class="report"') == 3, "one bar per report in the chart"


async def test_ack_of_an_unknown_fingerprint_is_a_clear_error(settings):
    """A fingerprint no report had: exit 2 with a sentence, no traceback."""
    env = _env(settings)
    done = await run_cli("ack", "device.offline:nope", env=env)
    assert done.returncode == 2
    assert "no report had a finding" in done.stderr
    assert "Traceback" not in done.stderr
    past = await run_cli("ack", "x", "--until", "not-a-date", env=env)
    assert past.returncode == 2
    assert "--until" in past.stderr


def test_the_clock_moves_between_the_scans():
    """The shared clock of the three-scan test starts where the simulator's scenario is."""
    assert CLOCK.now() - FROZEN >= timedelta(0)


class FailingCommits:
    """A memory store whose commits fail while ``failing`` is set (a full or locked disk)."""

    def __init__(self) -> None:
        from unifi_scanner.state import MemoryStateStore

        self.inner = MemoryStateStore()
        self.failing = False

    def __getattr__(self, name: str) -> Any:
        """Everything else is the memory store's."""
        return getattr(self.inner, name)

    def commit(self, commit: Any) -> None:
        from unifi_scanner.errors import StateError

        if self.failing:
            raise StateError("disk I/O error")
        self.inner.commit(commit)

    def close(self) -> None:
        """Kept open across the scans of one test."""


HISTORY_CLOCK = FakeClock(FROZEN)


@pytest.mark.parametrize(
    "sim_config", [SimulatorConfig(now=HISTORY_CLOCK.now, scenario="failing-hardware")]
)
async def test_a_report_that_is_not_recorded_changes_no_history(settings, simulator):
    """Run 2 cannot commit: run 3 is compared with run 1, as if run 2 never happened."""
    from unifi_scanner.history import HISTORY_NAMESPACE

    store = FailingCommits()
    (first,) = await app.run_once(settings, now=HISTORY_CLOCK.now, store=store)
    assert first.secured
    before = dict(store.records(HISTORY_NAMESPACE))
    HISTORY_CLOCK.advance(600)
    _device(simulator, "AP-Floor2").update(state=1, uptime=3 * 86400)
    store.failing = True
    (second,) = await app.run_once(settings, now=HISTORY_CLOCK.now, store=store)
    assert not second.secured
    assert dict(store.records(HISTORY_NAMESPACE)) == before, "nothing of run 2 was kept"
    store.failing = False
    HISTORY_CLOCK.advance(600)
    (third,) = await app.run_once(settings, now=HISTORY_CLOCK.now, store=store)
    three = _json(third)
    switch = _about(three, "Switch-Rack")
    assert (switch["status"], switch["reports_count"]) == ("ongoing", 2), "run 2 not counted"
    assert "AP-Floor2" in {r["subject"] for r in three["changes"]["resolved"]}
