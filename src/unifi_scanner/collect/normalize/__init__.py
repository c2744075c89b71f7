"""Pure functions from raw controller payloads to the models in :mod:`unifi_scanner.collect.models`.

Missing fields never crash; an item that cannot be used at all raises ``ValueError`` (caught
and counted by :func:`normalize_all`).
"""

from unifi_scanner.collect.normalize._coerce import as_str, as_text, mac_id
from unifi_scanner.collect.normalize.events import (
    IPS_KEY,
    event_from_alarm,
    event_from_classic,
    event_from_ips,
    event_from_websocket,
    events_from_websocket_frame,
)
from unifi_scanner.collect.normalize.flows import TRAFFIC_FLOW_KEY, event_from_traffic_flow
from unifi_scanner.collect.normalize.inventory import (
    client_from_payload,
    controller_info_from_sysinfo,
    device_from_payload,
    site_from_payload,
    temperatures_from_payload,
)
from unifi_scanner.collect.normalize.result import Normalized, normalize_all
from unifi_scanner.collect.normalize.v2 import (
    V2_TO_CLASSIC,
    classic_key,
    event_from_system_log,
    fill_placeholders,
)

__all__ = [
    "IPS_KEY",
    "TRAFFIC_FLOW_KEY",
    "V2_TO_CLASSIC",
    "Normalized",
    "as_str",
    "as_text",
    "classic_key",
    "client_from_payload",
    "controller_info_from_sysinfo",
    "device_from_payload",
    "event_from_alarm",
    "event_from_classic",
    "event_from_ips",
    "event_from_system_log",
    "event_from_traffic_flow",
    "event_from_websocket",
    "events_from_websocket_frame",
    "fill_placeholders",
    "mac_id",
    "normalize_all",
    "site_from_payload",
    "temperatures_from_payload",
]
