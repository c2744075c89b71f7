"""Normalised, typed models that every later stage reads.

Whatever the source (classic ``stat/event``, v2 ``system-log``, v2 ``traffic-flows``, a websocket
frame, ``list/alarm``, ``stat/ips/event``), an item becomes one :class:`Event`. Devices, clients and
site facts become the other frozen models here, and one scan becomes one :class:`Snapshot`.

All times are aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import msgspec
import structlog

from unifi_scanner.controller.flavour import Flavour

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from datetime import datetime

__all__ = [
    "Client",
    "CollectionNote",
    "ControllerInfo",
    "Coverage",
    "Device",
    "DeviceState",
    "Event",
    "EventSource",
    "Feed",
    "Flavour",
    "Port",
    "Site",
    "Snapshot",
    "Temperature",
    "Window",
    "feed_of",
]


class EventSource(enum.StrEnum):
    """Where an :class:`Event` came from."""

    CLASSIC = "classic"
    SYSTEM_LOG = "system_log"
    TRAFFIC_FLOW = "traffic_flow"
    WEBSOCKET = "websocket"
    ALARM = "alarm"
    IPS = "ips"


class Feed(enum.StrEnum):
    """A kind of dated data, read from whichever endpoint offers it, with its own progress.

    Each feed is collected from where it was last read completely, so one that failed is read
    again from there by the next scan while the others move on.
    """

    EVENTS = "events"  # classic stat/event, else v2 system-log (and live websocket events)
    IPS = "ips"  # v2 traffic-flows, else classic stat/ips/event
    ALARMS = "alarms"  # list/alarm


_FEEDS: Final[Mapping[EventSource, Feed]] = {
    EventSource.CLASSIC: Feed.EVENTS,
    EventSource.SYSTEM_LOG: Feed.EVENTS,
    EventSource.WEBSOCKET: Feed.EVENTS,
    EventSource.TRAFFIC_FLOW: Feed.IPS,
    EventSource.IPS: Feed.IPS,
    EventSource.ALARM: Feed.ALARMS,
}


def feed_of(source: EventSource) -> Feed:
    """Return the feed an event from ``source`` belongs to."""
    return _FEEDS[source]


class DeviceState(enum.IntEnum):
    """``stat/device`` ``state`` codes; unknown codes map to :attr:`UNKNOWN`."""

    UNKNOWN = -1
    DISCONNECTED = 0
    CONNECTED = 1
    PENDING = 2
    FIRMWARE_MISMATCH = 3
    UPGRADING = 4
    PROVISIONING = 5
    HEARTBEAT_MISSED = 6
    ADOPTING = 7
    DELETING = 8
    INFORM_ERROR = 9
    ADOPTION_FAILED = 10
    ISOLATED = 11

    @classmethod
    def _missing_(cls, value: object) -> DeviceState:
        structlog.get_logger(__name__).warning("unknown device state code", state=value)
        return cls.UNKNOWN


class Event(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One thing that happened, whatever endpoint reported it.

    A frozen :class:`msgspec.Struct` rather than a dataclass: a million of them are built per
    large scan, and a struct is built about ten times faster. It is never part of a reference
    cycle (its fields are strings, a datetime and a JSON mapping), so the cyclic GC skips it.

    Attributes:
        id: the controller's id (``_id`` or v2 ``id``); the de-duplication key.
        key: the raw wire key, e.g. ``EVT_WU_Roam``, ``EVT_IPS_IpsAlert`` or a v2 key such as
            ``THREAT_BLOCKED_V3``. Rules match on it; unknown keys are kept as they are.
        source: which endpoint it came from.
        time: when it happened (aware UTC).
        subsystem: ``wlan``, ``lan``, ``www``… when given.
        category: v2 category (``SECURITY``…) when given.
        severity_hint: the controller's own severity (v2 ``severity``, IPS ``risk``), lower-case.
        message: the human message with placeholders filled.
        device_mac: the UniFi device the event is about (AP, switch, gateway).
        device_name: that device's name, when the payload or the snapshot knows it.
        client_mac: the client the event is about.
        client_name: that client's name or hostname.
        params: everything else from the payload, untouched (rules read ports, channels, IPs,
            signatures from here).
    """

    id: str
    key: str
    source: EventSource
    time: datetime
    subsystem: str | None = None
    category: str | None = None
    severity_hint: str | None = None
    message: str = ""
    device_mac: str | None = None
    device_name: str | None = None
    client_mac: str | None = None
    client_name: str | None = None
    params: Mapping[str, Any] = msgspec.field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Temperature:
    """One temperature sensor reading in degrees Celsius."""

    name: str
    celsius: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Port:
    """One switch port, with its PoE figures when it has PoE."""

    index: int
    name: str
    up: bool
    poe_enabled: bool = False
    poe_good: bool | None = None
    poe_power_w: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """A UniFi device from ``stat/device``.

    Attributes:
        mac: lower-case MAC address.
        name: the name the admin gave it, else its model.
        model: model code (``U7PG2``, ``US16P150``…).
        type: device type (``uap``, ``usw``, ``ugw``, ``udm``…).
        state: adoption/connection state.
        version: firmware version.
        adopted: whether it is adopted.
        upgradable: whether newer firmware is offered.
        upgrade_to: the firmware it would upgrade to.
        model_in_eol: the model is end-of-life.
        uptime_s: seconds since boot, when known.
        last_seen: last inform time.
        cpu_pct: CPU use in percent (from ``system-stats``).
        mem_pct: memory use in percent (from ``system-stats``).
        temperatures: all temperature readings, whatever payload shape they came in.
        overheating: the controller's own overheating flag.
        ports: switch ports.
        poe_budget_w: the switch's PoE budget (``total_max_power``).
        raw: the payload as received.
    """

    mac: str
    name: str
    model: str
    type: str
    state: DeviceState
    version: str | None = None
    adopted: bool = True
    upgradable: bool = False
    upgrade_to: str | None = None
    model_in_eol: bool = False
    uptime_s: int | None = None
    last_seen: datetime | None = None
    cpu_pct: float | None = None
    mem_pct: float | None = None
    temperatures: tuple[Temperature, ...] = ()
    overheating: bool = False
    ports: tuple[Port, ...] = ()
    poe_budget_w: float | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Client:
    """A connected client from ``stat/sta``."""

    mac: str
    name: str
    hostname: str | None = None
    ip: str | None = None
    is_wired: bool = False
    is_guest: bool = False
    ap_mac: str | None = None
    sw_mac: str | None = None
    sw_port: int | None = None
    essid: str | None = None
    rssi: int | None = None
    signal: int | None = None
    satisfaction: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """A controller site: ``name`` is the short id used in paths (``default``)."""

    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ControllerInfo:
    """What we learned about the controller itself."""

    flavour: Flavour
    version: str | None = None
    hostname: str | None = None
    update_available: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """The period a scan covers: ``start`` inclusive, ``end`` exclusive, both aware UTC.

    ``since`` gives a feed a later start than ``start`` (a feed that is caught up need not be
    read again from where another one, which failed last time, has to start).
    """

    start: datetime
    end: datetime
    since: Mapping[Feed, datetime] = field(default_factory=dict, compare=False)

    def start_of(self, feed: Feed) -> datetime:
        """Return from when ``feed`` is read: its own start, never before ``start``."""
        return max(self.since.get(feed, self.start), self.start)


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectionNote:
    """Something the collection could not get, for the report to say plainly.

    Attributes:
        source: what was missing (``events``, ``ips``, ``alarms``, ``websocket``…).
        message: one plain-English sentence.
        endpoint: the endpoint that failed, when one did.
    """

    source: str
    message: str
    endpoint: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """How much of one feed a scan read.

    Attributes:
        feed: the feed.
        start: from when it was read (the scan window's end is the end for every feed).
        complete: every item from ``start`` on was read.
        partial: some items were read before it failed or was cut (only when not complete).
        reason: why it is not complete, for people (``stat/event answered 502``).
        behind_since: earlier reports could not read this feed from this time on; this scan
            read it again from there (set by the scan, which knows the earlier reports).
        given_up_from: this feed could not be read from this time until ``start`` within the
            catch-up limit, and that part is given up (set by the scan).
    """

    feed: Feed
    start: datetime
    complete: bool = True
    partial: bool = False
    reason: str = ""
    behind_since: datetime | None = None
    given_up_from: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything one scan of one site collected.

    ``events`` is any sized, re-iterable collection: a tuple (tests) or, from the
    :class:`~unifi_scanner.collect.Collector` and ``load_export``, an
    :class:`~unifi_scanner.collect.EventSpool` that keeps the events in a temporary file, so
    memory does not grow with their number.
    Either way they come sorted by time then id. Read them in one pass where you can: each
    pass over a stream reads the file again. Do not index it.

    ``coverage`` says, per feed, from when it was read and whether completely; a snapshot that
    was not collected from a controller (an export, a test) has none.
    """

    site: Site
    controller: ControllerInfo
    window: Window
    events: Collection[Event] = ()
    devices: tuple[Device, ...] = ()
    clients: tuple[Client, ...] = ()
    health: tuple[Mapping[str, Any], ...] = ()
    ips_settings: Mapping[str, Any] | None = None
    notes: tuple[CollectionNote, ...] = ()
    coverage: tuple[Coverage, ...] = ()

    @property
    def gaps(self) -> tuple[Coverage, ...]:
        """The feeds that were not read completely (empty when coverage is not tracked)."""
        return tuple(c for c in self.coverage if not c.complete)

    def device(self, mac: str | None) -> Device | None:
        """Return the device with this MAC, if the snapshot has it."""
        if mac is None:
            return None
        wanted = mac.lower()
        return next((d for d in self.devices if d.mac == wanted), None)

    def client(self, mac: str | None) -> Client | None:
        """Return the client with this MAC, if the snapshot has it."""
        if mac is None:
            return None
        wanted = mac.lower()
        return next((c for c in self.clients if c.mac == wanted), None)
