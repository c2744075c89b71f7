"""Device life rules: contact, adoption, restarts, firmware, configuration, licences.

Each rule takes every key the vocabulary gives it, whatever the family (access point, switch,
gateway, console, bridge, LTE…), and is one part of its device's story: all a report says about
one device becomes one finding (:mod:`unifi_scanner.analysis.story`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import param_text
from unifi_scanner.analysis.rule import DeviceRule
from unifi_scanner.analysis.rules._common import (
    at_least,
    device_fields,
    device_rule,
    impact_of,
)
from unifi_scanner.collect.models import DeviceState

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Device, Event

__all__ = ["DEVICE_RULES"]

_OFFLINE_STATES: dict[DeviceState, str] = {
    DeviceState.DISCONNECTED: "is disconnected",
    DeviceState.HEARTBEAT_MISSED: "has stopped answering (missed heartbeats)",
    DeviceState.ADOPTION_FAILED: "could not be adopted",
    DeviceState.ISOLATED: "is isolated from the network",
    DeviceState.FIRMWARE_MISMATCH: "runs firmware the controller does not accept",
}

DEVICE_LOST_CONTACT = device_rule(
    id="device.lost_contact",
    title="{The_device} lost contact with the controller {times}",
    explanation=(
        "The controller stopped hearing from {the_device} {times} between "
        "{first_seen} and {last_seen}. {impact}"
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
    kind = vocabulary.device_type(device.type)
    the = f"the {kind.noun} {device.name or device.mac}"
    return {
        "state": _OFFLINE_STATES[device.state],
        "kind": kind.noun,
        "model": device.model,
        "impact": impact_of(kind if device.type in vocabulary.DEVICE_TYPES else None, None),
        "the_device": the,
        "The_device": the[:1].upper() + the[1:],
    }


def _offline_severity(device: Device, _values: Mapping[str, object]) -> Severity:
    return Severity.SEVERE if vocabulary.device_type(device.type).critical else Severity.MEDIUM


DEVICE_OFFLINE = DeviceRule(
    id="device.offline",
    check=_offline_check,
    severity=_offline_severity,
    title="{The_device} {state}",
    explanation=(
        "When this report was made, {the_device} ({model}) {state}. "
        "It is not passing traffic or cannot be managed. {impact}"
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

DEVICE_CONNECTED = device_rule(
    id="device.connected",
    title="{subject} (re)connected to the controller {times}",
    explanation="{The_device} came back online or was connected to the controller {times}.",
    remediation=(
        "If {subject} keeps reconnecting, check its power and its uplink cable or signal.",
    ),
)

DEVICE_READOPTED = device_rule(
    id="device.readopted",
    title="{subject} was re-adopted automatically {times}",
    explanation=(
        "The controller adopted {the_device} again by itself {times}. This happens "
        "after the device was reset or moved, or the controller was restored from a backup. "
        "If nobody did any of this, check who can reach the device."
    ),
)

DEVICE_ISOLATED = device_rule(
    id="device.isolated",
    title="{The_device} was cut off from the wired network {times}",
    explanation=(
        "{The_device} lost its connection to the rest of the network and was isolated "
        "{times}. Clients connected to it lose access to the internet."
    ),
    remediation=(
        "Check the network cable of {subject}, or the signal to its uplink if it is meshed.",
        "Restart {subject} and check the switch port it is plugged into.",
    ),
)

DEVICE_RESTARTED = device_rule(
    id="device.restarted_unexpectedly",
    escalate=at_least((3, Severity.MEDIUM)),
    title="{subject} restarted unexpectedly {times}",
    explanation=(
        "{The_device} restarted {times} without anyone asking it to. An occasional "
        "restart can follow a power blip; repeated restarts point to a power, overheating or "
        "firmware problem."
    ),
    remediation=(
        "Check the power supply (or PoE port) feeding {subject}.",
        "Make sure {subject} is not overheating and has airflow.",
        "Update {subject} to the latest firmware.",
    ),
)


def _admin_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    return (("admin", param_text(event, "admin") or "an admin"),)


DEVICE_RESTARTED_BY_ADMIN = device_rule(
    id="device.restarted",
    tally=_admin_tally,
    title="{subject} was restarted by {admin_list} {times}",
    explanation=(
        "An administrator ({admin_list}) restarted {the_device} {times}; it was "
        "briefly offline each time."
    ),
)


def _process_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    proc = param_text(event, "proc") or "a program"
    code = param_text(event, "exit_status")
    return (("program", f"{proc} (exit code {code})" if code else proc),)


DEVICE_PROCESS_RESTARTED = device_rule(
    id="device.process_restarted",
    tally=_process_tally,
    escalate=at_least((3, Severity.MEDIUM)),
    title="A program on {subject} crashed and was restarted {times}",
    explanation=(
        "On {the_device}, {program_list} stopped unexpectedly and was restarted "
        "{times}. The device kept running, but repeated crashes point to a firmware bug."
    ),
    remediation=(
        "Update {subject} to the latest firmware.",
        "If it keeps happening, restart {subject}, and report it to Ubiquiti support if needed.",
    ),
)

DEVICE_PENDING_ADOPTION = device_rule(
    id="device.pending_adoption",
    title="{subject} is waiting to be adopted",
    explanation=(
        "A UniFi {kind}, {subject}, is on the network but not managed by this controller "
        "({times} between {first_seen} and {last_seen}). Until it is adopted it gets no "
        "configuration or updates."
    ),
    remediation=(
        "If {subject} is yours, adopt it in the UniFi app (UniFi Devices).",
        "If you do not know it, find it and unplug it: an unknown device is a risk.",
    ),
)


def _upgrade_tally(event: Event, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    before = param_text(event, "version_from") or "an older version"
    after = param_text(event, "version_to") or "a newer version"
    yield ("upgrade", f"{before} to {after}")


FIRMWARE_UPGRADED = device_rule(
    id="device.firmware_upgraded",
    tally=_upgrade_tally,
    title="{subject} was updated from {upgrade_list}",
    explanation=(
        "The firmware of {the_device} was upgraded ({upgrade_list}). The device "
        "restarts during an upgrade, so a short outage around {last_seen} is expected."
    ),
)


def _failure_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    curl, http, code = (param_text(event, n) for n in ("curl_rc", "http_rc", "rc"))
    if curl or http:
        reason = f"download failed (curl {curl or '?'}, HTTP {http or '?'})"
    elif code:
        reason = f"firmware check failed (error {code})"
    else:
        entry = vocabulary.lookup(event.key)
        reason = entry.action.says if entry is not None else "failed"
    return (("reason", reason),)


FIRMWARE_FAILED = device_rule(
    id="device.firmware_failed",
    tally=_failure_tally,
    title="A firmware update of {subject} failed {times}",
    explanation=(
        "The controller tried to update the firmware of {the_device}, and it failed "
        "{times} ({reason_list}). The device keeps running its old firmware, without the "
        "fixes of the new one."
    ),
    remediation=(
        (
            "Check that the controller and {subject} can reach the internet (DNS, firewall), "
            "then start the update again from the UniFi app."
        ),
        "Make sure {subject} has a stable power supply during the update.",
        "If it fails again, download the firmware manually and update {subject} from the app.",
    ),
)


def _commit_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    errors = param_text(event, "commit_errors") or "no error text"
    return {**device_fields(event, ctx), "errors": errors}


CONFIG_FAILED = device_rule(
    id="device.config_failed",
    fields=_commit_fields,
    title="{subject} could not apply its configuration {times}",
    explanation=(
        "{The_device} rejected the configuration the controller sent {times} "
        "(the device said: {errors}). Until it is applied, recent changes (firewall rules, "
        "networks, port settings) are not in force."
    ),
    remediation=(
        "Undo the most recent settings change in the UniFi app and see if the error goes away.",
        "Force a re-provision of {subject} from the UniFi app.",
        "Update {subject} to the latest firmware.",
    ),
)

HOST_KEY_MISMATCH = device_rule(
    id="device.host_key_mismatch",
    title="{subject} failed SSH host key verification {times}",
    explanation=(
        "The controller could not verify the identity of {the_device}: its SSH key "
        "changed. That happens when a device is reset or replaced, but it can also mean "
        "something is pretending to be it."
    ),
    remediation=(
        "If {subject} was reset or replaced, forget it and adopt it again.",
        "If not, check what is plugged in where {subject} should be.",
    ),
)

DEVICE_LICENSE = device_rule(
    id="device.license",
    title="{subject} has a licence problem",
    explanation=(
        "The controller reported a licence problem for {the_device} {times} "
        "(an invalid or revoked licence). Features that need the licence may stop working."
    ),
    remediation=("Check the licence of {subject} in your UniFi account.",),
)

DEVICE_RULES = (
    DEVICE_LOST_CONTACT,
    DEVICE_OFFLINE,
    DEVICE_CONNECTED,
    DEVICE_READOPTED,
    DEVICE_ISOLATED,
    DEVICE_RESTARTED,
    DEVICE_RESTARTED_BY_ADMIN,
    DEVICE_PROCESS_RESTARTED,
    DEVICE_PENDING_ADOPTION,
    FIRMWARE_UPGRADED,
    FIRMWARE_FAILED,
    CONFIG_FAILED,
    HOST_KEY_MISMATCH,
    DEVICE_LICENSE,
)
