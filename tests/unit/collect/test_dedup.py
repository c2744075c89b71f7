"""One event per occurrence, however many endpoints report it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unifi_scanner.collect import IPS_KEY, TRAFFIC_FLOW_KEY, Event, EventSource, dedupe_events

T0 = datetime(2026, 11, 26, 11, 0, 0, 250000, tzinfo=UTC)


def _alert(source, id_, *, key=IPS_KEY, sid="2049991", src="192.168.1.54", at=T0):
    params = {"src_ip": src, "dest_ip": "198.51.100.66"}
    if sid is not None:
        params["inner_alert_signature_id"] = sid
    return Event(id=id_, key=key, source=source, time=at, params=params)


def test_same_alert_from_ips_event_and_alarm_is_kept_once_from_the_ips_endpoint():
    """stat/ips/event, stat/event and list/alarm share the id: one alert, the IPS copy."""
    kept = dedupe_events(
        [
            _alert(EventSource.ALARM, "a1"),
            _alert(EventSource.CLASSIC, "a1"),
            _alert(EventSource.IPS, "a1"),
        ]
    )
    assert [(e.id, e.source) for e in kept] == [("a1", EventSource.IPS)]


def test_traffic_flow_copy_with_another_id_is_the_same_alert():
    """A v2 flow of the same addresses, second and signature is not counted twice."""
    kept = dedupe_events(
        [
            _alert(EventSource.CLASSIC, "classic-1"),
            _alert(EventSource.TRAFFIC_FLOW, "flow-9", key=TRAFFIC_FLOW_KEY),
        ]
    )
    assert [e.source for e in kept] == [EventSource.TRAFFIC_FLOW]


def test_two_signatures_on_one_flow_in_one_second_stay_two_alerts():
    """Different signature ids are different alerts even in the same second."""
    kept = dedupe_events(
        [_alert(EventSource.CLASSIC, "x1"), _alert(EventSource.CLASSIC, "x2", sid="2400022")]
    )
    assert len(kept) == 2


def test_system_log_copy_without_signature_joins_the_alert():
    """A THREAT_* entry without a signature id merges into the alert it reports."""
    kept = dedupe_events(
        [
            _alert(EventSource.SYSTEM_LOG, "log-1", key="THREAT_BLOCKED_V3", sid=None),
            _alert(EventSource.TRAFFIC_FLOW, "flow-1", key=TRAFFIC_FLOW_KEY),
        ]
    )
    assert [e.id for e in kept] == ["flow-1"]


def test_alerts_in_different_seconds_are_different():
    """The same signature and addresses a second apart are two alerts."""
    kept = dedupe_events(
        [
            _alert(EventSource.CLASSIC, "c1"),
            _alert(EventSource.TRAFFIC_FLOW, "f1", at=T0 + timedelta(seconds=1)),
        ]
    )
    assert len(kept) == 2


def test_alarm_for_an_event_is_not_a_second_occurrence():
    """A lost-contact alarm with its event's id and key is the event, kept once."""
    event = Event(id="e1", key="EVT_SW_Lost_Contact", source=EventSource.CLASSIC, time=T0)
    alarm = Event(id="e1", key="EVT_SW_Lost_Contact", source=EventSource.ALARM, time=T0)
    assert dedupe_events([alarm, event]) == (event,)


def test_different_events_sharing_an_id_are_both_kept():
    """Real captures reuse an _id across keys: both events stay."""
    a = Event(id="same", key="EVT_WU_Connected", source=EventSource.CLASSIC, time=T0)
    b = Event(id="same", key="EVT_WU_Disconnected", source=EventSource.CLASSIC, time=T0)
    assert len(dedupe_events([a, b])) == 2
