"""System rules: firmware upgrades, and the fallback for events no rule knows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.rule import EventRule
from unifi_scanner.analysis.rules._common import device_key, device_subject, param_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["FALLBACK_RULE", "SYSTEM_RULES"]


def _upgrade_tally(event: Event, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    before = param_text(event, "version_from") or "an older version"
    after = param_text(event, "version_to") or "a newer version"
    yield ("upgrade", f"{before} to {after}")


FIRMWARE_UPGRADED = EventRule(
    id="device.firmware_upgraded",
    keys=(EventKey.AP_UPGRADED, EventKey.SW_UPGRADED, EventKey.GW_UPGRADED),
    subject=device_key,
    name=device_subject,
    tally=_upgrade_tally,
    title="{subject} was updated from {upgrade_list}",
    explanation=(
        "The firmware of {subject} was upgraded ({upgrade_list}). The device restarts "
        "during an upgrade, so a short outage around {last_seen} is expected."
    ),
)


def _key_subject(event: Event, _ctx: RuleContext) -> str:
    return event.key or "an event without a key"


def _other_fields(event: Event, _ctx: RuleContext) -> Mapping[str, object]:
    negative = event.params.get("is_negative") is True
    return {
        "message": event.message or "no message",
        "subsystem": event.subsystem or event.category or "unknown",
        "tone": (
            "The controller marks this kind of event as a problem."
            if negative
            else "The controller does not mark it as a problem."
        ),
    }


def _other_badges(event: Event, _ctx: RuleContext) -> tuple[str, ...]:
    return ("negative",) if event.params.get("is_negative") is True else ()


FALLBACK_RULE = EventRule(
    id="event.other",
    subject=_key_subject,
    fields=_other_fields,
    badges=_other_badges,
    title="Other controller event ({subsystem}): {message}",
    explanation=(
        "The controller reported this {times} in the '{subsystem}' area, for example: "
        "{message}. {tone} The scanner has no specific advice for it yet."
    ),
)

SYSTEM_RULES = (FIRMWARE_UPGRADED,)
