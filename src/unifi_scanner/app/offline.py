"""Commands that never reach the controller: analyse exported JSON, show integration status."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from unifi_scanner.analysis import Engine
from unifi_scanner.app.wiring import utc_now
from unifi_scanner.collect import EventSpool, load_export
from unifi_scanner.errors import ConfigError
from unifi_scanner.integrations import (
    Integration,
    IntegrationRegistry,
    IntegrationResults,
    IntegrationRunner,
    apply_notes,
    default_registry,
    integration_status,
)
from unifi_scanner.reports import RENDERERS, build_report
from unifi_scanner.state import MemoryStateStore, SqliteStateStore

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime
    from pathlib import Path

    from unifi_scanner.analysis import Finding
    from unifi_scanner.collect import Snapshot
    from unifi_scanner.config import Settings

__all__ = ["analyze_files", "integrations_status"]


def analyze_files(
    paths: Iterable[Path],
    settings: Settings,
    *,
    fmt: str = "text",
    now: Callable[[], datetime] = utc_now,
    registry: IntegrationRegistry | None = None,
) -> str:
    """Analyse exported controller JSON offline and return the rendered report.

    The enrichers run here too (CyberSecure always; threat intelligence when configured);
    sources such as Cloudflare do not: an export has no period of theirs to read.
    """
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        message = f"--format must be one of {', '.join(sorted(RENDERERS))}, got {fmt!r}"
        raise ConfigError(message, (("format", "option", message),))
    snapshot = load_export(list(paths))
    try:
        analysis = Engine(now=now).run(snapshot)
        findings = analysis.findings
        results = asyncio.run(_enriched(snapshot, tuple(findings), settings, now, registry))
        report = build_report(
            snapshot,
            apply_notes(findings, results.notes),
            results,
            generated_at=now(),
            timezone=settings.timezone,
            activity=analysis.activity,
            threats=analysis.threats,
        )
    finally:
        if isinstance(snapshot.events, EventSpool):
            snapshot.events.close()  # its temporary file goes now, not at garbage collection
    return renderer(report)


async def _enriched(
    snapshot: Snapshot,
    findings: tuple[Finding, ...],
    settings: Settings,
    now: Callable[[], datetime],
    registry: IntegrationRegistry | None,
) -> IntegrationResults:
    selection = (registry or default_registry()).select(settings)
    enrichers = [i for i in selection.configured if not isinstance(i, Integration)]
    if not enrichers:
        return IntegrationResults()
    # an export is not the live network: its runs' status, breakers and last good data stay
    # out of the service's state; the caches (answers about addresses) are shared
    caches = SqliteStateStore(settings.state_path, now)
    try:
        runner = IntegrationRunner(
            enrichers, store=MemoryStateStore(), settings=settings, now=now, cache_store=caches
        )
        return await runner.enrich(snapshot, findings)
    finally:
        caches.close()


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
