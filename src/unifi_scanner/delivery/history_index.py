"""The report directory's index (``.history/index.json``) and history page (``index.html``).

Every report the file deliverer writes is added to the index (its time, site, counts,
verdict and file names; the same report again replaces its entry, so an outbox retry adds
nothing twice), with each site's longest-standing open findings from its latest report, and
``index.html`` is made again from it. Both are replaced atomically under a file lock, so two
processes writing to one directory never lose an entry. The index keeps the last
:data:`MAX_ENTRIES` reports; the report files themselves are never touched.

A damaged index is set aside (``index.json.damaged``) and a new one started: the page
is a convenience, and the reports are all still there.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any, Final

import structlog
from filelock import FileLock

from unifi_scanner.delivery._atomic import flushed_copy
from unifi_scanner.reports import FILE_EXTENSIONS
from unifi_scanner.reports.history_page import render_history_page
from unifi_scanner.reports.overview import overview

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from pathlib import Path

    from unifi_scanner.reports import Report

__all__ = ["INDEX_DIR", "INDEX_HTML", "INDEX_JSON", "MAX_ENTRIES", "MAX_OPEN", "update_history"]

INDEX_DIR: Final = ".history"
"""Where the index and its lock live, apart from the reports (a ``*.json`` glob of the report
directory finds reports only)."""
INDEX_JSON: Final = "index.json"
INDEX_HTML: Final = "index.html"
MAX_ENTRIES: Final = 5_000
"""Reports the index remembers (about a year of hourly reports of one site is 8,760)."""
MAX_OPEN: Final = 10
"""Open findings listed per site."""
_log = structlog.get_logger(__name__)


def _entry(report: Report, files: Mapping[str, str]) -> dict[str, Any]:
    site = report.site
    label = (
        f"{site.description} ({site.name})"
        if site.description not in {"", site.name}
        else site.name
    )
    return {
        "id": report.id,
        "site": site.name,
        "site_label": label,
        "generated_at": report.generated_at.isoformat(),
        "summary": {
            "severe": report.summary.severe,
            "medium": report.summary.medium,
            "low": report.summary.low,
            "acknowledged": len(report.acknowledged),
        },
        "complete": report.complete,
        "verdict": overview(report).verdict,
        "files": dict(files),
    }


def _open(report: Report) -> list[dict[str, Any]]:
    history = report.history
    if history is None:
        return []
    standing = []
    for finding in report.findings:
        entry = history.of(finding)
        if entry is None or report.is_acknowledged(finding):
            continue
        standing.append((entry.first_reported, -entry.reports_count, finding, entry))
    standing.sort(key=lambda item: (item[0], item[1]))
    return [
        {
            "title": finding.title,
            "severity": str(finding.severity),
            "fingerprint": finding.fingerprint,
            "first_reported": entry.first_reported.isoformat(),
            "reports_count": entry.reports_count,
        }
        for _, _, finding, entry in standing[:MAX_OPEN]
    ]


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"reports": [], "open": {}}
    except (OSError, ValueError) as err:
        _log.warning("report index damaged, starting a new one", path=str(path), error=str(err))
        with contextlib.suppress(OSError):
            path.replace(path.with_name(path.name + ".damaged"))
        return {"reports": [], "open": {}}
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
        return {"reports": [], "open": {}}
    if not isinstance(data.get("open"), dict):
        data["open"] = {}
    return data


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a flushed temporary file and an atomic rename."""
    with flushed_copy(path, text) as temp:
        temp.replace(path)


def update_history(
    directory: Path, report: Report, written: Mapping[str, Path], *, now: datetime
) -> None:
    """Add ``report`` to the directory's index and make the history page again.

    Args:
        directory: the report directory.
        report: the report just written.
        written: its files, by format.
        now: the time the page says it was updated.
    """
    files = {fmt: path.name for fmt, path in written.items() if fmt in FILE_EXTENSIONS}
    home = directory / INDEX_DIR
    home.mkdir(exist_ok=True)
    with FileLock(str(home / "lock"), timeout=30):
        index = _load(home / INDEX_JSON)
        reports = [
            e for e in index["reports"] if not (isinstance(e, dict) and e.get("id") == report.id)
        ]
        reports.append(_entry(report, files))
        reports.sort(key=lambda e: str(e.get("generated_at") or "") if isinstance(e, dict) else "")
        index["reports"] = reports[-MAX_ENTRIES:]
        if report.history is not None:
            index["open"][report.site.name] = _open(report)
        _replace(home / INDEX_JSON, json.dumps(index, ensure_ascii=True, indent=1) + "\n")
        page = render_history_page(index, now=now, timezone=report.timezone)
        _replace(directory / INDEX_HTML, page)
