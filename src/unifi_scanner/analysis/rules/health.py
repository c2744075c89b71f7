"""Device health rules over ``stat/device``: heat, CPU, memory, PoE, firmware, age, reboots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner import vocabulary
from unifi_scanner.analysis.findings import Severity
from unifi_scanner.analysis.rule import DeviceRule
from unifi_scanner.collect.models import DeviceState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Device

__all__ = ["HEALTH_RULES", "TEMPERATURE_LIMITS", "temperature_limits"]

TEMPERATURE_LIMITS: Mapping[str, tuple[float, float]] = {
    "uap": (80.0, 90.0),
    "usw": (70.0, 80.0),
    "gateway": (85.0, 95.0),
    "default": (75.0, 85.0),
}
"""(warning, critical) degrees Celsius per device type."""

CPU_HIGH_PCT = 90.0
MEM_HIGH_PCT = 90.0
POE_WARN = 0.80
POE_CRITICAL = 0.95
RECENT_REBOOT_S = 3600


def temperature_limits(device_type: str) -> tuple[float, float]:
    """The (warning, critical) temperatures for a device type."""
    if vocabulary.device_type(device_type).critical:
        return TEMPERATURE_LIMITS["gateway"]
    return TEMPERATURE_LIMITS.get(device_type, TEMPERATURE_LIMITS["default"])


def _temperature(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    warn, critical = temperature_limits(device.type)
    hottest = max(device.temperatures, key=lambda t: t.celsius, default=None)
    if hottest is None and not device.overheating:
        return None
    celsius = hottest.celsius if hottest is not None else None
    if not device.overheating and (celsius is None or celsius < warn):
        return None
    return {
        "celsius": f"{celsius:.0f}" if celsius is not None else "too high",
        "sensor": hottest.name if hottest is not None else "its sensor",
        "warn": f"{warn:.0f}",
        "critical": celsius is not None and celsius >= critical,
    }


def _temperature_severity(_device: Device, values: Mapping[str, object]) -> Severity:
    return Severity.SEVERE if values.get("critical") else Severity.MEDIUM


DEVICE_TEMPERATURE = DeviceRule(
    id="device.temperature",
    check=_temperature,
    severity=_temperature_severity,
    title="{subject} is running hot ({celsius} °C)",
    explanation=(
        "{subject} reports {celsius} °C on {sensor}; for this kind of device more than "
        "{warn} °C is too warm. Heat shortens its life and can make it restart or slow down."
    ),
    remediation=(
        (
            "Make sure {subject} has free airflow: not in a closed cabinet, not stacked on other "
            "hot equipment, vents not covered."
        ),
        "Check that its fan (if it has one) is working and clean.",
        "Lower the room temperature or move the device somewhere cooler.",
    ),
)


def _cpu(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    if device.cpu_pct is None or device.cpu_pct < CPU_HIGH_PCT:
        return None
    return {"pct": f"{device.cpu_pct:.0f}"}


DEVICE_CPU_HIGH = DeviceRule(
    id="device.cpu_high",
    check=_cpu,
    severity=Severity.MEDIUM,
    title="{subject} is very busy (CPU {pct}%)",
    explanation=(
        "The processor of {subject} is {pct}% busy. A device that stays this busy can drop "
        "traffic or answer slowly."
    ),
    remediation=(
        (
            "Check whether a heavy feature is on for {subject} (intrusion prevention, deep packet "
            "inspection, many VPN tunnels) and whether the model is large enough for it."
        ),
        "Restart {subject} and see if the load stays high in the next report.",
    ),
)


def _mem(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    if device.mem_pct is None or device.mem_pct < MEM_HIGH_PCT:
        return None
    return {"pct": f"{device.mem_pct:.0f}"}


DEVICE_MEMORY_HIGH = DeviceRule(
    id="device.memory_high",
    check=_mem,
    severity=Severity.MEDIUM,
    title="{subject} is nearly out of memory ({pct}%)",
    explanation=(
        "{subject} uses {pct}% of its memory. When it runs out it may restart or stop "
        "handling traffic properly."
    ),
    remediation=(
        "Update {subject} to the latest firmware (memory leaks are often fixed there).",
        "Restart {subject}; if memory fills up again quickly, contact Ubiquiti support.",
    ),
)


def _poe(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    if not device.poe_budget_w:
        return None
    used = sum(p.poe_power_w or 0.0 for p in device.ports)
    share = used / device.poe_budget_w
    if share <= POE_WARN:
        return None
    return {
        "used": f"{used:.1f}",
        "budget": f"{device.poe_budget_w:.0f}",
        "pct": f"{share * 100:.0f}",
        "share": share,
    }


def _poe_severity(_device: Device, values: Mapping[str, object]) -> Severity:
    share = values.get("share")
    return Severity.MEDIUM if isinstance(share, float) and share > POE_CRITICAL else Severity.LOW


DEVICE_POE_BUDGET = DeviceRule(
    id="device.poe_budget",
    check=_poe,
    severity=_poe_severity,
    title="{subject} uses {pct}% of its PoE power budget",
    explanation=(
        "The switch {subject} delivers {used} W of Power over Ethernet out of {budget} W. "
        "Close to the limit, plugging in one more camera or access point can make the switch "
        "cut power to a port."
    ),
    remediation=(
        (
            "Move some powered devices (cameras, access points, phones) to another PoE switch or "
            "to PoE injectors."
        ),
        "Turn PoE off on ports whose devices have their own power supply.",
    ),
)


def _upgradable(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    if not device.upgradable:
        return None
    return {"version": device.version or "unknown", "upgrade_to": device.upgrade_to or "newer"}


DEVICE_FIRMWARE_UPGRADABLE = DeviceRule(
    id="device.firmware_upgradable",
    check=_upgradable,
    title="A firmware update is available for {subject}",
    explanation=(
        "{subject} runs firmware {version}; version {upgrade_to} is available. Updates fix "
        "security problems and bugs."
    ),
    remediation=(
        "Read the release notes, then update {subject} from the UniFi app at a quiet time.",
    ),
)


def _eol(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    return {"model": device.model} if device.model_in_eol else None


DEVICE_END_OF_LIFE = DeviceRule(
    id="device.end_of_life",
    check=_eol,
    title="{subject} is an end-of-life model ({model})",
    explanation=(
        "Ubiquiti no longer supports the {model} model of {subject}. It will not receive "
        "security updates any more."
    ),
    remediation=("Plan to replace {subject} with a current model.",),
)


def _recent_reboot(device: Device, _ctx: RuleContext) -> Mapping[str, object] | None:
    if device.uptime_s is None or device.uptime_s >= RECENT_REBOOT_S:
        return None
    if device.state is not DeviceState.CONNECTED:
        return None  # a device that is down has no uptime worth reading (device.offline)
    return {"minutes": device.uptime_s // 60}


DEVICE_RECENT_REBOOT = DeviceRule(
    id="device.recent_reboot",
    check=_recent_reboot,
    title="{subject} restarted {minutes} minutes ago",
    explanation=(
        "{subject} has been running for only {minutes} minutes. If nobody restarted or "
        "updated it, check its power."
    ),
)

HEALTH_RULES = (
    DEVICE_TEMPERATURE,
    DEVICE_CPU_HIGH,
    DEVICE_MEMORY_HIGH,
    DEVICE_POE_BUDGET,
    DEVICE_FIRMWARE_UPGRADABLE,
    DEVICE_END_OF_LIFE,
    DEVICE_RECENT_REBOOT,
)
