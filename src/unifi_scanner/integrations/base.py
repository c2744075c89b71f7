"""The integration seam: the :class:`Integration` Protocol and the result types.

An integration is an optional external source (Cloudflare, CyberSecure, …). The core only knows
this Protocol; it never names a concrete integration.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = [
    "Integration",
    "IntegrationResult",
    "IntegrationResults",
    "IntegrationSection",
    "IntegrationStatus",
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

    async def fetch(self) -> IntegrationResult:
        """Fetch this integration's data. Must be genuinely async (no blocking I/O)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationResult:
    """What :meth:`Integration.fetch` returns.

    Attributes:
        name: the integration's ``name``.
        success: whether the data is complete and current.
        data: JSON-compatible data for the report section.
        error: what went wrong, when ``success`` is False.
    """

    name: str
    success: bool
    data: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


class IntegrationStatus(enum.StrEnum):
    """The outcome of one integration in one run."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CIRCUIT_OPEN = "circuit-open"
    SKIPPED_PARTIAL_CONFIG = "skipped-partial-config"
    DISABLED = "disabled"


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
    """

    name: str
    display_name: str
    success: bool
    status: IntegrationStatus
    data: Mapping[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    duration_s: float = 0.0
    stale_since: datetime | None = None

    def age_s(self, now: datetime) -> float | None:
        """Seconds since the fallback data was fetched, or None when the data is current."""
        if self.stale_since is None:
            return None
        return (now - self.stale_since).total_seconds()


@dataclass(frozen=True, slots=True)
class IntegrationResults:
    """All integration sections of one run, in a stable order."""

    sections: tuple[IntegrationSection, ...] = ()

    @property
    def has_data(self) -> bool:
        """True when at least one section has data to show."""
        return any(section.data for section in self.sections)

    def get_section(self, name: str) -> IntegrationSection | None:
        """Return the section of the integration called ``name``, if it ran."""
        return next((s for s in self.sections if s.name == name), None)
