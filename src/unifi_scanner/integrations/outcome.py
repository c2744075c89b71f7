"""How a failed integration is worded in its section, and the finding for a refused token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Finding, Severity

if TYPE_CHECKING:
    from datetime import timedelta

    from unifi_scanner.integrations.base import IntegrationStatus

__all__ = ["Failure", "format_age", "format_s", "misconfigured_finding"]

_MINUTE = 60
_HOUR = 3600
_DAY = 86400


def format_s(seconds: float) -> str:
    """Return a duration for people: ``30 s``, ``0.5 s``."""
    return f"{seconds:g} s"


def format_age(age: timedelta) -> str:
    """Return an age for people, rounded: ``45 s``, ``12 min``, ``6 h``, ``3 d``."""
    seconds = max(0.0, age.total_seconds())
    if seconds < 90:  # noqa: PLR2004
        return f"{seconds:.0f} s"
    if seconds < 90 * _MINUTE:
        return f"{seconds / _MINUTE:.0f} min"
    if seconds < 48 * _HOUR:
        return f"{seconds / _HOUR:.0f} h"
    return f"{seconds / _DAY:.0f} d"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an integration's section has no current data.

    Attributes:
        status: the run's outcome.
        reason: the short reason (``timeout after 30 s``).
        whole_message: the reason is already a full sentence (a refused token).
    """

    status: IntegrationStatus
    reason: str
    whole_message: bool = False

    def message_for(self, display_name: str) -> str:
        """Return ``Cloudflare: unable to fetch data (timeout after 30 s)``."""
        if self.whole_message:
            return self.reason
        if self.reason.startswith("unreachable"):
            return f"{display_name} {self.reason}"
        return f"{display_name}: unable to fetch data ({self.reason})"

    @staticmethod
    def with_age(message: str, age: timedelta) -> str:
        """Return ``data from 6 h ago: <message>``."""
        return f"data from {format_age(age)} ago: {message}"


def misconfigured_finding(name: str, display_name: str, exc: BaseException) -> Finding:
    """Return the medium finding for an integration whose credentials or ids were refused.

    Args:
        name: the integration's ``name``.
        display_name: its heading.
        exc: the refusal (its message is the finding's title).

    Returns:
        The finding.
    """
    env = f"UNIFI_{name.upper()}_…"
    return Finding(
        rule="integration.misconfigured",
        severity=Severity.MEDIUM,
        title=str(exc) or f"{display_name} refused our credentials",
        explanation=(
            f"{display_name} answered, but refused the configured credentials or ids, so its "
            "section has no current data. Retrying will not help until the setting is fixed."
        ),
        remediation=(
            f"Check the {display_name} settings ({env} or the `{name}:` section of the YAML file).",
            "Run `unifi-scanner check-config` to validate them.",
        ),
        subject=display_name,
        evidence=(f"{type(exc).__name__}: {exc}",),
    )
