"""Classic event items (``stat/event``, websocket ``events``, ``list/alarm``, ``stat/ips/event``).

All four share one shape: ``_id``, ``key``, ``time`` (ms), ``subsystem``, ``msg``, plus who it is
about: a device in its family's field (``ap``, ``sw``, ``gw``, ``xg``, ``dm``, ``bb``, ``lte``…, see
:mod:`unifi_scanner.vocabulary`) with ``<field>_name``/``<field>_displayName``, and
``user``/``guest``/``client`` (a client, with ``hostname``). Everything not lifted into an
:class:`Event` field stays in ``params`` under its wire name, so rules read ports, channels,
signatures from there.

IPS alerts from every source use the classic ``inner_alert_*``/``src_ip``/``dest_ip`` names in
``params`` (the v2 normalisers add them too), so one rule reads them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from unifi_scanner import vocabulary
from unifi_scanner._addresses import is_inside
from unifi_scanner.collect.models import Event, EventSource
from unifi_scanner.collect.normalize._coerce import (
    UnusableItemError,
    as_int,
    as_mac,
    as_str,
    as_time,
    require_mapping,
    synthetic_id,
    without,
)
from unifi_scanner.vocabulary import DEVICE_FIELDS

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = [
    "IPS_KEY",
    "event_from_alarm",
    "event_from_classic",
    "event_from_ips",
    "event_from_websocket",
    "events_from_websocket_frame",
    "ips_severity",
]

IPS_KEY: Final = "EVT_IPS_IpsAlert"
_CLIENT_KEYS: Final = ("user", "guest", "client")
_IPS_SEVERITY: Final = {1: "high", 2: "medium", 3: "low"}


def ips_severity(value: object) -> str | None:
    """Map ``inner_alert_severity`` (1 high … 3 low) to a lower-case hint."""
    level = as_int(value)
    if level is None:
        return None
    return _IPS_SEVERITY.get(level, "low" if level > 3 else "high")  # noqa: PLR2004 - scale end


def _event_time(item: Mapping[str, object]) -> datetime:
    when = as_time(item.get("time"))  # the usual name first, without a loop
    if when is not None:
        return when
    for name in ("datetime", "timestamp"):
        when = as_time(item.get(name))
        if when is not None:
            return when
    raise UnusableItemError(f"event {item.get('_id')!r} has no usable time")


def _ips_client(item: Mapping[str, object]) -> str | None:
    """The local side of an IPS alert: the inside address's MAC."""
    if is_inside(item.get("src_ip")):
        return as_mac(item.get("src_mac"))
    if is_inside(item.get("dest_ip")):
        return as_mac(item.get("dst_mac"))
    return None


_BASE_CONSUMED: Final = frozenset({"_id", "key", "time", "subsystem", "msg", "hostname"})
# field -> (its name field, its display-name field): made once, not per event
_NAME_KEYS: Final = {
    field: (f"{field}_name", f"{field}_displayName")
    for field in (*DEVICE_FIELDS, *_CLIENT_KEYS, "mac")
}
_ANY_DEVICE_FIELD: Final = frozenset((*DEVICE_FIELDS, "mac"))


def _device_name(params: dict[str, object], field: str, mac: str) -> str | None:
    """The device's name from the event itself.

    ``<field>_name``, ``<field>_displayName``, else the name fields of any other device field
    that carries the same MAC (a console's events name it as ``gw_displayName`` too).
    """
    name_key, display_key = _NAME_KEYS[field]
    name = as_str(params.pop(name_key, None)) or as_str(params.get(display_key))
    if name:
        return name
    for other in _ANY_DEVICE_FIELD.intersection(params):  # only the fields the event has
        if other != field and as_mac(params[other]) == mac:
            for other_key in _NAME_KEYS[other]:
                name = as_str(params.get(other_key))
                if name:
                    return name
    return None


def _client_name(raw: Mapping[str, object], field: str | None) -> str | None:
    name = as_str(raw.get("hostname"))
    if name or field is None:
        return name
    for name_key in _NAME_KEYS[field]:
        name = as_str(raw.get(name_key))
        if name:
            return name
    return None


def _classic(item: object, source: EventSource, *, default_key: str = "UNKNOWN") -> Event:
    raw = require_mapping(item)
    get = raw.get
    key = as_str(get("key")) or default_key
    when = _event_time(raw)
    message = as_str(get("msg")) or ""
    event_id = as_str(get("_id")) or synthetic_id(key, when.isoformat(), message)
    params = without(raw, _BASE_CONSUMED)  # what is lifted into a field leaves params below

    device_mac = device_name = None
    if not _ANY_DEVICE_FIELD.isdisjoint(params):  # most client and IPS items name no device
        for name in vocabulary.device_fields(key):
            if name in params and (device_mac := as_mac(params[name])):
                device_name = _device_name(params, name, device_mac)
                del params[name]
                break
    device_mac = device_mac or None  # a blank MAC ("  ") names no device
    client_mac = client_field = None
    for name in _CLIENT_KEYS:
        if name in params and (client_mac := as_mac(params[name])):
            client_field = name
            for other in _CLIENT_KEYS:  # every client field naming this MAC is consumed
                if other in params and as_mac(params[other]) == client_mac:
                    del params[other]
            break
    client_mac = client_mac or None
    severity = None
    if key == IPS_KEY:
        severity = ips_severity(get("inner_alert_severity"))
        client_mac = client_mac or _ips_client(raw)
    return Event(
        id=event_id,
        key=key,
        source=source,
        time=when,
        subsystem=as_str(get("subsystem")),
        severity_hint=severity,
        message=message,
        device_mac=device_mac,
        device_name=device_name,
        client_mac=client_mac,
        client_name=_client_name(raw, client_field),
        params=params,
    )


def event_from_classic(item: object) -> Event:
    """Normalise one ``stat/event`` item (source ``classic``)."""
    return _classic(item, EventSource.CLASSIC)


def event_from_websocket(item: object) -> Event:
    """Normalise one element of a websocket ``events`` frame (source ``websocket``)."""
    return _classic(item, EventSource.WEBSOCKET)


def event_from_alarm(item: object) -> Event:
    """Normalise one ``list/alarm`` item (source ``alarm``; ``archived`` stays in params)."""
    return _classic(item, EventSource.ALARM)


def event_from_ips(item: object) -> Event:
    """Normalise one ``stat/ips/event`` item (source ``ips``, key ``EVT_IPS_IpsAlert``)."""
    return _classic(item, EventSource.IPS, default_key=IPS_KEY)


def events_from_websocket_frame(frame: object) -> list[object]:
    """Return the items of a websocket frame whose ``meta.message`` is ``events``.

    Every element of ``data`` is one event; other message types give an empty list.
    """
    if not isinstance(frame, dict):
        return []
    meta = frame.get("meta")
    data = frame.get("data")
    if not isinstance(meta, dict) or meta.get("message") != "events" or not isinstance(data, list):
        return []
    return list(data)
