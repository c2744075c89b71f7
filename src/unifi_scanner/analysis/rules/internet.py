"""Internet rules: WAN failover (counted as episodes), line quality and the LTE backup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import (
    device_key,
    device_mac,
    device_subject,
    param_text,
    v2_parameter,
)
from unifi_scanner.analysis.rules._common import at_least, device_fields, device_rule

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["FAILOVER_EPISODE_S", "INTERNET_RULES"]

FAILOVER_EPISODE_S = 30.0
"""WAN changes within this many seconds of the first change of a switch-over are that one
switch-over: when the main line drops, one interface goes inactive and the backup becomes
active within a second or two."""


def _wan_key(event: Event, ctx: RuleContext) -> str:
    return device_key(event, ctx) if device_mac(event) or event.device_name else "internet"


def _wan_name(event: Event, ctx: RuleContext) -> str:
    return device_subject(event, ctx) if device_mac(event) or event.device_name else "your gateway"


def _change_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    iface, state = param_text(event, "iface"), param_text(event, "state")
    if iface or state:
        return (("change", f"{iface or 'a WAN interface'} became {state or 'different'}"),)
    entry = vocabulary.lookup(event.key)
    what = entry.action.says if entry is not None else "changed"
    line = v2_parameter(event, "WAN_NAME") or v2_parameter(event, "WAN_ID")
    isp = v2_parameter(event, "ISP_NAME")
    where = " ".join(part for part in (line, f"({isp})" if isp else None) if part)
    return (("change", f"{what}: {where}" if where else what),)


WAN_FAILOVER = device_rule(
    id="wan.failover",
    subject=_wan_key,
    name=_wan_name,
    tally=_change_tally,
    episode_gap_s=FAILOVER_EPISODE_S,
    escalate=at_least((10, Severity.SEVERE)),
    title="The internet connection on {subject} switched over {episode_times}",
    explanation=(
        "{subject} moved between its internet connections (WAN failover) {episode_times} "
        "between {first_seen} and {last_seen} ({count} interface change(s); the changes of "
        "one switch-over come within seconds of each other and count once). What changed: "
        "{change_top}. This happens when the main internet line stops answering; while it "
        "lasts, the site may be slow or offline."
    ),
    remediation=(
        "Check the modem or router of your internet provider for the main line.",
        "Look at the internet provider's status page or call them if it repeats.",
        "In the UniFi app, check the WAN monitors of {subject} for latency and packet loss.",
    ),
)


def _quality_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    entry = vocabulary.lookup(event.key)
    return (("problem", entry.action.says if entry is not None else "line trouble"),)


WAN_QUALITY = device_rule(
    id="wan.quality",
    subject=_wan_key,
    name=_wan_name,
    tally=_quality_tally,
    escalate=at_least((5, Severity.MEDIUM)),
    title="The internet line of {subject} was slow or lossy {times}",
    explanation=(
        "{subject} measured a poor internet line {times} ({problem_top}). Video calls and "
        "streaming stutter when latency is high or packets are lost."
    ),
    remediation=(
        "Check the WAN monitors of {subject} in the UniFi app for when it happens.",
        "If it repeats, report the times to your internet provider.",
    ),
)

LTE_CONNECTION = device_rule(
    id="lte.connection",
    title="{The_device} is not connected to the mobile network {times}",
    explanation=(
        "{The_device} reported {times} that it is not connected or not registered "
        "to the mobile network. If the main internet line fails now, the site has no backup."
    ),
    remediation=(
        "Check the SIM card and the data plan of {subject}.",
        "Check the signal where {subject} is placed; move it near a window if needed.",
    ),
)


def _limit_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    used = param_text(event, "used") or param_text(event, "excess")
    limit = param_text(event, "softlimit")
    usage = f" ({used} of {limit})" if used and limit else ""
    return {**device_fields(event, ctx), "usage": usage}


LTE_DATA_LIMIT = device_rule(
    id="lte.data_limit",
    fields=_limit_fields,
    title="{The_device} is at its data limit",
    explanation=(
        "{The_device} used most or all of its data allowance for this billing "
        "period{usage}. When the hard limit is reached it is switched off, and the site has no "
        "backup internet until the next period."
    ),
    remediation=(
        (
            "Check what used the LTE data (a long outage of the main line, or traffic that "
            "should not use the backup)."
        ),
        "Raise the data limit of {subject} in its settings if your plan allows it.",
    ),
)

INTERNET_RULES = (WAN_FAILOVER, WAN_QUALITY, LTE_CONNECTION, LTE_DATA_LIMIT)
