"""Build a :class:`Snapshot` from exported controller JSON files (``unifi-scanner analyze``).

A file may hold a classic envelope (``{"meta":…, "data":[…]}``), a websocket frame, a v2 object
(``{"data":[…], "total_page_count":…}``), a bare list or a single item. What each item is
(event, alarm, IPS alert, system-log entry, traffic flow, device, client, sysinfo, health,
setting, site) is told from its fields, so files may be named anything and mix kinds.

The flavour is UniFi OS when the sysinfo names a console (``udm_version``) or any v2 item was
found, else legacy. The window runs from the oldest to just after the newest event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, TypeVar

from unifi_scanner.collect.dedup import dedupe_events
from unifi_scanner.collect.models import CollectionNote, Flavour, Site, Snapshot, Window
from unifi_scanner.collect.normalize import (
    IPS_KEY,
    Normalized,
    client_from_payload,
    controller_info_from_sysinfo,
    device_from_payload,
    event_from_alarm,
    event_from_classic,
    event_from_ips,
    event_from_system_log,
    event_from_traffic_flow,
    event_from_websocket,
    normalize_all,
    site_from_payload,
)
from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from unifi_scanner.collect.models import Event

__all__ = ["classify_item", "load_export"]

T = TypeVar("T")

_TIME_FIELDS: Final = ("time", "datetime", "timestamp")
_EVENT_CONVERTERS: Final[dict[str, Callable[[object], Event]]] = {
    "event": event_from_classic,
    "websocket": event_from_websocket,
    "alarm": event_from_alarm,
    "ips": event_from_ips,
    "system_log": event_from_system_log,
    "traffic_flow": event_from_traffic_flow,
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _v2_kind(item: dict[str, object]) -> str | None:
    if "message_raw" in item or "title_raw" in item or ("key" in item and "parameters" in item):
        return "system_log"
    flow_ends = isinstance(item.get("source"), dict) and isinstance(item.get("destination"), dict)
    if "flow_start_time" in item or isinstance(item.get("ips"), dict) or flow_ends:
        return "traffic_flow"
    return None


def _event_kind(item: dict[str, object]) -> str | None:
    v2_kind = _v2_kind(item)
    if v2_kind or not any(name in item for name in _TIME_FIELDS):
        return v2_kind
    if item.get("key") == IPS_KEY or "inner_alert_signature" in item:
        return "ips"
    if "key" in item:
        return "alarm" if "archived" in item else "event"
    return None


def _inventory_kind(item: dict[str, object]) -> str | None:
    if "mac" in item:
        return "device" if "model" in item or "port_table" in item else "client"
    if "version" in item and any(k in item for k in ("build", "ubnt_device_type", "hostname")):
        return "sysinfo"
    if "subsystem" in item:
        return "health"
    if "key" in item:
        return "setting"
    if "name" in item and "desc" in item:
        return "site"
    return None


def classify_item(item: object) -> str | None:
    """Tell what an exported item is from its fields; ``None`` when it is not recognised.

    Returns one of ``system_log``, ``traffic_flow``, ``ips``, ``alarm``, ``event``, ``device``,
    ``client``, ``sysinfo``, ``health``, ``setting``, ``site``.
    """
    if not isinstance(item, dict):
        return None
    return _event_kind(item) or _inventory_kind(item)


def _items(document: object) -> tuple[str | None, list[object]]:
    """Return (forced kind, items) of one file's JSON."""
    if isinstance(document, list):
        return None, document
    if not isinstance(document, dict):
        return None, []
    data = document.get("data")
    meta = document.get("meta")
    if isinstance(data, list):
        is_ws = isinstance(meta, dict) and meta.get("message") == "events"
        return ("websocket" if is_ws else None), data
    return None, [document]


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        message = f"{path}: cannot read exported JSON ({err})"
        raise ConfigError(message, ((str(path), "file", message),)) from err


def _note_skips(notes: list[CollectionNote], what: str, result: Normalized[T]) -> None:
    if result.skipped:
        notes.append(
            CollectionNote(
                source=what,
                message=f"{result.skipped} {what} could not be read and were left out "
                f"(first: {result.first_problem})",
            )
        )


def load_export(paths: Iterable[Path], *, now: Callable[[], datetime] = _utcnow) -> Snapshot:
    """Read exported controller JSON files into one snapshot.

    Args:
        paths: the files.
        now: the clock; used for the window only when there are no events.

    Raises:
        ConfigError: a file cannot be read or is not JSON.
    """
    by_kind: dict[str, list[object]] = defaultdict(list)
    unknown = 0
    for path in paths:
        forced, items = _items(_read(path))
        for item in items:
            kind = "websocket" if forced and isinstance(item, dict) else classify_item(item)
            if kind is None:
                unknown += 1
            else:
                by_kind[kind].append(item)

    notes: list[CollectionNote] = []
    events: list[Event] = []
    for kind, convert in _EVENT_CONVERTERS.items():
        converted = normalize_all(convert, by_kind[kind], what="events")
        _note_skips(notes, "events", converted)
        events.extend(converted.items)
    devices = normalize_all(device_from_payload, by_kind["device"], what="devices")
    clients = normalize_all(client_from_payload, by_kind["client"], what="clients")
    sites = normalize_all(site_from_payload, by_kind["site"], what="sites")
    _note_skips(notes, "devices", devices)
    _note_skips(notes, "clients", clients)
    if unknown:
        notes.append(
            CollectionNote(source="export", message=f"{unknown} items were not recognised")
        )

    sysinfo = by_kind["sysinfo"][0] if by_kind["sysinfo"] else None
    is_console = isinstance(sysinfo, dict) and "udm_version" in sysinfo
    v2_found = bool(by_kind["system_log"] or by_kind["traffic_flow"])
    flavour = Flavour.UNIFI_OS if is_console or v2_found else Flavour.LEGACY
    unique = dedupe_events(events)
    if unique:
        window = Window(start=unique[0].time, end=unique[-1].time + timedelta(milliseconds=1))
    else:
        moment = now()
        window = Window(start=moment, end=moment)
    return Snapshot(
        site=sites.items[0]
        if sites.items
        else Site(id="export", name="export", description="exported files"),
        controller=controller_info_from_sysinfo(sysinfo, flavour),
        window=window,
        events=unique,
        devices=devices.items,
        clients=clients.items,
        health=tuple(h for h in by_kind["health"] if isinstance(h, dict)),
        ips_settings=next(
            (s for s in by_kind["setting"] if isinstance(s, dict) and s.get("key") == "ips"), None
        ),
        notes=tuple(notes),
    )
