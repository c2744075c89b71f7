"""v2 ``traffic-flows`` flows (Network 10): IPS flows gain the classic IPS vocabulary.

An IPS flow's ``ips`` block, source and destination become the classic ``inner_alert_*``,
``src_ip``/``dest_ip``… ``params``, so the IPS rules read every shape alike.
"""

from __future__ import annotations

import functools
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
    without,
)
from unifi_scanner.collect.normalize.events import IPS_KEY

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["TRAFFIC_FLOW_KEY", "event_from_traffic_flow"]

TRAFFIC_FLOW_KEY: Final = "TRAFFIC_FLOW"
_FLOW_CONSUMED: Final = ("id", "_id", "time")
_ADVANCED: Final = re.compile(
    r"IPS Alert \d+:\s*(?P<category>[^.]+)\.\s*Signature\s+(?P<signature>.+?)\.?\s*(?:From:|$)"
)


def _endpoint(raw: Mapping[str, object], name: str) -> Mapping[str, object]:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def _advanced(text: str) -> tuple[str, str] | None:
    """(category, signature) from ``advanced_information``.

    The part after ``From:`` (the source address) is cut first, so the few distinct rest hit
    the cache.
    """
    return _advanced_head(text.partition("From:")[0])


@functools.lru_cache(maxsize=4096)
def _advanced_head(head: str) -> tuple[str, str] | None:
    parsed = _ADVANCED.search(head)
    return (parsed.group("category"), parsed.group("signature")) if parsed else None


def _add_ips_params(
    params: dict[str, object],
    raw: Mapping[str, object],
    ips: Mapping[str, object],
    ends: tuple[Mapping[str, object], Mapping[str, object]],
) -> None:
    """Give a flow's IPS fields their classic ``params`` names (those with a value)."""
    source, destination = ends
    parsed = _advanced(as_str(ips.get("advanced_information")) or "")
    category = as_str(ips.get("category_name")) or (parsed[0] if parsed else None)
    signature = as_str(ips.get("signature")) or (parsed[1] if parsed else None)
    for name, value in (
        ("src_ip", as_str(source.get("ip"))),
        ("src_port", as_int(source.get("port"))),
        ("src_mac", as_mac(source.get("mac"))),
        ("dest_ip", as_str(destination.get("ip"))),
        ("dest_port", as_int(destination.get("port"))),
        ("dst_mac", as_mac(destination.get("mac"))),
        ("proto", as_str(raw.get("protocol"))),
        ("inner_alert_action", as_str(raw.get("action"))),
        ("inner_alert_signature", signature),
        ("inner_alert_signature_id", as_int(ips.get("signature_id"))),
        ("inner_alert_category", category),
        ("catname", as_str(ips.get("ips_category"))),
    ):
        if value is not None:
            params[name] = value  # noqa: PERF403 - fills the existing dict, no second one


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
    params = without(raw, _FLOW_CONSUMED)
    if ips is not None:
        _add_ips_params(params, raw, ips, (source, destination))
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
