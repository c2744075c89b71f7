"""Benchmark the integration runner.

1. Overhead per integration: N instant integrations through the whole runner (bulkhead,
   persisted breaker, timeout, retry context, watchdog, records) against awaiting their
   ``fetch()`` directly. Target: under 1 ms per integration.
2. Wall time of K integrations that each take ``--slow`` seconds: about one ``--slow``, not K.

Run: ``.venv/bin/python benchmarks/bench_integrations.py [--n 500] [--k 20] [--slow 0.2]``
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

import structlog

from unifi_scanner.integrations import IntegrationRunner
from unifi_scanner.testing import FakeIntegration, MemoryStateStore


async def _direct(fakes: list[FakeIntegration]) -> float:
    started = time.perf_counter()
    for fake in fakes:
        await fake.fetch()
    return time.perf_counter() - started


async def _through_runner(fakes: list[FakeIntegration]) -> float:
    runner = IntegrationRunner(fakes, store=MemoryStateStore(), max_concurrency=len(fakes))
    started = time.perf_counter()
    await runner.run()
    return time.perf_counter() - started


def overhead_per_integration_ms(n: int) -> float:
    fakes = [FakeIntegration(name=f"i{i}") for i in range(n)]
    direct = asyncio.run(_direct(fakes))
    best = min(asyncio.run(_through_runner(fakes)) for _ in range(3))
    return (best - direct) / n * 1000


def parallel_wall_time_s(k: int, slow_s: float) -> float:
    fakes = [FakeIntegration.slow(f"s{i}", slow_s) for i in range(k)]
    return asyncio.run(_through_runner(fakes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="instant integrations")
    parser.add_argument("--k", type=int, default=20, help="slow integrations")
    parser.add_argument("--slow", type=float, default=0.2, help="seconds each slow one takes")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    overhead = overhead_per_integration_ms(args.n)
    verdict = "ok" if overhead < 1.0 else "OVER TARGET"
    print(
        f"runner overhead: {overhead:.3f} ms per integration (n={args.n}; target < 1 ms: {verdict})"
    )
    wall = parallel_wall_time_s(args.k, args.slow)
    print(
        f"{args.k} integrations x {args.slow:g} s each: {wall:.3f} s wall "
        f"(sequential would be {args.k * args.slow:g} s)"
    )


if __name__ == "__main__":
    main()
