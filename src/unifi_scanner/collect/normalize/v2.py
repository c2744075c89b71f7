"""v2 items: ``system-log`` entries and ``traffic-flows`` flows (Network 9/10+).

Both gain the classic IPS vocabulary in ``params`` where it applies (``src_ip``, ``dest_ip``,
``inner_alert_signature``…), so rules need not know which endpoint answered.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from unifi_scanner.collect.models import Event, EventSource
from unifi_scanner.collect.normalize._coerce import (
    UnusableItemError,
    as_int,
    as_mac,
    as_str,
    as_time,
    require_mapping,
    synthetic_id,
)
from unifi_scanner.collect.normalize.events import IPS_KEY

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "TRAFFIC_FLOW_KEY",
    "event_from_system_log",
    "event_from_traffic_flow",
    "fill_placeholders",
]

TRAFFIC_FLOW_KEY: Final = "TRAFFIC_FLOW"
_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z0-9_]+)\}")
_DEVICE_PARAMS: Final = ("DEVICE", "GATEWAY", "SWITCH", "ACCESS_POINT", "AP", "CONSOLE")
_CLIENT_PARAMS: Final = ("CLIENT", "USER", "GUEST")
_MAC: Final = re.compile(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}")
_ADVANCED: Final = re.compile(
    r"IPS Alert \d+:\s*(?P<category>[^.]+)\.\s*Signature\s+(?P<signature>.+?)\.?\s*(?:From:|$)"
)


def _param_text(value: object) -> str | None:
    if isinstance(value, dict):
        for name in ("name", "ip", "target_id", "id"):
            text = as_str(value.get(name))
            if text:
                return text
        return None
    return as_str(value)


def fill_placeholders(template: str, parameters: Mapping[str, object]) -> str:
    """Replace ``{NAME}`` tokens with the parameter's ``name`` (else ``ip``, ``id``).

    A token with no usable parameter is left as it is.
    """

    def replace(match: re.Match[str]) -> str:
        return _param_text(parameters.get(match.group(1))) or match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def _subject(
    parameters: Mapping[str, object], names: tuple[str, ...]
) -> tuple[str | None, str | None]:
    for name in names:
        value = parameters.get(name)
        if not isinstance(value, dict):
            continue
        mac = as_mac(value.get("mac"))
        if mac is None:
            for field in ("id", "target_id"):
                candidate = as_mac(value.get(field))
                if candidate and _MAC.fullmatch(candidate):
                    mac = candidate
                    break
        return mac, as_str(value.get("name")) or as_str(value.get("hostname"))
    return None, None


def _ip(value: object) -> str | None:
    if isinstance(value, dict):
        return (
            as_str(value.get("ip")) or as_str(value.get("target_id")) or as_str(value.get("name"))
        )
    return as_str(value)


def event_from_system_log(item: object) -> Event:
    """Normalise one v2 ``system-log`` entry (source ``system_log``).

    ``message`` is ``message_raw`` (else ``title_raw``) with placeholders filled from
    ``parameters``; ``SRC_IP``/``DST_IP`` parameters also appear as ``src_ip``/``dest_ip``.
    """
    raw = require_mapping(item)
    when = as_time(raw.get("timestamp")) or as_time(raw.get("time"))
    if when is None:
        raise UnusableItemError(f"system-log entry {raw.get('id')!r} has no usable timestamp")
    key = as_str(raw.get("key")) or as_str(raw.get("event")) or "UNKNOWN"
    params_in = raw.get("parameters")
    parameters: Mapping[str, object] = params_in if isinstance(params_in, dict) else {}
    template = as_str(raw.get("message_raw")) or as_str(raw.get("title_raw")) or ""
    message = fill_placeholders(template, parameters)
    event_id = as_str(raw.get("id")) or as_str(raw.get("_id")) or synthetic_id(key, when, message)
    device_mac, device_name = _subject(parameters, _DEVICE_PARAMS)
    client_mac, client_name = _subject(parameters, _CLIENT_PARAMS)
    params: dict[str, object] = {
        k: v for k, v in raw.items() if k not in {"id", "_id", "key", "timestamp", "category"}
    }
    for wire, ours in (("SRC_IP", "src_ip"), ("DST_IP", "dest_ip")):
        if wire in parameters and (address := _ip(parameters[wire])):
            params[ours] = address
    severity = as_str(raw.get("severity"))
    return Event(
        id=event_id,
        key=key,
        source=EventSource.SYSTEM_LOG,
        time=when,
        subsystem=as_str(raw.get("subcategory")),
        category=as_str(raw.get("category")),
        severity_hint=severity.lower() if severity else None,
        message=message,
        device_mac=device_mac,
        device_name=device_name,
        client_mac=client_mac,
        client_name=client_name,
        params=params,
    )


def _endpoint(raw: Mapping[str, object], name: str) -> Mapping[str, object]:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def _ips_params(raw: Mapping[str, object], ips: Mapping[str, object]) -> dict[str, object]:
    source, destination = _endpoint(raw, "source"), _endpoint(raw, "destination")
    advanced = as_str(ips.get("advanced_information")) or ""
    parsed = _ADVANCED.search(advanced)
    category = as_str(ips.get("category_name")) or (parsed.group("category") if parsed else None)
    signature = as_str(ips.get("signature")) or (parsed.group("signature") if parsed else None)
    extra: dict[str, object] = {
        "src_ip": as_str(source.get("ip")),
        "src_port": as_int(source.get("port")),
        "src_mac": as_mac(source.get("mac")),
        "dest_ip": as_str(destination.get("ip")),
        "dest_port": as_int(destination.get("port")),
        "dst_mac": as_mac(destination.get("mac")),
        "proto": as_str(raw.get("protocol")),
        "inner_alert_action": as_str(raw.get("action")),
        "inner_alert_signature": signature,
        "inner_alert_signature_id": as_int(ips.get("signature_id")),
        "inner_alert_category": category,
        "catname": as_str(ips.get("ips_category")),
    }
    return {k: v for k, v in extra.items() if v is not None}


def event_from_traffic_flow(item: object) -> Event:
    """Normalise one v2 traffic flow (source ``traffic_flow``).

    A flow with an ``ips`` block becomes key ``EVT_IPS_IpsAlert`` with the classic IPS
    ``params``; any other flow gets key ``TRAFFIC_FLOW``. ``severity_hint`` is ``risk``.
    """
    raw = require_mapping(item)
    when = as_time(raw.get("time")) or as_time(raw.get("flow_start_time"))
    if when is None:
        raise UnusableItemError(f"traffic flow {raw.get('id')!r} has no usable time")
    ips_block = raw.get("ips")
    ips: Mapping[str, object] | None = ips_block if isinstance(ips_block, dict) else None
    key = IPS_KEY if ips is not None else TRAFFIC_FLOW_KEY
    source, destination = _endpoint(raw, "source"), _endpoint(raw, "destination")
    local = source if as_str(source.get("client_name")) else destination
    if not as_str(local.get("client_name")):
        local = {}
    message = (as_str(ips.get("advanced_information")) if ips else None) or (
        f"{as_str(raw.get('action')) or 'flow'} {as_str(raw.get('protocol')) or ''} "
        f"{as_str(source.get('ip'))} -> {as_str(destination.get('ip'))}"
    )
    event_id = as_str(raw.get("id")) or as_str(raw.get("_id")) or synthetic_id(key, when, message)
    params: dict[str, object] = {k: v for k, v in raw.items() if k not in {"id", "_id", "time"}}
    if ips is not None:
        params.update(_ips_params(raw, ips))
    risk = as_str(raw.get("risk"))
    return Event(
        id=event_id,
        key=key,
        source=EventSource.TRAFFIC_FLOW,
        time=when,
        subsystem="www" if ips is not None else None,
        category="SECURITY" if ips is not None else None,
        severity_hint=risk.lower() if risk else None,
        message=message,
        client_mac=as_mac(local.get("mac")),
        client_name=as_str(local.get("client_name")),
        params=params,
    )
