"""De-duplication of events that several endpoints report.

The rule: one :class:`Event` per ``(class, id, key)``.

* IPS alerts (key ``EVT_IPS_IpsAlert``) form one class whatever endpoint reported them: the same
  alert comes from ``stat/ips/event``, ``stat/event`` and ``list/alarm`` with the same ``_id``.
  The copy from the most specific endpoint is kept: ``stat/ips/event`` > ``traffic-flows`` >
  ``stat/event`` > ``system-log`` > websocket > ``list/alarm``.
* Other alarms form the ``alarm`` class, so an alarm and the event it was raised for are both
  kept (they mean different things: one happened, one still needs attention).
* Everything else forms the ``event`` class; a websocket copy of a ``stat/event`` item is dropped.

The key is part of the identity because real captures show different events sharing an ``_id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from unifi_scanner.collect.models import Event, EventSource
from unifi_scanner.collect.normalize import IPS_KEY

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["dedupe_events"]

_PRIORITY: Final = {
    EventSource.IPS: 0,
    EventSource.TRAFFIC_FLOW: 1,
    EventSource.CLASSIC: 2,
    EventSource.SYSTEM_LOG: 3,
    EventSource.WEBSOCKET: 4,
    EventSource.ALARM: 5,
}


def _class(event: Event) -> str:
    if event.key == IPS_KEY:
        return "ips"
    return "alarm" if event.source is EventSource.ALARM else "event"


def dedupe_events(events: Iterable[Event]) -> tuple[Event, ...]:
    """Keep one event per ``(class, id, key)`` (see the module doc), sorted by time then id."""
    kept: dict[tuple[str, str, str], Event] = {}
    for event in events:
        identity = (_class(event), event.id, event.key)
        current = kept.get(identity)
        if current is None or _PRIORITY[event.source] < _PRIORITY[current.source]:
            kept[identity] = event
    return tuple(sorted(kept.values(), key=lambda e: (e.time, e.id)))
