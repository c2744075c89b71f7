"""The site's routine activity in one line, and the fallback for keys outside the vocabulary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.names import (
    client_mac,
    client_subject,
    device_mac,
    device_subject,
    link_subject,
    readable_message,
)
from unifi_scanner.analysis.rule import EventRule, Summary
from unifi_scanner.analysis.rules.admin import admin_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["FALLBACK_RULE", "ROUTINE_RULE", "SYSTEM_RULES"]


def _routine_kind(event: Event, _ctx: RuleContext) -> str:
    """One group per kind of routine event: the family's noun and what it did."""
    entry = vocabulary.lookup(event.key)
    if entry is None:
        return event.key
    noun = entry.family.noun
    return f"{noun[:1].upper()}{noun[1:]} {entry.action.says}"


def _who(event: Event, ctx: RuleContext) -> str | None:
    if device_mac(event) or event.device_name:
        return device_subject(event, ctx)
    link = link_subject(event, ctx)
    if link:
        return link
    if client_mac(event) or event.client_name:
        return client_subject(event, ctx)
    return None


def _routine_tally(event: Event, ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    return (("who", _who(event, ctx) or admin_name(event) or "the controller"),)


ROUTINE_RULE = EventRule(
    id=vocabulary.ROUTINE,
    vocabulary=True,
    subject=_routine_kind,
    tally=_routine_tally,
    summary=Summary(
        subject="routine activity",
        title="{count} routine event(s) of {subjects} kind(s), nothing to do",
        explanation=(
            "Between {first_seen} and {last_seen} the controller logged {count} routine "
            "event(s) of {subjects} kind(s): devices adopted or configured, automatic Wi-Fi "
            "optimisations, guest sign-ins, licence checks and the like. The most frequent: "
            "{top_list}. They need no action; they are counted here so that nothing the "
            "controller said is left out."
        ),
        example="{subject}: {times} ({who_list})",
    ),
    title="{subject} ({count})",
    explanation="The controller logged this routine event {times}.",
)


def _key_subject(event: Event, _ctx: RuleContext) -> str:
    return event.key or "an event without a key"


def _other_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    negative = event.params.get("is_negative") is True
    return {
        "message": readable_message(event, ctx) or "no message",
        "subsystem": event.subsystem or event.category or "unknown",
        "tone": (
            "The controller marks this kind of event as a problem."
            if negative
            else "The controller does not mark it as a problem."
        ),
    }


def _other_tally(event: Event, ctx: RuleContext) -> Iterable[tuple[str, str]]:
    who = _who(event, ctx)
    if who:
        yield ("about", who)


def _other_badges(event: Event, _ctx: RuleContext) -> tuple[str, ...]:
    return ("negative",) if event.params.get("is_negative") is True else ()


FALLBACK_RULE = EventRule(
    id="event.other",
    subject=_key_subject,
    fields=_other_fields,
    tally=_other_tally,
    badges=_other_badges,
    title="Controller event the scanner does not know yet: {message}",
    explanation=(
        "The controller reported '{subject}' {times} in the '{subsystem}' area, about "
        "{about_list}; for example: {message}. {tone} The scanner has no specific advice for "
        "it yet, and has logged the key so that it can be added."
    ),
)

SYSTEM_RULES = (ROUTINE_RULE,)
