"""De-duplication of events that several endpoints report.

Two passes, keeping the copy from the most specific endpoint each time (``stat/ips/event`` >
``traffic-flows`` > ``stat/event`` > ``system-log`` > websocket > ``list/alarm``):

1. **By id.** IPS alerts (classic ``EVT_IPS_IpsAlert``, v2 traffic flows, v2 ``THREAT_*`` system-log
   entries) share one id space: the same alert comes from ``stat/ips/event``, ``stat/event`` and
   ``list/alarm`` with the same ``_id``. Every other event is identified by ``(id, key)`` (real
   captures show different events sharing an ``_id``), and an alarm is the same occurrence as the
   event it was raised for, so it is not counted twice.
2. **By content, for IPS alerts.** The v2 endpoints give the same alert another id, so alerts with
   the same source and destination address, second and signature id are one alert.
   A copy without a signature id (some system-log entries) joins an alert of the same second and
   addresses. Two different signatures on one flow in one second stay two alerts.
3. **Alarms by content.** On Network 9 without ``stat/event`` the events come from v2 system-log,
   whose entries have other ids than the alarms raised for them. An alarm (source ``alarm``,
   not IPS) whose key, MAC (device, else client) and second (±1 s) match a kept event from any
   other source is that event's occurrence, and the event (always more specific) is kept.
   Two alarms are never merged with each other.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Final

from unifi_scanner.collect.models import Event, EventSource
from unifi_scanner.collect.normalize import IPS_KEY, TRAFFIC_FLOW_KEY

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["CrossScanKeys", "dedupe_events", "reported_identity"]

_PRIORITY: Final = {
    EventSource.IPS: 0,
    EventSource.TRAFFIC_FLOW: 1,
    EventSource.CLASSIC: 2,
    EventSource.SYSTEM_LOG: 3,
    EventSource.WEBSOCKET: 4,
    EventSource.ALARM: 5,
}

_Flow = tuple[str, str, int]
_Occurrence = tuple[str, str]
#: How far apart (in whole seconds) an alarm and its event may be stamped.
ALARM_SLACK_S: Final = 1


def _is_ips(event: Event) -> bool:
    return event.key in {IPS_KEY, TRAFFIC_FLOW_KEY} or event.key.startswith("THREAT_")


def _better(candidate: Event, current: Event | None) -> bool:
    return current is None or _PRIORITY[candidate.source] < _PRIORITY[current.source]


def _flow(event: Event) -> _Flow | None:
    src, dest = event.params.get("src_ip"), event.params.get("dest_ip")
    if not isinstance(src, str) or not isinstance(dest, str):
        return None
    return (src, dest, int(event.time.timestamp()))


def _signature_id(event: Event) -> str | None:
    value = event.params.get("inner_alert_signature_id")
    return None if value in (None, "") else str(value)


def _merge_ips_by_content(alerts: Iterable[Event]) -> list[Event]:
    kept: list[Event] = []
    by_flow: dict[_Flow, dict[str | None, int]] = {}
    for event in sorted(alerts, key=lambda e: _PRIORITY[e.source]):
        flow = _flow(event)
        if flow is None:
            kept.append(event)
            continue
        signatures = by_flow.setdefault(flow, {})
        signature = _signature_id(event)
        if signature in signatures or (signature is None and signatures):
            continue  # a copy of an alert already kept from a more specific endpoint
        if signature is not None and None in signatures:
            # an earlier copy had no signature id: this one says more, keep it instead
            kept[signatures.pop(None)] = event
            signatures[signature] = kept.index(event)
            continue
        signatures[signature] = len(kept)
        kept.append(event)
    return kept


def occurrence(event: Event) -> _Occurrence | None:
    """What an alarm or event is about: ``(key, MAC)`` (the device's, else the client's)."""
    mac = event.device_mac or event.client_mac
    return (event.key, mac) if mac else None


def second(event: Event) -> int:
    """The event's time in whole epoch seconds."""
    return int(event.time.timestamp())


def is_plain_alarm(event: Event) -> bool:
    """Whether ``event`` is a ``list/alarm`` copy that is not an IPS alert."""
    return event.source is EventSource.ALARM and not _is_ips(event)


def _near(stamp: int, seconds: set[int] | frozenset[int]) -> bool:
    return any(stamp + delta in seconds for delta in range(-ALARM_SLACK_S, ALARM_SLACK_S + 1))


def _drop_alarm_copies(events: list[Event]) -> list[Event]:
    seconds: dict[_Occurrence, set[int]] = {}
    for event in events:
        if event.source is not EventSource.ALARM and (what := occurrence(event)):
            seconds.setdefault(what, set()).add(second(event))

    def is_copy(event: Event) -> bool:
        what = occurrence(event) if event.source is EventSource.ALARM else None
        return what is not None and _near(second(event), seconds.get(what, frozenset()))

    return [event for event in events if not is_copy(event)]


def dedupe_events(events: Iterable[Event]) -> tuple[Event, ...]:
    """Keep one event per occurrence (see the module doc), sorted by time then id."""
    by_id: dict[tuple[str, ...], Event] = {}
    for event in events:
        identity = ("ips", event.id) if _is_ips(event) else ("event", event.id, event.key)
        if _better(event, by_id.get(identity)):
            by_id[identity] = event
    ips = [event for event in by_id.values() if _is_ips(event)]
    others = _drop_alarm_copies([event for event in by_id.values() if not _is_ips(event)])
    unique = others + _merge_ips_by_content(ips)
    return tuple(sorted(unique, key=lambda e: (e.time, e.id)))


def reported_identity(event: Event) -> str:
    """What identifies an event across runs, as the state store's seen ids remember it.

    The same rule as within a scan: an IPS alert is its id whatever endpoint reported it; any
    other event is its id *and* key, since real controllers reuse an ``_id`` across keys.
    """
    return event.id if _is_ips(event) else f"{event.id}|{event.key}"


#: Which endpoint family an event's own id comes from: ids are comparable only within one.
_ID_SPACE: Final = {
    EventSource.CLASSIC: "classic",
    EventSource.WEBSOCKET: "classic",  # the websocket sends the stat/event items themselves
    EventSource.SYSTEM_LOG: "v2",
    EventSource.ALARM: "alarm",
}


def _ips_keys(event: Event) -> tuple[tuple[str, ...], tuple[str, ...]]:
    flow = _flow(event)
    if flow is None:
        return (), ()
    where = "|".join(map(str, flow))
    signature = _signature_id(event)
    if signature is None:
        return (f"ips:{where}|-", f"ips:{where}"), (f"ips:{where}",)
    return (f"ips:{where}|{signature}", f"ips:{where}"), (
        f"ips:{where}|{signature}",
        f"ips:{where}|-",
    )


class CrossScanKeys:
    """The keys a reported event is remembered by, and those that recognise it in a later scan.

    A later scan may read an occurrence through another endpoint (a feed that was down catches
    up, or ``stat/event`` failed and ``system-log`` answered), with another id. So besides its
    :func:`reported_identity`, an event is remembered by its content:

    * an IPS alert by its flow and signature, and by its flow alone; it is recognised by its
      flow and signature or its flow and no signature, or (having no signature) its flow alone:
      the same rule as within a scan;
    * any other event by its (normalised) key, subject (the client's MAC, else the device's,
      else none), second, and its place among the events of the same key, subject and second
      (so a burst of identical admin logins is matched one for one), tagged with the endpoint
      family its id comes from (``classic``, ``v2`` or ``alarm``). It is recognised by a copy
      from another family: in the same second for ``stat/event`` and ``system-log``, within a
      second between an alarm and its event. Within one family the id alone decides.

    Feed every event of a scan, in time order, to :meth:`of` (the places are counted as they go).
    """

    def __init__(self) -> None:
        self._second: int | None = None
        self._places: Counter[tuple[str, str, str]] = Counter()

    def of(self, event: Event) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the keys ``event`` is remembered by, and those that recognise it.

        Both start with its :func:`reported_identity`.
        """
        identity = reported_identity(event)
        if _is_ips(event):
            remembered, recognising = _ips_keys(event)
            return (identity, *remembered), (identity, *recognising)
        stamp = second(event)
        if stamp != self._second:
            self._second = stamp
            self._places.clear()
        space = _ID_SPACE.get(event.source)
        if space is None:
            return (identity,), (identity,)
        subject = event.client_mac or event.device_mac or "-"
        place = self._places[space, event.key, subject]
        self._places[space, event.key, subject] = place + 1
        what = f"{event.key}|{subject}"
        own_key = f"occ:{space}:{what}|{stamp}#{place}"
        others = [identity]
        for other in ("classic", "v2", "alarm"):
            if other == space:
                continue  # within one id space the id itself decides
            slack = ALARM_SLACK_S if "alarm" in {space, other} else 0
            others += [
                f"occ:{other}:{what}|{moment}#{place}"
                for moment in range(stamp - slack, stamp + slack + 1)
            ]
        return (identity, own_key), tuple(others)
