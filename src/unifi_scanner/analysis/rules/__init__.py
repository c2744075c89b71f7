"""The rule tables, one module per domain, and :data:`DEFAULT_RULES` (all of them).

Which rule reports which event key is decided by the vocabulary (:mod:`unifi_scanner.vocabulary`):
a rule with ``vocabulary=True`` takes every key whose action names its id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.rules.admin import ADMIN_RULES
from unifi_scanner.analysis.rules.devices import DEVICE_RULES
from unifi_scanner.analysis.rules.health import HEALTH_RULES
from unifi_scanner.analysis.rules.internet import INTERNET_RULES
from unifi_scanner.analysis.rules.network import NETWORK_RULES
from unifi_scanner.analysis.rules.power import POWER_RULES
from unifi_scanner.analysis.rules.security import SECURITY_RULES
from unifi_scanner.analysis.rules.system import FALLBACK_RULE, SYSTEM_RULES
from unifi_scanner.analysis.rules.wireless import WIRELESS_RULES

if TYPE_CHECKING:
    from unifi_scanner.analysis.rule import ClientRule, DeviceRule, EventRule

__all__ = [
    "ADMIN_RULES",
    "DEFAULT_RULES",
    "DEVICE_RULES",
    "FALLBACK_RULE",
    "HEALTH_RULES",
    "INTERNET_RULES",
    "NETWORK_RULES",
    "POWER_RULES",
    "SECURITY_RULES",
    "SYSTEM_RULES",
    "WIRELESS_RULES",
]

DEFAULT_RULES: tuple[EventRule | DeviceRule | ClientRule, ...] = (
    *DEVICE_RULES,
    *INTERNET_RULES,
    *POWER_RULES,
    *NETWORK_RULES,
    *SECURITY_RULES,
    *ADMIN_RULES,
    *WIRELESS_RULES,
    *HEALTH_RULES,
    *SYSTEM_RULES,
)
"""Every built-in rule, in the order the engine runs them."""
