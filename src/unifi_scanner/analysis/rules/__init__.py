"""The rule tables, one module per domain, and :data:`DEFAULT_RULES` (all of them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.rules.connectivity import CONNECTIVITY_RULES
from unifi_scanner.analysis.rules.health import HEALTH_RULES
from unifi_scanner.analysis.rules.security import SECURITY_RULES
from unifi_scanner.analysis.rules.system import FALLBACK_RULE, SYSTEM_RULES
from unifi_scanner.analysis.rules.wireless import WIRELESS_RULES

if TYPE_CHECKING:
    from unifi_scanner.analysis.rule import ClientRule, DeviceRule, EventRule

__all__ = [
    "CONNECTIVITY_RULES",
    "DEFAULT_RULES",
    "FALLBACK_RULE",
    "HEALTH_RULES",
    "SECURITY_RULES",
    "SYSTEM_RULES",
    "WIRELESS_RULES",
]

DEFAULT_RULES: tuple[EventRule | DeviceRule | ClientRule, ...] = (
    *CONNECTIVITY_RULES,
    *SECURITY_RULES,
    *WIRELESS_RULES,
    *HEALTH_RULES,
    *SYSTEM_RULES,
)
"""Every built-in rule, in the order the engine runs them."""
