"""One event per occurrence, however many endpoints report it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unifi_scanner.collect import (
    IPS_KEY,
    TRAFFIC_FLOW_KEY,
    CrossScanKeys,
    Event,
    EventSource,
    EventSpool,
    dedupe_events,
    reported_identity,
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


def _remembered(*events: Event) -> set[str]:
    keys = CrossScanKeys()
    return {key for event in events for key in keys.of(event)[0]}


def _recognised(remembered: set[str], *events: Event) -> list[bool]:
    keys = CrossScanKeys()
    return [not remembered.isdisjoint(keys.of(event)[1]) for event in events]


def _event(source, id_, key="EVT_WU_Connected", *, client="aa:00:00:00:00:01", at=T0, device=None):
    return Event(id=id_, key=key, source=source, time=at, client_mac=client, device_mac=device)


def test_an_ips_alert_is_recognised_across_endpoints_by_flow_and_signature():
    """A flow copy of a reported alert is known; another signature on the flow is not."""
    reported = _remembered(_alert(EventSource.CLASSIC, "c1"))
    flow = _alert(EventSource.TRAFFIC_FLOW, "f1", key=TRAFFIC_FLOW_KEY)
    other = _alert(EventSource.TRAFFIC_FLOW, "f2", key=TRAFFIC_FLOW_KEY, sid="2000001")
    unsigned = _alert(EventSource.SYSTEM_LOG, "s1", key="THREAT_BLOCKED_V3", sid=None)
    assert _recognised(reported, flow, other, unsigned) == [True, False, True]
    # an alert reported without a signature is the same as any signed copy of its flow
    assert _recognised(_remembered(unsigned), flow) == [True]


def test_an_event_is_recognised_from_the_other_endpoint_family_in_the_same_second():
    """stat/event ↔ system-log by key, client and second; a second later is another event."""
    reported = _remembered(_event(EventSource.CLASSIC, "c1"))
    twin = _event(EventSource.SYSTEM_LOG, "v2-1")
    later = _event(EventSource.SYSTEM_LOG, "v2-2", at=T0 + timedelta(seconds=1))
    other_client = _event(EventSource.SYSTEM_LOG, "v2-3", client="aa:00:00:00:00:02")
    same_family = _event(EventSource.CLASSIC, "c2")
    websocket = _event(EventSource.WEBSOCKET, "c1")
    # a classic copy with another id is another event; the websocket sends the same ids
    assert _recognised(reported, twin, later, other_client, same_family, websocket) == [
        True,
        False,
        False,
        False,
        True,
    ]


def test_an_alarm_and_its_event_are_recognised_within_a_second():
    """An alarm matches its event stamped a second apart; two alarms never match."""
    lost = "EVT_AP_Lost_Contact"
    reported = _remembered(_event(EventSource.CLASSIC, "c1", lost, client=None, device="ap"))
    alarm = _event(
        EventSource.ALARM, "al1", lost, client=None, device="ap", at=T0 + timedelta(seconds=1)
    )
    far = _event(
        EventSource.ALARM, "al2", lost, client=None, device="ap", at=T0 + timedelta(seconds=2)
    )
    assert _recognised(reported, alarm, far) == [True, False]
    assert _recognised(
        _remembered(alarm), _event(EventSource.ALARM, "al3", lost, client=None, device="ap")
    ) == [False]


def test_a_burst_of_identical_events_is_matched_one_for_one():
    """Three identical site events in one second, two reported: the third is still new."""
    login = "EVT_AD_LoginFailed"
    reported = _remembered(
        *(_event(EventSource.CLASSIC, f"c{i}", login, client=None) for i in range(2))
    )
    burst = [_event(EventSource.SYSTEM_LOG, f"v{i}", login, client=None) for i in range(3)]
    assert _recognised(reported, *burst) == [True, True, False]


def test_every_key_set_starts_with_the_reported_identity():
    """The identity is always remembered and always recognises (one endpoint, one id)."""
    keys = CrossScanKeys()
    for event in (_alert(EventSource.IPS, "a1"), _event(EventSource.CLASSIC, "c1")):
        remembered, recognising = keys.of(event)
        assert remembered[0] == recognising[0] == reported_identity(event)
