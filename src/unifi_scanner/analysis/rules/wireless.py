"""Wireless rules: roaming, client connections, radar, interference, channels, weak signal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.keys import EventKey
from unifi_scanner.analysis.rule import ClientRule, EventRule, Summary
from unifi_scanner.analysis.rules._common import (
    at_least,
    client_key,
    client_subject,
    device_key,
    device_subject,
    param_text,
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
    if event.key == EventKey.WU_ROAM_RADIO or not found:
        found.append(("ap", device_subject(event, ctx)))
    for name in ("channel_from", "channel_to"):
        channel = param_text(event, name)
        if channel:
            found.append(("channel", channel))
    return tuple(found)


CLIENT_ROAMING = EventRule(
    id="client.roaming",
    keys=(EventKey.WU_ROAM, EventKey.WU_ROAM_RADIO),
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
    keys=(
        EventKey.WU_CONNECTED,
        EventKey.WU_DISCONNECTED,
        EventKey.WG_CONNECTED,
        EventKey.WG_DISCONNECTED,
        EventKey.LU_CONNECTED,
        EventKey.LU_DISCONNECTED,
        EventKey.LG_CONNECTED,
        EventKey.LG_DISCONNECTED,
    ),
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

RADAR_DETECTED = EventRule(
    id="wifi.radar_detected",
    keys=(EventKey.AP_RADAR_DETECTED,),
    subject=device_key,
    name=device_subject,
    escalate=at_least((5, Severity.MEDIUM)),
    title="{subject} detected radar and changed channel {times}",
    explanation=(
        "Some 5 GHz channels (DFS channels) are shared with weather and airport radar. "
        "{subject} heard radar {times} and had to leave its channel, which briefly "
        "disconnects its clients."
    ),
    remediation=(
        "In the UniFi app, set {subject}'s 5 GHz radio to a non-DFS channel (36-48 or 149-165).",
        "Check the next report to confirm the channel changes stopped.",
    ),
)

POSSIBLE_INTERFERENCE = EventRule(
    id="wifi.interference",
    keys=(EventKey.AP_POSSIBLE_INTERFERENCE,),
    subject=device_key,
    name=device_subject,
    escalate=at_least((10, Severity.MEDIUM)),
    title="{subject} reported possible radio interference {times}",
    explanation=(
        "{subject} noticed other radio signals on its channel {times}. Neighbouring Wi-Fi, "
        "microwaves, baby monitors and wireless cameras can slow Wi-Fi down."
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


CHANNEL_CHANGED = EventRule(
    id="wifi.channel_changed",
    keys=(EventKey.AP_CHANNEL_CHANGED,),
    subject=device_key,
    name=device_subject,
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
    CLIENT_POOR_SIGNAL,
)
