"""Flavours and Network generations give the same findings; windows lose and repeat nothing.

Every scan runs over a real TLS socket against the simulator, through ``app.run_once`` (or
``app.check``), with the rig's frozen clock.

Known, justified differences between Network 9 and 10:

* Network 10 has no ``list/alarm`` (400 ``api.err.InvalidObject``): its report carries a note.
* Events come from v2 ``system-log`` on Network 10; the normaliser maps its keys
  (``DEVICE_UNREACHABLE``, ``CLIENT_ROAMED_2``…) to the classic ones, so findings match.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import stamina
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.analysis import Engine
from unifi_scanner.app import scan as scan_module
from unifi_scanner.collect import IPS_KEY, TRAFFIC_FLOW_KEY, Feed, reported_identity
from unifi_scanner.config import Settings
from unifi_scanner.errors import AuthenticationError, ControllerUnreachableError
from unifi_scanner.simulator import (
    DEFAULT_API_KEY,
    EndpointFault,
    Faults,
    SimulatorConfig,
    SimulatorServer,
)
from unifi_scanner.state import Commit, SourceMark
from unifi_scanner.testing import MemoryStateStore

from .conftest import FROZEN, frozen_now

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator
    from datetime import datetime

pytestmark = pytest.mark.e2e

DEADLINE_S = 20.0
COMBOS = [("unifi-os", 9), ("unifi-os", 10), ("legacy", 9), ("legacy", 10)]
#: Rules fed by controller events (the rest come from devices, clients, IPS alerts, settings).
EVENT_RULES = frozenset(
    {
        "client.connections",
        "client.roaming",
        "device.connected",
        "device.firmware_upgraded",
        "device.lost_contact",
        "device.restarted_unexpectedly",
        "event.other",
    }
)

Finding = tuple[str, str, int]


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """Retries happen without waiting; the switch is reset after."""
    with stamina.set_testing(True, attempts=2):
        yield


@pytest.fixture(name="simulator")
async def simulator_fixture(sim_config: SimulatorConfig) -> AsyncIterator[SimulatorServer]:
    """The rig's simulator (over TLS), without Nagle's delay."""
    async with SimulatorServer(sim_config, tls=True) as server:
        yield server


def _settings(server: SimulatorServer, directory: Path, **changes: object) -> Settings:
    directory.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password": SecretStr(server.password),
        "ca_bundle": server.ca_pem_path,
        "state_path": directory / "state.sqlite3",
        "output_dir": directory / "reports",
        "report_formats": ("json",),
        "scan_deadline_s": DEADLINE_S,
        **changes,
    }
    return Settings.model_validate(values)


def _report(outcome: app.ScanOutcome) -> dict:
    path = next(Path(p) for p in outcome.files if p.endswith(".json"))
    return json.loads(path.read_text(encoding="utf-8"))


def _findings(report: dict) -> set[Finding]:
    return {(f["rule"], f["subject"], f["count"]) for f in report["findings"]}


async def _scan(
    flavour: str, network: int, scenario: str, directory: Path, **changes: object
) -> dict:
    """One whole run against a fresh simulator; returns the JSON report."""
    config = SimulatorConfig(now=frozen_now, flavour=flavour, network=network, scenario=scenario)
    async with SimulatorServer(config, tls=True) as server, asyncio.timeout(DEADLINE_S):
        (outcome,) = await app.run_once(_settings(server, directory, **changes), now=frozen_now)
    return _report(outcome)


async def _all_combos(scenario: str, tmp_path: Path) -> dict[tuple[str, int], dict]:
    return {
        (flavour, network): await _scan(
            flavour, network, scenario, tmp_path / f"{flavour}{network}"
        )
        for flavour, network in COMBOS
    }


def _without_event_rules(findings: Iterable[Finding]) -> set[Finding]:
    return {f for f in findings if f[0] not in EVENT_RULES}


@pytest.mark.parametrize(
    ("scenario", "has_ips"), [("demo", True), ("under-attack", True), ("failing-hardware", False)]
)
async def test_flavours_and_generations_agree(tmp_path, scenario, has_ips):
    """Flavours agree exactly; generations agree on everything not fed by controller events."""
    reports = await _all_combos(scenario, tmp_path)
    findings = {combo: _findings(report) for combo, report in reports.items()}
    for network in (9, 10):
        assert findings[("legacy", network)] == findings[("unifi-os", network)]
    assert _without_event_rules(findings[("unifi-os", 10)]) == _without_event_rules(
        findings[("unifi-os", 9)]
    )
    ips = {
        combo: {f for f in found if f[0].startswith("ips.")} for combo, found in findings.items()
    }
    assert len(set(map(frozenset, ips.values()))) == 1
    assert bool(ips[("unifi-os", 9)]) is has_ips
    for (_, network), report in reports.items():
        notes = [note["source"] for note in report["collection_notes"]]
        assert notes == ([] if network == 9 else ["alarms"])


async def test_network10_event_findings_match_network9(tmp_path):
    """The same events give the same findings whether they come from stat/event or system-log."""
    classic = _findings(await _scan("unifi-os", 9, "demo", tmp_path / "n9"))
    v2 = _findings(await _scan("unifi-os", 10, "demo", tmp_path / "n10"))
    assert v2 == classic


class RecordingStore(MemoryStateStore):
    """A memory state store that records the identities each successful run remembered."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[set[str]] = []

    def commit(self, commit: Commit) -> None:
        """Record the ids, then store everything."""
        seen = list(commit.seen)
        self.marked.append(set(seen))
        super().commit(dataclasses.replace(commit, seen=seen))


def _done_until(store: MemoryStateStore, site: str, end: datetime) -> None:
    """Mark every feed of ``site`` read and reported up to ``end`` (as a good run would)."""
    mark = SourceMark(complete_until=end, reported_until=end)
    store.commit(Commit(site=site, marks=dict.fromkeys(Feed, mark), seen=(), at=end))


#: What each reported identity is, as an occurrence: an IPS alert is its flow and signature
#: (endpoints give one alert different ids), any other event its identity.
OCCURRENCES: dict[str, object] = {}


def _occurrence(event) -> object:
    if event.key in {IPS_KEY, TRAFFIC_FLOW_KEY} or event.key.startswith("THREAT_"):
        params = event.params
        flow = (params.get("src_ip"), params.get("dest_ip"), int(event.time.timestamp()))
        return (*flow, params.get("inner_alert_signature_id"))
    return reported_identity(event)


def _occurrences(ids: set[str]) -> set[object]:
    return {OCCURRENCES[i] for i in ids}


@pytest.fixture
def reported(monkeypatch) -> list[set[str]]:
    """The identities of the events each run put in its report, run by run."""
    runs: list[set[str]] = []

    class SpyEngine(Engine):
        def run(self, snapshot):  # the scan's one analysis call (analyze() calls it too)
            ids = set()
            for event in snapshot.events:
                ids.add(identity := reported_identity(event))
                OCCURRENCES[identity] = _occurrence(event)
            runs.append(ids)
            return super().run(snapshot)

    monkeypatch.setattr(scan_module, "Engine", SpyEngine)
    return runs


#: A first run ends here; the demo's 09:18/09:19 wired events lie in the 5-minute overlap.
FIRST_END = FROZEN.replace(hour=9, minute=21)
OVERLAP = (FIRST_END - app.CLOCK_SKEW, FIRST_END)


async def _reference_ids(server: SimulatorServer, tmp_path: Path, reported) -> set[str]:
    """The ids one single run over the whole span reports."""
    lookback = {"initial_lookback_hours": 24 + 3}
    settings = _settings(server, tmp_path / "reference", **lookback)
    await app.run_once(settings, now=frozen_now, store=RecordingStore())
    return reported[-1]


async def test_overlapping_windows_report_each_event_once(simulator, tmp_path, reported):
    """Two runs whose windows overlap report every event, and none of them twice."""
    store = RecordingStore()
    settings = _settings(simulator, tmp_path)
    async with asyncio.timeout(DEADLINE_S):
        await app.run_once(settings, now=lambda: FIRST_END, store=store)
        (second,) = await app.run_once(settings, now=frozen_now, store=store)
        reference = await _reference_ids(simulator, tmp_path, reported)
        # Without the seen ids, the second window would repeat events of the first one.
        forgetful = RecordingStore()
        _done_until(forgetful, "default", FIRST_END)
        await app.run_once(settings, now=frozen_now, store=forgetful)
    first_ids, second_ids, _, forgetful_ids = reported
    assert first_ids & forgetful_ids, "the overlap holds events"
    assert _report(second)["period"]["start"].startswith(OVERLAP[0].strftime("%Y-%m-%dT%H:%M"))
    assert first_ids & second_ids == set()
    assert first_ids | second_ids == reference
    counts = Counter([*first_ids, *second_ids])
    assert set(counts.values()) == {1}
    # Only what a later window can collect again is remembered, not every reported event.
    first_marked = store.marked[0] & first_ids  # identities (content keys come with them)
    assert first_ids & forgetful_ids <= first_marked < first_ids


async def test_a_feed_that_failed_is_read_again_without_repeating_the_others(
    simulator, tmp_path, reported
):
    """With the IPS endpoints down, the next run reads IPS alerts from where they stopped.

    Events and alarms move on; the IPS feed keeps its start, so the second run reads it from
    there again. IPS alerts also arrive through ``stat/event``: those the first run reported
    are remembered and not reported again.
    """
    store = RecordingStore()
    settings = _settings(simulator, tmp_path)
    down = tuple(EndpointFault(kind="500", endpoint=e) for e in ("traffic-flows", "stat/ips/event"))
    async with asyncio.timeout(DEADLINE_S):
        simulator.state.faults = Faults(endpoints=down)
        (first,) = await app.run_once(settings, now=lambda: FIRST_END, store=store)
        simulator.state.faults = Faults()
        (second,) = await app.run_once(settings, now=frozen_now, store=store)
        reference = await _reference_ids(simulator, tmp_path, reported)
    first_ids, second_ids, _ = reported
    assert not first.complete
    assert [g.feed for g in first.report.gaps] == [Feed.IPS]
    assert second.complete
    ips = next(c for c in second.report.coverage if c.feed is Feed.IPS)
    assert ips.behind_since is not None
    assert ips.start < next(c for c in second.report.coverage if c.feed is Feed.EVENTS).start
    before, after = _occurrences(first_ids), _occurrences(second_ids)
    assert before & after == set()
    assert before | after == _occurrences(reference)
    assert len(first_ids) + len(second_ids) == len(reference)
    assert store.marked[0] >= first_ids, "a run with a feed behind remembers all it reported"


@pytest.mark.parametrize("failure", ["controller-down", "bad-password"])
async def test_failed_run_loses_no_event(simulator, tmp_path, failure, reported):
    """A run that fails leaves its window to the next good run: no event is lost or repeated."""
    store = RecordingStore()
    settings = _settings(simulator, tmp_path)
    async with asyncio.timeout(DEADLINE_S):
        await app.run_once(settings, now=lambda: FIRST_END, store=store)
        failed_at = FIRST_END + timedelta(hours=1)
        if failure == "controller-down":
            simulator.state.faults = Faults(status=503)
            with pytest.raises(ControllerUnreachableError):
                await app.run_once(settings, now=lambda: failed_at, store=store)
            simulator.state.faults = Faults()
        else:
            wrong = settings.model_copy(update={"password": SecretStr("wrong")})
            with pytest.raises(AuthenticationError):
                await app.run_once(wrong, now=lambda: failed_at, store=store)
        assert store.source_marks("default")[Feed.EVENTS].complete_until == FIRST_END
        (good,) = await app.run_once(settings, now=frozen_now, store=store)
        reference = await _reference_ids(simulator, tmp_path, reported)
    first_ids, good_ids, _ = reported
    assert _report(good)["period"]["start"].startswith(OVERLAP[0].strftime("%Y-%m-%dT%H:%M"))
    assert first_ids & good_ids == set()
    assert first_ids | good_ids == reference


@pytest.mark.parametrize(("flavour", "network"), COMBOS)
async def test_check_lists_flavour_version_sites_and_endpoints(tmp_path, flavour, network):
    """`check` names the flavour, the version, the sites, and which endpoints answer."""
    config = SimulatorConfig(now=frozen_now, flavour=flavour, network=network)
    async with SimulatorServer(config, tls=True) as server, asyncio.timeout(DEADLINE_S):
        result = await app.check(_settings(server, tmp_path), now=frozen_now)
    assert result.ok
    assert result.flavour == flavour
    assert result.version
    assert result.version.split(".")[0] == str(network)
    assert result.sites == ("default",)
    answered = dict(result.endpoints)
    always = ("self/sites", "stat/sysinfo", "stat/device", "stat/sta", "stat/health")
    assert all(answered[name] == "ok" for name in (*always, "traffic-flows")), answered
    if network == 9:
        assert answered["stat/event"] == "ok"
        assert answered["list/alarm"] == "ok"
        assert "system-log/all" not in answered
    else:
        assert "HTTP 404" in answered["stat/event"]
        assert "HTTP 400" in answered["list/alarm"]
        assert answered["system-log/all"] == "ok"


async def test_api_key_scan_on_unifi_os(simulator, tmp_path):
    """An X-API-KEY alone scans a UniFi OS console: no login, no session, same findings."""
    by_password = _settings(simulator, tmp_path / "password")
    by_key = _settings(
        simulator,
        tmp_path / "key",
        username=None,
        password=None,
        api_key=SecretStr(DEFAULT_API_KEY),
    )
    async with asyncio.timeout(DEADLINE_S):
        (keyed,) = await app.run_once(by_key, now=frozen_now)
        sessions_after_key = len(simulator.state.sessions.sessions)
        (logged_in,) = await app.run_once(by_password, now=frozen_now)
    assert sessions_after_key == 0
    report = _report(keyed)
    assert report["collection_notes"] == []
    assert _findings(report) == _findings(_report(logged_in))


async def test_wrong_api_key_fails_with_a_clear_error(simulator, tmp_path):
    """A wrong X-API-KEY ends the scan with an AuthenticationError, not a retry loop."""
    settings = _settings(
        simulator, tmp_path, username=None, password=None, api_key=SecretStr("not-the-key")
    )
    async with asyncio.timeout(DEADLINE_S):
        with pytest.raises(AuthenticationError, match="HTTP 401"):
            await app.run_once(settings, now=frozen_now)


@pytest.mark.parametrize("sim_config", [SimulatorConfig(now=frozen_now, flavour="legacy")])
async def test_api_key_on_a_legacy_controller_is_refused_clearly(simulator, tmp_path):
    """A legacy controller has no API keys: the first call fails with an AuthenticationError."""
    settings = _settings(
        simulator, tmp_path, username=None, password=None, api_key=SecretStr(DEFAULT_API_KEY)
    )
    async with asyncio.timeout(DEADLINE_S):
        with pytest.raises(AuthenticationError, match="only on UniFi OS"):
            await app.run_once(settings, now=frozen_now)
    assert len(simulator.state.sessions.sessions) == 0
