"""The chaos test (#11): faults of every kind over many scans; every promise checked at the end.

Each seed gives a reproducible plan (printed on failure with each scan's exit status): see
``chaos.py``. CI runs three fixed seeds; ``benchmarks/bench_chaos.py`` runs longer plans on more
events. Whatever the plan did, after two calm scans:

* every event of the covered period is in exactly one delivered report;
* every report reached every channel (files, webhook, e-mail), and each channel holds one
  version of it (a repeat after a scan was killed mid-delivery carries the same id and
  content, so a receiver honouring ``Idempotency-Key`` or ``Message-ID`` keeps it once);
* the state store is intact, nothing waits in the outbox, every feed's mark is at the end.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from .chaos import REQUIRED, Chaos, plan

pytestmark = pytest.mark.e2e

#: The CI seeds; CHAOS_SEEDS (comma-separated) replaces them.
SEEDS = tuple(int(s) for s in os.environ.get("CHAOS_SEEDS", "11,23,57").split(","))
SCANS = int(os.environ.get("CHAOS_SCANS", "20"))
EVENTS_PER_DAY = int(os.environ.get("CHAOS_EVENTS_PER_DAY", "48000"))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_plan_holds_every_kind_of_fault(seed):
    """A plan, whatever its seed, holds each required kind; the same seed, the same plan."""
    steps = plan(seed, SCANS)
    assert len(steps) == SCANS
    assert set(REQUIRED) <= {kind for step in steps for kind in step.kinds}
    assert [s.describe() for s in steps] == [s.describe() for s in plan(seed, SCANS)]
    assert steps != plan(seed + 1, SCANS)


@pytest.mark.parametrize("seed", SEEDS)
async def test_nothing_lost_nothing_twice_under_chaos(seed, tmp_path):
    """A seeded plan of faults over successive windows; then every promise is checked."""
    async with Chaos(seed, SCANS, tmp_path, events_per_day=EVENTS_PER_DAY) as chaos:
        async with asyncio.timeout(600):
            await chaos.run()
        broken = chaos.verdict()
    if os.environ.get("CHAOS_STORY"):
        print(chaos.story())  # noqa: T201 - asked for (benchmarks/bench_chaos.py)
    assert broken == [], "\n".join([*broken, chaos.story()])
