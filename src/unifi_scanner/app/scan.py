"""One scan: collect and run integrations at once, analyse, report, render, deliver, remember.

The window and the reported ids are remembered only when delivery worked, so a failed run leaves
its window to the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from unifi_scanner.analysis import Engine
from unifi_scanner.app.wiring import configured_deliverers, controller_client, http_client, utc_now
from unifi_scanner.collect import (
    Collector,
    EventSpool,
    LiveCollector,
    Window,
    merge_live,
    reported_identity,
    without_ids,
)
from unifi_scanner.delivery import DeliveryReceipt, Outbox
from unifi_scanner.errors import RenderError, ScannerError
from unifi_scanner.integrations import (
    IntegrationRegistry,
    IntegrationResults,
    IntegrationRunner,
    default_registry,
)
from unifi_scanner.reports import RENDERERS, Report, build_report
from unifi_scanner.state import SqliteStateStore, StateStore

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import httpx

    from unifi_scanner.collect import Collection, Event, Snapshot
    from unifi_scanner.config import Settings
    from unifi_scanner.delivery import Deliverer

__all__ = ["CLOCK_SKEW", "SEEN_RETENTION_DAYS", "ScanOutcome", "run_once"]

# The package's name, not the module's: log lines keep the logger name of the composition root.
_log = structlog.get_logger(__name__)

#: How far before the last window's end a new window starts, for controller clock skew.
CLOCK_SKEW = timedelta(minutes=5)
#: Seen ids older than this are forgotten (the window never reaches back that far).
SEEN_RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """What one site's scan produced.

    Attributes:
        report: the report.
        receipts: one per deliverer that succeeded.
        problems: one line per format that failed to render or channel that failed to deliver.
        secured: the report was delivered, or is kept in the outbox for the next run, so its
            events count as reported and the window moved on.
    """

    report: Report
    receipts: tuple[DeliveryReceipt, ...] = ()
    problems: tuple[str, ...] = ()
    secured: bool = False

    @property
    def files(self) -> tuple[str, ...]:
        """Every destination the report was delivered to (paths, addresses)."""
        return tuple(d for receipt in self.receipts for d in receipt.destinations)


def _window(store: StateStore, site: str, settings: Settings, now: datetime) -> Window:
    """From the end of the last successful window (minus skew) to now; first run: lookback."""
    last_end = store.get_window_end(site)
    earliest = now - timedelta(hours=settings.initial_lookback_hours)
    start = earliest if last_end is None else max(last_end - CLOCK_SKEW, now - timedelta(days=30))
    return Window(start=min(start, now), end=now)


def _unseen(store: StateStore, snapshot: Snapshot) -> tuple[Snapshot, list[str], int]:
    """Drop the events earlier runs already reported, in one pass over the events.

    A window starts ``CLOCK_SKEW`` before the last secured end ``L`` of its key, so for this
    site: events before ``L - CLOCK_SKEW`` lay inside an earlier secured window and are dropped
    (with ``site: all`` the shared window can reach further back than this site's own end);
    events in ``[L - CLOCK_SKEW, L)`` may have been reported and are checked against the seen
    identities; later ones are new. Only the events a later window can collect again (from
    ``window.end - CLOCK_SKEW`` on) are returned to be marked as reported, so neither memory nor
    the state store grows with the number of events, only with those in the overlap.

    Returns:
        The snapshot with a lazy view of the fresh events, the identities to mark as reported
        once delivery worked, and how many events the snapshot held.
    """
    site = snapshot.site.name
    last_end = store.get_window_end(site)
    may_repeat = snapshot.window.end - CLOCK_SKEW
    checked: list[str] = []
    dropped: set[str] = set()
    to_mark: list[str] = []
    count = 0
    for event in snapshot.events:
        count += 1
        when = event.time
        if last_end is not None and when < last_end:
            if when < last_end - CLOCK_SKEW:
                dropped.add(reported_identity(event))
                continue
            checked.append(reported_identity(event))
        if when >= may_repeat:
            to_mark.append(reported_identity(event))
    seen = store.seen_ids(site, checked) if checked else frozenset()
    if not seen and not dropped:
        return snapshot, to_mark, count
    _log.info("already reported events skipped", site=site, count=len(seen), covered=len(dropped))
    fresh = [identity for identity in to_mark if identity not in seen]
    events = without_ids(snapshot.events, seen | dropped, reported_identity)
    return dataclasses.replace(snapshot, events=events), fresh, count


async def _collect(
    settings: Settings, store: StateStore, now: Callable[[], datetime], http: httpx.AsyncClient
) -> tuple[Collection, ...]:
    async with controller_client(settings, http) as client:
        collector = Collector(
            client, now=now, lookback=timedelta(hours=settings.initial_lookback_hours)
        )
        if settings.site.lower() == "all":
            # One window for all sites: from the earliest of their last ends.
            collections = await collector.collect_all(window=_window(store, "*", settings, now()))
        else:
            window = _window(store, settings.site, settings, now())
            collections = (await collector.collect(window=window),)
    return collections


async def _render_and_deliver(
    report: Report, deliverers: Sequence[Deliverer], outbox: Outbox
) -> tuple[tuple[DeliveryReceipt, ...], tuple[str, ...], bool]:
    """Render each needed format once and deliver through the outbox.

    Returns:
        Receipts, problems, and whether the report is safe: every format rendered and every
        channel either delivered it or keeps it in the outbox for the next run.
    """
    problems: list[str] = []
    rendered: dict[str, str] = {}
    for fmt in sorted({fmt for d in deliverers for fmt in d.formats}):
        try:
            rendered[fmt] = RENDERERS[fmt](report)
        except RenderError as err:
            _log.error("report format failed to render", format=fmt, error=str(err))
            problems.append(f"{fmt} report could not be rendered: {err}")
    result = await outbox.deliver(report, rendered, deliverers)
    secured = not problems and result.secured
    return result.receipts, (*problems, *result.problems), secured


async def run_once(
    settings: Settings,
    *,
    now: Callable[[], datetime] = utc_now,
    registry: IntegrationRegistry | None = None,
    deliverers: Sequence[Deliverer] | None = None,
    store: StateStore | None = None,
    live: LiveCollector | None = None,
) -> list[ScanOutcome]:
    """Scan once: collect and run integrations in parallel, analyse, report, deliver, remember.

    Args:
        settings: the configuration.
        now: the clock.
        registry: the integrations to consider (default: the built-ins).
        deliverers: where reports go (default: from settings: files, SMTP).
        store: the state store (default: SQLite at ``settings.state_path``).
        live: the websocket collector of ``serve``, whose buffered events join the scan.

    Returns:
        One outcome per site.

    Raises:
        ScannerError: the controller could not be scanned at all (unreachable, refused login).
    """
    own_store = store is None
    state = store if store is not None else SqliteStateStore(settings.state_path, now)
    chosen = list(deliverers) if deliverers is not None else configured_deliverers(settings)
    outbox = Outbox(state, now)
    try:
        # What earlier runs could not deliver goes first, even when the controller is down.
        flushed = await outbox.flush(chosen)
        selection = (registry or default_registry()).select(settings)
        runner = IntegrationRunner(
            selection.configured,
            store=state,
            settings=settings,
            now=now,
            skipped=selection.skipped,
        )
        async with http_client(settings) as http, asyncio.timeout(settings.scan_deadline_s):
            # Integrations start with collection; the runner keeps its own deadline.
            integrations_task = asyncio.create_task(runner.run(), name="integrations")
            try:
                collections = await _collect(settings, state, now, http)
            except BaseException:
                integrations_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await integrations_task
                raise
            integration_results = await integrations_task
        outcomes = [
            await _report_site(
                collection.snapshot,
                integration_results=integration_results,
                settings=settings,
                store=state,
                now=now,
                deliverers=chosen,
                outbox=outbox,
                live=live,
            )
            for collection in collections
        ]
        if outcomes and all(outcome.secured for outcome in outcomes):
            # `site=all` shares one window: it moves on only when every site's report is safe.
            store_end = max(outcome.report.period.end for outcome in outcomes)
            state.set_window_end("*", store_end)
        if outcomes and (flushed.receipts or flushed.problems):
            first = outcomes[0]
            outcomes[0] = dataclasses.replace(
                first,
                receipts=(*flushed.receipts, *first.receipts),
                problems=(*flushed.problems, *first.problems),
            )
    except TimeoutError as err:
        message = f"the scan did not finish within {settings.scan_deadline_s:g} s"
        raise ScannerError(message) from err
    finally:
        if own_store:
            state.close()
    return outcomes


async def _report_site(
    snapshot: Snapshot,
    *,
    integration_results: IntegrationResults,
    settings: Settings,
    store: StateStore,
    now: Callable[[], datetime],
    deliverers: Sequence[Deliverer],
    outbox: Outbox,
    live: LiveCollector | None = None,
) -> ScanOutcome:
    drained: tuple[Event, ...] = ()
    if live is not None:
        # Websocket events of this window join the REST data; REST copies win in de-duplication.
        drained, live_notes = live.drain(before=snapshot.window.end)
        snapshot = merge_live(snapshot, drained, live_notes)
    snapshot, ids, count = _unseen(store, snapshot)
    findings = Engine(now=now).analyze(snapshot)
    report = build_report(
        snapshot, findings, integration_results, generated_at=now(), timezone=settings.timezone
    )
    receipts, problems, secured = await _render_and_deliver(report, deliverers, outbox)
    if isinstance(snapshot.events, EventSpool):
        snapshot.events.close()  # its temporary file goes now, not at garbage collection
    if live is not None and not secured:
        live.requeue(drained)  # the websocket-only events wait for the next scan
    if secured:
        # Delivered, or kept in the outbox for the next run: these events are reported.
        site = snapshot.site.name
        store.mark_seen(site, ids, now())
        store.prune_seen(now() - timedelta(days=SEEN_RETENTION_DAYS))
        store.set_window_end(site, snapshot.window.end)
    _log.info(
        "scan finished",
        site=snapshot.site.name,
        findings=len(findings),
        events=count,
        problems=len(problems),
    )
    return ScanOutcome(report=report, receipts=receipts, problems=problems, secured=secured)
