"""Simulator benchmark: serve N generated events over v2 ``system-log`` pages on a real socket.

Run: ``.venv/bin/python benchmarks/bench_simulator.py [--events N] [--page-size P]``
(default 20,000 events for a quick check; the issue's figure is ``--events 1000000``).

The simulator runs in a child process (uvicorn, plain HTTP on 127.0.0.1, UniFi OS flavour,
Network 10, the generated ``busy-office`` site with ``--events`` events over one day). The parent
pages through ``POST /proxy/network/v2/api/site/default/system-log/all`` with plain httpx and an
API key, checks every page, and prints the time taken and the child's peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss`` measured inside the child after serving) and its
RSS before the first page. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
API_KEY = {"X-API-KEY": "sim-readonly-api-key"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def serve(events: int, pipe: Connection) -> None:
    """Child process: run the simulator until the parent says stop, then report peak RSS."""
    from unifi_scanner.simulator import SimulatorServer, generated_config  # noqa: PLC0415 - child only

    async def main() -> None:
        config = generated_config(events_per_day=events, days=1, network=10, now=lambda: NOW)
        async with SimulatorServer(config) as server:
            pipe.send((server.base_url, _rss_mb()))
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
            pipe.send(_rss_mb())

    asyncio.run(main())


async def fetch_all(base_url: str, page_size: int) -> tuple[int, int]:
    """Page through system-log/all; return (entries, pages)."""
    url = f"{base_url}/proxy/network/v2/api/site/default/system-log/all"
    received, pages, last_time = 0, 0, None
    async with httpx.AsyncClient(headers=API_KEY, timeout=60) as http:
        number = 0
        while True:
            body = {"pageNumber": number, "pageSize": page_size, "timestampFrom": 0}
            reply = (await http.post(url, json=body)).raise_for_status().json()
            data = reply["data"]
            times = [entry["timestamp"] for entry in data]
            if times != sorted(times, reverse=True) or (last_time and times[0] > last_time):
                raise SystemExit("pages are not newest first")
            last_time = times[-1] if times else last_time
            received += len(data)
            pages += 1
            number += 1
            if number >= reply["total_page_count"]:
                return received, pages


def main() -> None:
    """Parse the options, run the child simulator and page through it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="generated events")
    parser.add_argument("--page-size", type=int, default=1000, help="system-log pageSize")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(args.events, child))
    process.start()
    base_url, rss_start = parent.recv()
    started = time.perf_counter()
    received, pages = asyncio.run(fetch_all(base_url, args.page_size))
    elapsed = time.perf_counter() - started
    parent.send("stop")
    rss_peak = parent.recv()
    process.join()
    print(f"served {received:,} system-log entries in {pages:,} pages of {args.page_size}")
    print(f"time: {elapsed:.1f} s, {received / elapsed:,.0f} entries/s (HTTP on 127.0.0.1)")
    print(f"simulator RSS: {rss_start:.0f} MB before the first page, peak {rss_peak:.0f} MB")


if __name__ == "__main__":
    main()
