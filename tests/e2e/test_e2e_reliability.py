"""Nothing lost, nothing twice (#11): each way a report could vanish or repeat, tried for real.

Every test scans the simulated controller over a real TLS socket with a frozen clock.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unifi_scanner import app
from unifi_scanner.reports import REPORT_ID

from .conftest import frozen_now

pytestmark = pytest.mark.e2e


def _json_report(outcome: app.ScanOutcome) -> dict:
    path = next(Path(p) for p in outcome.files if p.endswith(".json"))
    return json.loads(path.read_text(encoding="utf-8"))


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_two_runs_in_one_second_keep_both_reports(settings):
    """Two scans made in the same second write two sets of files; neither replaces the other."""
    (first,) = await app.run_once(settings, now=frozen_now)
    (second,) = await app.run_once(settings, now=frozen_now)
    assert first.report.id != second.report.id
    assert REPORT_ID.fullmatch(first.report.id)
    assert set(first.files).isdisjoint(second.files)
    assert len(_names(settings.output_dir)) == len(first.files) + len(second.files) == 8
    kept = _json_report(first)
    assert kept["report_id"] == first.report.id
    assert kept["findings"], "the first report's findings are still on disk"
