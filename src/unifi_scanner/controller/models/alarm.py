"""Raw ``list/alarm`` item: an event item plus its ``archived`` flag."""

from __future__ import annotations

from unifi_scanner.controller.models.ips import IpsEventPayload

__all__ = ["AlarmPayload"]


class AlarmPayload(IpsEventPayload, total=False):
    """One ``list/alarm`` item. IPS alarms carry the ``inner_alert_*`` fields too."""

    sw: str
    sw_name: str
    ap: str
    ap_name: str
    gw: str
    gw_name: str
    user: str
