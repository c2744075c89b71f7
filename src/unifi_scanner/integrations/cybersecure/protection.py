"""What protection the gateway's IPS settings really give, and where it is weaker than it looks.

The settings are the ``ips`` entry of ``get/setting`` (``rest/setting``): ``ips_mode``
(``disabled``, ``ids`` = detect and notify, ``ips`` / ``ipsInline`` = detect and block),
``enabled_categories``, ``dns_filtering``, ``honeypot_enabled``, ``suppression`` (signatures
silenced, ``alerts``; addresses and networks never inspected, ``whitelist``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.analysis import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ESSENTIAL_GROUPS", "MODES", "AllowEntry", "Protection", "protection_findings", "read"]

MODES: Final = {
    "disabled": "off",
    "ids": "detect only (notify)",
    "ips": "detect and block",
    "ipsinline": "detect and block (inline)",
}
"""``ips_mode`` values and what they mean, in the UniFi app's words."""

ESSENTIAL_GROUPS: Final = (
    ("malware", frozenset({"emerging-malware", "emerging-trojan", "emerging-mobile"}), True),
    (
        "botnet command and control",
        frozenset({"botcc", "botcc-portgrouped", "threatview-cs-c2"}),
        True,
    ),
    ("exploits", frozenset({"emerging-exploit", "exploit-kit"}), True),
    (
        "addresses of known attackers",
        frozenset(
            {"compromised", "drop", "spamhaus", "dshield", "ciarmy", "3coresec", "malicious-hosts"}
        ),
        False,
    ),
    ("phishing", frozenset({"phishing"}), False),
)
"""Category groups a gateway should check: (name, the categories, whether missing it is medium).

A group is covered when any of its categories is enabled (names changed across versions:
``spamhaus`` became ``drop``, ``emerging-trojan`` was folded into ``emerging-malware``).
"""

_BROAD_V4: Final = 16
_BROAD_V6: Final = 48
_RULE = "cybersecure"


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One ``suppression.whitelist`` entry: traffic the IPS never inspects."""

    value: str
    mode: str
    direction: str

    @property
    def broad(self) -> bool:
        """A whole network, or a range of /16 (IPv6: /48) or wider."""
        if self.mode == "network":
            return True
        try:
            net = ipaddress.ip_network(self.value, strict=False)
        except ValueError:
            return False
        limit = _BROAD_V4 if net.version == 4 else _BROAD_V6  # noqa: PLR2004 (IPv4)
        return net.prefixlen <= limit

    def describe(self) -> str:
        """``10.0.0.0/8 (both directions)``."""
        what = f"the network {self.value}" if self.mode == "network" else self.value
        way = {"src": "as source", "dest": "as destination"}.get(self.direction, "both directions")
        return f"{what} ({way})"


@dataclass(frozen=True, slots=True)
class Protection:
    """The IPS settings, read.

    Attributes:
        mode: ``ips_mode`` as sent (lower-case), ``None`` when absent.
        categories: the enabled categories.
        dns_filtering: DNS content filtering on.
        honeypot: the honeypot on.
        allow_list: addresses and networks the IPS never inspects.
        silenced: signatures silenced for everyone (``suppression.alerts`` of type ``all``).
        tracked: signatures silenced for some addresses only.
    """

    mode: str | None
    categories: frozenset[str]
    dns_filtering: bool
    honeypot: bool
    allow_list: tuple[AllowEntry, ...] = ()
    silenced: tuple[str, ...] = ()
    tracked: tuple[str, ...] = ()
    missing: tuple[tuple[str, bool], ...] = field(default=())

    @property
    def mode_text(self) -> str:
        """The mode in plain words."""
        if self.mode is None:
            return "not stated"
        return MODES.get(self.mode, self.mode)

    @property
    def blocks(self) -> bool:
        """True when the gateway blocks what it detects."""
        return self.mode in {"ips", "ipsinline"}


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _signature(item: Mapping[str, Any]) -> str:
    name = _text(item.get("signature"))
    sid = item.get("id")
    if name and isinstance(sid, int) and sid:
        return f"{name} (sid {sid})"
    return name or (f"sid {sid}" if sid else "a signature")


def read(settings: Mapping[str, Any]) -> Protection:
    """Read the ``ips`` settings entry; anything missing or malformed counts as not set.

    Args:
        settings: the entry (``key: "ips"``).

    Returns:
        The protection it describes.
    """
    raw_mode = _text(settings.get("ips_mode")).lower() or None
    raw_categories = settings.get("enabled_categories")
    listed = raw_categories if isinstance(raw_categories, list) else []
    categories = frozenset(_text(c).lower() for c in listed if isinstance(c, str) and c.strip())
    found = settings.get("suppression")
    suppression: Mapping[str, Any] = found if isinstance(found, dict) else {}
    allow = tuple(
        AllowEntry(_text(item.get("value")), _text(item.get("mode")), _text(item.get("direction")))
        for item in _list(suppression.get("whitelist"))
        if isinstance(item, dict) and _text(item.get("value"))
    )
    alerts = [item for item in _list(suppression.get("alerts")) if isinstance(item, dict)]
    silenced = tuple(_signature(item) for item in alerts if _text(item.get("type")) != "track")
    tracked = tuple(_signature(item) for item in alerts if _text(item.get("type")) == "track")
    missing: tuple[tuple[str, bool], ...] = ()
    if categories:
        missing = tuple(
            (name, medium) for name, group, medium in ESSENTIAL_GROUPS if not group & categories
        )
    return Protection(
        mode=raw_mode,
        categories=categories,
        dns_filtering=settings.get("dns_filtering") is True,
        honeypot=settings.get("honeypot_enabled") is True,
        allow_list=allow,
        silenced=silenced,
        tracked=tracked,
        missing=missing,
    )


_SETTINGS_PATH: Final = "Settings → CyberSecure (or Security) → Intrusion Prevention"


def _mode_finding(protection: Protection, threats: int, let_through: int) -> Finding | None:
    if protection.mode == "disabled":
        return Finding(
            rule=f"{_RULE}.ips_off",
            severity=Severity.SEVERE,
            title="Intrusion prevention is switched off",
            explanation=(
                "The gateway's intrusion prevention (IPS) is off: nothing inspects the traffic "
                "for attacks, malware or infected devices calling home, so none would be "
                "stopped and this report would not see them either."
            ),
            remediation=(
                f"Open {_SETTINGS_PATH} in the UniFi app and set the mode to Notify and Block.",
                "Enable at least the malware, botnet command and control and exploit categories.",
                "Run this report again tomorrow to see what it catches.",
            ),
            subject="Intrusion prevention",
            evidence=("IPS setting ips_mode = disabled.",),
        )
    if protection.mode == "ids":
        seen = (
            f"In this period it let {let_through} of {threats} threat alert(s) through."
            if threats
            else "It raised no threat alerts in this period."
        )
        return Finding(
            rule=f"{_RULE}.detect_only",
            severity=Severity.MEDIUM,
            title=(
                f"Intrusion prevention only detects: {let_through} threat(s) were let through"
                if let_through
                else "Intrusion prevention only detects, it does not block"
            ),
            explanation=(
                "The gateway's IPS is in detect-only mode (Notify): it recognises attacks and "
                f"infected devices but lets the traffic pass. {seen}"
            ),
            remediation=(
                f"Open {_SETTINGS_PATH} and switch the mode from Notify to Notify and Block.",
                (
                    "If a device stops working afterwards, silence that one signature for that "
                    "device instead of turning blocking off."
                ),
            ),
            subject="Intrusion prevention",
            count=max(let_through, 1),
            evidence=(f"IPS setting ips_mode = ids; {let_through} threat alert(s) not blocked.",),
        )
    return None


def _category_finding(protection: Protection) -> Finding | None:
    if not protection.blocks and protection.mode != "ids":
        return None
    if not protection.missing:
        return None
    names = [name for name, _ in protection.missing]
    severe = any(medium for _, medium in protection.missing)
    return Finding(
        rule=f"{_RULE}.categories",
        severity=Severity.MEDIUM if severe else Severity.LOW,
        title=f"The IPS does not check for {', '.join(names)}",
        explanation=(
            "Intrusion prevention only looks for the threat categories switched on in its "
            f"settings. None of the categories for {', '.join(names)} is on, so those attacks "
            "pass unseen however the mode is set."
        ),
        remediation=(
            (
                f"Open {_SETTINGS_PATH} and enable the missing categories "
                "(or choose the recommended set)."
            ),
            "Keep categories on even if they were noisy: silence one noisy signature instead.",
        ),
        subject="IPS categories",
        count=len(names),
        evidence=(
            "Enabled categories: " + (", ".join(sorted(protection.categories)) or "none") + ".",
        ),
    )


def _allow_finding(protection: Protection) -> Finding | None:
    broad = [entry for entry in protection.allow_list if entry.broad]
    if not broad and not protection.silenced:
        return None
    parts = []
    if broad:
        parts.append(
            "traffic of " + ", ".join(e.describe() for e in broad[:5]) + " is never inspected"
        )
    if protection.silenced:
        parts.append(f"{len(protection.silenced)} signature(s) are silenced for everyone")
    return Finding(
        rule=f"{_RULE}.allow_list",
        severity=Severity.MEDIUM if broad else Severity.LOW,
        title="Parts of the network are exempt from intrusion prevention",
        explanation=(
            "Exemptions are meant for one noisy device or one false alarm; these are wider: "
            + "; ".join(parts)
            + ". An attack from or to what is exempt goes unseen."
        ),
        remediation=(
            f"Open {_SETTINGS_PATH} → Allow list and Suppressed signatures.",
            "Replace each network or large range with the single device that needed it.",
            (
                "Silence a signature for the one address it misfires on (tracking by address) "
                "rather than for everyone."
            ),
        ),
        subject="IPS exemptions",
        count=len(broad) + len(protection.silenced),
        evidence=tuple(
            [f"Never inspected: {e.describe()}." for e in broad]
            + [f"Silenced for everyone: {name}." for name in protection.silenced[:10]]
        ),
    )


def protection_findings(
    protection: Protection, *, threats: int, let_through: int
) -> tuple[Finding, ...]:
    """Return the findings where protection is weaker than it looks.

    Args:
        protection: the settings, read.
        threats: threat alerts in the period (engine events left out).
        let_through: those of them the gateway did not block.

    Returns:
        IPS off (severe); detect-only (medium); essential categories off (medium, or low
        for the lists of known attackers and phishing); broad exemptions (medium) or
        signatures silenced for everyone (low).
    """
    found = (
        _mode_finding(protection, threats, let_through),
        _category_finding(protection),
        _allow_finding(protection),
    )
    return tuple(f for f in found if f is not None)
