"""Throughput and peak memory of the analysis engine over generated events.

Run: ``.venv/bin/python benchmarks/bench_analysis.py [N]`` (default 1,000,000 events).
Events are generated lazily, so the peak memory is the engine's own.
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from unifi_scanner.analysis import Engine
from unifi_scanner.collect.models import (
    ControllerInfo,
    Event,
    EventSource,
    Flavour,
    Site,
    Snapshot,
    Window,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

NOW = datetime(2026, 1, 5, tzinfo=UTC)
_FAMILIES = ("DROP", "SCAN", "CINS", "TOR", "DSHIELD", "MALWARE", "POLICY")


def _events(count: int) -> Iterator[Event]:
    rng = random.Random(7)
    start = NOW - timedelta(days=1)
    for i in range(count):
        when = start + timedelta(seconds=i * 86_400 / count)
        pick = i % 4
        if pick == 0:
            yield Event(
                id=str(i),
                key="EVT_WU_Roam",
                source=EventSource.CLASSIC,
                time=when,
                params={
                    "user": f"00:00:00:01:{rng.randrange(20):02x}:{rng.randrange(256):02x}",
                    "ap_from": "00:00:00:00:00:0a",
                    "ap_to": "00:00:00:00:00:0b",
                },
            )
        elif pick in {1, 2}:
            family = rng.choice(_FAMILIES)
            inside = family == "MALWARE"
            yield Event(
                id=str(i),
                key="EVT_IPS_IpsAlert",
                source=EventSource.IPS,
                time=when,
                params={
                    "src_ip": f"192.168.1.{rng.randrange(254)}"
                    if inside
                    else f"{rng.randrange(1, 223)}.{rng.randrange(256)}.0.{rng.randrange(256)}",
                    "dest_ip": "54.36.1.1" if inside else "192.168.1.2",
                    "inner_alert_action": rng.choice(("blocked", "allowed")),
                    "inner_alert_signature": f"ET {family} generated {rng.randrange(50)}",
                    "inner_alert_signature_id": 2400000 + rng.randrange(1000),
                },
            )
        else:
            yield Event(
                id=str(i),
                key=rng.choice(("EVT_SW_Lost_Contact", "EVT_XX_Unknown", "EVT_WU_Connected")),
                source=EventSource.CLASSIC,
                time=when,
                params={
                    "sw": f"00:00:00:00:02:{rng.randrange(30):02x}",
                    "user": "00:00:00:00:00:01",
                },
            )


def _snapshot(count: int) -> Snapshot:
    return Snapshot(
        site=Site(id="s", name="default", description="bench"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
        events=_events(count),  # type: ignore[arg-type]  # the engine only iterates once
    )


def main() -> None:
    """Time one run, then measure peak memory in a second run under tracemalloc."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    engine = Engine(now=lambda: NOW)
    started = time.perf_counter()
    findings = engine.analyze(_snapshot(count))
    elapsed = time.perf_counter() - started
    print(f"events: {count:,}  findings: {len(findings)}  time: {elapsed:.1f} s")
    print(f"throughput: {count / elapsed:,.0f} events/s (including generating the events)")
    tracemalloc.start()
    engine.analyze(_snapshot(count))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory while analysing: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
