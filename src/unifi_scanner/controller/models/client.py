"""Raw ``stat/sta`` item (an online client)."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["ClientPayload"]


class ClientPayload(TypedDict, total=False):
    """One ``stat/sta`` item."""

    _id: str
    mac: str
    name: str
    hostname: str
    ip: str
    oui: str
    is_wired: bool
    is_guest: bool
    blocked: bool
    network: str
    vlan: int
    uptime: int
    first_seen: int
    last_seen: int
    essid: str
    ap_mac: str
    channel: int
    radio: str
    rssi: int
    signal: int
    satisfaction: int
    sw_mac: str
    sw_port: int
    tx_bytes: int
    rx_bytes: int
