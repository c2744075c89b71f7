"""Devices (``stat/device``), clients (``stat/sta``), the controller (``stat/sysinfo``), sites.

``stat/device`` numbers often arrive as strings (``"3.24"``, ``system-stats`` ``"27.4"``), and
temperature comes in one of three shapes, all read into :class:`Temperature`:
``temperatures`` list (gateways, consoles), ``general_temperature`` (switches; ignored when
``has_temperature`` is false) and legacy ``temps`` ``{"Board (CPU)": "72 C"}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.collect.models import (
    Client,
    ControllerInfo,
    Device,
    DeviceState,
    Port,
    Site,
    Temperature,
)
from unifi_scanner.collect.normalize._coerce import (
    UnusableItemError,
    as_bool,
    as_float,
    as_int,
    as_mac,
    as_str,
    as_time,
    require_mapping,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.controller import Flavour

__all__ = [
    "client_from_payload",
    "controller_info_from_sysinfo",
    "device_from_payload",
    "site_from_payload",
    "temperatures_from_payload",
]


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


def temperatures_from_payload(raw: Mapping[str, object]) -> tuple[Temperature, ...]:
    """Read every temperature a device reports, whichever of the three shapes it uses."""
    found: list[Temperature] = []
    listed = raw.get("temperatures")
    if isinstance(listed, list):
        for entry in listed:
            sensor = _mapping(entry)
            value = as_float(sensor.get("value"))
            if value is not None:
                name = as_str(sensor.get("name")) or as_str(sensor.get("type")) or "sensor"
                found.append(Temperature(name=name, celsius=value))
    general = as_float(raw.get("general_temperature"))
    if general is not None and raw.get("has_temperature") is not False:
        found.append(Temperature(name="General", celsius=general))
    for name, text in _mapping(raw.get("temps")).items():
        value = as_float(text)
        if value is not None:
            found.append(Temperature(name=str(name), celsius=value))
    return tuple(found)


def _ports(raw: Mapping[str, object]) -> tuple[Port, ...]:
    table = raw.get("port_table")
    if not isinstance(table, list):
        return ()
    ports: list[Port] = []
    for position, entry in enumerate(table, start=1):
        port = _mapping(entry)
        if not port:
            continue
        has_poe = as_bool(port.get("port_poe"))
        good = port.get("poe_good")
        ports.append(
            Port(
                index=as_int(port.get("port_idx")) or position,
                name=as_str(port.get("name")) or f"Port {position}",
                up=as_bool(port.get("up")),
                poe_enabled=has_poe and as_bool(port.get("poe_enable")),
                poe_good=good if has_poe and isinstance(good, bool) else None,
                poe_power_w=as_float(port.get("poe_power")) if has_poe else None,
            )
        )
    return tuple(ports)


def _state(value: object) -> DeviceState:
    code = as_int(value)
    return DeviceState.UNKNOWN if code is None else DeviceState(code)


def _mem_pct(raw: Mapping[str, object], stats: Mapping[str, object]) -> float | None:
    pct = as_float(stats.get("mem"))
    if pct is not None:
        return pct
    sys_stats = _mapping(raw.get("sys_stats"))
    used, total = as_float(sys_stats.get("mem_used")), as_float(sys_stats.get("mem_total"))
    return round(used / total * 100, 1) if used is not None and total else None


def device_from_payload(item: object) -> Device:
    """Normalise one ``stat/device`` item; only a missing ``mac`` makes it unusable.

    ``poe_budget_w`` is ``total_max_power`` when positive (non-PoE switches report 0).
    """
    raw = require_mapping(item)
    mac = as_mac(raw.get("mac"))
    if mac is None:
        raise UnusableItemError("device without a mac")
    model = as_str(raw.get("model")) or "unknown"
    stats = _mapping(raw.get("system-stats"))
    budget = as_float(raw.get("total_max_power"))
    return Device(
        mac=mac,
        name=as_str(raw.get("name")) or model,
        model=model,
        type=as_str(raw.get("type")) or "unknown",
        state=_state(raw.get("state")),
        version=as_str(raw.get("version")),
        adopted=as_bool(raw.get("adopted"), default=True),
        upgradable=as_bool(raw.get("upgradable")),
        upgrade_to=as_str(raw.get("upgrade_to_firmware")),
        model_in_eol=as_bool(raw.get("model_in_eol")),
        uptime_s=as_int(raw.get("uptime")) or as_int(stats.get("uptime")),
        last_seen=as_time(raw.get("last_seen")),
        cpu_pct=as_float(stats.get("cpu")),
        mem_pct=_mem_pct(raw, stats),
        temperatures=temperatures_from_payload(raw),
        overheating=as_bool(raw.get("overheating")),
        ports=_ports(raw),
        poe_budget_w=budget if budget is not None and budget > 0 else None,
        raw=raw,
    )


def client_from_payload(item: object) -> Client:
    """Normalise one ``stat/sta`` item; ``name`` falls back to hostname, then the MAC."""
    raw = require_mapping(item)
    mac = as_mac(raw.get("mac"))
    if mac is None:
        raise UnusableItemError("client without a mac")
    hostname = as_str(raw.get("hostname"))
    return Client(
        mac=mac,
        name=as_str(raw.get("name")) or hostname or mac,
        hostname=hostname,
        ip=as_str(raw.get("ip")),
        is_wired=as_bool(raw.get("is_wired")),
        is_guest=as_bool(raw.get("is_guest")),
        ap_mac=as_mac(raw.get("ap_mac")),
        sw_mac=as_mac(raw.get("sw_mac")),
        sw_port=as_int(raw.get("sw_port")),
        essid=as_str(raw.get("essid")),
        rssi=as_int(raw.get("rssi")),
        signal=as_int(raw.get("signal")),
        satisfaction=as_int(raw.get("satisfaction")),
        raw=raw,
    )


def controller_info_from_sysinfo(item: object, flavour: Flavour) -> ControllerInfo:
    """Normalise the ``stat/sysinfo`` item (``None`` or junk gives an info with no version)."""
    raw = item if isinstance(item, dict) else {}
    return ControllerInfo(
        flavour=flavour,
        version=as_str(raw.get("version")),
        hostname=as_str(raw.get("hostname")) or as_str(raw.get("name")),
        update_available=as_bool(raw.get("update_available")),
    )


def site_from_payload(item: object) -> Site:
    """Normalise one ``self/sites`` item; a site needs its short ``name``."""
    raw = require_mapping(item)
    name = as_str(raw.get("name"))
    if name is None:
        raise UnusableItemError("site without a name")
    return Site(
        id=as_str(raw.get("_id")) or name,
        name=name,
        description=as_str(raw.get("desc")) or name,
    )
