"""One event per occurrence, however many endpoints report it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unifi_scanner.collect import (
    IPS_KEY,
    TRAFFIC_FLOW_KEY,
    Event,
    EventSource,
    EventSpool,
    dedupe_events,
)

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


# --- alarms matched to their event by content ------------------------------------------------

AP = "f0:9f:c2:00:00:01"
PHONE = "aa:00:00:00:00:09"


def _lost(source, id_, *, at=T0, mac=AP, key="EVT_AP_Lost_Contact", client=False):
    macs = {"client_mac": mac} if client else {"device_mac": mac}
    return Event(id=id_, key=key, source=source, time=at, **macs)


def _both_ways(events):
    """``dedupe_events`` and an ``EventSpool`` fed in both orders give the same events."""
    kept = dedupe_events(events)
    for order in (events, events[::-1]):
        spool = EventSpool(run_size=1)
        spool.extend(order)
        assert sorted(spool, key=lambda e: (e.time, e.id)) == list(kept)
        assert len(spool) == len(kept)
        spool.close()
    return kept


def test_alarm_and_system_log_copy_with_other_ids_count_once():
    """An alarm and the system-log entry of the same lost contact (other id) are one event."""
    kept = _both_ways(
        [
            _lost(EventSource.SYSTEM_LOG, "log-1", at=T0 + timedelta(milliseconds=900)),
            _lost(EventSource.ALARM, "alarm-1"),
        ]
    )
    assert [(e.id, e.source) for e in kept] == [("log-1", EventSource.SYSTEM_LOG)]


def test_alarm_matches_within_one_second_only():
    """Stamps one second apart still match; two seconds apart are two occurrences."""
    near = _both_ways(
        [
            _lost(EventSource.SYSTEM_LOG, "log-1", at=T0 + timedelta(seconds=1)),
            _lost(EventSource.ALARM, "alarm-1"),
        ]
    )
    far = _both_ways(
        [
            _lost(EventSource.SYSTEM_LOG, "log-1", at=T0 + timedelta(seconds=2)),
            _lost(EventSource.ALARM, "alarm-1"),
        ]
    )
    assert [e.source for e in near] == [EventSource.SYSTEM_LOG]
    assert len(far) == 2


def test_alarm_of_another_device_or_key_is_kept():
    """Another MAC or another key is another occurrence."""
    kept = _both_ways(
        [
            _lost(EventSource.SYSTEM_LOG, "log-1"),
            _lost(EventSource.ALARM, "alarm-1", mac="f0:9f:c2:00:00:02"),
            _lost(EventSource.ALARM, "alarm-2", key="EVT_SW_Lost_Contact"),
        ]
    )
    assert sorted(e.id for e in kept) == ["alarm-1", "alarm-2", "log-1"]


def test_alarm_matches_on_the_client_mac_and_any_more_specific_source():
    """A client alarm joins its websocket or classic copy; the alarm is never the one kept."""
    for source in (EventSource.CLASSIC, EventSource.WEBSOCKET, EventSource.SYSTEM_LOG):
        kept = _both_ways(
            [
                _lost(source, "ev-1", mac=PHONE, key="EVT_WU_Disconnected", client=True),
                _lost(EventSource.ALARM, "al-1", mac=PHONE, key="EVT_WU_Disconnected", client=True),
            ]
        )
        assert [e.source for e in kept] == [source]


def test_two_alarms_or_an_alarm_without_mac_are_not_merged():
    """Alarms never absorb each other, and an alarm naming no MAC stays."""
    no_mac = Event(id="alarm-3", key="EVT_AP_Lost_Contact", source=EventSource.ALARM, time=T0)
    bare = Event(id="log-3", key="EVT_AP_Lost_Contact", source=EventSource.SYSTEM_LOG, time=T0)
    kept = _both_ways(
        [_lost(EventSource.ALARM, "alarm-1"), _lost(EventSource.ALARM, "alarm-2"), no_mac, bare]
    )
    assert sorted(e.id for e in kept) == ["alarm-1", "alarm-2", "alarm-3", "log-3"]


def test_ips_alarm_is_still_matched_by_id_and_flow_not_by_mac():
    """IPS alarms keep their own rules: an alarm copy of a flow's alert is dropped by content."""
    kept = _both_ways(
        [
            _alert(EventSource.TRAFFIC_FLOW, "flow-1", key=TRAFFIC_FLOW_KEY),
            _alert(EventSource.ALARM, "alarm-1"),
        ]
    )
    assert [e.source for e in kept] == [EventSource.TRAFFIC_FLOW]
