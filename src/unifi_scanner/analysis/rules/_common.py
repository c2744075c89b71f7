"""Small helpers the rule tables share: severities from the vocabulary, escalation by count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import (
    device_key,
    device_kind,
    device_mac,
    device_subject,
    is_critical,
    known_device_mac,
)
from unifi_scanner.analysis.rule import EventRule

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from unifi_scanner.analysis.rule import GroupView, RuleContext
    from unifi_scanner.collect.models import Event

__all__ = [
    "at_least",
    "device_fields",
    "device_rule",
    "impact",
    "impact_of",
    "policy_severity",
    "the_device",
]


def policy_severity(event: Event, ctx: RuleContext) -> Severity:
    """The severity the vocabulary's policy gives the event's key.

    ``critical`` applies when the whole site depends on the device (a console or gateway by its
    family, or by the inventory's device type); a key outside the vocabulary is low.
    """
    entry = vocabulary.lookup(event.key)
    if entry is None:
        return Severity.LOW
    policy = entry.policy
    if policy.critical is not None and is_critical(event, ctx):
        return Severity(policy.critical)
    return Severity(policy.base)


_ROUTES = (
    "Everything at the site depends on it: while it is down, the whole site may be without "
    "internet."
)
_MANAGES = (
    "The controller runs on this console: while it is down nothing is managed or monitored, "
    "and if the console is also the site's gateway the whole site is offline."
)
_SERVES = "Devices connected through it may have no network while it is down."


def impact_of(kind: vocabulary.DeviceType | None, family: vocabulary.Family | None) -> str:
    """One sentence on what a device's trouble means for the site.

    A gateway (or a console that is one, by its inventory type) routes the site; a console
    known only from its events runs the controller; anything else serves what hangs off it.

    Args:
        kind: the device's inventory type, if it is in the inventory.
        family: the event family it was reported in, if any.

    Returns:
        The sentence.
    """
    if kind is not None and kind.routes:
        return _ROUTES
    if (kind is not None and kind.family == "DM") or (family is not None and family.code == "DM"):
        return _MANAGES
    if family is not None and family.critical and kind is None:
        return _ROUTES
    return _SERVES


def impact(event: Event, ctx: RuleContext) -> str:
    """:func:`impact_of` the event's device."""
    device = ctx.device(known_device_mac(event, ctx))
    kind = vocabulary.device_type(device.type) if device is not None else None
    entry = vocabulary.lookup(event.key)
    return impact_of(kind, entry.family if entry is not None else None)


def the_device(event: Event, ctx: RuleContext, kind: str | None = None) -> str:
    """The device for a sentence: ``the switch Switch 16``, or ``the gateway`` when unnamed."""
    subject = device_subject(event, ctx)
    if device_mac(event) is None and not event.device_name:
        return subject  # already "the gateway", "a smart power device"
    return f"the {kind or device_kind(event, ctx)} {subject}"


def device_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    """The template values every device rule offers.

    ``kind``, ``impact``, ``the_device`` (``the switch Switch 16``) and ``The_device`` (the same
    at a sentence's start).
    """
    the = the_device(event, ctx)
    return {
        "kind": device_kind(event, ctx),
        "impact": impact(event, ctx),
        "the_device": the,
        "The_device": the[:1].upper() + the[1:],
    }


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


def device_rule(**kwargs: object) -> EventRule:
    """A device event rule, with the defaults every device rule shares.

    Grouped by the device's MAC, named, fed by the vocabulary, one part of the device's story,
    rated by the vocabulary's policy, with the template values ``kind`` and ``impact``.

    Args:
        kwargs: the :class:`EventRule` fields; any of the defaults above may be overridden.

    Returns:
        The rule.
    """
    values: dict[str, object] = {
        "subject": device_key,
        "name": device_subject,
        "story": "device",
        "vocabulary": True,
        "severity": policy_severity,
        "fields": device_fields,
    }
    values.update(kwargs)
    return EventRule(**values)  # type: ignore[arg-type]
