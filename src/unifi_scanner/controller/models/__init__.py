"""Raw payload TypedDicts, one module per controller resource (all `total=False`)."""

from unifi_scanner.controller.models.alarm import AlarmPayload
from unifi_scanner.controller.models.client import ClientPayload
from unifi_scanner.controller.models.device import (
    DevicePayload,
    PortPayload,
    TemperaturePayload,
)
from unifi_scanner.controller.models.event import EventPayload
from unifi_scanner.controller.models.health import HealthPayload
from unifi_scanner.controller.models.ips import IpsEventPayload
from unifi_scanner.controller.models.setting import SettingPayload
from unifi_scanner.controller.models.site import SitePayload
from unifi_scanner.controller.models.sysinfo import SysinfoPayload
from unifi_scanner.controller.models.system_log import (
    SystemLogPagePayload,
    SystemLogParameter,
    SystemLogPayload,
)
from unifi_scanner.controller.models.traffic_flow import (
    FlowEndpointPayload,
    FlowIpsPayload,
    TrafficFlowPagePayload,
    TrafficFlowPayload,
)

__all__ = [
    "AlarmPayload",
    "ClientPayload",
    "DevicePayload",
    "EventPayload",
    "FlowEndpointPayload",
    "FlowIpsPayload",
    "HealthPayload",
    "IpsEventPayload",
    "PortPayload",
    "SettingPayload",
    "SitePayload",
    "SysinfoPayload",
    "SystemLogPagePayload",
    "SystemLogParameter",
    "SystemLogPayload",
    "TemperaturePayload",
    "TrafficFlowPagePayload",
    "TrafficFlowPayload",
]
