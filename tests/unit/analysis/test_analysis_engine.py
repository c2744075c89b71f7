"""The engine: streaming, aggregation, bounds, ordering, robustness and the public API."""

from __future__ import annotations

import logging
import time
import tracemalloc

import pytest

from unifi_scanner import analysis
from unifi_scanner.analysis import (
    DEFAULT_RULES,
    Engine,
    EventKey,
    EventRule,
    Finding,
    Severity,
)

OFFICE = "00:00:00:00:00:0a"


def test_public_api_matches_all():
    """`__all__` lists exactly the package's public names, once each."""
    public = {n for n in vars(analysis) if not n.startswith("_")} - {
        "annotations",
        "engine",
        "findings",
        "keys",
        "rule",
        "rules",
        "aggregate",
        "conclude",
        "text",
        "ips",
        "signatures",
        "names",
        "story",
        "activity",
        "threats",
    }
    assert len(set(analysis.__all__)) == len(analysis.__all__)
    assert set(analysis.__all__) == public


def test_rule_ids_are_unique():
    """Every default rule has its own id."""
    ids = [rule.id for rule in DEFAULT_RULES]
    assert len(ids) == len(set(ids))


def test_duplicate_rule_ids_are_refused(build):
    """Two rules with one id cannot be registered."""
    rule = DEFAULT_RULES[0]
    with pytest.raises(ValueError, match="duplicate"):
        Engine((rule, rule), now=lambda: build.NOW)


def test_findings_sorted_by_severity_then_count(engine, build):
    """Severe findings come first, then larger counts."""
    events = [
        *(
            build.event("EVT_WU_Roam", minutes=i * 60, user=f"00:00:00:00:01:{i:02x}")
            for i in range(2)
        ),
        *(build.event("EVT_WU_Roam", minutes=i * 60, user="00:00:00:00:02:01") for i in range(5)),
        build.event("EVT_GW_Lost_Contact", gw="00:00:00:00:00:0c", gw_name="Gateway"),
        build.event("EVT_SW_Lost_Contact", sw="00:00:00:00:00:0d", sw_name="Switch"),
    ]
    events += [build.event("EVT_AD_Login", minutes=i, admin="anna") for i in range(3)]
    findings = engine.analyze(build.snapshot(events))
    assert [(f.severity, f.count) for f in findings] == [
        (Severity.SEVERE, 1),
        (Severity.MEDIUM, 1),
        (Severity.LOW, 7),
        (Severity.LOW, 3),
    ]


def test_unknown_key_becomes_one_generic_finding_per_key(engine, build, caplog):
    """Events no rule knows are aggregated by key, keep their message and are never dropped."""
    events = [
        build.event(
            "EVT_XX_Brand_New",
            minutes=i,
            msg="Something new happened",
            subsystem="lan",
            is_negative=True,
        )
        for i in range(4)
    ]
    with caplog.at_level(logging.WARNING):
        [finding] = engine.analyze(build.snapshot(events))
    assert (finding.rule, finding.severity, finding.subject, finding.count) == (
        "event.other",
        Severity.LOW,
        "EVT_XX_Brand_New",
        4,
    )
    assert "Something new happened" in finding.title
    assert "'lan' area" in finding.explanation
    assert "marks this kind of event as a problem" in finding.explanation
    assert finding.badges == ("negative",)
    warnings = [r.getMessage() for r in caplog.records if "EVT_XX_Brand_New" in r.getMessage()]
    assert len(warnings) == 1


def test_event_key_enum_falls_back_to_unknown():
    """An unknown wire key maps to UNKNOWN; known keys map to members."""
    assert EventKey("EVT_WU_Roam") is EventKey.WU_ROAM
    assert EventKey("EVT_Not_A_Key") is EventKey.UNKNOWN


def test_known_key_without_rule_still_reported(build):
    """With no rule claiming a known key, the fallback still reports it."""
    engine = Engine((), now=lambda: build.NOW)
    [finding] = engine.analyze(build.snapshot([build.event("EVT_WU_Roam", user="x")]))
    assert finding.rule == "event.other"


def _boom(event, ctx):
    raise RuntimeError("broken rule")


def test_failing_rule_is_logged_once_and_others_still_run(build, caplog):
    """A rule that raises is skipped for that event, logged once, and others still match."""
    broken = EventRule(
        id="test.broken", keys=(EventKey.WU_ROAM,), subject=_boom, title="t", explanation="e"
    )
    engine = Engine((broken, *DEFAULT_RULES), now=lambda: build.NOW)
    events = [build.event("EVT_WU_Roam", minutes=i, user="00:00:00:00:00:01") for i in range(3)]
    with caplog.at_level(logging.WARNING):
        findings = engine.analyze(build.snapshot(events))
    assert [f.rule for f in findings] == ["client.roaming"]
    assert sum("test.broken" in r.getMessage() for r in caplog.records) == 1


def test_event_only_claimed_by_failing_rule_falls_back(build):
    """An event whose only rule fails is reported generically, not lost."""
    broken = EventRule(
        id="test.broken", keys=(EventKey.WU_ROAM,), subject=_boom, title="t", explanation="e"
    )
    engine = Engine((broken,), now=lambda: build.NOW)
    [finding] = engine.analyze(build.snapshot([build.event("EVT_WU_Roam")]))
    assert finding.rule == "event.other"


def _gate_boom(event):
    raise RuntimeError("broken gate")


def test_shared_gate_runs_once_and_a_failing_gate_skips_only_its_rules(build, caplog):
    """A gate shared by rules runs once per event; if it raises, its rules are skipped."""
    calls = []

    def counting_gate(event):
        calls.append(event.id)
        return True

    def rule(rule_id, gate):
        return EventRule(
            id=rule_id,
            gate=gate,
            subject=lambda event, _ctx: event.key,
            title="{subject}",
            explanation="e",
        )

    engine = Engine(
        (rule("test.a", counting_gate), rule("test.b", counting_gate), rule("test.c", _gate_boom)),
        now=lambda: build.NOW,
    )
    with caplog.at_level(logging.WARNING):
        findings = engine.analyze(build.snapshot([build.event("EVT_X_One", _id="e1")]))
    assert calls == ["e1"]
    assert sorted(f.rule for f in findings) == ["test.a", "test.b"]
    assert sum("test.c" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize(
    "params",
    [
        {
            "inner_alert_signature": None,
            "src_ip": 5,
            "catname": {"x": 1},
            "inner_alert_signature_id": "abc",
        },
        {
            "ips": {"advanced_information": None, "signature_id": []},
            "source": "nope",
            "destination": None,
        },
        {"ap_from": {"weird": True}, "ap_to": 7, "channel_from": None},
    ],
)
def test_malformed_params_never_crash(engine, build, params):
    """Odd value types in params produce findings, not exceptions."""
    events = [
        build.event(k, **params) for k in ("EVT_IPS_IpsAlert", "EVT_WU_Roam", "EVT_SW_Lost_Contact")
    ]
    findings = engine.analyze(build.snapshot(events))
    assert sum(f.count for f in findings) >= 3
    assert all(isinstance(f, Finding) for f in findings)


def test_controller_strings_are_values_never_templates(engine, build):
    """Braces in a device name are printed as-is, not expanded."""
    event = build.event("EVT_SW_Lost_Contact", sw="00:00:00:00:00:0d", sw_name="{count}{__class__}")
    [finding] = engine.analyze(build.snapshot([event]))
    assert finding.subject == "{count}{__class__}"
    assert "{count}{__class__}" in finding.title


def test_examples_are_capped_at_three(engine, build):
    """A group keeps at most three distinct example lines."""
    events = [
        build.event("EVT_SW_Lost_Contact", minutes=i, sw="00:00:00:00:00:0d", msg=f"m{i}")
        for i in range(10)
    ]
    [finding] = engine.analyze(build.snapshot(events))
    assert len(finding.examples) == 3


def test_min_count_suppresses_small_groups(build):
    """A rule with a min-count threshold stays quiet below it."""
    rule = EventRule(
        id="test.threshold",
        keys=(EventKey.AD_LOGIN,),
        subject=lambda _e, _c: "x",
        title="t",
        explanation="e",
        min_count=3,
    )
    engine = Engine((rule,), now=lambda: build.NOW)
    assert (
        engine.analyze(build.snapshot([build.event("EVT_AD_Login", minutes=i) for i in range(2)]))
        == []
    )
    assert (
        len(
            engine.analyze(
                build.snapshot([build.event("EVT_AD_Login", minutes=i) for i in range(3)])
            )
        )
        == 1
    )


def test_subjects_per_rule_are_capped_with_a_rollup(build):
    """Past the cap, further subjects are summarised in one 'and N more' finding."""
    engine = Engine(now=lambda: build.NOW, max_subjects=5)
    events = [
        build.event(
            "EVT_SW_Lost_Contact", minutes=i, sw=f"00:00:00:00:{i // 256:02x}:{i % 256:02x}"
        )
        for i in range(40)
    ]
    findings = engine.analyze(build.snapshot(events))
    assert len(findings) == 6
    rollup = next(f for f in findings if "rolled up" in f.badges)
    assert rollup.count == 35
    assert sum(f.count for f in findings) == 40


def _storm(build, count):
    events = []
    for i in range(count // 2):
        user = f"00:00:00:01:{i % 5000 // 256:02x}:{i % 256:02x}"
        events.append(
            build.event(
                "EVT_WU_Roam", minutes=i / 100, user=user, ap_from=OFFICE, ap_to="00:00:00:00:00:0b"
            )
        )
        events.append(
            build.event(
                "EVT_IPS_IpsAlert",
                minutes=i / 100,
                src_ip=f"198.51.{i % 200}.{i % 250}",
                dest_ip="192.168.1.2",
                inner_alert_action="blocked",
                inner_alert_signature=f"ET {('DROP', 'SCAN', 'CINS', 'TOR')[i % 4]} x",
                inner_alert_signature_id=2400000 + i % 4,
            )
        )
    return build.snapshot(events)


def test_hundred_thousand_events_give_a_bounded_list_quickly(engine, build):
    """100,000 roam/IPS events: routine roams of 5,120 clients fold into one finding."""
    snap = _storm(build, 100_000)
    started = time.perf_counter()
    findings = engine.analyze(snap)
    elapsed = time.perf_counter() - started
    assert sum(f.count for f in findings) == 100_000
    assert len(findings) == 1 + 4
    [roaming] = [f for f in findings if f.rule == "client.roaming"]
    # _storm's MACs take 20 x 256 distinct values; every one is counted exactly once
    assert roaming.title == "5,120 client(s) roamed 50,000 time(s) between access points"
    assert elapsed < 20


def test_memory_is_bounded_by_groups_not_events(engine, build):
    """The engine's own peak memory stays small although events carry many distinct subjects."""
    snap = _storm(build, 20_000)
    tracemalloc.start()
    engine.analyze(snap)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3_000_000


def _bad_tally(event, ctx):
    yield ("x", "1")
    raise RuntimeError("tally broke")


def test_rule_failing_late_leaves_no_empty_group(build):
    """A rule failing after its subject is known adds no zero-count finding."""
    rule = EventRule(
        id="test.late",
        keys=(EventKey.AD_LOGIN,),
        subject=lambda _e, _c: "x",
        tally=_bad_tally,
        title="t",
        explanation="e",
    )
    engine = Engine((rule,), now=lambda: build.NOW)
    findings = engine.analyze(build.snapshot([build.event("EVT_AD_Login")]))
    assert [(f.rule, f.count) for f in findings] == [("event.other", 1)]


def test_failing_device_rule_is_skipped(build, caplog):
    """A device rule that raises is logged and the other device rules still run."""
    from unifi_scanner.analysis import DeviceRule

    broken = DeviceRule(id="test.device", check=_boom, title="t", explanation="e")
    engine = Engine((broken, *DEFAULT_RULES), now=lambda: build.NOW)
    with caplog.at_level(logging.WARNING):
        findings = engine.analyze(build.snapshot(devices=[build.device(cpu_pct=99.0)]))
    assert [f.rule for f in findings] == ["device.cpu_high"]
    assert any("test.device" in r.getMessage() for r in caplog.records)


def test_rules_sharing_a_route_ask_it_once_and_only_the_chosen_rule_runs(build):
    """A shared route is called once per event; the event goes to the rule routed to its answer."""
    calls = []

    def colour(event, _ctx):
        calls.append(event.id)
        return event.params.get("colour")

    def rule(rule_id, value):
        return EventRule(
            id=rule_id,
            keys=(EventKey.WU_ROAM,),
            route=(colour, value),
            subject=lambda event, _ctx: event.id,
            title="{subject}",
            explanation="e",
        )

    engine = Engine((rule("test.red", "red"), rule("test.blue", "blue")), now=lambda: build.NOW)
    events = [
        build.event("EVT_WU_Roam", _id="r1", colour="red"),
        build.event("EVT_WU_Roam", _id="b1", colour="blue"),
        build.event("EVT_WU_Roam", _id="g1", colour="green"),
    ]
    findings = engine.analyze(build.snapshot(events))
    assert calls == ["r1", "b1", "g1"]
    assert sorted((f.rule, f.subject) for f in findings) == [
        ("event.other", "EVT_WU_Roam"),  # green: routed nowhere, so reported generically
        ("test.blue", "b1"),
        ("test.red", "r1"),
    ]


def test_a_failing_route_skips_its_rules_once_and_the_event_is_not_lost(build, caplog):
    """A route that raises is logged once per rule; its events fall back to the generic rule."""

    def broken(_event, _ctx):
        raise RuntimeError("broken route")

    routed = EventRule(
        id="test.routed",
        keys=(EventKey.WU_ROAM,),
        route=(broken, True),
        subject=lambda event, _ctx: event.id,
        title="{subject}",
        explanation="e",
    )
    engine = Engine((routed,), now=lambda: build.NOW)
    events = [build.event("EVT_WU_Roam", _id=f"e{i}") for i in range(3)]
    with caplog.at_level(logging.WARNING):
        [finding] = engine.analyze(build.snapshot(events))
    assert (finding.rule, finding.count) == ("event.other", 3)
    assert sum("test.routed" in r.getMessage() for r in caplog.records) == 1
