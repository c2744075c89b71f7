"""Security rules: IPS/threat alerts with triage, and admin logins."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.ips import Direction, IpsAlert, Triage, is_threat_event, parse_alert
from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.rule import EventRule
from unifi_scanner.analysis.rules._common import at_least, param_text
from unifi_scanner.analysis.signatures import Kind, advice

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

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
    found = alert(event, ctx)
    return found.src_mac or found.src_ip or _host(event, ctx)


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
        "signature_id": found.signature_id or "unknown",
        "family": found.family,
        "label": found.info.label,
        "meaning": found.info.meaning,
        "advice_1": first,
        "advice_2": second,
        "src_ip": found.src_ip or "unknown",
        "dst_ip": found.dst_ip or "unknown",
        "host": _host(event, ctx),
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


def _inside_other_severity(event: Event, ctx: RuleContext) -> Severity:
    found = alert(event, ctx)
    risky = found.info.kind in {Kind.SCAN, Kind.ATTACK}
    if risky and found.direction is Direction.INTERNAL and not found.blocked:
        return Severity.MEDIUM
    return Severity.LOW


# The IPS rules have no keys: `is_threat_event` recognises the three shapes whatever their key.
IPS_INSIDE_THREAT = EventRule(
    id="ips.inside_threat",
    gate=is_threat_event,
    route=(triage_of, Triage.INSIDE_THREAT),
    severity=Severity.SEVERE,
    subject=_host_key,
    name=_host,
    title="{subject} may be infected: {count} alert(s) for {category_list}",
    explanation=(
        "{subject} ({src_ip}) sent traffic matching '{signature}'. {meaning} "
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
    gate=is_threat_event,
    route=(triage_of, Triage.INSIDE_OTHER),
    severity=_inside_other_severity,
    subject=_host_key,
    name=_host,
    title="{count} intrusion alert(s) for traffic from {subject}: {category_list}",
    explanation=(
        "{subject} ({src_ip}) triggered '{signature}'. {meaning} The gateway {action_text}."
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


def _login_subject(event: Event, _ctx: RuleContext) -> str:
    return param_text(event, "admin") or param_text(event, "ip") or "an unknown admin"


def _login_tally(event: Event, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    yield ("address", param_text(event, "ip") or "unknown")


ADMIN_LOGIN_FAILED = EventRule(
    id="admin.login_failed",
    keys=(EventKey.AD_LOGIN_FAILED,),
    subject=_login_subject,
    tally=_login_tally,
    escalate=at_least((5, Severity.MEDIUM), (20, Severity.SEVERE)),
    title="{count} failed admin login(s) as {subject}",
    explanation=(
        "Someone tried to sign in to the UniFi controller as {subject} with a wrong password "
        "{times}, from {address_list}. Many failures in a row can mean someone is guessing "
        "the password (a brute-force attack)."
    ),
    remediation=(
        (
            "If these were not you or a colleague, change the admin password now and use a long, "
            "unique one."
        ),
        "Turn on two-factor authentication for every admin account.",
        (
            "Make sure the controller's login page is not reachable from the internet "
            "(no port forward to it; use the UniFi remote access or a VPN instead)."
        ),
    ),
)

ADMIN_LOGIN = EventRule(
    id="admin.login",
    keys=(EventKey.AD_LOGIN,),
    subject=_login_subject,
    tally=_login_tally,
    title="Admin {subject} signed in {times}",
    explanation=(
        "The administrator account {subject} signed in to the controller {times}, "
        "from {address_list}. Check that these sign-ins were expected."
    ),
)

SECURITY_RULES: tuple[EventRule, ...] = (
    IPS_INSIDE_THREAT,
    IPS_INBOUND_DETECTED,
    IPS_INBOUND_BLOCKED,
    IPS_INSIDE_OTHER,
    IPS_ENGINE_EVENT,
    ADMIN_LOGIN_FAILED,
    ADMIN_LOGIN,
)
