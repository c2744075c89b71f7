"""The integration seam: the :class:`Integration` and :class:`Enricher` Protocols and results.

An integration is optional: a *source* (:class:`Integration`: Cloudflare) fetches data of its
own, in parallel with the controller's collection; an *enricher* (:class:`Enricher`:
CyberSecure, threat intelligence) reads the scan's snapshot and findings after analysis and adds
what it knows. Both run under the same runner rules. The core only knows these Protocols; it
never names a concrete integration.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime, timedelta

    from markupsafe import Markup

    from unifi_scanner.analysis.findings import Finding, Severity
    from unifi_scanner.collect.models import Snapshot

__all__ = [
    "BreakerState",
    "Cache",
    "EnrichContext",
    "Enricher",
    "FetchWindow",
    "FindingNote",
    "Integration",
    "IntegrationResult",
    "IntegrationResults",
    "IntegrationSection",
    "IntegrationStatus",
    "SectionRenderer",
]


@runtime_checkable
class Integration(Protocol):
    """An optional external source of report data.

    ``name`` is the registry key, the config section and the log field.
    """

    @property
    def name(self) -> str:
        """Short, stable id (``cloudflare``)."""
        ...

    def is_configured(self) -> bool:
        """Return True when enough settings are present to run."""
        ...

    def validate_config(self) -> str | None:
        """Return a warning naming what is missing when only partly configured, else None."""
        ...

    async def fetch(self, window: FetchWindow) -> IntegrationResult:
        """Fetch the data of ``window``. Must be genuinely async (no blocking I/O)."""
        ...


@runtime_checkable
class Enricher(Protocol):
    """An optional integration that adds to a scan's own data, after analysis.

    Registered, configured, timed out, retried and broken like an :class:`Integration`; it
    runs once per site with that site's snapshot and findings.
    """

    @property
    def name(self) -> str:
        """Short, stable id (``cybersecure``)."""
        ...

    def is_configured(self) -> bool:
        """Return True when enough settings are present to run."""
        ...

    def validate_config(self) -> str | None:
        """Return a warning naming what is missing when only partly configured, else None."""
        ...

    async def enrich(
        self, snapshot: Snapshot, findings: tuple[Finding, ...], context: EnrichContext
    ) -> IntegrationResult | None:
        """Read the snapshot and findings; return a section, or None when it has nothing to say.

        Must be genuinely async (no blocking I/O); must not change ``snapshot`` or ``findings``
        (notes on findings go in :attr:`IntegrationResult.notes`).
        """
        ...


class Cache(Protocol):
    """An enricher's own cache in the state store (``records.RecordCache``)."""

    def get(self, key: str, max_age: timedelta) -> Mapping[str, Any] | None:
        """Return the value under ``key`` if younger than ``max_age``."""
        ...

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store ``value`` under ``key`` with the clock's time."""
        ...

    def prune(self, max_age: timedelta) -> int:
        """Delete the values older than ``max_age``."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrichContext:
    """What an enricher gets besides the snapshot and the findings.

    Attributes:
        sources: the sections of the source integrations of this run (their ``addresses``:
            the outside addresses Cloudflare saw, …).
        cache: the enricher's own cache, kept in the state store between runs.
        now: the wall clock.
    """

    sources: IntegrationResults
    cache: Cache
    now: Callable[[], datetime]


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingNote:
    """What an enricher adds to one finding of the analysis.

    Attributes:
        fingerprint: the fingerprint of the finding it is about (unique in one report: two
            devices with the same name are two findings).
        badges: short tags to add (``CyberSecure``).
        evidence: lines to add to its evidence.
        severity: raise the finding to this severity (never lowers it).
        reason: why, when ``severity`` raises it (added to the evidence).
    """

    fingerprint: str
    badges: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    severity: Severity | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FetchWindow:
    """The period one fetch covers.

    It runs from the end of the last good fetch (or the initial look-back) to the start of
    this run. An integration whose source cannot reach that far back (a plan limit) fetches
    what it can and says so in its data.

    Attributes:
        start: the beginning, inclusive (aware UTC).
        end: the end, exclusive (aware UTC): the moment the run started.
        resumed: True when ``start`` is where the last good fetch ended (False: the initial
            look-back, or a catch-up cut to the maximum).
    """

    start: datetime
    end: datetime
    resumed: bool = False

    @property
    def seconds(self) -> float:
        """The window's length in seconds."""
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationResult:
    """What :meth:`Integration.fetch` returns.

    Attributes:
        name: the integration's ``name``.
        success: whether the data is complete and current.
        data: JSON-compatible data for the report section (keep it bounded: top lists,
            counts; it is stored as the last good result).
        error: what went wrong, when ``success`` is False.
        findings: what the data itself calls for (a tunnel down), raised with the section.
        addresses: outside IP addresses the source saw, each with one line of what it saw
            (``blocked 63 requests to shop.example.com``); the scan calls out every address
            the UniFi data shows too (:func:`~unifi_scanner.integrations.correlate`).
        notes: an enricher's additions to the analysis' findings (badges, evidence, a raised
            severity), applied by :func:`~unifi_scanner.integrations.apply_notes`.
    """

    name: str
    success: bool
    data: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    findings: tuple[Finding, ...] = ()
    addresses: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[FindingNote, ...] = ()


class IntegrationStatus(enum.StrEnum):
    """The outcome of one integration in one run."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CIRCUIT_OPEN = "circuit-open"
    SKIPPED_PARTIAL_CONFIG = "skipped-partial-config"
    DISABLED = "disabled"


class BreakerState(enum.StrEnum):
    """The state of an integration's circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationSection:
    """What the report renders for one integration.

    Attributes:
        name: the integration's ``name``.
        display_name: the heading (``Cloudflare``).
        success: whether ``data`` is current.
        status: the run's outcome.
        data: JSON-compatible data (current, or the last good result when ``stale_since`` is set).
        error_message: a plain-English error for the section, when it failed.
        duration_s: how long the integration ran.
        stale_since: when ``data`` is a last-good fallback, the time it was fetched.
        last_success: when this integration last fetched data successfully (any run).
        breaker_state: its circuit breaker's state after the run.
        next_probe_at: when the breaker is open, when the next probe is due.
        addresses: outside addresses in ``data`` with what the source saw of each.
        correlated: those of ``addresses`` the UniFi data shows too, with what it shows.
    """

    name: str
    display_name: str
    success: bool
    status: IntegrationStatus
    data: Mapping[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    duration_s: float = 0.0
    stale_since: datetime | None = None
    last_success: datetime | None = None
    breaker_state: BreakerState = BreakerState.CLOSED
    next_probe_at: datetime | None = None
    addresses: Mapping[str, str] = field(default_factory=dict)
    correlated: Mapping[str, str] = field(default_factory=dict)

    @property
    def ran(self) -> bool:
        """False when the integration was skipped (partial config, disabled, failed to start)."""
        return self.status not in {
            IntegrationStatus.SKIPPED_PARTIAL_CONFIG,
            IntegrationStatus.DISABLED,
        }

    def as_dict(self) -> dict[str, Any]:
        """Return the section as JSON-compatible data (times as ISO 8601 strings)."""
        return {
            "name": self.name,
            "display_name": self.display_name,
            "success": self.success,
            "status": self.status.value,
            "data": dict(self.data),
            "error_message": self.error_message,
            "duration_s": round(self.duration_s, 3),
            "stale_since": _iso(self.stale_since),
            "last_success": _iso(self.last_success),
            "breaker_state": self.breaker_state.value,
            "next_probe_at": _iso(self.next_probe_at),
            "correlated": dict(self.correlated),
        }

    def age_s(self, now: datetime) -> float | None:
        """Seconds since the fallback data was fetched, or None when the data is current."""
        if self.stale_since is None:
            return None
        return (now - self.stale_since).total_seconds()


@runtime_checkable
class SectionRenderer(Protocol):
    """How one integration's section renders in each report format.

    An integration offers one as its optional ``section_renderer`` attribute; without one,
    :class:`~unifi_scanner.integrations.render.DefaultSectionRenderer` shows a key/value table.
    """

    def text(self, section: IntegrationSection) -> str:
        """Return the section body as plain text (no heading)."""
        ...

    def markdown(self, section: IntegrationSection) -> str:
        """Return the section body as Markdown (no heading)."""
        ...

    def html(self, section: IntegrationSection) -> Markup:
        """Return the section body as safe HTML (autoescaped; no heading)."""
        ...

    def json(self, section: IntegrationSection) -> Mapping[str, Any]:
        """Return the section as JSON-compatible data."""
        ...


@dataclass(frozen=True, slots=True)
class IntegrationResults:
    """All integration sections of one run, in a stable order.

    Attributes:
        sections: one per integration that ran or was skipped with a reason (never the
            unconfigured ones).
        findings: findings the integrations raise about themselves (a refused token, …).
        renderers: each integration's own :class:`SectionRenderer`, by ``name``.
        notes: the enrichers' additions to the analysis' findings.
    """

    sections: tuple[IntegrationSection, ...] = ()
    findings: tuple[Finding, ...] = ()
    renderers: Mapping[str, SectionRenderer] = field(default_factory=dict)
    notes: tuple[FindingNote, ...] = ()

    @property
    def has_data(self) -> bool:
        """True when at least one section has data to show."""
        return any(section.data for section in self.sections)

    def get_section(self, name: str) -> IntegrationSection | None:
        """Return the section of the integration called ``name``, if it ran."""
        return next((s for s in self.sections if s.name == name), None)

    def merged(self, other: IntegrationResults) -> IntegrationResults:
        """Return these sections, findings and renderers followed by ``other``'s."""
        return IntegrationResults(
            (*self.sections, *other.sections),
            (*self.findings, *other.findings),
            {**self.renderers, **other.renderers},
            (*self.notes, *other.notes),
        )

    def renderer_for(self, name: str) -> SectionRenderer:
        """Return the renderer of the integration called ``name``, or the default one."""
        renderer = self.renderers.get(name)
        if renderer is not None:
            return renderer
        from unifi_scanner.integrations.render import DEFAULT_RENDERER  # noqa: PLC0415 (cycle)

        return DEFAULT_RENDERER


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
