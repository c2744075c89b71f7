"""The benchmarks still run (tiny sizes, nothing timed): they are how speed claims are checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _run(name: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _findings(output: str) -> int:
    match = re.search(r"findings\s+(\d+)", output)
    assert match, output
    return int(match.group(1))


def test_analysis_benchmark_gives_the_same_findings_with_two_workers():
    """Splitting the pages between two processes and merging changes no finding count."""
    one = _run("bench_analysis.py", "3000")
    two = _run("bench_analysis.py", "--workers", "2", "3000")
    assert "3,000 events" in one
    assert _findings(one) == _findings(two) > 0


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("bench_collect.py", ("--events", "500"), "events/s"),
        ("bench_simulator.py", ("--events", "500"), "entries/s"),
        ("bench_integrations.py", ("--n", "5", "--k", "2", "--slow", "0.01"), "integrations"),
    ],
)
def test_other_benchmarks_run(name, args, expected):
    """Each benchmark runs to the end on a tiny input and prints its figures."""
    assert expected in _run(name, *args)
