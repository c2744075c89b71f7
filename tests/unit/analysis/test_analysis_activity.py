"""Events per hour by severity, counted in the analysis' one pass over the events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unifi_scanner.analysis import Activity, Severity


def test_each_event_counts_once_at_its_highest_severity(engine, build):
    """An event two rules take counts once; every event is counted, unknown keys included."""
    events = [
        build.event("EVT_AP_Lost_Contact", minutes=5, ap="00:00:00:00:00:0a", msg="x"),
        build.event("EVT_AP_Lost_Contact", minutes=70, ap="00:00:00:00:00:0a", msg="x"),
        build.event("EVT_WU_Roam", minutes=10, user="00:00:00:00:00:99", msg="r"),
        build.event("EVT_SOMETHING_NEW", minutes=20, msg="?"),
    ]
    analysis = engine.run(build.snapshot(events))
    assert analysis.activity.total == len(events)
    by_rule = {f.rule: f.severity for f in analysis.findings}
    assert by_rule, "the same pass made the findings"
    hours = list(analysis.activity)
    assert [h.total for h in hours] == [3, 1]
    assert sum(h.of(s) for h in hours for s in Severity) == len(events)


def test_worker_aggregates_merge_to_the_same_activity(engine, build):
    """Two halves aggregated apart and merged count what one pass counts."""
    events = [
        build.event("EVT_WU_Roam", minutes=m, user=f"00:00:00:00:00:{m:02x}", msg="r")
        for m in range(0, 240, 7)
    ]
    snapshot = build.snapshot(events)
    whole = engine.aggregate(snapshot).activity
    first = engine.aggregate(snapshot, events[: len(events) // 2])
    first.merge(engine.aggregate(snapshot, events[len(events) // 2 :]))
    assert first.activity.hours == whole.hours
    assert whole.total == len(events)


def test_the_series_has_every_hour_of_the_period_zeros_included():
    """Hours without events are zeros; events outside the period are left out."""
    activity = Activity()
    start = datetime(2026, 1, 5, 6, tzinfo=UTC)
    activity.add(start + timedelta(minutes=5), 2)
    activity.add(start + timedelta(hours=2, minutes=59), 0)
    activity.add(start - timedelta(hours=3), 1)
    series = activity.series(start, start + timedelta(hours=4))
    assert [(h.start.hour, h.low, h.medium, h.severe) for h in series] == [
        (6, 0, 0, 1),
        (7, 0, 0, 0),
        (8, 1, 0, 0),
        (9, 0, 0, 0),
    ]
    assert len(activity) == 3
