"""Raw ``stat/health`` item: one per subsystem."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["HealthPayload"]


class HealthPayload(TypedDict, total=False):
    """One ``stat/health`` entry (``wlan``, ``wan``, ``www``, ``lan``, ``vpn``)."""

    subsystem: str
    status: str
    num_user: int
    num_guest: int
    num_ap: int
    num_sw: int
    num_gw: int
    num_adopted: int
    num_disconnected: int
    num_pending: int
    wan_ip: str
    gw_mac: str
    isp_name: str
    latency: int
    drops: int
