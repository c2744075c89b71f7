"""Builders for the analysis tests: events, devices and snapshots shaped like real payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from unifi_scanner.analysis import Engine, EventKey
from unifi_scanner.analysis import keys as keys_module
from unifi_scanner.collect.models import (
    Client,
    ControllerInfo,
    Device,
    DeviceState,
    Event,
    EventSource,
    Flavour,
    Port,
    Site,
    Snapshot,
    Temperature,
    Window,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
_ENVELOPE = {"_id", "key", "msg", "time", "datetime", "subsystem"}


@pytest.fixture(autouse=True)
def _reset_key_warnings():
    """Each test starts with no unknown key warned about."""
    keys_module._reset_warnings()
    yield
    keys_module._reset_warnings()


def event(key: str | EventKey, *, minutes: float = 0, **params: Any) -> Event:
    """A classic event with ``params`` as in a ``stat/event`` item."""
    source = params.pop("event_source", EventSource.CLASSIC)
    message = params.pop("msg", f"{key} happened")
    return Event(
        id=params.pop("_id", f"id-{key}-{minutes}"),
        key=str(key),
        source=source,
        time=NOW - timedelta(hours=1) + timedelta(minutes=minutes),
        subsystem=params.pop("subsystem", None),
        category=params.pop("category", None),
        message=message,
        device_mac=params.pop("device_mac", None),
        device_name=params.pop("device_name", None),
        client_mac=params.pop("client_mac", None),
        client_name=params.pop("client_name", None),
        params=params,
    )


def event_from_item(item: dict[str, Any], source: EventSource = EventSource.CLASSIC) -> Event:
    """A minimal stand-in for the collect normaliser: envelope fields out, the rest in params."""
    return Event(
        id=item.get("_id", "x"),
        key=item["key"],
        source=source,
        time=datetime.fromtimestamp(item["time"] / 1000, UTC),
        subsystem=item.get("subsystem"),
        message=item.get("msg", ""),
        params={k: v for k, v in item.items() if k not in _ENVELOPE},
    )


def device(**overrides: Any) -> Device:
    """A connected, healthy device unless ``overrides`` say otherwise."""
    values: dict[str, Any] = {
        "mac": "00:00:00:00:00:0a",
        "name": "AP-Office",
        "model": "U7PG2",
        "type": "uap",
        "state": DeviceState.CONNECTED,
        "uptime_s": 86_400,
    }
    values.update(overrides)
    return Device(**values)


def device_from_raw(raw: dict[str, Any]) -> Device:
    """A minimal stand-in for the device normaliser, reading the documented field shapes."""
    temps = [
        Temperature(name=t["name"], celsius=float(t["value"])) for t in raw.get("temperatures", [])
    ]
    if raw.get("has_temperature") and "general_temperature" in raw:
        temps.append(Temperature(name="general", celsius=float(raw["general_temperature"])))
    stats = raw.get("system-stats", {})
    ports = tuple(
        Port(
            index=p.get("port_idx", 0),
            name=p.get("name", ""),
            up=bool(p.get("up")),
            poe_enabled=bool(p.get("poe_enable")),
            poe_power_w=float(p["poe_power"]) if p.get("poe_power") else None,
        )
        for p in raw.get("port_table", [])
    )
    return Device(
        mac=raw["mac"],
        name=raw.get("name") or raw["model"],
        model=raw["model"],
        type=raw["type"],
        state=DeviceState(raw.get("state", -1)),
        version=raw.get("version"),
        upgradable=bool(raw.get("upgradable")),
        upgrade_to=raw.get("upgrade_to_firmware"),
        model_in_eol=bool(raw.get("model_in_eol")),
        uptime_s=raw.get("uptime"),
        cpu_pct=float(stats["cpu"]) if "cpu" in stats else None,
        mem_pct=float(stats["mem"]) if "mem" in stats else None,
        temperatures=tuple(temps),
        overheating=bool(raw.get("overheating")),
        ports=ports,
        poe_budget_w=raw.get("total_max_power"),
        raw=raw,
    )


def client(**overrides: Any) -> Client:
    """A wireless client named ``iPhone-Anna`` unless ``overrides`` say otherwise."""
    values: dict[str, Any] = {"mac": "00:00:00:00:00:01", "name": "iPhone-Anna"}
    values.update(overrides)
    return Client(**values)


def snapshot(
    events: tuple[Event, ...] | list[Event] = (),
    devices: tuple[Device, ...] | list[Device] = (),
    clients: tuple[Client, ...] | list[Client] = (),
) -> Snapshot:
    """A snapshot of site ``default`` over the last day."""
    return Snapshot(
        site=Site(id="s1", name="default", description="Home"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=tuple(events),
        devices=tuple(devices),
        clients=tuple(clients),
    )


@pytest.fixture(name="engine")
def engine_fixture() -> Engine:
    """The default rules with a frozen clock."""
    return Engine(now=lambda: NOW)


@pytest.fixture(name="build")
def build_fixture() -> Any:
    """The builders, as one namespace for tests."""

    class _Builders:
        NOW = NOW
        event = staticmethod(event)
        event_from_item = staticmethod(event_from_item)
        device = staticmethod(device)
        device_from_raw = staticmethod(device_from_raw)
        client = staticmethod(client)
        snapshot = staticmethod(snapshot)

    return _Builders
