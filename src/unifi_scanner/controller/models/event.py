"""Raw classic event item: ``stat/event`` and websocket ``events`` frames."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["EventPayload"]


class EventPayload(TypedDict, total=False):
    """One ``stat/event`` item (also a websocket ``events`` element). Times are epoch ms."""

    _id: str
    key: str
    msg: str
    time: int
    datetime: str
    subsystem: str
    site_id: str
    user: str
    guest: str
    client: str
    hostname: str
    ap: str
    ap_name: str
    sw: str
    sw_name: str
    gw: str
    gw_name: str
    ap_from: str
    ap_to: str
    ssid: str
    channel: int | str
    channel_from: int | str
    channel_to: int | str
    radio: str
    duration: int
    bytes: int
    version_from: str
    version_to: str
    network: str
