"""Raw v2 ``traffic-flows`` reply and flow."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["FlowEndpointPayload", "FlowIpsPayload", "TrafficFlowPagePayload", "TrafficFlowPayload"]


class FlowEndpointPayload(TypedDict, total=False):
    """``source`` or ``destination`` of a flow."""

    ip: str
    port: int
    mac: str
    region: str
    client_name: str
    network_name: str
    zone_name: str


class FlowIpsPayload(TypedDict, total=False):
    """The ``ips`` block of a flow that raised an IPS alert."""

    advanced_information: str
    signature_id: int
    signature: str
    category_name: str
    ips_category: str


class TrafficFlowPayload(TypedDict, total=False):
    """One traffic flow; ``time`` and ``flow_start_time`` are epoch ms."""

    id: str
    action: str
    risk: str
    protocol: str
    service: str
    direction: str
    time: int
    flow_start_time: int
    count: int
    ips: FlowIpsPayload
    source: FlowEndpointPayload
    destination: FlowEndpointPayload
    policy_type: str


class TrafficFlowPagePayload(TypedDict, total=False):
    """The paged reply of ``traffic-flows``."""

    data: list[TrafficFlowPayload]
    has_next: bool
    total_element_count: int
    total_page_count: int
