"""One scan: collect and run integrations at once, analyse, report, render, deliver, remember.

Each feed of each site (events, IPS alerts, alarms: :class:`~unifi_scanner.collect.Feed`) has a
mark in the state store: up to when it was read completely and reported. A scan reads every feed
from its own mark (less :data:`CLOCK_SKEW`, at most ``max_catchup_hours`` back) to now. A feed
that failed or was cut keeps its mark, so the next scan reads it again from there; the ids of
what was reported meanwhile are remembered, so each event is reported exactly once.

The report is made complete before anything leaves: its outbox records, the new marks and the
reported ids are stored in one transaction, and only then is it sent. A scan killed at any point
either stored nothing (the next one does it all again) or stored everything (the next one sends
what is still waiting in the outbox). A render failure or a state store that cannot be written
stores nothing. The whole scan holds the state file's lock (:mod:`unifi_scanner.app.lock`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from unifi_scanner.analysis import Engine
from unifi_scanner.app.lock import scan_lock
from unifi_scanner.app.wiring import configured_deliverers, controller_client, http_client, utc_now
from unifi_scanner.collect import (
    Collector,
    CrossScanKeys,
    EventSpool,
    Feed,
    LiveCollector,
    Window,
    feed_of,
    merge_live,
    reported_identity,
    without_ids,
)
from unifi_scanner.delivery import DeliveryReceipt, Outbox
from unifi_scanner.errors import RenderError, ScannerError, StateError
from unifi_scanner.history import (
    ACK_NAMESPACE,
    HISTORY_NAMESPACE,
    History,
    history_key,
    site_history,
    track,
)
from unifi_scanner.integrations import (
    IntegrationRegistry,
    IntegrationResults,
    IntegrationRunner,
    apply_notes,
    correlate,
    default_registry,
)
from unifi_scanner.reports import RENDERERS, Report, build_report
from unifi_scanner.state import Commit, SourceMark, SqliteStateStore, StateStore

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import httpx

    from unifi_scanner.analysis import Finding
    from unifi_scanner.collect import Collection, Event, Snapshot
    from unifi_scanner.config import Settings
    from unifi_scanner.delivery import Deliverer

__all__ = ["CLOCK_SKEW", "SEEN_RETENTION_DAYS", "ScanOutcome", "run_once"]

# The package's name, not the module's: log lines keep the logger name of the composition root.
_log = structlog.get_logger(__name__)

#: How far before a feed's mark a new scan starts reading it, for controller clock skew.
CLOCK_SKEW = timedelta(minutes=5)
#: Reported ids older than this are forgotten (longer than any catch-up reaches back).
SEEN_RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """What one site's scan produced.

    Attributes:
        report: the report.
        receipts: one per deliverer that succeeded.
        problems: one line per format that failed to render or channel that failed to deliver.
        secured: the report was stored with the scan's progress (its events count as
            reported): every channel has it or will get it from the outbox.
    """

    report: Report
    receipts: tuple[DeliveryReceipt, ...] = ()
    problems: tuple[str, ...] = ()
    secured: bool = False

    @property
    def files(self) -> tuple[str, ...]:
        """Every destination the report was delivered to (paths, addresses)."""
        return tuple(d for receipt in self.receipts for d in receipt.destinations)

    @property
    def complete(self) -> bool:
        """Every feed was read completely (else the next report brings the rest)."""
        return not self.report.gaps


@dataclass(frozen=True, slots=True)
class _Plan:
    """One site's reading plan: the window with each feed's start, and the marks it came from.

    ``given_up`` holds, per feed, where its unread part began when that lies beyond the
    catch-up limit (the feed starts at the limit instead).
    """

    window: Window
    marks: Mapping[str, SourceMark]
    given_up: Mapping[Feed, datetime] = field(default_factory=dict)


def _plan(store: StateStore, site: str, settings: Settings, now: datetime) -> _Plan:
    """Each feed from its mark less the skew, no further back than the catch-up limit."""
    marks = store.source_marks(site)
    limit = now - timedelta(hours=settings.max_catchup_hours)
    first = now - timedelta(hours=settings.initial_lookback_hours)
    since: dict[Feed, datetime] = {}
    given_up: dict[Feed, datetime] = {}
    for feed in Feed:
        mark = marks.get(feed)
        start = first if mark is None else mark.complete_until - CLOCK_SKEW
        if mark is not None and start < limit:
            given_up[feed] = mark.complete_until
            start = limit
        since[feed] = min(start, now)
    window = Window(start=min(since.values()), end=now, since=since)
    return _Plan(window=window, marks=marks, given_up=given_up)


def _new_marks(plan: _Plan, snapshot: Snapshot) -> dict[str, SourceMark]:
    """Each feed's mark after this report: done to the window's end if read completely.

    A feed not read completely keeps its mark (or, on its first scan or after giving up, the
    point it was read from), so the next scan reads it again from there.
    """
    end = snapshot.window.end
    coverage = {c.feed: c for c in snapshot.coverage}
    marks: dict[str, SourceMark] = {}
    for feed in Feed:
        covered = coverage.get(feed)
        old = plan.marks.get(feed)
        reported = max(end, old.reported_until) if old is not None else end
        if covered is None or covered.complete:
            marks[feed] = SourceMark(complete_until=end, reported_until=end)
            continue
        restart = covered.start + CLOCK_SKEW
        complete = max(old.complete_until, restart) if old is not None else restart
        marks[feed] = SourceMark(complete_until=min(complete, end), reported_until=reported)
    return marks


def _history(
    store: StateStore,
    site: str,
    findings: Sequence[Finding],
    integrations: IntegrationResults,
    at: datetime,
) -> History:
    """This report's findings against the site's history (an unreadable history: all new)."""
    merged = list(findings)
    merged += [f for f in integrations.findings if f not in merged]
    try:
        previous = site_history(store.records(HISTORY_NAMESPACE), site)
        acknowledgements = store.records(ACK_NAMESPACE)
    except StateError as err:
        _log.error("the findings history could not be read", error=str(err))
        previous, acknowledgements = {}, {}
    return track(merged, previous, acknowledgements, at)


def _explained(plan: _Plan, snapshot: Snapshot) -> Snapshot:
    """Add to each feed's coverage what only the scan knows: catching up, giving up."""
    explained = []
    for covered in snapshot.coverage:
        mark = plan.marks.get(covered.feed)
        behind = (
            mark.complete_until
            if mark is not None and mark.reported_until > mark.complete_until
            else None
        )
        explained.append(
            dataclasses.replace(
                covered, behind_since=behind, given_up_from=plan.given_up.get(covered.feed)
            )
        )
    return dataclasses.replace(snapshot, coverage=tuple(explained))


def _unseen(
    store: StateStore, snapshot: Snapshot, plan: _Plan, marks: Mapping[str, SourceMark]
) -> tuple[Snapshot, list[str], int]:
    """Drop the events earlier reports had, in one pass over the events.

    For an event of feed ``f`` with mark ``C_f`` (complete until) and ``R_f`` (reported until):
    before ``C_f - CLOCK_SKEW`` it lay in a completely read, reported period and is dropped; in
    the span from the earliest ``C - CLOCK_SKEW`` to the latest ``R`` (over all feeds: the
    endpoints share events, so one occurrence can come through another feed in a later scan)
    it may have been reported and is looked up by its
    :class:`~unifi_scanner.collect.CrossScanKeys`; later ones are new. Only the events a later
    scan can read again (from the earliest new mark less the skew on) are remembered, so the
    state store grows with the overlap, not with the number of events, unless a feed is behind.

    Returns:
        The snapshot with a lazy view of the fresh events, the keys to remember as reported,
        and how many events the snapshot held.
    """
    site = snapshot.site.name
    old = plan.marks
    drop_before = {feed: mark.complete_until - CLOCK_SKEW for feed, mark in old.items()}
    check_from = min(drop_before.values(), default=None)
    check_until = max((mark.reported_until for mark in old.values()), default=None)
    remember_from = min(mark.complete_until for mark in marks.values()) - CLOCK_SKEW
    checked: list[tuple[str, tuple[str, ...]]] = []
    dropped: set[str] = set()
    to_mark: list[tuple[str, tuple[str, ...]]] = []
    count = 0
    keys = CrossScanKeys()
    for event in snapshot.events:
        count += 1
        when = event.time
        cut = drop_before.get(feed_of(event.source))
        if cut is not None and when < cut:
            dropped.add(reported_identity(event))
            continue
        check = (
            check_from is not None and check_until is not None and check_from <= when < check_until
        )
        remember = when >= remember_from
        if not (check or remember):
            continue
        own, recognising = keys.of(event)
        if check:
            checked.append((own[0], recognising))
        if remember:
            to_mark.append((own[0], own))
    known = store.seen_ids(site, (k for _, ks in checked for k in ks)) if checked else None
    seen = {identity for identity, ks in checked if known and not known.isdisjoint(ks)}
    fresh = [key for identity, ks in to_mark if identity not in seen for key in ks]
    if not seen and not dropped:
        return snapshot, fresh, count
    _log.info("already reported events skipped", site=site, count=len(seen), covered=len(dropped))
    events = without_ids(snapshot.events, frozenset(seen | dropped), reported_identity)
    return dataclasses.replace(snapshot, events=events), fresh, count


async def _collect(
    settings: Settings,
    plans: dict[str, _Plan],
    plan_for: Callable[[str], _Plan],
    now: Callable[[], datetime],
    http: httpx.AsyncClient,
) -> tuple[Collection, ...]:
    async with controller_client(settings, http) as client:
        collector = Collector(
            client, now=now, lookback=timedelta(hours=settings.initial_lookback_hours)
        )

        def window(site: str) -> Window:
            plans[site] = plan_for(site)
            return plans[site].window

        if settings.site.lower() == "all":
            return await collector.collect_all(window=window)
        return (await collector.collect(window=window(settings.site)),)


def _render(report: Report, deliverers: Sequence[Deliverer]) -> tuple[dict[str, str], list[str]]:
    """Render each format any deliverer needs, once; a failure is one problem line."""
    problems: list[str] = []
    rendered: dict[str, str] = {}
    for fmt in sorted({fmt for d in deliverers for fmt in d.formats}):
        try:
            rendered[fmt] = RENDERERS[fmt](report)
        except RenderError as err:
            _log.error("report format failed to render", format=fmt, error=str(err))
            problems.append(f"{fmt} report could not be rendered: {err}")
    return rendered, problems


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

    The whole scan holds the lock of ``settings.state_path``, waiting up to
    ``settings.lock_wait_s`` for another scan to finish.

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
        ScanBusyError: another scan held the state file for longer than ``lock_wait_s``.
        ScannerError: the controller could not be scanned at all (unreachable, refused login).
    """
    async with scan_lock(settings.state_path, settings.lock_wait_s):
        return await _locked_run(
            settings, now=now, registry=registry, deliverers=deliverers, store=store, live=live
        )


async def _locked_run(
    settings: Settings,
    *,
    now: Callable[[], datetime],
    registry: IntegrationRegistry | None,
    deliverers: Sequence[Deliverer] | None,
    store: StateStore | None,
    live: LiveCollector | None,
) -> list[ScanOutcome]:
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
        plans: dict[str, _Plan] = {}
        async with http_client(settings) as http, asyncio.timeout(settings.scan_deadline_s):
            # Integrations start with collection; the runner keeps its own deadline.
            integrations_task = asyncio.create_task(runner.run(), name="integrations")
            try:
                collections = await _collect(
                    settings,
                    plans,
                    lambda site: _plan(state, site, settings, now()),
                    now,
                    http,
                )
            except BaseException:
                integrations_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await integrations_task
                raise
            integration_results = await integrations_task
        outcomes = [
            await _report_site(
                collection.snapshot,
                plan=plans.get(collection.snapshot.site.name)
                or _plan(state, collection.snapshot.site.name, settings, now()),
                integration_results=integration_results,
                runner=runner,
                settings=settings,
                store=state,
                now=now,
                deliverers=chosen,
                outbox=outbox,
                live=live,
            )
            for collection in collections
        ]
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
    plan: _Plan,
    integration_results: IntegrationResults,
    runner: IntegrationRunner,
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
    snapshot = _explained(plan, snapshot)
    marks = _new_marks(plan, snapshot)
    snapshot, ids, count = _unseen(store, snapshot, plan, marks)
    analysis = Engine(now=now).run(snapshot)
    findings, integration_results = correlate(integration_results, snapshot, analysis.findings)
    enriched = await runner.enrich(snapshot, findings, integration_results)
    findings = apply_notes(findings, enriched.notes)
    integration_results = integration_results.merged(enriched)
    generated_at = now()
    history = _history(store, snapshot.site.name, findings, integration_results, generated_at)
    report = build_report(
        snapshot,
        findings,
        integration_results,
        generated_at=generated_at,
        timezone=settings.timezone,
        history=history,
        activity=analysis.activity,
        threats=analysis.threats,
    )
    rendered, problems = _render(report, deliverers)
    secured = False
    receipts: tuple[DeliveryReceipt, ...] = ()
    if not problems:
        site = snapshot.site.name
        staged = outbox.stage(report, rendered, deliverers)
        remembered = tuple((HISTORY_NAMESPACE, history_key(site, k), v) for k, v in history.records)
        commit = Commit(
            site=site,
            marks=marks,
            seen=ids,
            at=now(),
            records=(*staged.store_records, *remembered),
        )
        try:
            store.commit(commit)
        except StateError as err:
            _log.error("the report could not be recorded; nothing was sent", error=str(err))
            problems.append(
                f"the report could not be recorded in the state store, so it was not sent; "
                f"the next run reports these events again: {err}"
            )
        else:
            secured = True
            result = await outbox.send(staged, deliverers)
            receipts, problems = result.receipts, list(result.problems)
            with contextlib.suppress(StateError):
                store.prune_seen(now() - timedelta(days=SEEN_RETENTION_DAYS))
                for key in history.pruned:
                    store.delete_record(HISTORY_NAMESPACE, history_key(site, key))
                for key in history.void:
                    store.delete_record(ACK_NAMESPACE, key)
    if isinstance(snapshot.events, EventSpool):
        snapshot.events.close()  # its temporary file goes now, not at garbage collection
    if live is not None and not secured:
        live.requeue(drained)  # the websocket-only events wait for the next scan
    _log.info(
        "scan finished",
        site=snapshot.site.name,
        findings=len(findings),
        events=count,
        problems=len(problems),
        complete=not snapshot.gaps,
    )
    return ScanOutcome(report=report, receipts=receipts, problems=tuple(problems), secured=secured)
