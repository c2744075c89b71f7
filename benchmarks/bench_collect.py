"""Collection benchmark: the project's ``Collector`` reads N simulated events through v2 pages.

Run: ``.venv/bin/python benchmarks/bench_collect.py [--events N] [--passes K]``
(default 20,000 events for a quick check; the issue's figure is ``--events 1000000``).

The simulator runs in a child process (uvicorn, plain HTTP on 127.0.0.1, UniFi OS flavour,
Network 10: events only through ``system-log/all`` pages of 1,000, IPS through
``traffic-flows`` pages of 100) serving the generated ``busy-office`` site with ``--events``
events over one day. This process runs ``ControllerClient`` + ``Collector.collect`` over the
whole day, then reads ``snapshot.events`` ``--passes`` times (default 1, as the engine does) and
prints events/s and its own peak RSS (``ru_maxrss``; the simulator's memory is not in it).
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).parent))
from bench_simulator import API_KEY, NOW, serve

from unifi_scanner.collect import Collector, EventSpool, Window
from unifi_scanner.controller import ControllerClient, Flavour


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


async def collect(base_url: str, passes: int) -> None:
    """Collect the whole day and read the events; print the figures."""
    host, port = base_url.removeprefix("http://").split(":")
    window = Window(start=NOW - timedelta(days=1, minutes=1), end=NOW + timedelta(seconds=1))
    rss_before = _rss_mb()
    started = time.perf_counter()
    async with (
        httpx.AsyncClient(timeout=120) as http,
        ControllerClient(
            http,
            host=host,
            port=int(port),
            flavour=Flavour.UNIFI_OS,
            api_key=SecretStr(API_KEY["X-API-KEY"]),
            scheme="http",
        ) as client,
    ):
        collection = await Collector(client, now=lambda: NOW).collect(window=window)
    collected = time.perf_counter() - started
    events = collection.snapshot.events
    counted = 0
    read_started = time.perf_counter()
    for _ in range(passes):
        counted = sum(1 for _ in events)
    read = time.perf_counter() - read_started
    spilled = events.spilled if isinstance(events, EventSpool) else 0
    print(f"collected {counted:,} events ({spilled:,} spilled to disk) in {collected:.1f} s")
    print(f"collection: {counted / collected:,.0f} events/s (pages fetched, normalised, deduped)")
    print(f"reading the stream: {passes} pass(es) in {read:.1f} s")
    for probe in collection.probes:
        print(f"  {probe.name}: {'ok' if probe.ok else 'failed'} {probe.detail[:60]}")
    print(f"collector RSS: {rss_before:.0f} MB before, peak {_rss_mb():.0f} MB")


def main() -> None:
    """Parse the options, run the child simulator and collect from it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="generated events")
    parser.add_argument("--passes", type=int, default=1, help="passes over snapshot.events")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(args.events, child))
    process.start()
    base_url, _ = parent.recv()
    try:
        asyncio.run(collect(base_url, args.passes))
    finally:
        parent.send("stop")
        rss = parent.recv()
        process.join()
    print(f"(simulator child peak RSS: {rss:.0f} MB)")


if __name__ == "__main__":
    main()
