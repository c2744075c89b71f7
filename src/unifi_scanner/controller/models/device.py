"""Raw ``stat/device`` item. Many numbers arrive as strings (``"3.24"``)."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["DevicePayload", "PortPayload", "TemperaturePayload"]


class TemperaturePayload(TypedDict, total=False):
    """One entry of ``temperatures`` (gateways and consoles)."""

    name: str
    type: str
    value: float


class PortPayload(TypedDict, total=False):
    """One ``port_table`` entry; PoE figures are strings."""

    port_idx: int
    name: str
    up: bool
    enable: bool
    speed: int
    full_duplex: bool
    media: str
    is_uplink: bool
    port_poe: bool
    poe_caps: int
    poe_enable: bool
    poe_good: bool
    poe_mode: str
    poe_class: str
    poe_power: str
    poe_voltage: str
    poe_current: str
    rx_errors: int
    tx_errors: int


DevicePayload = TypedDict(
    "DevicePayload",
    {
        "_id": str,
        "mac": str,
        "name": str,
        "model": str,
        "type": str,
        "state": int,
        "version": str,
        "adopted": bool,
        "upgradable": bool,
        "upgrade_to_firmware": str,
        "model_in_eol": bool,
        "uptime": int,
        "last_seen": int,
        "system-stats": dict[str, str],
        "sys_stats": dict[str, Any],
        "temperatures": list[TemperaturePayload],
        "general_temperature": float,
        "has_temperature": bool,
        "temps": dict[str, str],
        "overheating": bool,
        "has_fan": bool,
        "fan_level": int,
        "port_table": list[PortPayload],
        "total_max_power": float,
        "uplink": dict[str, Any],
        "radio_table": list[dict[str, Any]],
        "radio_table_stats": list[dict[str, Any]],
        "num_sta": int,
    },
    total=False,
)
"""One ``stat/device`` item; ``system-stats`` values are strings such as ``"3.1"``."""
