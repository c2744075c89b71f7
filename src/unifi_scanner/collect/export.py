"""Build a :class:`Snapshot` from exported controller JSON files (``unifi-scanner analyze``).

A file may hold a classic envelope (``{"meta":…, "data":[…]}``), a websocket frame, a v2 object
(``{"data":[…], "total_page_count":…}``), a bare list or a single item. What each item is
(event, alarm, IPS alert, system-log entry, traffic flow, device, client, sysinfo, health,
setting, site) is told from its fields, so files may be named anything and mix kinds.

The flavour is UniFi OS when the sysinfo names a console (``udm_version``) or any v2 item was
found, else legacy. The window runs from the oldest to just after the newest event.

Each file is held to the input limits of an exported file (its size, nesting depth and items in
one array; :mod:`unifi_scanner._json`) before it is decoded.

Events stream into an :class:`~unifi_scanner.collect.EventSpool` file by file (de-duplicated,
spilled to disk), so memory does not grow with the size of the export; close the snapshot's
``events`` when done with it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, NoReturn, TypeVar

import structlog

from unifi_scanner._gc import relaxed_gc
from unifi_scanner._json import EXPORTED_FILE, check_size, decode_json
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
from unifi_scanner.collect.stream import EventSpool
from unifi_scanner.errors import ConfigError, InputLimitError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

    from unifi_scanner.collect.models import Event

__all__ = ["classify_item", "decode_export", "export_events", "load_export"]

T = TypeVar("T")

_log = structlog.get_logger(__name__)

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
    # firewall policies also have source/destination objects, but no time
    flow_ends = (
        isinstance(item.get("source"), dict)
        and isinstance(item.get("destination"), dict)
        and "time" in item
    )
    if "flow_start_time" in item or isinstance(item.get("ips"), dict) or flow_ends:
        return "traffic_flow"
    return None


# An item with none of these fields is not a v2 entry (checked with one set operation, since
# classic items are the common case).
_V2_MARKERS: Final = frozenset(
    {"message_raw", "title_raw", "parameters", "flow_start_time", "ips", "source"}
)


def _event_kind(item: dict[str, object]) -> str | None:
    v2_kind = _v2_kind(item) if not _V2_MARKERS.isdisjoint(item) else None
    if v2_kind or not ("time" in item or "datetime" in item or "timestamp" in item):
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


def _items(document: object, name: str) -> tuple[str | None, list[object]]:
    """Return (forced kind, items) of one file's JSON.

    Raises:
        ConfigError: the document is neither an object nor a list, is a controller error
            envelope, or has a ``data`` member that is not a list.
    """
    if isinstance(document, list):
        return None, document
    if not isinstance(document, dict):
        _fail(name, f"expected a JSON object or list, got {type(document).__name__}")
    data = document.get("data")
    meta = document.get("meta")
    if isinstance(meta, dict) and meta.get("rc") == "error":
        _fail(name, f"the controller answered with an error ({meta.get('msg') or 'no message'})")
    if isinstance(data, list):
        is_ws = isinstance(meta, dict) and meta.get("message") == "events"
        return ("websocket" if is_ws else None), data
    if "data" in document and (meta is not None or "total_page_count" in document):
        _fail(name, f"'data' must be a list, got {type(data).__name__}")
    return None, [document]


def _fail(name: str, problem: str) -> NoReturn:
    message = f"{name}: cannot read exported JSON ({problem})"
    raise ConfigError(message, ((name, "file", message),))


def decode_export(data: bytes, *, name: str) -> object:
    """Decode one exported JSON document (msgspec; a UTF-8 BOM is allowed).

    Args:
        data: the file's bytes.
        name: the file name, for the error.

    Raises:
        ConfigError: the bytes are not valid UTF-8 JSON; the message names ``name``.
        InputLimitError: the document is over the input limits of an exported file (size,
            nesting depth, items in one array); the message names ``name`` and the limit.
    """
    try:
        return decode_json(data, EXPORTED_FILE)
    except ValueError as err:
        message = f"{name}: cannot read exported JSON ({err})"
        raise ConfigError(message, ((name, "file", message),)) from err
    except InputLimitError as err:
        raise _over_limit(name, err) from err


def _over_limit(name: str, err: InputLimitError) -> InputLimitError:
    message = f"{name}: cannot read exported JSON ({err})"
    return InputLimitError(message, limit=err.limit, maximum=err.maximum)


def export_events(documents: Iterable[tuple[str, object]]) -> Iterator[Event]:
    """Stream the events of decoded export documents, normalised, in input order.

    Unlike :func:`load_export` nothing is kept or de-duplicated, so memory stays flat however
    many events stream past; items that are not events, or cannot be normalised, are skipped.

    Args:
        documents: ``(name, decoded JSON)`` pairs, e.g. pages of a large export.

    Raises:
        ConfigError: a document has an unusable shape (see :func:`decode_export`).
    """
    converters = _EVENT_CONVERTERS
    for name, document in documents:
        forced, items = _items(document, name)
        for item in items:
            kind = "websocket" if forced and isinstance(item, dict) else classify_item(item)
            convert = converters.get(kind) if kind else None
            if convert is None:
                continue
            try:
                yield convert(item)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue


def _read(path: Path) -> object:
    try:
        check_size(path.stat().st_size, EXPORTED_FILE)  # before a byte is read
        data = path.read_bytes()
    except InputLimitError as err:
        raise _over_limit(str(path), err) from err
    except OSError as err:
        message = f"{path}: cannot read exported JSON ({err})"
        raise ConfigError(message, ((str(path), "file", message),)) from err
    return decode_export(data, name=str(path))


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
        ConfigError: a file cannot be read, is not JSON or has an unusable shape; the message
            names the file.
        InputLimitError: a file is over the input limits of an exported file; the message
            names the file and the limit.
    """
    with relaxed_gc():  # a few objects per item, none in a cycle
        return _load(paths, now)


class _Intake:
    """An export's events as they stream in, file by file, with their span and skips.

    They are de-duplicated into a spool that spills sorted runs to disk, so a million-event
    export needs no more memory than one of its files.
    """

    def __init__(self) -> None:
        self.events = EventSpool()
        self.kinds: set[str] = set()
        self.first: datetime | None = None
        self.last: datetime | None = None
        self._skips: dict[str, list[Normalized[Event]]] = defaultdict(list)

    def add(self, kind: str, items: list[object]) -> None:
        """Normalise one file's items of one kind and keep the new ones."""
        self.kinds.add(kind)
        converted = normalize_all(_EVENT_CONVERTERS[kind], items, what="events", warn=False)
        if converted.skipped:
            self._skips[kind].append(converted)
        first, last = self.first, self.last
        for event in converted.items:
            if self.events.add(event):
                when = event.time
                first = when if first is None or when < first else first
                last = when if last is None or when > last else last
        self.first, self.last = first, last

    def notes(self) -> list[CollectionNote]:
        """One note (and one warning) per kind with items that could not be read."""
        notes: list[CollectionNote] = []
        for kind, parts in self._skips.items():
            skipped = sum(part.skipped for part in parts)
            first = next((part.first_problem for part in parts if part.first_problem), None)
            _log.warning(
                "skipped items that could not be normalised",
                what="events",
                kind=kind,
                skipped=skipped,
                first=first,
            )
            _note_skips(notes, "events", Normalized(items=(), skipped=skipped, first_problem=first))
        return notes


def _load(paths: Iterable[Path], now: Callable[[], datetime]) -> Snapshot:
    intake = _Intake()
    by_kind: dict[str, list[object]] = defaultdict(list)  # the inventory: small, kept
    unknown = 0
    try:
        for path in paths:
            forced, items = _items(_read(path), str(path))
            batch: dict[str, list[object]] = defaultdict(list)
            for item in items:
                kind = "websocket" if forced and isinstance(item, dict) else classify_item(item)
                if kind is None:
                    unknown += 1
                else:
                    (batch if kind in _EVENT_CONVERTERS else by_kind)[kind].append(item)
            del items
            for kind in _EVENT_CONVERTERS:  # source priority within a file
                if batch[kind]:
                    intake.add(kind, batch.pop(kind))
    except BaseException:
        intake.events.close()
        raise

    notes = intake.notes()
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
    v2_found = bool(intake.kinds & {"system_log", "traffic_flow"})
    flavour = Flavour.UNIFI_OS if is_console or v2_found else Flavour.LEGACY
    if intake.first is not None and intake.last is not None:
        window = Window(start=intake.first, end=intake.last + timedelta(milliseconds=1))
    else:
        moment = now()
        window = Window(start=moment, end=moment)
    return Snapshot(
        site=sites.items[0]
        if sites.items
        else Site(id="export", name="export", description="exported files"),
        controller=controller_info_from_sysinfo(sysinfo, flavour),
        window=window,
        events=intake.events,
        devices=devices.items,
        clients=clients.items,
        health=tuple(h for h in by_kind["health"] if isinstance(h, dict)),
        ips_settings=next(
            (s for s in by_kind["setting"] if isinstance(s, dict) and s.get("key") == "ips"), None
        ),
        notes=tuple(notes),
    )
