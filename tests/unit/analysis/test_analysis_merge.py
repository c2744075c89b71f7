"""Aggregates of disjoint parts of the events merge into the result of one analysis."""

from __future__ import annotations

import pickle
from datetime import timedelta

from unifi_scanner.analysis import Aggregate, Engine, EventKey, Severity
from unifi_scanner.analysis.aggregate import Group, GroupTable
from unifi_scanner.collect.models import EventSource


def _mixed_events(build):
    events = []
    for i in range(240):
        events.append(
            build.event(
                EventKey.WU_ROAM,
                minutes=i,
                _id=f"r{i}",
                user=f"00:00:00:00:01:{i % 7:02x}",
                ap_from="00:00:00:00:00:0a",
                ap_to=f"00:00:00:00:00:{11 + i % 3:02x}",
            )
        )
        events.append(
            build.event(
                EventKey.IPS_ALERT,
                minutes=i,
                _id=f"i{i}",
                event_source=EventSource.IPS,
                src_ip=f"45.1.{i % 5}.{i % 9 + 1}",
                dest_ip="192.168.1.2",
                inner_alert_action="blocked" if i % 3 else "allowed",
                inner_alert_signature="ET DROP Spamhaus DROP Listed Traffic Inbound",
                inner_alert_signature_id=2_400_022,
            )
        )
        events.append(build.event(f"EVT_XX_New_{i % 4}", minutes=i, _id=f"x{i}"))
    return events


def _view(findings):
    return [
        (f.rule, f.severity, f.subject, f.count, f.first_seen, f.last_seen, f.title, f.evidence)
        for f in findings
    ]


def test_merged_halves_equal_one_pass(build):
    """Two aggregates over alternate events, pickled and merged, give the one-pass findings."""
    events = _mixed_events(build)
    device = build.device()
    whole = Engine(now=lambda: build.NOW).analyze(build.snapshot(events, devices=[device]))

    engine = Engine(now=lambda: build.NOW)
    snapshot = build.snapshot(devices=[device])
    merged = Aggregate()
    for part in (events[0::2], events[1::2]):
        merged.merge(pickle.loads(pickle.dumps(engine.aggregate(snapshot, part))))  # noqa: S301
    findings = engine.conclude(snapshot, merged)

    assert _view(findings) == _view(whole)
    assert {f.rule for f in findings} >= {"client.roaming", "ips.inbound_blocked", "event.other"}


def test_merge_keeps_tables_bounded(build):
    """Merging many subjects still reports at most max_subjects plus one roll-up per rule."""
    engine = Engine(now=lambda: build.NOW, max_subjects=5)
    snapshot = build.snapshot()
    merged = Aggregate()
    for part in range(4):
        events = [
            build.event(EventKey.AD_LOGIN, minutes=i, _id=f"{part}-{i}", admin=f"admin-{part}-{i}")
            for i in range(30)
        ]
        merged.merge(engine.aggregate(snapshot, events))
    findings = engine.conclude(snapshot, merged)
    assert len(findings) == 6
    assert sum(f.count for f in findings) == 120


def test_group_merge_combines_every_part(build):
    """Merging groups adds counts, widens the span, keeps the earliest fields and caps tallies."""
    early, late = build.NOW - timedelta(hours=2), build.NOW
    first = Group("a", {"x": "late"})
    first.add(time=late, severity=Severity.LOW, example="e1", badges=("b1",), tally=[("d", "v1")])
    second = Group("a", {"x": "early"})
    second.name("Alpha")
    for value in range(70):
        second.add(
            time=early,
            severity=Severity.SEVERE,
            example=f"e{value % 4}",
            badges=("b2",),
            tally=[("d", f"w{value}")],
        )
    first.merge(second)
    assert (first.count, first.severity, first.display) == (71, Severity.SEVERE, "Alpha")
    assert (first.first_seen, first.last_seen, first.fields) == (early, late, {"x": "early"})
    assert first.examples == ["e1", "e0", "e2"]
    assert list(first.badges) == ["b1", "b2"]
    assert sum(first.tallies["d"].values()) == 71
    assert first.tallies["d"]["other"] == 71 - 64


def test_table_merge_evicts_into_the_rollup_and_merges_rollups(build):
    """Merged tables stay bounded; subjects pushed out and both roll-ups are counted."""

    def table(prefix, subjects):
        made = GroupTable(keep=1)
        for i in range(subjects):
            group = made.create(f"{prefix}{i}", {})
            group.add(time=build.NOW, severity=Severity.LOW, example="", badges=(), tally=())
        return made

    left, right = table("l", 4), table("r", 6)  # right already rolled some up while filling
    left.merge(right)
    kept = left.finish()
    assert len(kept) == 1
    assert left.rollup.subjects + len(kept) == 10
    assert left.rollup.count == 9
    assert left.rollup.last_seen == build.NOW


def test_aggregate_from_other_rules_is_ignored_when_concluding(build):
    """A table for a rule the concluding engine does not have is left out, not an error."""
    stray = GroupTable()
    stray.create("s", {}).add(time=None, severity=Severity.LOW, example="", badges=(), tally=())
    aggregate = Aggregate({"not.a.rule": stray})
    assert Engine(now=lambda: build.NOW).conclude(build.snapshot(), aggregate) == []


def test_merged_parts_count_failovers_as_one_pass_does(build):
    """WAN switch-overs split over two parts are counted once each after the merge (issue 10)."""
    events = [
        build.event(
            "EVT_GW_WANTransition",
            minutes=episode * 20 + second / 60,
            _id=f"w{episode}-{second}",
            device_mac="00:00:00:00:00:0c",
            iface=f"eth{second}",
            state="active",
        )
        for episode in range(6)
        for second in (0, 1)  # two interfaces change a second apart: one switch-over
    ]
    engine = Engine(now=lambda: build.NOW)
    snapshot = build.snapshot()
    [whole] = engine.analyze(build.snapshot(events))
    merged = Aggregate()
    for part in (events[0::2], events[1::2]):
        merged.merge(pickle.loads(pickle.dumps(engine.aggregate(snapshot, part))))  # noqa: S301
    [split] = engine.conclude(snapshot, merged)
    assert whole.title.endswith("switched over 6 times")
    assert (split.title, split.severity) == (whole.title, whole.severity)
