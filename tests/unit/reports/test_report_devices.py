"""The devices table: every device, problems first, figures in words and units, bounded."""

from __future__ import annotations

import dataclasses
import json

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.analysis.findings import subject_key
from unifi_scanner.collect.models import Device, DeviceState, Port, Temperature
from unifi_scanner.integrations import IntegrationResults
from unifi_scanner.reports import (
    build_report,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from unifi_scanner.reports.devices import MAX_DEVICES, device_cells, device_rows


def _device(name: str, mac: str, **changes: object) -> Device:
    base = Device(
        mac=mac,
        name=name,
        model="US8P60",
        type="usw",
        state=DeviceState.CONNECTED,
        version="6.6.61",
        uptime_s=3 * 86_400 + 4 * 3_600,
        cpu_pct=22.4,
        mem_pct=61.0,
        temperatures=(
            Temperature(name="General", celsius=48.0),
            Temperature(name="CPU", celsius=83.2),
        ),
        ports=(
            Port(index=1, name="p1", up=True, poe_enabled=True, poe_power_w=4.4),
            Port(index=2, name="p2", up=True, poe_enabled=True, poe_power_w=12.1),
        ),
        poe_budget_w=52.0,
    )
    return dataclasses.replace(base, **changes)


def _finding(subject: str, severity: Severity, key: str = "") -> Finding:
    return Finding(
        rule="device.x",
        severity=severity,
        title=f"{subject} t",
        explanation="e",
        subject=subject,
        key=key,
    )


def test_problems_first_then_offline_then_by_name():
    """The worst finding decides the order; a device with none and offline comes next."""
    devices = [
        _device("alpha", "00:00:00:00:00:01"),
        _device("bravo", "00:00:00:00:00:02", state=DeviceState.DISCONNECTED),
        _device("charlie", "00:00:00:00:00:03"),
        _device("delta", "00:00:00:00:00:04"),
    ]
    findings = [
        _finding("Renamed", Severity.SEVERE, key=subject_key("00:00:00:00:00:04")),
        _finding("charlie", Severity.MEDIUM),
        _finding("charlie", Severity.LOW),
    ]
    rows = device_rows(devices, findings)
    assert [(r.name, r.attention) for r in rows] == [
        ("delta", Severity.SEVERE),
        ("charlie", Severity.MEDIUM),
        ("bravo", None),
        ("alpha", None),
    ]


def test_cells_say_it_in_words_and_units():
    """Attention as a word, uptime in days and hours, PoE against budget, the update offered."""
    (row,) = device_rows(
        [_device("sw", "00:00:00:00:00:01", upgradable=True, upgrade_to="6.6.65")],
        [_finding("sw", Severity.MEDIUM)],
    )
    assert device_cells(row) == (
        "medium",
        "sw",
        "switch, US8P60",
        "online",
        "3 d 4 h",
        "22 %",
        "61 %",
        "83 °C",
        "16.5 of 52 W",
        "6.6.61 (update: 6.6.65)",
    )


def test_an_offline_device_shows_no_stale_figures():
    """Its last CPU, memory, temperature and PoE are not current: shown as unknown."""
    (row,) = device_rows([_device("ap", "00:00:00:00:00:01", state=DeviceState.DISCONNECTED)], [])
    cells = device_cells(row)
    assert cells[0] == "ok"
    assert cells[3:9] == ("offline", "-", "-", "-", "-", "-")


def test_every_format_has_the_table_and_the_json_is_bounded(snapshot, generated_at):
    """A site with 205 devices: 200 rows and '5 more'; a hostile name is neutralised."""
    devices = tuple(
        _device(f"sw-{n:03d}", f"00:00:00:00:{n // 256:02x}:{n % 256:02x}") for n in range(205)
    )
    hostile = _device("evil\x1b[2J\u202e<b>x</b>", "00:00:00:00:ff:ff")
    snapshot = dataclasses.replace(snapshot, devices=(hostile, *devices))
    report = build_report(snapshot, [], IntegrationResults(), generated_at=generated_at)
    assert (len(report.devices), report.devices_more) == (MAX_DEVICES, 6)
    document = json.loads(render_json(report))
    assert len(document["devices"]) == MAX_DEVICES
    assert document["devices_more"] == 6
    text = render_text(report)
    assert "Devices (206)" in text
    assert "... and 6 more" in text
    assert "evil[U+202E]<b>x</b>" in text
    assert "\x1b" not in text
    markdown = render_markdown(report)
    assert "## Devices (206)" in markdown
    assert "evil\\[U+202E\\]&lt;b&gt;x&lt;/b&gt;" in markdown
    html = render_html(report)
    assert "Devices (206)" in html
    assert "evil[U+202E]&lt;b&gt;x&lt;/b&gt;" in html
