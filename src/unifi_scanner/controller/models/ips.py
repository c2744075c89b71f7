"""Raw legacy IPS alert: `stat/ips/event` items (also in `stat/event` and `list/alarm`)."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["IpsEventPayload"]


class IpsEventPayload(TypedDict, total=False):
    """One ``EVT_IPS_IpsAlert`` item. ``time`` is epoch ms, ``timestamp`` epoch seconds."""

    _id: str
    key: str
    msg: str
    time: int
    timestamp: int
    datetime: str
    subsystem: str
    site_id: str
    archived: bool
    src_ip: str
    src_port: int
    src_mac: str
    dest_ip: str
    dest_port: int
    dst_mac: str
    proto: str
    app_proto: str
    in_iface: str
    flow_id: int
    event_type: str
    unique_alertid: str
    host: str
    usgip: str
    srcipCountry: str | bool
    dstipCountry: str | bool
    srcipGeo: dict[str, Any] | list[Any] | bool
    dstipGeo: dict[str, Any] | list[Any] | bool
    srcipASN: str
    dstipASN: str
    catname: str | list[str]
    inner_alert_action: str
    inner_alert_signature: str
    inner_alert_signature_id: int
    inner_alert_category: str
    inner_alert_severity: int
    inner_alert_gid: int
    inner_alert_rev: int
