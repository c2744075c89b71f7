"""Integrations: optional sources (beside collection) and enrichers (after analysis), isolated.

the ``app`` package wiring::

    registry = default_registry()
    selection = registry.select(settings)
    runner = IntegrationRunner(
        selection.configured, skipped=selection.skipped, settings=settings, store=store, now=now
    )
    results = await runner.run()  # sources, concurrently with collection
    # per site, after analysis and correlation:
    enriched = await runner.enrich(snapshot, findings, results)
    findings = apply_notes(findings, enriched.notes)
    results = results.merged(enriched)
"""

from __future__ import annotations

from unifi_scanner.integrations.annotate import apply_notes
from unifi_scanner.integrations.base import (
    BreakerState,
    Cache,
    EnrichContext,
    Enricher,
    FetchWindow,
    FindingNote,
    Integration,
    IntegrationResult,
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
    SectionRenderer,
)
from unifi_scanner.integrations.breaker import IntegrationBreaker, StoreBreakerStorage
from unifi_scanner.integrations.builtin import BUILTIN_INTEGRATIONS
from unifi_scanner.integrations.classify import ErrorClass, classify
from unifi_scanner.integrations.correlate import AddressSighting, correlate
from unifi_scanner.integrations.records import (
    IntegrationStatusRow,
    RecordCache,
    integration_status,
)
from unifi_scanner.integrations.registry import (
    IntegrationClass,
    IntegrationRegistry,
    Selection,
    SkippedIntegration,
)
from unifi_scanner.integrations.render import DEFAULT_RENDERER, DefaultSectionRenderer
from unifi_scanner.integrations.runner import IntegrationPolicy, IntegrationRunner, RetryPolicy

__all__ = [
    "BUILTIN_INTEGRATIONS",
    "DEFAULT_RENDERER",
    "AddressSighting",
    "BreakerState",
    "Cache",
    "DefaultSectionRenderer",
    "EnrichContext",
    "Enricher",
    "ErrorClass",
    "FetchWindow",
    "FindingNote",
    "Integration",
    "IntegrationBreaker",
    "IntegrationClass",
    "IntegrationPolicy",
    "IntegrationRegistry",
    "IntegrationResult",
    "IntegrationResults",
    "IntegrationRunner",
    "IntegrationSection",
    "IntegrationStatus",
    "IntegrationStatusRow",
    "RecordCache",
    "RetryPolicy",
    "SectionRenderer",
    "Selection",
    "SkippedIntegration",
    "StoreBreakerStorage",
    "apply_notes",
    "classify",
    "correlate",
    "default_registry",
    "integration_status",
]


def default_registry() -> IntegrationRegistry:
    """Return a new registry holding the built-in integrations.

    Returns:
        A registry of :data:`BUILTIN_INTEGRATIONS`; ``reset()`` restores exactly them.
    """
    return IntegrationRegistry(BUILTIN_INTEGRATIONS)
