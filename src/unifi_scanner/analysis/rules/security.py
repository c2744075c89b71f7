"""Security rules.

IPS/threat alerts with triage, firewall blocks, the honeypot, the gateway's threat services.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.ips import (
    UNNAMED,
    Direction,
    IpsAlert,
    Triage,
    is_threat_event,
    parse_alert,
)
from unifi_scanner.analysis.names import (
    client_key,
    client_subject,
    device_subject,
    param_text,
    v2_parameter,
)
from unifi_scanner.analysis.rule import EventRule
from unifi_scanner.analysis.rules._common import at_least, device_rule, policy_severity
from unifi_scanner.analysis.signatures import Kind, advice, mentions_compromise

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["SECURITY_RULES"]


def alert(event: Event, ctx: RuleContext) -> IpsAlert:
    """The event's parsed IPS alert, parsed once per event whatever number of rules ask."""
    memo = ctx.memo
    cached: IpsAlert | None = memo.get("ips")
    if cached is None:
        cached = memo["ips"] = parse_alert(event)
    return cached


def triage_of(event: Event, ctx: RuleContext) -> Triage:
    """Which IPS rule takes the event: the route all of them share."""
    return alert(event, ctx).triage


def _host_key(event: Event, ctx: RuleContext) -> str:
    """The inside host's MAC when known (from the alert, else the inventory by its IP).

    So its alerts join the rest of its story; else its address or name.
    """
    found = alert(event, ctx)
    if found.src_mac:
        return found.src_mac
    client = ctx.client_by_ip(found.src_ip)
    if client is not None:
        return client.mac.lower()
    return found.src_ip or _host(event, ctx)


def _host(event: Event, ctx: RuleContext) -> str:
    found = alert(event, ctx)
    return ctx.client_label(found.src_mac, found.src_ip, found.src_name)


def _label(event: Event, ctx: RuleContext) -> str:
    return _capitalised(alert(event, ctx).info.label)


@functools.cache  # one per signature family
def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    found = alert(event, ctx)
    first, second = advice(found.info.kind)
    return {
        "signature": found.signature,
        "signature_text": (
            "a threat signature the controller does not name (its system log leaves it out)"
            if found.signature == UNNAMED
            else f"'{found.signature}'"
        ),
        "signature_id": found.signature_id or "unknown",
        "family": found.family,
        "label": found.info.label,
        "meaning": found.info.meaning,
        "advice_1": first,
        "advice_2": second,
        "src_ip": found.src_ip or "unknown",
        "dst_ip": found.dst_ip or "unknown",
        "host": _host(event, ctx),
        "address": f" ({found.src_ip})"
        if found.src_ip and found.src_ip not in _host(event, ctx)
        else "",
        "action_text": "blocked it" if found.blocked else "only logged it and let it through",
    }


def _tally(event: Event, ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    found = alert(event, ctx)
    source = found.src_ip or "unknown"
    if found.src_country:
        source = f"{source} ({found.src_country})"
    return (
        ("source", source),
        ("target", found.dst_ip or "unknown"),
        ("signature", found.signature),
        ("category", found.info.label),
    )


def _badges(event: Event, ctx: RuleContext) -> tuple[str, ...]:
    found = alert(event, ctx)
    return _badge_set(found.direction, found.blocked, found.is_pro)


@functools.cache  # 4 directions x 2 x 2
def _badge_set(direction: Direction, blocked: bool, pro: bool) -> tuple[str, ...]:  # noqa: FBT001 - a cache key
    badges = ("blocked" if blocked else "detected only", direction.value)
    return (*badges, "ET PRO") if pro else badges


_HIGH_HINTS = frozenset({"high", "very_high"})


def _inside_other_severity(event: Event, ctx: RuleContext) -> Severity:
    found = alert(event, ctx)
    risky = found.info.kind in {Kind.SCAN, Kind.ATTACK}
    if risky and found.direction is Direction.INTERNAL and not found.blocked:
        return Severity.MEDIUM
    if mentions_compromise(found.signature):  # "ET INFO … Trojan …" from an inside host
        return Severity.MEDIUM
    if found.signature == UNNAMED and event.severity_hint in _HIGH_HINTS:
        return Severity.MEDIUM  # a v2 row names no signature: the controller's rating counts
    return Severity.LOW


# The IPS rules have no keys: `is_threat_event` recognises the three shapes whatever their key.
IPS_INSIDE_THREAT = EventRule(
    id="ips.inside_threat",
    story="client",
    gate=is_threat_event,
    route=(triage_of, Triage.INSIDE_THREAT),
    severity=Severity.SEVERE,
    subject=_host_key,
    name=_host,
    title="{subject} may be infected: {count} alert(s) for {category_list}",
    explanation=(
        "{subject}{address} sent traffic matching {signature_text}. {meaning} "
        "A device inside your network sending this traffic is a strong sign that it runs "
        "malicious software. The gateway {action_text}. Destinations: {target_top}."
    ),
    remediation=(
        (
            "Take {subject} off the network now: unplug it or block it in UniFi "
            "(Client Devices > {subject} > Block)."
        ),
        "{advice_1}",
        "{advice_2}",
        "Turn on Intrusion Prevention in blocking mode so this traffic is stopped.",
        "Reconnect {subject} only when the next report shows no more alerts from it.",
    ),
    fields=_fields,
    tally=_tally,
    badges=_badges,
)

IPS_INBOUND_DETECTED = EventRule(
    id="ips.inbound_detected",
    gate=is_threat_event,
    route=(triage_of, Triage.INBOUND_DETECTED),
    severity=Severity.MEDIUM,
    subject=_label,
    title="{count} alert(s) for {label} reached your network unblocked",
    explanation=(
        "{meaning} The gateway's intrusion detection recognised this traffic from the "
        "internet but {action_text}, usually because it is set to detect only. "
        "Top sources: {source_top}. Targeted addresses: {target_list}."
    ),
    remediation=(
        (
            "Switch Intrusion Prevention from detection-only to prevention "
            "(Settings > Security or CyberSecure > Intrusion Prevention)."
        ),
        "{advice_1}",
        "{advice_2}",
    ),
    fields=_fields,
    tally=_tally,
    badges=_badges,
)

IPS_INBOUND_BLOCKED = EventRule(
    id="ips.inbound_blocked",
    gate=is_threat_event,
    route=(triage_of, Triage.INBOUND_BLOCKED),
    severity=Severity.LOW,
    subject=_label,
    title="Blocked {count} attempt(s): {label}",
    explanation=(
        "{meaning} Your gateway's intrusion prevention blocked these attempts from the "
        "internet, so nothing got through. This is normal background noise for any internet "
        "connection. Top sources: {source_top}."
    ),
    remediation=("{advice_1}", "{advice_2}"),
    fields=_fields,
    tally=_tally,
    badges=_badges,
)

IPS_INSIDE_OTHER = EventRule(
    id="ips.inside_other",
    story="client",
    gate=is_threat_event,
    route=(triage_of, Triage.INSIDE_OTHER),
    severity=_inside_other_severity,
    subject=_host_key,
    name=_host,
    title="{count} intrusion alert(s) for traffic from {subject}: {category_list}",
    explanation=(
        "{subject}{address} triggered {signature_text}. {meaning} The gateway {action_text}."
    ),
    remediation=(
        "Check what {subject} is and whether it should be doing this.",
        "{advice_1}",
        "{advice_2}",
    ),
    fields=_fields,
    tally=_tally,
    badges=_badges,
)

IPS_ENGINE_EVENT = EventRule(
    id="ips.engine_event",
    gate=is_threat_event,
    route=(triage_of, Triage.ENGINE),
    severity=Severity.LOW,
    subject=lambda event, ctx: alert(event, ctx).signature,
    title="Intrusion detection engine notices: {subject} ({count})",
    explanation=(
        "{meaning} Signature {signature_id} is a Suricata engine event, not a threat; "
        "it is listed only for completeness."
    ),
    fields=_fields,
    tally=_tally,
    badges=_badges,
)


def _trigger(event: Event) -> str:
    return v2_parameter(event, "TRIGGER") or "a firewall rule"


def _blocked_source(event: Event, ctx: RuleContext) -> str:
    if event.client_mac or event.client_name:
        return client_subject(event, ctx)
    if event.device_mac or event.device_name:
        return device_subject(event, ctx)
    return param_text(event, "src_ip") or v2_parameter(event, "SRC_IP") or "a device"


def _blocked_key(event: Event, ctx: RuleContext) -> str:
    source = (event.client_mac or event.device_mac or _blocked_source(event, ctx)).lower()
    return f"{_trigger(event)}|{source}"


def _blocked_name(event: Event, ctx: RuleContext) -> str:
    return f"{_blocked_source(event, ctx)} ({_trigger(event)})"


def _blocked_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    return {"rule_name": _trigger(event), "source": _blocked_source(event, ctx)}


def _blocked_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    target = param_text(event, "dest_ip") or v2_parameter(event, "DST_IP") or "unknown"
    return (("destination", target),)


FIREWALL_BLOCKED = EventRule(
    id="firewall.blocked",
    vocabulary=True,
    subject=_blocked_key,
    name=_blocked_name,
    fields=_blocked_fields,
    tally=_blocked_tally,
    title="Your firewall rule {rule_name} blocked {source} {times}",
    explanation=(
        "Your own firewall policy '{rule_name}' stopped {source} from reaching "
        "{destination_list} {times} between {first_seen} and {last_seen}. This is the rule "
        "doing its job; it is listed so you can see what it stops."
    ),
    remediation=(
        "If {source} should reach these addresses, change the policy '{rule_name}'.",
        (
            "If it should not, and keeps trying, check what software on {source} makes the "
            "connections."
        ),
    ),
)


def _honeypot_fields(event: Event, _ctx: RuleContext) -> Mapping[str, object]:
    return {"target": param_text(event, "dest_ip") or v2_parameter(event, "DST_IP") or "it"}


HONEYPOT = EventRule(
    id="security.honeypot",
    vocabulary=True,
    story="client",
    severity=policy_severity,
    subject=client_key,
    name=client_subject,
    fields=_honeypot_fields,
    escalate=at_least((3, Severity.SEVERE)),
    title="{subject} touched the gateway's honeypot {times}",
    explanation=(
        "The gateway's honeypot is an address that no device has a reason to contact. "
        "{subject} contacted it {times}: it is scanning your network, which malware does to "
        "spread, or it runs a network scanner app."
    ),
    remediation=(
        (
            "Check what {subject} is; if it does not run a network scanner you know of, take it "
            "off the network and scan it for malware."
        ),
        "Change the passwords used on {subject} from another, clean device.",
    ),
)

IP_REPUTATION = device_rule(
    id="security.ip_reputation",
    title="{subject} saw traffic with poorly reputed addresses {times}",
    explanation=(
        "{The_device} matched traffic against its IP reputation list {times}: an "
        "address known for attacks or malware was involved."
    ),
    remediation=(
        "Look at the threat management log in the UniFi app to see which device was involved.",
        "Make sure the gateway's intrusion prevention blocks rather than only detects.",
    ),
)

IPS_UPDATE_FAILED = device_rule(
    id="ips.update_failed",
    title="{subject} could not update its threat signatures {times}",
    explanation=(
        "{The_device} failed to download new intrusion prevention signatures "
        "{times}. Until it succeeds it does not recognise the newest threats."
    ),
    remediation=(
        "Check that {subject} can reach the internet and resolve names (DNS).",
        "Check the date and time of {subject}; a wrong clock breaks secure downloads.",
    ),
)

SECURITY_RULES: tuple[EventRule, ...] = (
    IPS_INSIDE_THREAT,
    IPS_INBOUND_DETECTED,
    IPS_INBOUND_BLOCKED,
    IPS_INSIDE_OTHER,
    IPS_ENGINE_EVENT,
    FIREWALL_BLOCKED,
    HONEYPOT,
    IP_REPUTATION,
    IPS_UPDATE_FAILED,
)
