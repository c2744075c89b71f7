"""The composition root: the only module that builds concrete objects from :class:`Settings`.

One scan: collect from the controller and run the integrations at the same moment, analyse,
build the report, render it once per format, deliver it, then remember the window and the
reported ids (only when delivery worked, so a failed run leaves its window to the next one).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import httpx
import structlog

from unifi_scanner.analysis import Engine
from unifi_scanner.collect import (
    Collector,
    EventSpool,
    LiveCollector,
    Window,
    load_export,
    merge_live,
    reported_identity,
    without_ids,
)
from unifi_scanner.controller import ControllerClient, Flavour, build_ssl_context
from unifi_scanner.delivery import (
    DeliveryReceipt,
    FileDeliverer,
    Outbox,
    SmtpDeliverer,
    webhook_deliverers,
)
from unifi_scanner.errors import ConfigError, RenderError, ScannerError
from unifi_scanner.integrations import (
    IntegrationRegistry,
    IntegrationResults,
    IntegrationRunner,
    default_registry,
    integration_status,
)
from unifi_scanner.reports import RENDERERS, Report, build_report
from unifi_scanner.schedule import build_trigger, serve_forever
from unifi_scanner.state import SqliteStateStore, StateStore

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterable, Sequence

    from apscheduler.triggers.base import BaseTrigger

    from unifi_scanner.collect import Collection, Event, Snapshot
    from unifi_scanner.config import Settings
    from unifi_scanner.delivery import Deliverer

__all__ = [
    "CheckResult",
    "ScanOutcome",
    "analyze_files",
    "check",
    "integrations_status",
    "run_demo",
    "run_once",
    "serve",
    "simulate",
    "utc_now",
]

_log = structlog.get_logger(__name__)

#: How far before the last window's end a new window starts, for controller clock skew.
CLOCK_SKEW = timedelta(minutes=5)
#: Seen ids older than this are forgotten (the window never reaches back that far).
SEEN_RETENTION_DAYS = 90


def utc_now() -> datetime:
    """The real clock, aware UTC."""
    return datetime.now(UTC)


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


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``unifi-scanner check`` found out."""

    base_url: str
    flavour: str
    version: str | None
    sites: tuple[str, ...]
    endpoints: tuple[tuple[str, str], ...]
    ok: bool


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    if not settings.verify_ssl and settings.tls_fingerprint is None:
        _log.warning(
            "TLS verification is off (UNIFI_VERIFY_SSL=false): anyone on the path can read "
            "the controller password; prefer UNIFI_TLS_FINGERPRINT or UNIFI_CA_BUNDLE"
        )
    return build_ssl_context(
        verify_ssl=settings.verify_ssl,
        ca_bundle=settings.ca_bundle,
        fingerprint=settings.tls_fingerprint,
    )


def _http_client(settings: Settings, context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    context = context or _ssl_context(settings)
    timeout = httpx.Timeout(settings.timeout_s, connect=min(settings.timeout_s, 10.0))
    return httpx.AsyncClient(verify=context, timeout=timeout, follow_redirects=False)


def _controller(settings: Settings, http: httpx.AsyncClient) -> ControllerClient:
    if settings.host is None:
        message = "host: set UNIFI_HOST to the controller's address (e.g. 192.168.1.1)"
        raise ConfigError(message, (("host", "settings", "missing"),))
    flavour = None if settings.flavour == "auto" else Flavour(settings.flavour)
    return ControllerClient(
        http,
        host=settings.host,
        port=settings.port,
        site=settings.site,
        flavour=flavour,
        username=settings.username,
        password=settings.password,
        api_key=settings.api_key,
        # One endpoint that keeps failing must cost a slice of the scan deadline, not all of it.
        retry_timeout_s=min(60.0, settings.scan_deadline_s / 6),
    )


def _deliverers(settings: Settings) -> list[Deliverer]:
    deliverers: list[Deliverer] = [FileDeliverer(settings.output_dir, settings.report_formats)]
    smtp = settings.smtp
    if smtp is not None and smtp.host:
        deliverers.append(
            SmtpDeliverer(
                host=smtp.host,
                port=smtp.port,
                sender=smtp.sender or "",
                recipients=smtp.recipients,
                username=smtp.username,
                password=smtp.password.get_secret_value() if smtp.password else None,
                starttls=smtp.starttls,
                use_tls=smtp.use_tls,
                timeout_s=smtp.timeout_s,
            )
        )
    webhook = settings.webhook
    if webhook is not None:
        deliverers.extend(
            webhook_deliverers(
                webhook.urls,
                chat_format=webhook.format,
                timeout_s=webhook.timeout_s,
                attempts=webhook.attempts,
                max_retry_after_s=webhook.max_retry_after_s,
            )
        )
    return deliverers


def _window(store: StateStore, site: str, settings: Settings, now: datetime) -> Window:
    """From the end of the last successful window (minus skew) to now; first run: lookback."""
    last_end = store.get_window_end(site)
    earliest = now - timedelta(hours=settings.initial_lookback_hours)
    start = earliest if last_end is None else max(last_end - CLOCK_SKEW, now - timedelta(days=30))
    return Window(start=min(start, now), end=now)


def _unseen(store: StateStore, snapshot: Snapshot) -> tuple[Snapshot, list[str]]:
    """Drop events already reported by an earlier run (overlapping windows).

    Returns:
        The snapshot with a lazy view of the fresh events, and the fresh events' ids (read in
        the same single pass, to be marked as reported once delivery worked).
    """
    ids = [reported_identity(event) for event in snapshot.events]
    seen = store.seen_ids(snapshot.site.name, ids)
    if not seen:
        return snapshot, ids
    _log.info("already reported events skipped", site=snapshot.site.name, count=len(seen))
    fresh = [event_id for event_id in ids if event_id not in seen]
    events = without_ids(snapshot.events, seen, reported_identity)
    return dataclasses.replace(snapshot, events=events), fresh


async def _collect(
    settings: Settings, store: StateStore, now: Callable[[], datetime], http: httpx.AsyncClient
) -> tuple[Collection, ...]:
    async with _controller(settings, http) as client:
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
    chosen = list(deliverers) if deliverers is not None else _deliverers(settings)
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
        async with _http_client(settings) as http, asyncio.timeout(settings.scan_deadline_s):
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
    snapshot, ids = _unseen(store, snapshot)
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
        events=len(ids),
        problems=len(problems),
    )
    return ScanOutcome(report=report, receipts=receipts, problems=problems, secured=secured)


async def run_demo(
    settings: Settings,
    *,
    scenario: str = "demo",
    flavour: Literal["unifi-os", "legacy"] = "unifi-os",
    network: int = 9,
    now: Callable[[], datetime] = utc_now,
    registry: IntegrationRegistry | None = None,
) -> ScanOutcome:
    """Start the simulated controller on loopback (TLS, throw-away CA) and scan it once.

    The demo keeps no state between runs: every demo shows the whole scenario.
    """
    from unifi_scanner.simulator import SimulatorConfig, SimulatorServer  # noqa: PLC0415

    if network not in {9, 10}:
        raise ConfigError("network must be 9 or 10", (("network", "option", "not 9 or 10"),))
    generation: Literal[9, 10] = 10 if network == 10 else 9  # noqa: PLR2004
    config = SimulatorConfig(flavour=flavour, network=generation, scenario=scenario, now=now)
    with tempfile.TemporaryDirectory(prefix="unifi-scanner-demo-") as tmp:
        async with SimulatorServer(config, tls=True) as server:
            demo_settings = settings.model_copy(
                update={
                    "host": server.host,
                    "port": server.port,
                    "flavour": flavour,
                    "username": config.username,
                    "password": _secret(config.password),
                    "api_key": None,
                    "site": "default",
                    "verify_ssl": True,
                    "ca_bundle": server.ca_pem_path,
                    "tls_fingerprint": None,
                    "state_path": Path(tmp) / "state.sqlite3",
                }
            )
            outcomes = await run_once(demo_settings, now=now, registry=registry)
    return outcomes[0]


def _secret(value: str) -> object:
    from pydantic import SecretStr  # noqa: PLC0415

    return SecretStr(value)


async def check(settings: Settings, *, now: Callable[[], datetime] = utc_now) -> CheckResult:
    """Log in, detect flavour and version, and probe every endpoint the scan would use."""
    async with _http_client(settings) as http, _controller(settings, http) as client:
        collector = Collector(client, now=now, lookback=timedelta(hours=1))
        collection = await collector.collect()
        snapshot = collection.snapshot
        sites = tuple(site.get("name", "?") for site in await client.sites())
        base_url = f"https://{settings.host}:{client.port}"
    endpoints = tuple(
        (probe.name, "ok" if probe.ok else probe.detail or f"answered {probe.status}")
        for probe in collection.probes
    )
    return CheckResult(
        base_url=base_url,
        flavour=snapshot.controller.flavour.value,
        version=snapshot.controller.version,
        sites=sites,
        endpoints=endpoints,
        ok=any(probe.ok for probe in collection.probes),
    )


def analyze_files(
    paths: Iterable[Path],
    settings: Settings,
    *,
    fmt: str = "text",
    now: Callable[[], datetime] = utc_now,
) -> str:
    """Analyse exported controller JSON offline and return the rendered report."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        message = f"--format must be one of {', '.join(sorted(RENDERERS))}, got {fmt!r}"
        raise ConfigError(message, (("format", "option", message),))
    snapshot = load_export(list(paths))
    findings = Engine(now=now).analyze(snapshot)
    report = build_report(
        snapshot, findings, IntegrationResults(), generated_at=now(), timezone=settings.timezone
    )
    return renderer(report)


def integrations_status(
    settings: Settings, *, registry: IntegrationRegistry | None = None
) -> list[tuple[str, str, str, str, str]]:
    """Rows for ``unifi-scanner integrations``: name, configured, last status, success, breaker."""
    registry = registry or default_registry()
    selection = registry.select(settings)
    configured = {integration.name for integration in selection.configured}
    skipped = {item.name: item.status.value for item in selection.skipped}
    store = SqliteStateStore(settings.state_path, utc_now)
    try:
        rows = integration_status(store, registry, settings)
    finally:
        store.close()
    table = []
    for row in rows:
        state = "yes" if row.name in configured else skipped.get(row.name, "no")
        breaker = row.breaker_state.value
        if row.next_probe_at is not None:
            breaker += f" (next probe {row.next_probe_at:%Y-%m-%d %H:%M} UTC)"
        table.append(
            (
                row.display_name,
                state,
                row.status.value if row.status else "never ran",
                f"{row.last_success:%Y-%m-%d %H:%M} UTC" if row.last_success else "never",
                breaker,
            )
        )
    return table


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    now: Callable[[], datetime] = utc_now,
    trigger: BaseTrigger | None = None,
    after_scan: Callable[[list[ScanOutcome]], object] | None = None,
) -> None:
    """Scan on ``settings.schedule`` until SIGINT/SIGTERM (or ``stop`` is set).

    Between scans the controller's websocket stays open (one site only); its events are buffered
    and join the next scan, de-duplicated against what the REST endpoints return.

    Args:
        settings: the configuration; ``schedule`` is required unless ``trigger`` is given.
        stop: set it to end the loop (signals set it too).
        now: the clock.
        trigger: when to scan, instead of ``settings.schedule`` (tests, presets).
        after_scan: called with each scan's outcomes (health reporting, tests).
    """
    if trigger is None:
        if settings.schedule is None:
            raise ConfigError("schedule: not set", (("schedule", "settings", "missing"),))
        trigger = build_trigger(settings.schedule, settings.timezone)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    context = _ssl_context(settings)
    async with (
        _http_client(settings, context) as live_http,
        _controller(settings, live_http) as live_client,
    ):
        live = (
            None
            if settings.site.lower() == "all"
            else LiveCollector.for_client(live_client, ssl_context=context)
        )
        async with live or contextlib.nullcontext():

            async def _job() -> None:
                try:
                    outcomes = await run_once(settings, now=now, live=live)
                except ScannerError as err:
                    _log.error("scan failed", error=str(err))
                    return
                if after_scan is not None:
                    after_scan(outcomes)

            await serve_forever(_job, trigger, stop=stop)


async def simulate(
    *,
    host: str,
    port: int,
    scenario: str,
    flavour: Literal["unifi-os", "legacy"],
    network: int,
    tls: bool,
    announce: Callable[[str], object] = print,
    username: str | None = None,
    password: str | None = None,
    devices: int | None = None,
    clients: int | None = None,
    events_per_day: int | None = None,
    days: float | None = None,
    seed: int = 1,
    allow_remote: bool = False,
) -> None:
    """Serve the simulated controller in the foreground until cancelled.

    Binds loopback only, unless ``host`` names another address and ``allow_remote`` is set.
    Any of ``devices``, ``clients``, ``events_per_day``, ``days`` serves the generated site
    (``simulator.generated_config``) instead of ``scenario``.

    Raises:
        ConfigError: ``network`` is not 9 or 10, or ``host`` is not loopback without
            ``allow_remote``.
    """
    import ipaddress  # noqa: PLC0415

    from unifi_scanner.simulator import (  # noqa: PLC0415
        CONTROL_PREFIX,
        DEFAULT_PASSWORD,
        DEFAULT_USERNAME,
        SimulatorConfig,
        SimulatorServer,
        generated_config,
    )

    if network not in {9, 10}:
        raise ConfigError("network must be 9 or 10", (("network", "option", "not 9 or 10"),))
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allow_remote:
        message = (
            f"refusing to serve the simulator on {host}: it has a public password and an "
            "unauthenticated control endpoint; bind 127.0.0.1, or add --allow-remote"
        )
        raise ConfigError(message, (("host", "option", "not loopback without --allow-remote"),))
    generation: Literal[9, 10] = 10 if network == 10 else 9  # noqa: PLR2004
    user, secret = username or DEFAULT_USERNAME, password or DEFAULT_PASSWORD
    if all(knob is None for knob in (devices, clients, events_per_day, days)):
        config = SimulatorConfig(
            flavour=flavour,
            network=generation,
            scenario=scenario,
            username=user,
            password=secret,
            seed=seed,
        )
    else:
        config = generated_config(
            devices=devices,
            clients=clients,
            events_per_day=events_per_day,
            days=days,
            seed=seed,
            flavour=flavour,
            network=generation,
            username=user,
            password=secret,
        )
        if (spec := config.generator) is not None:
            scenario = (
                f"generated: {spec.devices} devices, {spec.clients} clients, "
                f"{spec.total} events over {spec.days:g} days, seed {seed}"
            )
    async with SimulatorServer(config, tls=tls, host=host, port=port) as server:
        announce(f"Simulated UniFi controller ({flavour}, Network {network}, scenario {scenario})")
        announce(f"  URL:      {server.base_url}")
        announce(f"  login:    {config.username} / {config.password}")
        if config.api_key:
            announce(f"  API key:  {config.api_key}")
        if server.ca_pem_path is not None:
            announce(f"  CA:       {server.ca_pem_path}  (UNIFI_CA_BUNDLE)")
            announce(f"  SHA-256:  {server.cert_fingerprint}  (UNIFI_TLS_FINGERPRINT)")
        announce(f"  faults:   {server.base_url}{CONTROL_PREFIX}/faults  (no authentication)")
        announce("Press Ctrl-C to stop.")
        await asyncio.Event().wait()
