"""Small helpers the rule tables share: names for the event's device and client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Callable

    from unifi_scanner.analysis.rule import GroupView, RuleContext
    from unifi_scanner.collect.models import Event

__all__ = [
    "at_least",
    "client_key",
    "client_mac",
    "client_subject",
    "device_key",
    "device_mac",
    "device_subject",
    "param_text",
]

_DEVICE_FIELDS = (("ap", "ap_name"), ("sw", "sw_name"), ("gw", "gw_name"), ("dm", "dm_name"))
_CLIENT_FIELDS = ("user", "client", "guest")


def param_text(event: Event, name: str) -> str | None:
    """A parameter as text (numbers too), or ``None`` when absent or empty."""
    value = event.params.get(name)
    if type(value) is str:  # the common case, fast
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def device_mac(event: Event) -> str | None:
    """The MAC of the UniFi device the event is about."""
    if event.device_mac:
        return event.device_mac
    for mac_field, _ in _DEVICE_FIELDS:
        mac = param_text(event, mac_field)
        if mac:
            return mac
    return None


def device_key(event: Event, ctx: RuleContext) -> str:
    """A stable group key for the event's device: its MAC, else its name."""
    mac = device_mac(event)
    return mac.lower() if mac else device_subject(event, ctx)


def device_subject(event: Event, ctx: RuleContext) -> str:
    """The event's device by name (snapshot first, then payload names, then the MAC)."""
    fallback = event.device_name
    if not fallback:
        fallback = next(
            (param_text(event, n) for _, n in _DEVICE_FIELDS if param_text(event, n)), None
        )
    return ctx.device_label(device_mac(event), fallback)


def client_mac(event: Event) -> str | None:
    """The MAC of the client the event is about."""
    if event.client_mac:
        return event.client_mac
    return next((param_text(event, f) for f in _CLIENT_FIELDS if param_text(event, f)), None)


def client_key(event: Event, ctx: RuleContext) -> str:
    """A stable group key for the event's client: its MAC, else its name."""
    mac = client_mac(event)
    return mac.lower() if mac else client_subject(event, ctx)


def client_subject(event: Event, ctx: RuleContext) -> str:
    """The event's client by name (snapshot first, then payload names, then the MAC)."""
    fallback = event.client_name or param_text(event, "hostname") or param_text(event, "name")
    return ctx.client_label(client_mac(event), param_text(event, "ip"), fallback)


def at_least(
    *steps: tuple[float, Severity], per_hour: bool = False
) -> Callable[[GroupView], Severity]:
    """An ``escalate`` function: the highest severity whose count (or hourly rate) is reached.

    Args:
        steps: ``(threshold, severity)`` pairs.
        per_hour: compare the hourly rate instead of the count.

    Returns:
        The escalation function.
    """

    def escalate(view: GroupView) -> Severity:
        measure = view.per_hour if per_hour else view.count
        reached = [severity for threshold, severity in steps if measure >= threshold]
        return max(reached, key=lambda s: s.rank, default=Severity.LOW)

    return escalate
