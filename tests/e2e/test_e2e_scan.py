"""A whole scan against the simulated controller over a real TLS socket."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.errors import AuthenticationError, ControllerUnreachableError
from unifi_scanner.simulator import SimulatorConfig

from .conftest import FROZEN, frozen_now

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "report.schema.json").read_text())

pytestmark = pytest.mark.e2e


def _json_report(outcome: app.ScanOutcome) -> dict:
    path = next(Path(p) for p in outcome.files if p.endswith(".json"))
    return json.loads(path.read_text(encoding="utf-8"))


async def test_scan_writes_every_format_with_offline_device_and_ips_findings(settings):
    """All four formats are delivered; the JSON names the offline AP and the infected host."""
    (outcome,) = await app.run_once(settings, now=frozen_now)
    assert outcome.problems == ()
    suffixes = sorted(Path(p).suffix for p in outcome.files)
    assert suffixes == [".html", ".json", ".md", ".txt"]
    report = _json_report(outcome)
    jsonschema.validate(report, SCHEMA)
    by_rule = {(f["rule"], f["subject"]): f for f in report["findings"]}
    warehouse = by_rule[("device.offline", "AP-Warehouse")]  # offline now leads its story
    assert {"device.offline", "device.lost_contact"} <= set(warehouse["parts"])
    assert [f["subject"] for f in report["findings"]].count("AP-Warehouse") == 1
    severe = [f for f in report["findings"] if f["severity"] == "severe"]
    assert ("ips.inside_threat", "PC Reception") in {(f["rule"], f["subject"]) for f in severe}
    assert report["controller"]["flavour"] == "unifi-os"
    assert report["period"]["end"].startswith("2026-11-26T12:00")
    assert report["summary"]["severe"] == len(severe)


async def test_second_run_reports_nothing_twice(settings):
    """The next run starts at the last window's end and skips events already reported."""
    (first,) = await app.run_once(settings, now=frozen_now)
    later = FROZEN + timedelta(hours=1)
    (second,) = await app.run_once(settings, now=lambda: later)
    first_events = sum(f["count"] for f in _json_report(first)["findings"] if f["first_seen"])
    event_rules = {
        f["fingerprint"]
        for f in _json_report(second)["findings"]
        if f["first_seen"] and f["first_seen"] < FROZEN.isoformat().replace("+00:00", "Z")
    }
    assert first_events > 0
    assert event_rules == set()
    assert _json_report(second)["period"]["start"] < _json_report(second)["period"]["end"]


@pytest.mark.parametrize(
    "sim_config",
    [SimulatorConfig(now=frozen_now, flavour="legacy", network=10)],
)
async def test_legacy_network10_falls_back_to_v2_and_notes_what_is_missing(settings):
    """On a legacy controller with Network 10, events come from v2 and the gaps are noted."""
    (outcome,) = await app.run_once(settings, now=frozen_now)
    report = _json_report(outcome)
    assert report["controller"]["flavour"] == "legacy"
    assert report["findings"], "v2 system-log and traffic-flows still give findings"
    notes = " ".join(note["message"] for note in report["collection_notes"])
    assert "alarm" in notes.lower()


async def test_wrong_password_fails_the_scan_and_keeps_the_window(settings):
    """Bad credentials fail the scan with a clear error; no window is recorded."""
    bad = settings.model_copy(update={"password": SecretStr("wrong")})
    with pytest.raises(AuthenticationError):
        await app.run_once(bad, now=frozen_now)
    from unifi_scanner.state import SqliteStateStore

    store = SqliteStateStore(settings.state_path, frozen_now)
    try:
        assert store.source_marks("default") == {}
    finally:
        store.close()


async def test_untrusted_certificate_is_refused(settings):
    """Without the simulator's CA, TLS verification refuses the connection."""
    untrusted = settings.model_copy(update={"ca_bundle": None})
    with pytest.raises(ControllerUnreachableError, match="UNIFI_CA_BUNDLE"):
        await app.run_once(untrusted, now=frozen_now)


async def test_fingerprint_pinning_accepts_the_right_certificate(settings, simulator):
    """Pinning the simulator certificate's SHA-256 works without any CA."""
    pinned = settings.model_copy(
        update={"ca_bundle": None, "tls_fingerprint": simulator.cert_fingerprint}
    )
    (outcome,) = await app.run_once(pinned, now=frozen_now)
    assert outcome.report.findings


async def test_wrong_fingerprint_is_refused(settings):
    """A pinned fingerprint that does not match refuses the connection."""
    pinned = settings.model_copy(update={"ca_bundle": None, "tls_fingerprint": "ab" * 32})
    with pytest.raises(ControllerUnreachableError, match="UNIFI_TLS_FINGERPRINT"):
        await app.run_once(pinned, now=frozen_now)


async def test_check_reports_flavour_version_and_endpoints(settings):
    """`check` logs in and lists which endpoints answered."""
    result = await app.check(settings, now=frozen_now)
    assert result.ok
    assert result.flavour == "unifi-os"
    assert result.version
    assert "default" in result.sites
    answered = dict(result.endpoints)
    assert answered, "at least one endpoint probed"


async def test_site_all_scans_every_site_the_account_sees(settings):
    """UNIFI_SITE=all collects each site the controller lists, one report per site."""
    everything = settings.model_copy(update={"site": "all"})
    outcomes = await app.run_once(everything, now=frozen_now)
    assert [o.report.site.name for o in outcomes] == ["default"]
    assert outcomes[0].report.findings
    assert all(o.secured for o in outcomes)
    from unifi_scanner.state import SqliteStateStore

    store = SqliteStateStore(settings.state_path, frozen_now)
    try:
        marks = store.source_marks("default")
        assert {m.complete_until for m in marks.values()} == {FROZEN}, "each feed moved on"
    finally:
        store.close()


async def test_unknown_site_is_a_config_error_listing_the_sites(settings):
    """A site the controller does not have is named, with the sites it does have."""
    from unifi_scanner.errors import ConfigError

    with pytest.raises(ConfigError, match="default"):
        await app.run_once(settings.model_copy(update={"site": "branch"}), now=frozen_now)


@pytest.mark.parametrize(
    "sim_config",
    [SimulatorConfig(now=frozen_now, scenario="busy-office", network=10)],
)
async def test_busy_office_on_network10_gives_a_short_report(settings):
    """Thousands of generated v2 events over TLS become tens of findings, not thousands."""
    (outcome,) = await app.run_once(settings, now=frozen_now)
    report = _json_report(outcome)
    jsonschema.validate(report, SCHEMA)
    events = sum(f["count"] for f in report["findings"])
    assert events > 5000
    assert 5 <= len(report["findings"]) <= 300
    assert outcome.problems == ()
