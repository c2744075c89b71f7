"""The report directory's index.json and history page: every report once, bounded, safe."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import timedelta

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.delivery import FileDeliverer, history_index
from unifi_scanner.history import Acknowledgement, track
from unifi_scanner.reports import new_report_id


def _at(report, minutes: int):
    when = report.generated_at + timedelta(minutes=minutes)
    return dataclasses.replace(report, generated_at=when, id=new_report_id(when))


async def _deliver(directory, report, rendered):
    return await FileDeliverer(directory, formats=["html", "json", "text"]).deliver(
        report, rendered
    )


def _index(directory):
    return json.loads((directory / ".history" / "index.json").read_text(encoding="utf-8"))


async def test_every_report_once_in_time_order_with_links(tmp_path, busy_report, rendered):
    """Three reports (the second delivered twice, as an outbox retry would): three entries."""
    reports = [_at(busy_report, m) for m in (0, 60, 120)]
    for item in (reports[0], reports[1], reports[1], reports[2]):
        await _deliver(tmp_path, item, rendered)
    index = _index(tmp_path)
    assert [e["id"] for e in index["reports"]] == [r.id for r in reports]
    first = index["reports"][0]
    assert first["summary"] == {"severe": 2, "medium": 2, "low": 3, "acknowledged": 0}
    assert set(first["files"]) == {"html", "json", "text"}
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Reports (3)" in page
    for item in reports:
        for fmt, name in _index(tmp_path)["reports"][reports.index(item)]["files"].items():
            assert f'href="{name}"' in page, fmt
            assert (tmp_path / name).exists()
    assert "<script" not in page


async def test_the_index_is_bounded(tmp_path, report, rendered, monkeypatch):
    """Beyond MAX_ENTRIES the oldest entries go (the report files stay)."""
    monkeypatch.setattr(history_index, "MAX_ENTRIES", 2)
    reports = [_at(report, m) for m in (0, 1, 2)]
    for item in reports:
        await _deliver(tmp_path, item, rendered)
    assert [e["id"] for e in _index(tmp_path)["reports"]] == [r.id for r in reports[1:]]
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("unifi-report-")]) == 9


async def test_a_damaged_index_is_set_aside_and_started_again(tmp_path, report, rendered):
    """Garbage in index.json: kept as index.json.damaged, a new index with this report."""
    (tmp_path / ".history").mkdir()
    (tmp_path / ".history" / "index.json").write_text("{not json", encoding="utf-8")
    receipt = await _deliver(tmp_path, report, rendered)
    assert len(receipt.destinations) == 3, "the report is delivered all the same"
    assert [e["id"] for e in _index(tmp_path)["reports"]] == [report.id]
    assert (tmp_path / ".history" / "index.json.damaged").read_text(encoding="utf-8") == "{not json"


async def test_a_failing_page_never_fails_the_delivery(tmp_path, report, rendered, monkeypatch):
    """The page could not be made: the report files are written and the delivery succeeds."""

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(history_index, "_replace", broken)
    receipt = await _deliver(tmp_path, report, rendered)
    assert len(receipt.destinations) == 3


async def test_longest_standing_open_findings_and_hostile_text(tmp_path, busy_report, rendered):
    """Open findings come from the latest report's history, oldest first; text is escaped."""
    hostile = Finding(
        rule="x.y",
        severity=Severity.SEVERE,
        title="<script>alert(1)</script>\u202e",
        explanation="e",
        subject="s",
    )
    report = busy_report
    findings = [*report.findings, hostile]
    earlier = report.generated_at - timedelta(days=3)
    old = track(findings[:1], {}, {}, earlier)
    quiet = findings[1]
    acks = {
        quiet.fingerprint: Acknowledgement(
            fingerprint=quiet.fingerprint, severity=quiet.severity, at=earlier
        ).as_record()
    }
    history = track(findings, dict(old.records), acks, report.generated_at)
    tracked = dataclasses.replace(report, findings=tuple(findings), history=history)
    await _deliver(tmp_path, tracked, rendered)
    (listed, *rest) = _index(tmp_path)["open"]["default"]
    assert listed["fingerprint"] == findings[0].fingerprint, "the oldest first"
    assert quiet.fingerprint not in {item["fingerprint"] for item in rest}, "acknowledged: quiet"
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Longest-standing open findings" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;[U+202E]" in page
    assert "\u202e" not in (tmp_path / ".history" / "index.json").read_text(encoding="utf-8")


def test_two_processes_writing_at_once_lose_no_entry(tmp_path, report):
    """Eight writers at once (threads, one file lock): eight entries, a page that lists them."""
    reports = [_at(report, m) for m in range(8)]
    written = {"json": tmp_path / "x.json"}
    errors: list[BaseException] = []

    def write(item) -> None:
        try:
            history_index.update_history(tmp_path, item, written, now=item.generated_at)
        except BaseException as err:  # noqa: BLE001 (collected for the assertion)
            errors.append(err)

    threads = [threading.Thread(target=write, args=(item,)) for item in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(e["id"] for e in _index(tmp_path)["reports"]) == sorted(r.id for r in reports)
    assert "Reports (8)" in (tmp_path / "index.html").read_text(encoding="utf-8")
