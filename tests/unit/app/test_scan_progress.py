"""The scan's per-feed plan and progress: where each feed is read from, where its mark moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from unifi_scanner.app.scan import CLOCK_SKEW, _new_marks, _plan
from unifi_scanner.collect import ControllerInfo, Coverage, Feed, Flavour, Site, Snapshot
from unifi_scanner.config import Settings
from unifi_scanner.state import Commit, SourceMark
from unifi_scanner.testing import MemoryStateStore

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
SETTINGS = Settings(host="192.0.2.1", initial_lookback_hours=24, max_catchup_hours=48)


def _store(**marks: SourceMark) -> MemoryStateStore:
    store = MemoryStateStore()
    if marks:
        store.commit(Commit(site="default", marks=marks, seen=(), at=NOW))
    return store


def _done(at: datetime, reported: datetime | None = None) -> SourceMark:
    return SourceMark(complete_until=at, reported_until=reported or at)


def _snapshot(plan, **incomplete: bool) -> Snapshot:
    coverage = tuple(
        Coverage(feed=f, start=plan.window.start_of(f), complete=str(f) not in incomplete)
        for f in Feed
    )
    return Snapshot(
        site=Site(id="1", name="default", description="Home"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=plan.window,
        coverage=coverage,
    )


def test_first_scan_reads_every_feed_over_the_initial_lookback():
    """No marks: every feed from now - initial_lookback_hours, nothing given up."""
    plan = _plan(_store(), "default", SETTINGS, NOW)
    assert plan.window.start == NOW - 24 * HOUR
    assert {plan.window.start_of(f) for f in Feed} == {NOW - 24 * HOUR}
    assert plan.given_up == {}


def test_each_feed_starts_at_its_own_mark_less_the_skew():
    """A feed behind is read from its own mark; the window starts at the earliest."""
    store = _store(events=_done(NOW - HOUR), ips=_done(NOW - 5 * HOUR, NOW - HOUR))
    plan = _plan(store, "default", SETTINGS, NOW)
    assert plan.window.start_of(Feed.EVENTS) == NOW - HOUR - CLOCK_SKEW
    assert plan.window.start_of(Feed.IPS) == NOW - 5 * HOUR - CLOCK_SKEW
    assert plan.window.start_of(Feed.ALARMS) == NOW - 24 * HOUR  # a new feed: first scan
    assert plan.window.start == NOW - 24 * HOUR


def test_a_feed_behind_the_catch_up_limit_starts_at_the_limit():
    """Older than max_catchup_hours: read from the limit, the rest given up from the mark."""
    mark = NOW - 60 * HOUR
    plan = _plan(_store(events=_done(mark)), "default", SETTINGS, NOW)
    assert plan.window.start_of(Feed.EVENTS) == NOW - 48 * HOUR
    assert plan.given_up == {Feed.EVENTS: mark}


def test_complete_feeds_move_to_the_end():
    """Read completely: complete and reported until the window's end."""
    plan = _plan(_store(events=_done(NOW - HOUR)), "default", SETTINGS, NOW)
    marks = _new_marks(plan, _snapshot(plan))
    assert marks == dict.fromkeys(Feed, _done(NOW))


def test_an_incomplete_feed_keeps_its_mark_and_records_what_was_reported():
    """Not read completely: complete-until stays, reported-until moves to the end."""
    plan = _plan(
        _store(events=_done(NOW - 3 * HOUR), ips=_done(NOW - HOUR)), "default", SETTINGS, NOW
    )
    marks = _new_marks(plan, _snapshot(plan, events=True))
    assert marks[Feed.EVENTS] == SourceMark(complete_until=NOW - 3 * HOUR, reported_until=NOW)
    assert marks[Feed.IPS] == _done(NOW)


def test_an_incomplete_first_scan_or_given_up_feed_restarts_where_it_was_read_from():
    """No mark, or one beyond the limit: the feed restarts from where this scan read it."""
    plan = _plan(_store(events=_done(NOW - 60 * HOUR)), "default", SETTINGS, NOW)
    marks = _new_marks(plan, _snapshot(plan, events=True, ips=True))
    assert marks[Feed.EVENTS].complete_until == NOW - 48 * HOUR + CLOCK_SKEW
    assert marks[Feed.IPS].complete_until == NOW - 24 * HOUR + CLOCK_SKEW
    again = _plan(_store(**{str(f): m for f, m in marks.items()}), "default", SETTINGS, NOW + HOUR)
    assert again.window.start_of(Feed.IPS) == NOW - 24 * HOUR
    assert again.given_up == {Feed.EVENTS: NOW - 48 * HOUR + CLOCK_SKEW}


@pytest.mark.parametrize("hours", [0, 1])
def test_a_snapshot_without_coverage_counts_as_complete(hours):
    """Coverage not tracked (a collector that reports none): every feed moves on."""
    plan = _plan(_store(), "default", SETTINGS, NOW + hours * HOUR)
    snapshot = _snapshot(plan)
    bare = Snapshot(site=snapshot.site, controller=snapshot.controller, window=plan.window)
    assert set(_new_marks(plan, bare).values()) == {_done(NOW + hours * HOUR)}
