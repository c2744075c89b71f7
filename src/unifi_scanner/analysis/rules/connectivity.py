"""Connectivity rules: devices losing contact or offline, WAN failover, isolation, restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.rule import DeviceRule, EventRule
from unifi_scanner.analysis.rules._common import (
    at_least,
    device_key,
    device_mac,
    device_subject,
)
from unifi_scanner.collect.models import DeviceState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Device, Event

__all__ = ["CONNECTIVITY_RULES", "GATEWAY_TYPES"]

GATEWAY_TYPES = frozenset({"ugw", "udm", "uxg", "ucg", "uxgpro"})

_OFFLINE_STATES: dict[DeviceState, str] = {
    DeviceState.DISCONNECTED: "is disconnected",
    DeviceState.HEARTBEAT_MISSED: "has stopped answering (missed heartbeats)",
    DeviceState.ADOPTION_FAILED: "could not be adopted",
    DeviceState.ISOLATED: "is isolated from the network",
    DeviceState.FIRMWARE_MISMATCH: "runs firmware the controller does not accept",
}

_KIND_BY_TYPE = {"uap": "access point", "usw": "switch"}


def _kind(device_type: str | None) -> str:
    if device_type in GATEWAY_TYPES:
        return "gateway"
    return _KIND_BY_TYPE.get(device_type or "", "device")


def _lost_severity(event: Event, ctx: RuleContext) -> Severity:
    device = ctx.device(device_mac(event))
    is_gateway = event.key == EventKey.GW_LOST_CONTACT or (
        device is not None and device.type in GATEWAY_TYPES
    )
    return Severity.SEVERE if is_gateway else Severity.MEDIUM


def _lost_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    device = ctx.device(device_mac(event))
    prefix = event.key.split("_")[1] if event.key.count("_") >= 2 else ""  # noqa: PLR2004
    kind_by_prefix = {"AP": "access point", "SW": "switch", "GW": "gateway"}
    kind = _kind(device.type) if device is not None else kind_by_prefix.get(prefix, "device")
    return {"kind": kind}


DEVICE_LOST_CONTACT = EventRule(
    id="device.lost_contact",
    keys=(EventKey.AP_LOST_CONTACT, EventKey.SW_LOST_CONTACT, EventKey.GW_LOST_CONTACT),
    severity=_lost_severity,
    subject=device_key,
    name=device_subject,
    fields=_lost_fields,
    title="The {kind} {subject} lost contact with the controller {times}",
    explanation=(
        "The controller stopped hearing from the {kind} {subject} {times} between "
        "{first_seen} and {last_seen}. While it is out of contact, devices that depend on it "
        "may have no network, and a gateway outage takes the whole site offline."
    ),
    remediation=(
        "Check that {subject} has power (its status light should be on).",
        (
            "Check the network cable or wireless uplink between {subject} and the rest of the "
            "network, and try another cable or switch port."
        ),
        (
            "If it keeps happening, restart {subject} and look at its uplink device's port for "
            "errors in the UniFi app."
        ),
    ),
)


def _offline_check(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    if device.state not in _OFFLINE_STATES or not device.adopted:
        return None
    return {
        "state": _OFFLINE_STATES[device.state],
        "kind": _kind(device.type),
        "model": device.model,
    }


def _offline_severity(device: Device, _values: Mapping[str, object]) -> Severity:
    return Severity.SEVERE if device.type in GATEWAY_TYPES else Severity.MEDIUM


DEVICE_OFFLINE = DeviceRule(
    id="device.offline",
    check=_offline_check,
    severity=_offline_severity,
    title="The {kind} {subject} {state}",
    explanation=(
        "When this report was made, the {kind} {subject} ({model}) {state}. "
        "It is not passing traffic or cannot be managed, so anything connected through it may "
        "be without network."
    ),
    remediation=(
        "Check that {subject} has power and that its network cable is plugged in at both ends.",
        "Restart {subject} by unplugging it for ten seconds.",
        (
            "If it still does not come back, open the UniFi app, select {subject} and follow the "
            "suggested fix (re-adopt it or update its firmware)."
        ),
    ),
)

WAN_FAILOVER = EventRule(
    id="wan.failover",
    keys=(EventKey.GW_WAN_TRANSITION,),
    severity=Severity.MEDIUM,
    subject=device_key,
    name=device_subject,
    escalate=at_least((10, Severity.SEVERE)),
    title="The internet connection on {subject} switched over {times}",
    explanation=(
        "The gateway {subject} moved between its internet connections (WAN failover) {times}. "
        "This happens when the main internet line stops answering; while it lasts, the site "
        "may be slow or offline."
    ),
    remediation=(
        "Check the modem or router of your internet provider for the main line.",
        "Look at the internet provider's status page or call them if it repeats.",
        "In the UniFi app, check the WAN monitors of {subject} for latency and packet loss.",
    ),
)

DEVICE_ISOLATED = EventRule(
    id="device.isolated",
    keys=(EventKey.AP_ISOLATED,),
    severity=Severity.MEDIUM,
    subject=device_key,
    name=device_subject,
    title="The access point {subject} was cut off from the wired network {times}",
    explanation=(
        "The access point {subject} lost its connection to the rest of the network and was "
        "isolated {times}. Clients connected to it lose access to the internet."
    ),
    remediation=(
        "Check the network cable of {subject}, or the signal to its uplink if it is meshed.",
        "Restart {subject} and check the switch port it is plugged into.",
    ),
)

DEVICE_RESTARTED = EventRule(
    id="device.restarted_unexpectedly",
    keys=(
        EventKey.AP_RESTARTED_UNKNOWN,
        EventKey.SW_RESTARTED_UNKNOWN,
        EventKey.GW_RESTARTED_UNKNOWN,
    ),
    subject=device_key,
    name=device_subject,
    escalate=at_least((3, Severity.MEDIUM)),
    title="{subject} restarted unexpectedly {times}",
    explanation=(
        "{subject} restarted {times} without anyone asking it to. An occasional restart can "
        "follow a power blip; repeated restarts point to a power, overheating or firmware "
        "problem."
    ),
    remediation=(
        "Check the power supply (or PoE port) feeding {subject}.",
        "Make sure {subject} is not overheating and has airflow.",
        "Update {subject} to the latest firmware.",
    ),
)

DEVICE_CONNECTED = EventRule(
    id="device.connected",
    keys=(EventKey.AP_CONNECTED, EventKey.SW_CONNECTED, EventKey.GW_CONNECTED),
    subject=device_key,
    name=device_subject,
    title="{subject} (re)connected to the controller {times}",
    explanation="{subject} came back online or was connected to the controller {times}.",
)

CONNECTIVITY_RULES = (
    DEVICE_LOST_CONTACT,
    DEVICE_OFFLINE,
    WAN_FAILOVER,
    DEVICE_ISOLATED,
    DEVICE_RESTARTED,
    DEVICE_CONNECTED,
)
