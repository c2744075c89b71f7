"""Wired network rules.

Loops, spanning tree, rogue DHCP servers, address pools, IP conflicts, port errors, wireless
uplinks and network services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import (
    client_subject,
    device_subject,
    link_subject,
    param_text,
    port_tally,
    v2_parameter,
)
from unifi_scanner.analysis.rule import EventRule
from unifi_scanner.analysis.rules._common import at_least, device_rule, policy_severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["NETWORK_RULES"]


NETWORK_LOOP = device_rule(
    id="network.loop",
    tally=port_tally,
    title="A network loop was detected on {subject} ({port_list})",
    explanation=(
        "{The_device} saw its own traffic come back on {port_list} ({times}): a cable "
        "connects two ports of the network to each other. A loop floods the network with "
        "copies of the same traffic and can bring everything down."
    ),
    remediation=(
        (
            "Look at what is plugged into {port_list} of {subject}: a cable that goes back to "
            "another port of the same network (often via a desk switch or a wall socket) makes "
            "the loop; unplug it."
        ),
        "Keep Spanning Tree Protocol (STP/RSTP) and loop protection on in the switch settings.",
    ),
)

STP_BLOCKING = device_rule(
    id="network.stp_blocking",
    tally=port_tally,
    escalate=at_least((5, Severity.MEDIUM)),
    title="{subject} blocked {port_list} to prevent a loop {times}",
    explanation=(
        "The Spanning Tree Protocol on {the_device} blocked {port_list} {times} "
        "because that port would otherwise create a loop. STP is doing its job, but a port "
        "that keeps being blocked means there are two paths between switches."
    ),
    remediation=(
        "Check the cabling on {port_list} of {subject} for a second path between two switches.",
    ),
)


def _rogue_dhcp_key(event: Event, _ctx: RuleContext) -> str:
    return (param_text(event, "mac") or param_text(event, "ip") or "unknown server").lower()


def _rogue_dhcp_name(event: Event, ctx: RuleContext) -> str:
    mac, ip = param_text(event, "mac"), param_text(event, "ip")
    named = ctx.client_label(mac, ip) if mac or ip else "an unknown server"
    return f"{named} ({ip})" if ip and named != ip and ip not in named else named


def _rogue_dhcp_tally(event: Event, ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    port, vlan = param_text(event, "port"), param_text(event, "vlan")
    where = device_subject(event, ctx)
    where += f" port {port}" if port else ""
    where += f" (VLAN {vlan})" if vlan else ""
    return (("where", where),)


ROGUE_DHCP = EventRule(
    id="network.rogue_dhcp",
    vocabulary=True,
    severity=policy_severity,
    subject=_rogue_dhcp_key,
    name=_rogue_dhcp_name,
    tally=_rogue_dhcp_tally,
    title="A rogue DHCP server is handing out addresses: {subject}",
    explanation=(
        "A device that is not your gateway answered DHCP requests on your network, seen at "
        "{where_list} ({times}). Devices that take an address from it can lose internet, or "
        "have their traffic sent through it, which is how attackers intercept traffic."
    ),
    remediation=(
        (
            "Find the device at {where_list} and unplug it; often it is a home router or a "
            "second access point in router mode."
        ),
        "If it must stay, turn off its DHCP server.",
        "Turn on DHCP Guarding for the network in the UniFi app so only your gateway can answer.",
    ),
)


def _pool_key(event: Event, _ctx: RuleContext) -> str:
    return param_text(event, "network_name") or param_text(event, "network") or "a network"


def _pool_fields(event: Event, _ctx: RuleContext) -> Mapping[str, object]:
    reason = param_text(event, "reason")
    return {"reason": f" (conflicting {reason})" if reason else ""}


def _gateway_tally(event: Event, ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    return (("gateway", device_subject(event, ctx)),)


DHCP_POOL = EventRule(
    id="dhcp.pool",
    vocabulary=True,
    severity=policy_severity,
    subject=_pool_key,
    fields=_pool_fields,
    tally=_gateway_tally,
    title="The network {subject} is running out of IP addresses",
    explanation=(
        "{gateway_list} reported {times} that the DHCP address pool of the network {subject} is "
        "exhausted or nearly so{reason}. New devices on it get no address and cannot connect."
    ),
    remediation=(
        "Enlarge the DHCP range (or the subnet) of {subject} in Settings > Networks.",
        "Shorten the DHCP lease time if many short visits fill the pool.",
        "Check for a device grabbing many addresses (a misbehaving client or a DHCP starvation).",
    ),
)


def _uplink_key(event: Event, ctx: RuleContext) -> str:
    return link_subject(event, ctx) or "two access points"


WIRELESS_UPLINK = EventRule(
    id="network.wireless_uplink",
    vocabulary=True,
    severity=policy_severity,
    subject=_uplink_key,
    title="The wireless uplink between {subject} went down {times}",
    explanation=(
        "The wireless link (mesh uplink) between {subject} was disconnected {times}. Devices "
        "behind the meshed access point lose their connection until it is back."
    ),
    remediation=(
        "Check the signal between the two access points; move one closer or add a cable.",
        "Make sure both access points have power.",
    ),
)

PORT_ERRORS = device_rule(
    id="port.errors",
    tally=port_tally,
    escalate=at_least((5, Severity.MEDIUM)),
    title="{subject} saw transmission errors on {port_list}",
    explanation=(
        "{The_device} reported transmission errors on {port_list} {times}. Errors "
        "usually come from a damaged cable, a bad connector or a mismatched link speed."
    ),
    remediation=(
        "Replace the cable on {port_list} of {subject}, and try another port.",
        "Check that the port and the device agree on speed and duplex.",
    ),
)


def _service_key(event: Event, _ctx: RuleContext) -> str:
    name = param_text(event, "v2_key") or event.key
    return "the DNS server" if "DNS" in name else "the RADIUS server"


NETWORK_SERVICE = EventRule(
    id="network.service",
    vocabulary=True,
    severity=policy_severity,
    subject=_service_key,
    title="Problems reaching {subject} {times}",
    explanation=(
        "The controller reported {times} that {subject} did not answer or answered slowly. "
        "Devices that sign in through it (Wi-Fi with WPA Enterprise, VPN) may fail to connect."
    ),
    remediation=(
        "Check that {subject} is running and reachable from the gateway.",
        "Check its address and shared secret in the UniFi settings.",
    ),
)


def _conflict_key(event: Event, _ctx: RuleContext) -> str:
    return param_text(event, "ip") or v2_parameter(event, "IP") or "an address"


def _conflict_tally(event: Event, ctx: RuleContext) -> Iterable[tuple[str, str]]:
    listed = param_text(event, "clients")  # a v2 CLIENTS list, flattened to their names
    if listed:
        yield ("device", listed)
    elif event.client_mac or event.client_name:
        yield ("device", client_subject(event, ctx))
    else:
        yield ("device", "devices the controller did not name")


IP_CONFLICT = EventRule(
    id="client.ip_conflict",
    vocabulary=True,
    severity=policy_severity,
    subject=_conflict_key,
    tally=_conflict_tally,
    title="Several devices use the same IP address {subject}",
    explanation=(
        "The controller saw more than one device using {subject} ({times}): {device_list}. "
        "Both lose their "
        "connection now and then. A device with a fixed address inside the DHCP range, or a "
        "second DHCP server, usually causes it."
    ),
    remediation=(
        "Give fixed addresses only outside the DHCP range, or reserve them in UniFi instead.",
        "Check for a rogue DHCP server (a home router plugged into the network).",
    ),
)

NETWORK_RULES = (
    NETWORK_LOOP,
    STP_BLOCKING,
    ROGUE_DHCP,
    DHCP_POOL,
    WIRELESS_UPLINK,
    PORT_ERRORS,
    NETWORK_SERVICE,
    IP_CONFLICT,
)
