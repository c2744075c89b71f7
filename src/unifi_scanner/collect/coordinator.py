"""Collect one scan of a site into a :class:`Snapshot`, probing what the controller offers.

The first call (``self/sites``) must work: its errors (bad credentials, controller down) end
the scan. After that every endpoint is optional: one that fails is skipped with one log line
and a :class:`CollectionNote`, and the rest still arrives.

* Events: classic ``stat/event`` paged (``_start``/``_limit``, ``within``) until ``meta.count``
  is reached or the window is covered; if it fails (404 on Network 10.x), v2
  ``system-log/all`` paged until ``total_page_count``.
* IPS: v2 ``traffic-flows`` (IPS flows); if it fails, classic ``stat/ips/event``.
* Alarms: ``list/alarm`` (not archived).

Every call's outcome is kept as a :class:`Probe` for ``unifi-scanner check``.

Each feed (events, IPS alerts, alarms) is read from its own start (``Window.start_of``) and the
snapshot's ``coverage`` says whether it was read completely: a feed whose endpoints all failed,
that failed after its first page, or that was cut at ``max_pages`` is not complete, and the scan
that reads it must not count its period as done.

Events are streamed: each page is normalised as it arrives and its events go into an
:class:`~unifi_scanner.collect.stream.EventSpool` (de-duplicated, spilled to a temporary file),
so no raw page is kept and memory does not grow with the number of events. A paged endpoint
that fails after its first page keeps what it returned and adds a note; one that fails on its
first page falls back to the next endpoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

import structlog

from unifi_scanner.collect.models import (
    CollectionNote,
    ControllerInfo,
    Coverage,
    Feed,
    Site,
    Snapshot,
    Window,
)
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
    normalize_all,
    site_from_payload,
)
from unifi_scanner.collect.stream import EventSpool
from unifi_scanner.controller import Flavour
from unifi_scanner.errors import ConfigError, ControllerError, EndpointNotFoundError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
    from datetime import datetime
    from pathlib import Path

    from unifi_scanner.collect.models import Event
    from unifi_scanner.controller import ControllerClient

__all__ = ["Collection", "Collector", "Probe"]

_log = structlog.get_logger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """How one endpoint answered.

    Attributes:
        name: short endpoint name (``stat/event``, ``traffic-flows``…).
        ok: whether it answered usefully.
        endpoint: the full path, when known.
        status: the HTTP status of a failure, when there was one.
        detail: ``"N items"`` or the error message.
    """

    name: str
    ok: bool
    endpoint: str | None = None
    status: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Collection:
    """One site's scan: the snapshot, what each endpoint answered, items left out."""

    snapshot: Snapshot
    probes: tuple[Probe, ...]
    skipped_items: int = 0


@dataclass(slots=True)
class _Run:
    site: str
    probes: list[Probe] = field(default_factory=list)
    notes: list[CollectionNote] = field(default_factory=list)
    skipped: int = 0
    unreadable: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    gaps: dict[Feed, tuple[str, bool]] = field(default_factory=dict)

    def gap(self, feed: Feed, reason: str, *, partial: bool) -> None:
        """Record that ``feed`` was not read completely (the first reason is kept)."""
        self.gaps.setdefault(feed, (reason, partial))

    def coverage(self, window: Window) -> tuple[Coverage, ...]:
        """Every feed's coverage in this run."""
        return tuple(
            Coverage(
                feed=feed,
                start=window.start_of(feed),
                complete=feed not in self.gaps,
                partial=self.gaps.get(feed, ("", False))[1],
                reason=self.gaps.get(feed, ("", False))[0],
            )
            for feed in Feed
        )

    def endpoint(self, name: str) -> str | None:
        """The path of the last probe of ``name``, or ``name`` itself when it had none."""
        probe = next((p for p in reversed(self.probes) if p.name == name), None)
        return (probe.endpoint if probe is not None else None) or name

    def failure(self, name: str) -> str:
        probe = next(p for p in reversed(self.probes) if p.name == name)
        if probe.status is not None:
            return f"{name} answered {probe.status}"
        return f"{name} failed ({probe.detail})"


class Collector:
    """Builds one :class:`Snapshot` per site from a :class:`ControllerClient`.

    Args:
        client: the controller client (already configured; it logs in on first use).
        now: the clock, aware UTC.
        lookback: the default window length, ending now.
        event_page_size: ``stat/event`` ``_limit`` (the controller caps it at 3000).
        system_log_page_size: v2 ``system-log`` ``pageSize``.
        flow_page_size: v2 ``traffic-flows`` ``pageSize`` (at most 100).
        max_pages: upper bound on pages per paged endpoint (a guard against a controller that
            never stops paging; events are streamed, so it is not a memory bound).
        spool_directory: where event streams keep their temporary files (system default).
        spool_run_size: events an event stream holds in memory before it writes a sorted run.
    """

    def __init__(
        self,
        client: ControllerClient,
        *,
        now: Callable[[], datetime],
        lookback: timedelta = timedelta(hours=24),
        event_page_size: int = 3000,
        system_log_page_size: int = 1000,
        flow_page_size: int = 100,
        max_pages: int = 5_000,
        spool_directory: Path | None = None,
        spool_run_size: int = 20_000,
    ) -> None:
        self._client = client
        self._now = now
        self._lookback = lookback
        self._event_page_size = event_page_size
        self._system_log_page_size = system_log_page_size
        self._flow_page_size = flow_page_size
        self._max_pages = max_pages
        self._spool_directory = spool_directory
        self._spool_run_size = spool_run_size

    def default_window(self) -> Window:
        """The window ending now and ``lookback`` long."""
        end = self._now()
        return Window(start=end - self._lookback, end=end)

    async def collect(self, *, window: Window | None = None, site: str | None = None) -> Collection:
        """Collect one site (the client's site by default).

        Raises:
            ControllerError: the first call (``self/sites``) failed, e.g. bad credentials.
            ConfigError: the site does not exist on this controller.
        """
        wanted = site or self._client.site
        run = _Run(site=wanted)
        sites = await self._sites(run)
        match = next((s for s in sites if wanted in {s.name, s.id}), None)
        if match is None:
            if sites:
                names = ", ".join(s.name for s in sites)
                message = f"site {wanted!r} not found on the controller; it has: {names}"
                raise ConfigError(message, (("site", "settings", message),))
            match = Site(id=wanted, name=wanted, description=wanted)
        return await self._collect_site(match, window or self.default_window(), run)

    async def collect_all(
        self, *, window: Window | Callable[[str], Window] | None = None
    ) -> tuple[Collection, ...]:
        """Collect every site this account can see (``site = "all"``).

        Args:
            window: one window for every site, or a function giving each site (by name) its
                own; the default window when ``None``.
        """
        first = _Run(site="*")
        sites = await self._sites(first)
        results = []
        for site in sites:
            run = _Run(site=site.name, probes=list(first.probes))
            chosen = window(site.name) if callable(window) else window
            results.append(await self._collect_site(site, chosen or self.default_window(), run))
        return tuple(results)

    async def _sites(self, run: _Run) -> tuple[Site, ...]:
        try:
            raw = await self._client.sites()
        except EndpointNotFoundError as err:
            run.probes.append(_failed("self/sites", err))
            return ()
        run.probes.append(Probe(name="self/sites", ok=True, detail=f"{len(raw)} items"))
        return self._normalized(run, "sites", normalize_all(site_from_payload, raw, what="sites"))

    async def _collect_site(self, site: Site, window: Window, run: _Run) -> Collection:
        name = site.name
        client = self._client
        sysinfo = await self._try(run, "stat/sysinfo", lambda: client.sysinfo(site=name))
        flavour = client.flavour or Flavour.UNIFI_OS
        info = controller_info_from_sysinfo(sysinfo, flavour) if sysinfo else None
        devices = await self._try(run, "stat/device", lambda: client.devices(site=name))
        clients = await self._try(run, "stat/sta", lambda: client.clients(site=name))
        health = await self._try(run, "stat/health", lambda: client.health(site=name))
        settings = await self._try(run, "get/setting", lambda: client.settings(site=name))
        for what, endpoint, result in (
            ("controller", "stat/sysinfo", sysinfo),
            ("devices", "stat/device", devices),
            ("clients", "stat/sta", clients),
            ("health", "stat/health", health),
            ("settings", "get/setting", settings),
        ):
            if result is None:
                message = f"{_LABELS[what]} unavailable: {run.failure(endpoint)}"
                self._note(run, what, message, run.endpoint(endpoint))
        # Sources in priority order for non-IPS copies (the stream keeps the first copy);
        # IPS copies are ranked by source inside the stream whatever the order.
        events = EventSpool(directory=self._spool_directory, run_size=self._spool_run_size)
        await self._events(run, window, events)
        await self._ips(run, window, events)
        await self._alarms(run, window, events)
        snapshot = Snapshot(
            site=site,
            controller=info or ControllerInfo(flavour=flavour),
            window=window,
            events=events,
            devices=self._normalized(
                run, "devices", normalize_all(device_from_payload, devices or [], what="devices")
            ),
            clients=self._normalized(
                run, "clients", normalize_all(client_from_payload, clients or [], what="clients")
            ),
            health=tuple(health or ()),
            ips_settings=_ips_settings(settings or []),
            notes=tuple(run.notes) + _unreadable_notes(run),
            coverage=run.coverage(window),
        )
        return Collection(snapshot=snapshot, probes=tuple(run.probes), skipped_items=run.skipped)

    async def _try(self, run: _Run, name: str, call: Callable[[], Awaitable[T]]) -> T | None:
        try:
            result = await call()
        except ControllerError as err:
            run.probes.append(_failed(name, err))
            return None
        count = len(result) if isinstance(result, list) else 1
        run.probes.append(Probe(name=name, ok=True, detail=f"{count} items"))
        return result

    def _note(self, run: _Run, source: str, message: str, endpoint: str | None = None) -> None:
        _log.warning("collection incomplete", site=run.site, source=source, reason=message)
        run.notes.append(CollectionNote(source=source, message=message, endpoint=endpoint))

    def _normalized(self, run: _Run, what: str, result: Normalized[T]) -> tuple[T, ...]:
        if result.skipped:
            run.skipped += result.skipped
            count, first = run.unreadable.get(what, (0, None))
            run.unreadable[what] = (count + result.skipped, first or result.first_problem)
        return result.items

    async def _stream(
        self,
        run: _Run,
        name: str,
        *,
        pages: Callable[[], AsyncIterator[Sequence[object]]],
        convert: Callable[[object], Event],
        sink: _Sink,
    ) -> int | None:
        """Normalise each page of ``name`` into ``sink``; ``None`` if the first page failed."""
        received = 0
        try:
            async for items in pages():
                received += len(items)
                what = sink.what
                sink.put(self._normalized(run, what, normalize_all(convert, items, what=what)))
        except ControllerError as err:
            run.probes.append(_failed(name, err))
            if not received:
                return None
            self._note(
                run,
                sink.source,
                f"{_LABELS[sink.source]} incomplete: {name} failed after {received} items ({err})",
                err.endpoint,
            )
            run.gap(sink.source, f"{name} failed after {received} items", partial=True)
            return received
        run.probes.append(Probe(name=name, ok=True, detail=f"{received} items"))
        return received

    async def _events(self, run: _Run, window: Window, events: EventSpool) -> None:
        sink = _Sink(events, window, Feed.EVENTS, "events")
        await self._first_answering(
            run,
            Feed.EVENTS,
            (
                _Source(
                    "stat/event", lambda: self._classic_pages(run, window), event_from_classic, sink
                ),
                _Source(
                    "system-log/all",
                    lambda: self._system_log_pages(window, run),
                    event_from_system_log,
                    sink,
                ),
            ),
        )

    async def _first_answering(self, run: _Run, feed: Feed, sources: Sequence[_Source]) -> None:
        """Stream the first source whose first page answers; if none does, note them all."""
        for source in sources:
            answered = await self._stream(
                run, source.name, pages=source.pages, convert=source.convert, sink=source.sink
            )
            if answered is not None:
                return
        failures = ", ".join(run.failure(source.name) for source in sources)
        message = f"{_LABELS[feed]} unavailable: {failures}"
        self._note(run, feed, message, run.endpoint(sources[0].name))
        run.gap(feed, failures, partial=False)

    async def _classic_pages(self, run: _Run, window: Window) -> AsyncIterator[Sequence[object]]:
        start = window.start_of(Feed.EVENTS)
        hours = max(1, math.ceil((self._now() - start) / timedelta(hours=1)))
        received = 0
        for _ in range(self._max_pages):
            page = await self._client.events(
                within_hours=hours, start=received, limit=self._event_page_size, site=run.site
            )
            received += len(page.items)
            yield page.items
            more = (page.total is not None and received < page.total) or (
                page.total is None and len(page.items) >= self._event_page_size
            )
            oldest = min(
                (t for i in page.items if isinstance(t := i.get("time"), int)), default=None
            )
            if not page.items or not more or (oldest is not None and oldest < _ms(start)):
                return
        self._note(run, Feed.EVENTS, f"Events truncated: read the first {received} only")
        run.gap(Feed.EVENTS, f"stat/event was cut after {received} items", partial=True)

    async def _system_log_pages(self, window: Window, run: _Run) -> AsyncIterator[Sequence[object]]:
        for number in range(self._max_pages):
            page = await self._client.system_log(
                "all",
                timestamp_from=_ms(window.start_of(Feed.EVENTS)),
                timestamp_to=_ms(window.end),
                page_number=number,
                page_size=self._system_log_page_size,
                site=run.site,
            )
            yield page.items
            last = page.page_count is None or number + 1 >= page.page_count
            if not page.items or last:
                return
        self._note(
            run, Feed.EVENTS, f"Events truncated: read the first {self._max_pages} pages only"
        )
        run.gap(Feed.EVENTS, f"system-log was cut after {self._max_pages} pages", partial=True)

    async def _ips(self, run: _Run, window: Window, events: EventSpool) -> None:
        start, end = _ms(window.start_of(Feed.IPS)), _ms(window.end)

        async def legacy() -> AsyncIterator[Sequence[object]]:
            yield await self._client.ips_events(start_ms=start, end_ms=end, site=run.site)

        flows = _Sink(events, window, Feed.IPS, "IPS alerts", keep=lambda e: e.key == IPS_KEY)
        await self._first_answering(
            run,
            Feed.IPS,
            (
                _Source(
                    "traffic-flows",
                    lambda: self._flow_pages(window, run),
                    event_from_traffic_flow,
                    flows,
                ),
                _Source(
                    "stat/ips/event",
                    legacy,
                    event_from_ips,
                    _Sink(events, window, Feed.IPS, "IPS alerts"),
                ),
            ),
        )

    async def _flow_pages(self, window: Window, run: _Run) -> AsyncIterator[Sequence[object]]:
        for number in range(self._max_pages):
            page = await self._client.traffic_flows(
                timestamp_from=_ms(window.start_of(Feed.IPS)),
                timestamp_to=_ms(window.end),
                page_number=number,
                page_size=self._flow_page_size,
                site=run.site,
            )
            yield page.items
            if not page.items or not page.has_next:
                return
        self._note(
            run, Feed.IPS, f"IPS alerts truncated: read the first {self._max_pages} pages only"
        )
        run.gap(Feed.IPS, f"traffic-flows was cut after {self._max_pages} pages", partial=True)

    async def _alarms(self, run: _Run, window: Window, events: EventSpool) -> None:
        async def alarms() -> AsyncIterator[Sequence[object]]:
            yield await self._client.alarms(site=run.site)

        sink = _Sink(events, window, Feed.ALARMS, "alarms")
        received = await self._stream(
            run, "list/alarm", pages=alarms, convert=event_from_alarm, sink=sink
        )
        if received is None:
            message = f"Alarms unavailable: {run.failure('list/alarm')}"
            self._note(run, Feed.ALARMS, message, run.endpoint("list/alarm"))
            run.gap(Feed.ALARMS, run.failure("list/alarm"), partial=False)


@dataclass(frozen=True, slots=True)
class _Source:
    """One endpoint that can provide a kind of data, tried in order by ``_first_answering``."""

    name: str
    pages: Callable[[], AsyncIterator[Sequence[object]]]
    convert: Callable[[object], Event]
    sink: _Sink


@dataclass(slots=True)
class _Sink:
    """Where one source's normalised events go: those in the window (and kept) join the stream."""

    events: EventSpool
    window: Window
    source: Feed
    what: str
    keep: Callable[[Event], bool] | None = None

    def put(self, items: Sequence[Event]) -> None:
        start, end, keep = self.window.start_of(self.source), self.window.end, self.keep
        self.events.extend(e for e in items if start <= e.time < end and (keep is None or keep(e)))


def _unreadable_notes(run: _Run) -> tuple[CollectionNote, ...]:
    return tuple(
        CollectionNote(
            source=what,
            message=f"{count} {what} could not be read and were left out (first: {first})",
        )
        for what, (count, first) in run.unreadable.items()
    )


_LABELS = {
    "events": "Events",
    "ips": "IPS alerts",
    "alarms": "Alarms",
    "controller": "Controller details",
    "devices": "Devices",
    "clients": "Clients",
    "health": "Site health",
    "settings": "Settings (IPS mode)",
}


def _failed(name: str, err: ControllerError) -> Probe:
    _log.debug(
        "endpoint unavailable", endpoint=err.endpoint or name, status=err.status, error=str(err)
    )
    return Probe(name=name, ok=False, endpoint=err.endpoint, status=err.status, detail=str(err))


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _ips_settings(settings: Sequence[object]) -> Mapping[str, object] | None:
    return next((s for s in settings if isinstance(s, dict) and s.get("key") == "ips"), None)
