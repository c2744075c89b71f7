"""Routine groups of a rule with a summary fold into one site-level finding, within bounds."""

from __future__ import annotations

import pickle

from unifi_scanner.analysis import Aggregate, Engine, EventKey, EventRule, Severity, Summary

OFFICE = "00:00:00:00:00:0a"


def _mac(i):
    return f"00:00:00:01:{i // 256:02x}:{i % 256:02x}"


def _roams(build, clients, per_client, spacing_min):
    return [
        build.event(EventKey.WU_ROAM, minutes=i * spacing_min, user=_mac(n), ap_from=OFFICE)
        for i in range(per_client)
        for n in range(clients)
    ]


def test_routine_subjects_beyond_the_cap_are_still_counted(build):
    """With 5 groups kept, 300 routine clients are all counted once, with no 'and N more'."""
    engine = Engine(now=lambda: build.NOW, max_subjects=5)
    findings = engine.analyze(build.snapshot(_roams(build, 300, 3, 50)))
    [finding] = findings
    assert (finding.subject, finding.count) == ("all clients", 900)
    assert finding.title == "300 client(s) roamed 900 time(s) between access points"
    assert len(finding.examples) == 3
    assert finding.badges == ("summary",)


def test_flapping_clients_survive_eviction_among_routine_ones(build):
    """Flapping clients are kept over routine ones when the table evicts."""
    engine = Engine(now=lambda: build.NOW, max_subjects=5)
    routine = _roams(build, 300, 2, 50)
    flapping = [
        build.event(EventKey.WU_ROAM, minutes=i, user=f"aa:00:00:00:00:0{n}", ap_from=OFFICE)
        for n in range(3)
        for i in range(12)
    ]
    findings = engine.analyze(build.snapshot([*flapping, *routine]))
    assert [(f.severity, f.subject, f.count) for f in findings] == [
        (Severity.MEDIUM, "aa:00:00:00:00:00", 12),
        (Severity.MEDIUM, "aa:00:00:00:00:01", 12),
        (Severity.MEDIUM, "aa:00:00:00:00:02", 12),
        (Severity.LOW, "all clients", 600),
    ]


def test_merged_parts_count_each_subject_once(build):
    """Pickled, merged aggregates give the same summary as one pass, subjects counted once."""
    engine = Engine(now=lambda: build.NOW, max_subjects=5)
    events = _roams(build, 200, 4, 30)
    whole = engine.analyze(build.snapshot(events))
    merged = Aggregate()
    for part in (events[0::2], events[1::2]):
        aggregate = engine.aggregate(build.snapshot(), part)
        merged.merge(pickle.loads(pickle.dumps(aggregate)))  # noqa: S301
    [finding] = engine.conclude(build.snapshot(), merged)
    assert (
        finding.title == whole[0].title == "200 client(s) roamed 800 time(s) between access points"
    )


def _severity(view):
    return Severity.MEDIUM if view.subjects >= 2 else Severity.LOW


def test_a_custom_rule_can_summarise_by_count(build):
    """Any event rule can fold: by count, with its own subject, fields and severity."""
    rule = EventRule(
        id="test.logins",
        keys=(EventKey.AD_LOGIN,),
        subject=lambda e, _c: str(e.params["admin"]),
        title="{subject} signed in {times}",
        explanation="e",
        summary=Summary(
            subject="admins",
            threshold=3,
            severity=_severity,
            fields=lambda _ctx: {"site": "Home"},
            title="{subjects} admin(s) signed in {count} time(s) at {site}; most: {top_subject}",
            explanation="e",
            example="{subject}: {count}",
        ),
    )
    engine = Engine((rule,), now=lambda: build.NOW)
    events = [
        build.event(EventKey.AD_LOGIN, minutes=i, admin=name)
        for i, name in enumerate(["anna", "bob", "bob", "carl", "carl", "carl"])
    ]
    findings = engine.analyze(build.snapshot(events))
    assert [(f.severity, f.title) for f in findings] == [
        (Severity.MEDIUM, "2 admin(s) signed in 3 time(s) at Home; most: bob"),
        (Severity.LOW, "carl signed in 3 times"),
    ]
    assert findings[0].examples == ("bob: 2", "anna: 1")
