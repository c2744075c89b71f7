"""One scan of the chaos test, in a process of its own (run as a script by ``chaos.py``).

Usage: ``python chaos_child.py AT LEDGER_DIR`` with the scanner configured by ``UNIFI_*``
variables, as for ``unifi-scanner run``. It scans once as if the time were ``AT`` (ISO 8601)
and, for each report it builds, writes the occurrences that report covers to
``LEDGER_DIR/<report id>.json`` before the report is stored or sent: the ledger the test
compares with the simulator's ground truth. Exit status as ``unifi-scanner run``: 0 ok,
1 failed, 3 delivered but incomplete, 4 another scan held the state file.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import stamina
from rig import occurrence  # this script's own directory is on sys.path

from unifi_scanner import app
from unifi_scanner.analysis import Engine
from unifi_scanner.app import scan as scan_module
from unifi_scanner.config import load_settings
from unifi_scanner.errors import ScanBusyError, ScannerError
from unifi_scanner.logging import configure_logging


def _ledger(directory: Path) -> None:
    """Record each report's occurrences (the engine sees exactly what the report covers)."""
    analysed: list[list[str]] = []
    build = scan_module.build_report

    class Spy(Engine):
        def run(self, snapshot: Any) -> Any:  # the scan's one analysis call
            analysed.append([occurrence(event) for event in snapshot.events])
            return super().run(snapshot)

    def build_and_record(*args: Any, **kwargs: Any) -> Any:
        report = build(*args, **kwargs)
        temporary = directory / f".{report.id}.tmp"
        temporary.write_text(json.dumps(analysed[-1]), encoding="utf-8")
        temporary.replace(directory / f"{report.id}.json")
        return report

    scan_module.Engine = Spy  # type: ignore[misc]
    scan_module.build_report = build_and_record


def main(at_text: str, ledger_dir: str) -> int:
    """Scan once at ``at_text``; return the exit status."""
    at = datetime.fromisoformat(at_text)
    _ledger(Path(ledger_dir))
    settings = load_settings(None)
    configure_logging(level=settings.log_level, fmt="json")
    # Retries happen without waiting (the faults are many, the test must stay quick).
    with stamina.set_testing(True, attempts=3):
        try:
            outcomes = asyncio.run(app.run_once(settings, now=lambda: at))
        except ScanBusyError:
            return 4
        except ScannerError as err:
            print(f"scan failed: {err}", file=sys.stderr)  # noqa: T201
            return 1
    if any(outcome.problems for outcome in outcomes):
        return 1
    return 0 if all(outcome.complete for outcome in outcomes) else 3


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]) if len(sys.argv) == 3 else os.EX_USAGE)
