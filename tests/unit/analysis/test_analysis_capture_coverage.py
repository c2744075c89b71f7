"""Every event-like item in every real capture file reaches a sensible rule (docs/rules.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unifi_scanner.analysis import Engine
from unifi_scanner.collect import classify_item
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import (
    event_from_alarm,
    event_from_classic,
    event_from_ips,
    event_from_system_log,
    event_from_traffic_flow,
)

pytestmark = pytest.mark.fixtures

NOW = datetime(2026, 1, 5, tzinfo=UTC)
RULES_DOC = Path(__file__).parents[3] / "docs" / "rules.md"

_CONVERTERS = {
    "event": event_from_classic,
    "alarm": event_from_alarm,
    "ips": event_from_ips,
    "system_log": event_from_system_log,
    "traffic_flow": event_from_traffic_flow,
}

_IPS_RULES = frozenset(
    {
        "ips.inside_threat",
        "ips.inbound_detected",
        "ips.inbound_blocked",
        "ips.inside_other",
        "ips.engine_event",
    }
)

# Every key found in the captures, and the rules that may sensibly report it. A capture with a
# new key fails here until someone decides which rule reports it.
EXPECTED = {
    "EVT_WU_Connected": {"client.connections"},
    "EVT_WU_Disconnected": {"client.connections"},
    "EVT_LU_Connected": {"client.connections"},
    "EVT_LU_Disconnected": {"client.connections"},
    "EVT_SW_Connected": {"device.connected"},
    "EVT_AP_Connected": {"device.connected"},
    "EVT_SW_RestartedUnknown": {"device.restarted_unexpectedly"},
    "EVT_SW_Lost_Contact": {"device.lost_contact"},
    "EVT_SW_Upgraded": {"device.firmware_upgraded"},
    "EVT_IPS_IpsAlert": _IPS_RULES,
    "THREAT_BLOCKED_V3": _IPS_RULES,
}


def _event_items(node, found):
    """Collect every dict that ``analyze`` would read as an event, wherever it is nested."""
    if isinstance(node, dict):
        kind = classify_item(node)
        if kind in _CONVERTERS:
            found.append((kind, node))
            return
        for value in node.values():
            _event_items(value, found)
    elif isinstance(node, list):
        for value in node:
            _event_items(value, found)


def _analyse_alone(event):
    snapshot = Snapshot(
        site=Site(id="s", name="default", description="capture"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW, end=NOW),
        events=(event,),
    )
    return Engine(now=lambda: NOW).analyze(snapshot)


# The payload fields that name who an event is about, beside the field with its MAC.
_NAMED = {"ap": "ap_name", "sw": "sw_name", "gw": "gw_name", "dm": "dm_name", "user": "hostname"}


def _naming_problem(item, findings):
    """A capture item that names its subject must be reported by that name, not its MAC."""
    text = " ".join(" ".join((f.title, f.subject, f.explanation, *f.examples)) for f in findings)
    for mac_field, name_field in _NAMED.items():
        mac, name = item.get(mac_field), item.get(name_field)
        if isinstance(mac, str) and isinstance(name, str) and name:
            if name not in text:
                return f"{name!r} not named"
            if mac in text:
                return f"bare MAC {mac} although it is named {name!r}"
    return None


def test_every_capture_event_reaches_a_sensible_rule(shared_fixtures):
    """Each event item of each capture yields the rule expected for its key, by its name."""
    problems = []
    seen_keys = set()
    named = 0
    for path in sorted(shared_fixtures.glob("*.json")):
        found = []
        _event_items(json.loads(path.read_text(encoding="utf-8")), found)
        for kind, item in found:
            event = _CONVERTERS[kind](item)
            seen_keys.add(event.key)
            findings = _analyse_alone(event)
            rules = {f.rule for f in findings} | {p for f in findings for p in f.parts}
            expected = EXPECTED.get(event.key, set())
            if not rules & expected:
                problems.append(f"{path.name}: {kind} {event.key} -> {sorted(rules)}")
            naming = _naming_problem(item, findings)
            if naming:
                problems.append(f"{path.name}: {kind} {event.key}: {naming}")
            named += any(isinstance(item.get(f), str) for f in _NAMED.values())
    assert problems == []
    assert seen_keys == set(EXPECTED)  # the table above lists no key the captures lack
    assert named >= 10  # the naming check really ran on named items


def test_documented_non_events_are_not_read_as_events(load_capture):
    """The shapes docs/rules.md lists as not events are indeed not classified as events."""
    samples = load_capture("trek-e_synthetic_samples.json")
    flat_ips = samples["ips_event_flat_synthetic"]["value"]
    wrong_frame = samples["ws_wifi_message_WRONG_shape"]["value"]
    policies = load_capture("aiounifi_v2_firewall_policies.json")
    rules = load_capture("aiounifi_v2_trafficrules.json")
    found = []
    _event_items([flat_ips, wrong_frame, policies, rules], found)
    assert found == []
    doc = RULES_DOC.read_text(encoding="utf-8")
    for name in (
        "ips_event_flat_synthetic",
        "ws_wifi_message_WRONG_shape",
        "aiounifi_v2_firewall_policies.json",
        "aiounifi_v2_trafficrules.json",
    ):
        assert name in doc
