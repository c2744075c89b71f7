"""Wireless rules: roaming, client connections, radar, interference, channels, weak signal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.names import (
    client_key,
    client_subject,
    device_subject,
    param_text,
)
from unifi_scanner.analysis.rule import ClientRule, EventRule, Summary
from unifi_scanner.analysis.rules._common import (
    at_least,
    device_fields,
    device_rule,
    policy_severity,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.rule import RuleContext, SummaryView
    from unifi_scanner.collect.models import Client, Event

__all__ = [
    "CONNECTIONS_PER_HOUR_FLAPPING",
    "POOR_SIGNAL_SHARE_MEDIUM",
    "ROAMS_PER_HOUR_FLAPPING",
    "WIRELESS_RULES",
    "signal_quality",
]

ROAMS_PER_HOUR_FLAPPING = 10
"""Roams per hour from which one client's roaming counts as flapping (medium, reported alone)."""

CONNECTIONS_PER_HOUR_FLAPPING = 10
"""Connects plus disconnects per hour from which a client counts as flapping (medium, alone)."""

POOR_SIGNAL_SHARE_MEDIUM = 0.25
"""Share of the wireless clients with a poor signal from which the finding is medium."""

_POOR_SIGNAL_MEDIUM_MIN = 5  # ...and at least this many clients, so one weak phone is not medium

_RSSI_TO_DBM = 95  # UniFi's `rssi` is roughly the signal above a -95 dBm noise floor


def signal_quality(dbm: int) -> str:
    """Excellent (>= -50 dBm), Good (>= -60), Fair (>= -70) or Poor."""
    for floor, label in ((-50, "Excellent"), (-60, "Good"), (-70, "Fair")):
        if dbm >= floor:
            return label
    return "Poor"


def _roam_tally(event: Event, ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for name, name_field in (("ap_from", "ap_from_name"), ("ap_to", "ap_to_name")):
        mac = param_text(event, name)
        if mac:
            found.append(("ap", ctx.device_label(mac, param_text(event, name_field))))
    if event.key.endswith("RoamRadio") or not found:
        found.append(("ap", device_subject(event, ctx)))
    for name in ("channel_from", "channel_to"):
        channel = param_text(event, name)
        if channel:
            found.append(("channel", channel))
    return tuple(found)


CLIENT_ROAMING = EventRule(
    id="client.roaming",
    vocabulary=True,
    story="client",
    subject=client_key,
    name=client_subject,
    tally=_roam_tally,
    escalate=at_least((ROAMS_PER_HOUR_FLAPPING, Severity.MEDIUM), per_hour=True),
    summary=Summary(
        subject="all clients",
        threshold=ROAMS_PER_HOUR_FLAPPING,
        per_hour=True,
        title="{subjects} client(s) roamed {count} time(s) between access points",
        explanation=(
            "Between {first_seen} and {last_seen}, {subjects} client(s) moved their Wi-Fi "
            "connection {count} time(s) from one access point or band to another; the busiest "
            "were {top_list}. This is normal for people moving around with phones and laptops. "
            "A client that roams 10 or more times an hour is reported on its own."
        ),
        example="{subject} roamed {times} ({per_hour} per hour) between {ap_list}",
    ),
    title="{subject} roamed {times} between {ap_list}",
    explanation=(
        "{subject} moved its Wi-Fi connection {times} ({per_hour} per hour) between "
        "{ap_list}, using channels {channel_list}. Moving between access points as a device "
        "is carried around is normal; many moves an hour ('flapping') mean the device sits "
        "where two access points are equally weak, which causes drop-outs."
    ),
    remediation=(
        (
            "Check where {subject} is usually used; if it is between {ap_list}, move an access "
            "point or lower the transmit power of one so one is clearly stronger."
        ),
        (
            "Turn on 'Minimum RSSI' or band steering only if you understand its effect on older "
            "devices."
        ),
        "Update the firmware of the access points and, if possible, the Wi-Fi driver of {subject}.",
    ),
)


def _connection_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    change = ("change", "disconnected" if event.key.endswith("Disconnected") else "connected")
    network = param_text(event, "ssid") or param_text(event, "network")
    return (change, ("network", network)) if network else (change,)


CLIENT_CONNECTIONS = EventRule(
    id="client.connections",
    vocabulary=True,
    story="client",
    subject=client_key,
    name=client_subject,
    tally=_connection_tally,
    escalate=at_least((CONNECTIONS_PER_HOUR_FLAPPING, Severity.MEDIUM), per_hour=True),
    summary=Summary(
        subject="all clients",
        threshold=CONNECTIONS_PER_HOUR_FLAPPING,
        per_hour=True,
        title="{subjects} client(s) connected or disconnected {count} time(s)",
        explanation=(
            "Between {first_seen} and {last_seen}, {subjects} client(s) joined or left the "
            "network {count} time(s); the busiest were {top_list}. Devices come and go as "
            "people arrive, leave and put them to sleep, so this is routine. A client that "
            "connects or disconnects 10 or more times an hour is reported on its own."
        ),
        example="{subject} connected or disconnected {times} ({change_top})",
    ),
    title="{subject} connected or disconnected {times}",
    explanation=(
        "{subject} joined or left the network {times} ({per_hour} per hour: {change_top}) on "
        "{network_list}. Dropping off and reconnecting this often ('flapping') usually means a "
        "weak or unstable connection, a power-saving setting, or a faulty cable or port."
    ),
    remediation=(
        (
            "If {subject} is on Wi-Fi, check its signal and move it or an access point so it is "
            "closer; if it is wired, try another cable and switch port."
        ),
        "Turn off aggressive power saving or sleep on {subject}, and update its drivers.",
        "Check the next report to confirm it has settled down.",
    ),
)

# 5 GHz channels shared with radar (DFS): 52-64 (U-NII-2A) and 100-144 (U-NII-2C).
_DFS_CHANNELS = frozenset((*range(52, 65, 4), *range(100, 145, 4)))
_LOW_BAND = frozenset(range(36, 49, 4))  # U-NII-1: not DFS, but a 160 MHz channel reaches 64


def _radar_channel(event: Event) -> int | None:
    text = param_text(event, "radar_channel") or param_text(event, "channel")
    return int(text) if text and text.isdecimal() else None


def _radar_fields(event: Event, ctx: RuleContext) -> Mapping[str, object]:
    channel = _radar_channel(event)
    if channel in _LOW_BAND:
        advice = (
            f"Radar was reported on channel {channel}, which is not a DFS channel itself: the "
            "radio uses a channel so wide (160 MHz) that it reaches into the DFS range "
            "(52-64). Set its 5 GHz channel width to 80 MHz or less, or use channels 149-165 "
            "for 160 MHz where that is allowed."
        )
    elif channel in _DFS_CHANNELS:
        advice = (
            f"Channel {channel} is a DFS channel: in the UniFi app, set its 5 GHz radio to a "
            "non-DFS channel (36-48, or 149-165 where allowed)."
        )
    elif channel is not None:
        advice = (
            f"Channel {channel} is not a DFS channel, so a radar report there is unusual: "
            "update its firmware and check for strong interference nearby."
        )
    else:
        advice = (
            "In the UniFi app, set its 5 GHz radio to a non-DFS channel (36-48, or 149-165 "
            "where allowed) at 80 MHz or less."
        )
    where = f" (on channel {channel})" if channel is not None else ""
    return {**device_fields(event, ctx), "radar_advice": advice, "where": where}


def _radar_tally(event: Event, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    channel = _radar_channel(event)
    if channel is not None:
        yield ("channel", str(channel))


RADAR_DETECTED = device_rule(
    id="wifi.radar_detected",
    fields=_radar_fields,
    tally=_radar_tally,
    escalate=at_least((5, Severity.MEDIUM)),
    title="{subject} detected radar and changed channel {times}",
    explanation=(
        "Some 5 GHz channels (DFS channels) are shared with weather and airport radar. "
        "{subject} heard radar {times}{where} and had to leave its "
        "channel, which briefly disconnects its clients."
    ),
    remediation=(
        "For {subject}: {radar_advice}",
        "Check the next report to confirm the channel changes stopped.",
    ),
)

POSSIBLE_INTERFERENCE = device_rule(
    id="wifi.interference",
    escalate=at_least((10, Severity.MEDIUM)),
    title="{subject} reported possible radio interference {times}",
    explanation=(
        "{subject} noticed other radio signals on its channel, or lost packets to its "
        "clients, {times}. Neighbouring Wi-Fi, microwaves, baby monitors and wireless "
        "cameras can slow Wi-Fi down."
    ),
    remediation=(
        "Run a channel scan (RF scan) on {subject} in the UniFi app and pick a quieter channel.",
        "Use narrower channel widths (20 MHz on 2.4 GHz, 40 or 80 MHz on 5 GHz).",
    ),
)


def _channel_tally(event: Event, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    channel = param_text(event, "channel_to") or param_text(event, "channel")
    if channel:
        yield ("channel", channel)


CHANNEL_CHANGED = device_rule(
    id="wifi.channel_changed",
    tally=_channel_tally,
    escalate=at_least((10, Severity.MEDIUM)),
    title="{subject} changed Wi-Fi channel {times}",
    explanation=(
        "{subject} switched its radio channel {times} (to {channel_list}). Each change "
        "briefly disconnects its clients; frequent changes suggest interference."
    ),
    remediation=(
        "Set a fixed channel for {subject} instead of automatic selection.",
        "Run an RF scan to choose a quiet channel.",
    ),
)


def _rogue_key(event: Event, _ctx: RuleContext) -> str:
    mac = param_text(event, "mac")
    essid = param_text(event, "essid") or param_text(event, "ssid")
    if mac and essid:
        return f"{essid} ({mac.lower()})"
    return essid or (mac.lower() if mac else "an unknown access point")


def _rogue_tally(event: Event, ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    return (("seen_by", device_subject(event, ctx)),)


ROGUE_AP = EventRule(
    id="wifi.rogue_ap",
    vocabulary=True,
    severity=policy_severity,
    subject=_rogue_key,
    tally=_rogue_tally,
    title="A rogue access point was detected: {subject}",
    explanation=(
        "{seen_by_list} saw an access point that is not yours, {subject}, {times}. A "
        "neighbour's Wi-Fi is harmless, but one that copies the name of your network (an "
        "'evil twin') or is plugged into your wired network can be used to steal traffic."
    ),
    remediation=(
        "If {subject} uses your network's name, find it (it is near {seen_by_list}) and remove it.",
        "Check the wired network for access points or routers you did not install.",
    ),
)


def _recommendation_key(event: Event, _ctx: RuleContext) -> str:
    return param_text(event, "ssid") or "your Wi-Fi"


WIFI_RECOMMENDATION = EventRule(
    id="wifi.recommendation",
    vocabulary=True,
    severity=policy_severity,
    subject=_recommendation_key,
    tally=_rogue_tally,
    title="The controller suggests a Wi-Fi setting for {subject}",
    explanation=(
        "Watching {seen_by_list}, the controller suggested a setting that would make "
        "{subject} work better ({times}), for example turning on multicast blocking or "
        "changing an ARP cache setting. Its own words follow in the examples."
    ),
    remediation=("Read the suggestion in the UniFi app and apply it if it fits your network.",),
)


def _signal_dbm(client: Client) -> int | None:
    if client.signal is not None:
        return client.signal
    if client.rssi is not None:
        return client.rssi - _RSSI_TO_DBM
    return None


def _wireless_dbm(ctx: RuleContext) -> list[int]:
    readings = (_signal_dbm(c) for c in ctx.snapshot.clients if not c.is_wired)
    return [dbm for dbm in readings if dbm is not None]


def _signal_totals(ctx: RuleContext) -> Mapping[str, object]:
    readings = _wireless_dbm(ctx)
    fair = sum(1 for dbm in readings if signal_quality(dbm) == "Fair")
    return {"wireless": f"{len(readings):,}", "fair": f"{fair:,}"}


def _signal_severity(view: SummaryView) -> Severity:
    wireless = len(_wireless_dbm(view.ctx))
    share = view.subjects / wireless if wireless else 0.0
    if view.subjects >= _POOR_SIGNAL_MEDIUM_MIN and share >= POOR_SIGNAL_SHARE_MEDIUM:
        return Severity.MEDIUM
    return Severity.LOW


def _weakness(values: Mapping[str, object]) -> float:
    dbm = values.get("dbm")
    return -float(dbm) if isinstance(dbm, int) else 0.0


def _poor_signal(client: Client, ctx: RuleContext) -> Mapping[str, object] | None:
    if client.is_wired:
        return None
    dbm = _signal_dbm(client)
    if dbm is None or signal_quality(dbm) != "Poor":
        return None
    return {
        "dbm": dbm,
        "quality": signal_quality(dbm),
        "ap": ctx.device_label(client.ap_mac) if client.ap_mac else "its access point",
        "essid": client.essid or "the Wi-Fi",
    }


CLIENT_POOR_SIGNAL = ClientRule(
    id="client.poor_signal",
    check=_poor_signal,
    summary=Summary(
        subject="wireless clients",
        rank=_weakness,
        severity=_signal_severity,
        fields=_signal_totals,
        title="{subjects} Wi-Fi client(s) have a poor signal; the weakest is {top_subject} "
        "({top_dbm} dBm)",
        explanation=(
            "{subjects} of {wireless} Wi-Fi clients have a Poor signal (below -70 dBm) and "
            "{fair} more a Fair one (-70 to -61 dBm); the weakest are {top_list}. Excellent is "
            "-50 dBm or better and Good -60. A weak signal means slow, unreliable Wi-Fi for "
            "those devices."
        ),
        example="{subject}: {dbm} dBm through {ap} on {essid}",
        remediation=(
            (
                "Move the weakest devices closer to an access point, or add one near where they "
                "are used (the examples show which access point each one uses)."
            ),
            "Check for walls, metal or appliances between those devices and their access point.",
            (
                "If many devices are weak on one access point, check its placement and transmit "
                "power in the UniFi app."
            ),
        ),
    ),
    title="{subject} has a poor Wi-Fi signal ({dbm} dBm)",
    explanation=(
        "{subject} is connected to {essid} through {ap} with a signal of {dbm} dBm, which is "
        "{quality} (Excellent is -50 dBm or better, Good -60, Fair -70). A weak signal means "
        "slow, unreliable Wi-Fi."
    ),
    remediation=(
        "Move {subject} closer to an access point, or add one near where it is used.",
        "Check for walls, metal or appliances between {subject} and {ap}.",
    ),
)

WIRELESS_RULES = (
    CLIENT_ROAMING,
    CLIENT_CONNECTIONS,
    RADAR_DETECTED,
    POSSIBLE_INTERFERENCE,
    CHANNEL_CHANGED,
    ROGUE_AP,
    WIFI_RECOMMENDATION,
    CLIENT_POOR_SIGNAL,
)
