"""Nothing lost, nothing twice (#11): each way a report could vanish or repeat, tried for real.

The simulated controller runs on a real TLS socket. In-process scans share its frozen clock and
a ledger records which occurrences each report covered (the ground truth is one scan over the
whole span with no fault); the command-line tests run ``unifi-scanner`` as real processes.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import stamina

from unifi_scanner import app
from unifi_scanner.analysis import Engine
from unifi_scanner.app import scan as scan_module
from unifi_scanner.app.lock import scan_lock
from unifi_scanner.collect import Feed
from unifi_scanner.config import WebhookSettings
from unifi_scanner.reports import REPORT_ID
from unifi_scanner.simulator import EndpointFault, Faults, SimulatorConfig, generated_config
from unifi_scanner.state import SqliteStateStore

from .conftest import FROZEN, frozen_now
from .rig import Hook, cli_env, finish, occurrence, run_cli, start_cli, until

if TYPE_CHECKING:
    from collections.abc import Iterator

    from unifi_scanner.simulator import SimulatorServer

pytestmark = pytest.mark.e2e

#: No scan here may take longer (CI must never hang).
DEADLINE_S = 60.0
#: The first scan of a pair ends here; the second at FROZEN.
FIRST_END = FROZEN - timedelta(hours=3)

EVENTS = ("stat/event", "system-log/all")
IPS = ("traffic-flows", "stat/ips/event")


@pytest.fixture(autouse=True)
def _no_waiting_retries() -> Iterator[None]:
    """Retries happen at once, a fixed number of times."""
    with stamina.set_testing(True, attempts=2):
        yield


@pytest.fixture(name="ledger")
def ledger_fixture(monkeypatch) -> list[list[str]]:
    """The occurrences each in-process scan analysed, scan by scan."""
    scans: list[list[str]] = []

    class SpyEngine(Engine):
        def run(self, snapshot):  # the scan's one analysis call (analyze() calls it too)
            scans.append([occurrence(event) for event in snapshot.events])
            return super().run(snapshot)

    monkeypatch.setattr(scan_module, "Engine", SpyEngine)
    return scans


def _json_report(outcome: app.ScanOutcome) -> dict:
    path = next(Path(p) for p in outcome.files if p.endswith(".json"))
    return json.loads(path.read_text(encoding="utf-8"))


def _text_report(outcome: app.ScanOutcome) -> str:
    """The text report, its lines joined (wrapped sentences read whole)."""
    path = next(Path(p) for p in outcome.files if p.endswith(".txt"))
    return " ".join(path.read_text(encoding="utf-8").split())


def _names(directory: Path) -> list[str]:
    """Every file of the directory but the history page and its index (temporary files too)."""
    return sorted(p.name for p in directory.iterdir() if p.name not in {"index.html", ".history"})


def _failing(*endpoints: str, kind: str = "502", **rule: object) -> Faults:
    return Faults(endpoints=tuple(EndpointFault(kind=kind, endpoint=e, **rule) for e in endpoints))


async def _reference(simulator: SimulatorServer, settings, ledger, tmp_path: Path) -> list[str]:
    """The occurrences one scan over the whole span reports, with no fault at all."""
    simulator.state.faults = Faults()
    hours = settings.initial_lookback_hours + int((FROZEN - FIRST_END).total_seconds() // 3600)
    fresh = settings.model_copy(
        update={
            "state_path": tmp_path / "reference.sqlite3",
            "output_dir": tmp_path / "reference",
            "initial_lookback_hours": hours,
        }
    )
    await app.run_once(fresh, now=frozen_now)
    return ledger[-1]


async def _line_with(process: asyncio.subprocess.Process, text: str) -> str:
    """Read ``process``'s stderr up to the first line holding ``text`` (and return that line)."""
    assert process.stderr is not None
    async with asyncio.timeout(DEADLINE_S):
        while line := (await process.stderr.readline()).decode():
            if text in line:
                return line
    raise AssertionError(f"the process ended without saying {text!r}")


def _exactly_once(ledger: list[list[str]], scans: int, reference: list[str]) -> None:
    assert len(reference) == len(set(reference)), "the ground truth tells every event apart"
    reported = [item for scan in ledger[:scans] for item in scan]
    assert len(reported) == len(set(reported)), "an occurrence was reported twice"
    assert set(reported) == set(reference), "an occurrence was lost (or invented)"


async def test_two_runs_in_one_second_keep_both_reports(settings):
    """Two scans made in the same second write two sets of files; neither replaces the other."""
    (first,) = await app.run_once(settings, now=frozen_now)
    (second,) = await app.run_once(settings, now=frozen_now)
    assert first.report.id != second.report.id
    assert REPORT_ID.fullmatch(first.report.id)
    assert set(first.files).isdisjoint(second.files)
    assert len(_names(settings.output_dir)) == len(first.files) + len(second.files) == 8
    kept = _json_report(first)
    assert kept["report_id"] == first.report.id
    assert kept["findings"], "the first report's findings are still on disk"


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(_failing(*EVENTS, kind="502"), id="5xx"),
        pytest.param(_failing(*EVENTS, kind="malformed-json"), id="malformed-json"),
        pytest.param(_failing(*EVENTS, kind="session-expiry"), id="session-lost-every-request"),
    ],
)
async def test_an_unreadable_events_feed_is_said_and_caught_up(
    simulator, settings, ledger, tmp_path, faults
):
    """Events that cannot be read make an incomplete report; the next one brings them, once."""
    async with asyncio.timeout(DEADLINE_S):
        simulator.state.faults = faults
        (first,) = await app.run_once(settings, now=lambda: FIRST_END)
        simulator.state.faults = Faults()
        (second,) = await app.run_once(settings, now=frozen_now)
        reference = await _reference(simulator, settings, ledger, tmp_path)
    assert first.secured, "an incomplete report is still delivered"
    assert not first.complete
    assert [gap.feed for gap in first.report.gaps] == [Feed.EVENTS]
    text = _text_report(first)
    assert "Incomplete report" in text
    assert "the next report will include them" in text
    assert "No problems found." not in text
    document = _json_report(first)
    assert document["complete"] is False
    assert {c["source"]: c["complete"] for c in document["coverage"]} == {
        "events": False,
        "ips": True,
        "alarms": True,
    }
    assert second.complete
    caught_up = next(c for c in second.report.coverage if c.feed is Feed.EVENTS)
    assert caught_up.behind_since is not None
    assert "which earlier reports could not read" in _text_report(second)
    _exactly_once(ledger, 2, reference)


async def test_the_severe_finding_of_a_failed_feed_arrives_with_the_next_report(
    simulator, settings, ledger, tmp_path
):
    """An inside host talking to malware, unreadable at first, is reported by the next scan."""
    async with asyncio.timeout(DEADLINE_S):
        simulator.state.faults = _failing(*EVENTS, *IPS, "list/alarm", kind="500")
        (first,) = await app.run_once(settings, now=lambda: FIRST_END)
        simulator.state.faults = Faults()
        (second,) = await app.run_once(settings, now=frozen_now)
        reference = await _reference(simulator, settings, ledger, tmp_path)
    assert {gap.feed for gap in first.report.gaps} == set(Feed)
    assert "ips.inside_threat" not in {f.rule for f in first.report.findings}
    assert not _text_report(first).count("No problems found.")
    severe = {(f.rule, f.subject) for f in second.report.findings if f.severity == "severe"}
    assert ("ips.inside_threat", "PC Reception") in severe
    _exactly_once(ledger, 2, reference)


@pytest.mark.parametrize(
    "sim_config",
    [generated_config(events_per_day=20_000, days=1.0, now=frozen_now)],
)
@pytest.mark.parametrize("failing_first", [True, False])
async def test_reading_one_feed_from_another_endpoint_repeats_nothing(
    simulator, settings, ledger, tmp_path, failing_first
):
    """Events read from ``stat/event`` then ``system-log`` (or back) are reported once.

    The two endpoints give one event different ids; the overlap between the scans' windows
    holds events the first scan reported through the other endpoint.
    """
    async with asyncio.timeout(DEADLINE_S):
        classic_down = _failing("stat/event", kind="502")
        simulator.state.faults = classic_down if failing_first else Faults()
        (first,) = await app.run_once(settings, now=lambda: FIRST_END)
        simulator.state.faults = Faults() if failing_first else classic_down
        (second,) = await app.run_once(settings, now=frozen_now)
        reference = await _reference(simulator, settings, ledger, tmp_path)
    assert first.complete
    assert second.complete
    _exactly_once(ledger, 2, reference)


@pytest.mark.parametrize(
    "sim_config",
    [generated_config(events_per_day=20_000, days=1.0, now=frozen_now)],
)
async def test_a_cut_in_paging_is_read_again_from_where_it_stopped(
    simulator, settings, ledger, tmp_path
):
    """``stat/event`` failing after its first page of 3,000: the rest comes next time, once."""
    async with asyncio.timeout(DEADLINE_S):
        simulator.state.faults = _failing("stat/event", kind="500", after=1)
        (first,) = await app.run_once(settings, now=lambda: FIRST_END)
        simulator.state.faults = Faults()
        (second,) = await app.run_once(settings, now=frozen_now)
        reference = await _reference(simulator, settings, ledger, tmp_path)
    (gap,) = first.report.gaps
    assert gap.feed is Feed.EVENTS
    assert gap.partial
    assert "failed after 3000 items" in gap.reason
    assert len(reference) > 15_000
    assert len(ledger[0]) < len(reference) / 2, "the first report had only part of the events"
    assert second.complete
    _exactly_once(ledger, 2, reference)


async def test_catch_up_is_bounded_and_says_what_it_gave_up(simulator, settings):
    """A feed behind for longer than max_catchup_hours is read from the limit; the rest is named."""
    short = settings.model_copy(update={"max_catchup_hours": 2, "initial_lookback_hours": 24})
    hour = timedelta(hours=1)
    async with asyncio.timeout(DEADLINE_S):
        simulator.state.faults = _failing(*IPS, kind="503")
        (first,) = await app.run_once(short, now=lambda: FIRST_END)
        simulator.state.faults = Faults()
        (second,) = await app.run_once(short, now=lambda: FIRST_END + hour)
        (third,) = await app.run_once(short, now=lambda: FIRST_END + 2 * hour)
    assert not first.complete
    coverage = {c.feed: c for c in second.report.coverage}
    assert coverage[Feed.IPS].complete
    assert coverage[Feed.IPS].start == FIRST_END - hour
    assert coverage[Feed.IPS].given_up_from == FIRST_END - 24 * hour + app.CLOCK_SKEW
    assert coverage[Feed.EVENTS].given_up_from is None
    assert coverage[Feed.EVENTS].start == FIRST_END - app.CLOCK_SKEW
    assert "no report will include them" in _text_report(second)
    given_up = {c["source"]: c["given_up_from"] for c in _json_report(second)["coverage"]}
    assert given_up["ips"] is not None
    assert given_up["events"] is None
    assert "no report will include them" not in _text_report(third), "said once"


async def test_a_state_store_that_cannot_record_the_report_sends_nothing(settings, monkeypatch):
    """When the report cannot be stored with its progress, nothing is sent and nothing moves."""
    from unifi_scanner.errors import StateError

    def refuse(self, commit):
        raise StateError("disk I/O error")

    monkeypatch.setattr(SqliteStateStore, "commit", refuse)
    (failed,) = await app.run_once(settings, now=lambda: FIRST_END)
    assert not failed.secured
    assert failed.files == ()
    assert "not sent" in failed.problems[0]
    assert not settings.output_dir.exists() or _names(settings.output_dir) == []
    with SqliteStateStore(settings.state_path, frozen_now) as store:
        assert store.source_marks("default") == {}
        assert store.records("outbox") == {}


# --- the command line: exit statuses, one scan at a time, kills ---------------------------------

LIVE = pytest.mark.parametrize("sim_config", [SimulatorConfig()])  # the real clock: a CLI run


@LIVE
async def test_run_exits_3_and_says_so_when_the_report_is_incomplete(simulator, settings):
    """`run` delivers an incomplete report, prints why and exits 3; then 0 once all is read."""
    env = cli_env(settings)
    simulator.state.faults = _failing(*EVENTS, kind="503")
    incomplete = await run_cli("run", env=env)
    simulator.state.faults = Faults()
    complete = await run_cli("run", env=env)
    assert incomplete.returncode == 3, incomplete.stderr
    assert "INCOMPLETE" in incomplete.stdout
    assert "the next report will include them" in incomplete.stdout
    assert "wrote" in incomplete.stdout
    assert "Traceback" not in incomplete.stderr
    assert complete.returncode == 0, complete.stderr
    assert "INCOMPLETE" not in complete.stdout


@LIVE
async def test_a_second_scan_waits_for_the_first_and_reports_nothing_twice(simulator, settings):
    """Two `run` processes on one state file: the second waits, then has nothing to repeat."""
    env = cli_env(settings, UNIFI_LOG_LEVEL="INFO")
    simulator.state.faults = _failing("stat/device", kind="hang", times=1, seconds=30)
    first = await start_cli("run", env=env)
    await until(lambda: simulator.state.book.held == 1)
    second = await start_cli("run", env=env)
    waiting = await _line_with(second, "another scan is running")
    simulator.state.book.release()
    done = [await finish(first), await finish(second)]
    assert [d.returncode for d in done] == [0, 0], [d.stderr for d in done]
    reports = sorted(settings.output_dir.glob("*.json"))
    assert len(reports) == 2
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in reports]
    documents.sort(key=lambda d: d["generated_at"])
    first_end = documents[0]["period"]["end"]
    with_events = [
        [f for f in d["findings"] if f["first_seen"] and f["first_seen"] < first_end]
        for d in documents
    ]
    assert with_events[0], "the first report has the events"
    assert with_events[1] == [], "the second repeats none of them"
    assert "waiting for it" in waiting


@LIVE
async def test_a_scan_that_cannot_get_the_lock_exits_4_and_does_nothing(simulator, settings):
    """While another scan holds the state file, `run` waits lock_wait_s, then exits 4."""
    env = cli_env(settings, UNIFI_LOCK_WAIT_S="0.5")
    async with scan_lock(settings.state_path, 0):
        busy = await run_cli("run", env=env)
    assert busy.returncode == 4
    assert "another scan is using" in busy.stderr
    assert "Traceback" not in busy.stderr
    assert not settings.output_dir.exists()


@LIVE
async def test_a_scan_killed_mid_way_leaves_no_lock_and_loses_nothing(simulator, settings):
    """SIGKILL during collection: the next `run` starts at once and reports the events."""
    env = cli_env(settings, UNIFI_LOCK_WAIT_S="5")
    simulator.state.faults = _failing("stat/device", kind="hang", times=1, seconds=30)
    victim = await start_cli("run", env=env)
    await until(lambda: simulator.state.book.held == 1)
    victim.send_signal(signal.SIGKILL)
    killed = await finish(victim)
    simulator.state.book.release()
    after = await run_cli("run", env=env)
    assert killed.returncode == -signal.SIGKILL
    assert after.returncode == 0, after.stderr
    (report,) = settings.output_dir.glob("*.json")
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert [f for f in findings if f["first_seen"]], "the events were not lost"
    connection = sqlite3.connect(settings.state_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


@LIVE
async def test_a_scan_killed_while_delivering_sends_the_same_report_again(simulator, settings):
    """SIGKILL after the webhook got the report but before it answered: same id next run."""
    hook = Hook(mode="hold")
    await hook.start()
    try:
        env = cli_env(settings, UNIFI_WEBHOOK_URLS=hook.url, UNIFI_WEBHOOK_FORMAT="generic")
        victim = await start_cli("run", env=env)
        await asyncio.wait_for(hook.received.wait(), DEADLINE_S)
        victim.send_signal(signal.SIGKILL)
        await finish(victim)
        hook.release()
        after = await run_cli("run", env=env)
    finally:
        await hook.stop()
    assert after.returncode == 0, after.stderr
    first_id = hook.posts[0].key
    assert first_id is not None
    assert REPORT_ID.fullmatch(first_id)
    assert hook.keys().count(first_id) == 2, "sent again, with the same key"
    assert hook.posts[0].body == hook.posts[1].body
    assert hook.posts[0].report["report_id"] == first_id
    assert len(set(hook.keys())) == 2, "and the new report once"
    files = {json.loads(p.read_text())["report_id"] for p in settings.output_dir.glob("*.json")}
    assert files == set(hook.keys()), "every report reached every channel"
    assert len(list(settings.output_dir.glob("*.json"))) == 2, "files were written once"


async def test_a_webhook_that_takes_the_body_and_times_out_gets_it_once_per_run(
    simulator, settings
):
    """A POST that got no answer is not repeated at once; the next run sends it, same key."""
    hook = Hook(mode="hold")
    await hook.start()
    try:
        webhook = WebhookSettings(urls=[hook.url], format="generic", timeout_s=0.3, attempts=4)
        hooked = settings.model_copy(update={"webhook": webhook})
        (first,) = await app.run_once(hooked, now=lambda: FIRST_END)
        posts_in_first_run = len(hook.posts)
        hook.release()
        (second,) = await app.run_once(hooked, now=frozen_now)
        (third,) = await app.run_once(hooked, now=lambda: FROZEN + timedelta(hours=1))
    finally:
        await hook.stop()
    assert posts_in_first_run == 1
    assert "may have arrived" in first.problems[0]
    assert first.secured
    assert hook.keys() == [first.report.id, first.report.id, second.report.id, third.report.id]
    assert second.problems == ()
