"""The devices table: every device of the site, its health at a glance, problems first.

Built from the snapshot's ``stat/device`` inventory when the report is made; each row carries
the worst severity of the findings about that device (matched by its MAC, through the
finding's key, or else by its name), so the table can put problems first and mark them with a
word as well as a colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from unifi_scanner.analysis.findings import Severity, subject_key
from unifi_scanner.collect.models import DeviceState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from unifi_scanner.analysis.findings import Finding
    from unifi_scanner.collect.models import Device

__all__ = ["DEVICE_HEADER", "MAX_DEVICES", "DeviceRow", "device_cells", "device_rows"]

MAX_DEVICES: Final = 200
"""Rows the table shows at most; the rest are counted."""

_KINDS: Final = {
    "ugw": "gateway",
    "uxg": "gateway",
    "udm": "console",
    "uck": "console",
    "usw": "switch",
    "uap": "access point",
    "ubb": "bridge",
    "uph": "phone",
}
_STATES: Final = {
    DeviceState.CONNECTED: "online",
    DeviceState.DISCONNECTED: "offline",
    DeviceState.HEARTBEAT_MISSED: "not answering",
    DeviceState.UPGRADING: "upgrading",
    DeviceState.PROVISIONING: "provisioning",
    DeviceState.ADOPTING: "adopting",
    DeviceState.PENDING: "waiting for adoption",
    DeviceState.FIRMWARE_MISMATCH: "firmware mismatch",
    DeviceState.DELETING: "being removed",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceRow:
    """One device in the table (figures ``None`` when the controller did not say).

    Attributes:
        name: its name (untrusted text).
        model: its model code.
        kind: gateway, switch, access point, console, …
        status: online, offline, upgrading, …
        online: whether it is up.
        uptime_s: seconds since it started.
        cpu_pct: CPU use.
        mem_pct: memory use.
        temperature_c: its hottest sensor.
        poe_used_w: power its PoE ports deliver.
        poe_budget_w: its PoE budget.
        firmware: its firmware version.
        upgrade_to: the firmware it could upgrade to.
        attention: the worst severity of the findings about it, or ``None``.
    """

    name: str
    model: str
    kind: str
    status: str
    online: bool
    uptime_s: int | None = None
    cpu_pct: float | None = None
    mem_pct: float | None = None
    temperature_c: float | None = None
    poe_used_w: float | None = None
    poe_budget_w: float | None = None
    firmware: str | None = None
    upgrade_to: str | None = None
    attention: Severity | None = None


def _worst(findings: Iterable[Finding]) -> tuple[dict[str, Severity], dict[str, Severity]]:
    """The worst severity by finding key and by subject name."""
    by_key: dict[str, Severity] = {}
    by_name: dict[str, Severity] = {}
    for finding in findings:
        for table, key in ((by_key, finding.key), (by_name, finding.subject)):
            if key and (key not in table or finding.severity.rank > table[key].rank):
                table[key] = finding.severity
    return by_key, by_name


def _row(device: Device, attention: Severity | None) -> DeviceRow:
    online = device.state is DeviceState.CONNECTED
    # a device that is not up reports its last figures: shown as unknown, not as current
    poe = [p.poe_power_w for p in device.ports if p.poe_power_w is not None and online]
    temperatures = [t.celsius for t in device.temperatures] if online else []
    return DeviceRow(
        name=device.name,
        model=device.model,
        kind=_KINDS.get(device.type, device.type or "device"),
        status=_STATES.get(device.state, "unknown"),
        online=online,
        uptime_s=device.uptime_s if online else None,
        cpu_pct=device.cpu_pct if online else None,
        mem_pct=device.mem_pct if online else None,
        temperature_c=max(temperatures) if temperatures else None,
        poe_used_w=round(sum(poe), 1) if poe else None,
        poe_budget_w=device.poe_budget_w,
        firmware=device.version,
        upgrade_to=device.upgrade_to if device.upgradable else None,
        attention=attention,
    )


def device_rows(devices: Iterable[Device], findings: Iterable[Finding]) -> tuple[DeviceRow, ...]:
    """Every device, those with the worst findings first, then offline ones, then by name."""
    by_key, by_name = _worst(findings)
    rows = [
        _row(device, by_key.get(subject_key(device.mac)) or by_name.get(device.name))
        for device in devices
    ]
    rows.sort(
        key=lambda r: (
            -(r.attention.rank + 1 if r.attention is not None else 0),
            r.online,
            r.name.casefold(),
        )
    )
    return tuple(rows)


DEVICE_HEADER: Final = (
    "Attention",
    "Device",
    "Model",
    "Status",
    "Uptime",
    "CPU",
    "Memory",
    "Temp.",
    "PoE",
    "Firmware",
)
"""The columns of the devices table, the same in every format."""


def _uptime(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"


def device_cells(row: DeviceRow) -> tuple[str, ...]:
    """The row as the table's cells (words, not colours alone: ``severe``, ``offline``)."""
    if row.poe_used_w is None:
        poe = "-"
    elif row.poe_budget_w:
        poe = f"{row.poe_used_w or 0:g} of {row.poe_budget_w:g} W"
    else:
        poe = f"{row.poe_used_w or 0:g} W"
    firmware = row.firmware or "-"
    if row.upgrade_to:
        firmware += f" (update: {row.upgrade_to})"
    return (
        str(row.attention) if row.attention is not None else "ok",
        row.name,
        f"{row.kind}, {row.model}" if row.model else row.kind,
        row.status,
        _uptime(row.uptime_s),
        _pct(row.cpu_pct),
        _pct(row.mem_pct),
        "-" if row.temperature_c is None else f"{row.temperature_c:.0f} °C",
        poe,
        firmware,
    )
