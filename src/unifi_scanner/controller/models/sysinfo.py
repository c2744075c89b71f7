"""Raw ``stat/sysinfo`` item."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["SysinfoPayload"]


class SysinfoPayload(TypedDict, total=False):
    """The single ``stat/sysinfo`` item."""

    version: str
    build: str
    hostname: str
    name: str
    timezone: str
    udm_version: str
    console_display_version: str
    ubnt_device_type: str
    update_available: bool
    uptime: int
