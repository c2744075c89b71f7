"""The long chaos run (#11): the CI chaos test with more scans, more events and more seeds.

Run: ``.venv/bin/python benchmarks/bench_chaos.py [--seeds 101,202] [--scans 60]
[--events-per-day 200000]`` (defaults as shown; CI runs 3 seeds of 20 scans at 48,000 a day).
It prints each plan with every scan's exit status and time.

It runs ``tests/e2e/test_e2e_chaos.py`` through pytest with those sizes: per seed a reproducible
plan of controller faults, kills, channel outages and concurrent scans, each scan a process of
its own, then every promise checked against the simulator's ground truth (see the test's
docstring). It prints the verdict, the wall and CPU time of the whole run, the events per second
of scanned time and the peak memory of the largest scanner process. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Run the chaos test at the given size; print the figures; exit as pytest did."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="101,202", help="comma-separated seeds")
    parser.add_argument("--scans", type=int, default=60, help="scans per plan (at least 15)")
    parser.add_argument("--events-per-day", type=int, default=200_000)
    args = parser.parse_args()
    seeds = [s for s in args.seeds.split(",") if s]
    env = os.environ | {
        "CHAOS_SEEDS": ",".join(seeds),
        "CHAOS_SCANS": str(args.scans),
        "CHAOS_EVENTS_PER_DAY": str(args.events_per_day),
        "CHAOS_STORY": "1",
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-s",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "--no-cov",
        "tests/e2e/test_e2e_chaos.py",
    ]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(  # noqa: S603 - our own interpreter and test file
        command, cwd=ROOT, env=env, check=False, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage.ru_utime - before.ru_utime) + (usage.ru_stime - before.ru_stime)
    events = round(args.events_per_day * args.scans / 24) * len(seeds)
    print(done.stdout)
    print(
        f"seeds {','.join(seeds)}: {args.scans} scans each over {events:,} events in all\n"
        f"wall {wall:.1f} s, CPU {cpu:.1f} s (every process), {events / wall:,.0f} events/s\n"
        f"peak memory of one process {usage.ru_maxrss / 1024:.0f} MB\n"
        f"verdict: {'every promise held' if done.returncode == 0 else 'BROKEN (see above)'}"
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
