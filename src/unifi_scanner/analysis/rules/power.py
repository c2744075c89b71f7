"""Heat and power rules from events: overheating, PoE, the redundant power supply, outlets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import device_mac, param_text, port_tally
from unifi_scanner.analysis.rules._common import at_least, device_fields, device_rule, the_device

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = ["POWER_RULES"]


DEVICE_OVERHEATING = device_rule(
    id="device.overheating",
    title="{subject} reported that it is overheating {times}",
    explanation=(
        "{The_device} warned {times} that it is too hot. Heat shortens a device's "
        "life, and a hot switch may cut Power over Ethernet or restart."
    ),
    remediation=(
        (
            "Make sure {subject} has free airflow: not in a closed cabinet, not stacked on other "
            "hot equipment, vents not covered."
        ),
        "Check that its fan (if it has one) is working and clean.",
        "Lower the room temperature or move the device somewhere cooler.",
    ),
)

POE_OVERLOAD = device_rule(
    id="poe.overload",
    tally=port_tally,
    title="{subject} overloaded Power over Ethernet on {port_list} {times}",
    explanation=(
        "{The_device} could not deliver the power that the device on {port_list} "
        "asked for ({times}). The powered device (a camera, access point or phone) may restart "
        "or switch off."
    ),
    remediation=(
        (
            "Check what is plugged into {port_list} of {subject}; make sure it is a PoE device "
            "within the port's class (PoE, PoE+ or PoE++)."
        ),
        (
            "Check the switch's total PoE budget; move some powered devices to another switch or "
            "a PoE injector."
        ),
        "Try another cable: a damaged cable can draw too much current.",
    ),
)

POE_DISCONNECT = device_rule(
    id="poe.disconnect",
    tally=port_tally,
    escalate=at_least((3, Severity.MEDIUM)),
    title="{subject} cut Power over Ethernet on {port_list} {times}",
    explanation=(
        "{The_device} stopped powering the device on {port_list} {times}. The "
        "device there lost power; repeated cuts point to a faulty cable, device or budget."
    ),
    remediation=(
        "Check the cable and the powered device on {port_list} of {subject}.",
        "Check that the switch's PoE budget is not exhausted.",
    ),
)


def _rps_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    entry = vocabulary.lookup(event.key)
    port = param_text(event, "port")
    what = entry.action.says if entry is not None else "reported a power problem"
    return (("problem", f"{what} (port {port})" if port else what),)


def _rps_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    the = the_device(event, ctx, "redundant power supply")
    if not (device_mac(event) or event.device_name):
        the = "the redundant power supply"
    return {**device_fields(event, ctx), "the_device": the, "The_device": the[:1].upper() + the[1:]}


POWER_RPS = device_rule(
    id="power.rps",
    tally=_rps_tally,
    fields=_rps_fields,
    title="{The_device} reported a power problem {times}",
    explanation=(
        "{The_device} (RPS) reported: {problem_list}. When the RPS "
        "powers a device, that device's own power supply has failed or lost mains power; "
        "without a working backup the device goes down at the next failure."
    ),
    remediation=(
        "Check the power supply and mains cable of the device connected to the reported port.",
        "Check what is connected to the RPS and that its total power budget is enough.",
        "Replace a failed internal power supply as soon as possible.",
    ),
)


def _outlet_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    outlet = param_text(event, "outlet")
    return (("outlet", f"outlet {outlet}" if outlet else "an outlet"),)


OUTLET_CYCLED = device_rule(
    id="power.outlet_cycled",
    tally=_outlet_tally,
    escalate=at_least((3, Severity.MEDIUM)),
    title="{subject} power-cycled {outlet_list} {times}",
    explanation=(
        "{The_device} switched {outlet_list} off and on again {times}, restarting "
        "whatever is plugged in. That is done by an admin or by an automatic power-cycle "
        "rule when the connected device stops answering."
    ),
    remediation=(
        "If nobody asked for it, check why the device on {outlet_list} stopped answering.",
    ),
)

POWER_RULES = (DEVICE_OVERHEATING, POE_OVERLOAD, POE_DISCONNECT, POWER_RPS, OUTLET_CYCLED)
