"""FileDeliverer: names, atomic writes, and errors as DeliveryError(channel="file")."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from unifi_scanner.delivery import Deliverer, FileDeliverer, report_file_name
from unifi_scanner.errors import DeliveryError
from unifi_scanner.reports import build_report

from .conftest import REPORT_ID


def _reports(directory):
    """The report files of a directory (its index and history page left out)."""
    return sorted(p for p in directory.iterdir() if p.name.startswith("unifi-report-"))


async def test_writes_each_format_into_a_new_directory(tmp_path, report, rendered):
    """Each format is written under its own name into a directory created on demand."""
    target = tmp_path / "out" / "reports"
    deliverer = FileDeliverer(target, formats=["html", "json", "text", "markdown"])
    receipt = await deliverer.deliver(report, rendered)
    stem = f"unifi-report-default-20261126T060005Z-{REPORT_ID}"
    names = [f"{stem}.html", f"{stem}.json", f"{stem}.txt", f"{stem}.md"]
    assert receipt.channel == "file"
    assert receipt.destinations == tuple(str(target / name) for name in names)
    assert sorted(p.name for p in _reports(target)) == sorted(names)
    assert (target / names[0]).read_text(encoding="utf-8") == "<p>file</p>"


async def test_default_formats_are_html_and_json(tmp_path, report, rendered):
    """Without formats, the HTML and JSON reports are written."""
    deliverer = FileDeliverer(tmp_path)
    assert deliverer.formats == ("html", "json")
    assert deliverer.directory == tmp_path
    await deliverer.deliver(report, rendered)
    assert sorted(p.suffix for p in _reports(tmp_path)) == [".html", ".json"]


async def test_two_reports_in_one_second_keep_both_files(tmp_path, make_report, rendered):
    """Reports made in one second have their own ids: neither file replaces the other (#11)."""
    deliverer = FileDeliverer(tmp_path, formats=["text"])
    await deliverer.deliver(make_report(report_id=None), rendered)
    await deliverer.deliver(make_report(report_id=None), {**rendered, "text": "second\n"})
    texts = sorted(p.read_text(encoding="utf-8") for p in _reports(tmp_path))
    assert texts == ["hi\n", "second\n"]


async def test_an_existing_file_is_never_replaced(tmp_path, report, rendered):
    """A report id whose file holds other text fails, keeps the first file, leaves no temp."""
    deliverer = FileDeliverer(tmp_path, formats=["text"])
    await deliverer.deliver(report, rendered)
    with pytest.raises(DeliveryError, match="could not write"):
        await deliverer.deliver(report, {**rendered, "text": "second\n"})
    assert [p.read_text(encoding="utf-8") for p in _reports(tmp_path)] == ["hi\n"]


async def test_writing_the_same_report_again_is_delivered_once(tmp_path, report, rendered):
    """A retry of a report whose file an interrupted attempt wrote succeeds with one file."""
    deliverer = FileDeliverer(tmp_path, formats=["text", "json"])
    (tmp_path / report_file_name(report, "text")).write_text("hi\n", encoding="utf-8")
    receipt = await deliverer.deliver(report, rendered)
    assert sorted(p.name for p in _reports(tmp_path)) == sorted(
        Path(d).name for d in receipt.destinations
    )
    assert [p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.txt"))] == ["hi\n"]


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("../../etc", f"unifi-report-etc-20261126T060005Z-{REPORT_ID}.txt"),
        ("a/b c", f"unifi-report-a_b_c-20261126T060005Z-{REPORT_ID}.txt"),
        ("..", f"unifi-report-site-20261126T060005Z-{REPORT_ID}.txt"),
    ],
)
def test_untrusted_site_name_cannot_leave_the_directory(make_report, site, expected):
    """Separators, dots and spaces in a site name become underscores; nothing left is 'site'."""
    assert report_file_name(make_report(site), "text") == expected


def test_file_name_uses_utc_whatever_the_zone(make_report):
    """The timestamp in the name is UTC even when the report is shown in another zone."""
    from zoneinfo import ZoneInfo

    from unifi_scanner.collect.models import Snapshot
    from unifi_scanner.integrations.base import IntegrationResults

    base = make_report()
    snapshot = Snapshot(site=base.site, controller=base.controller, window=base.period)
    report = build_report(
        snapshot,
        [],
        IntegrationResults(),
        generated_at=datetime(2026, 11, 26, 7, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        timezone="Europe/Berlin",
        report_id=REPORT_ID,
    )
    assert report_file_name(report, "json") == (
        f"unifi-report-default-20261126T060000Z-{REPORT_ID}.json"
    )


async def test_missing_rendering_raises_delivery_error(tmp_path, report):
    """A format that was not rendered fails as DeliveryError naming the channel and format."""
    with pytest.raises(DeliveryError, match="json") as caught:
        await FileDeliverer(tmp_path).deliver(report, {"html": ""})
    assert caught.value.channel == "file"
    assert list(tmp_path.iterdir()) == []


async def test_unwritable_directory_raises_delivery_error(tmp_path, report, rendered):
    """A directory path that is a file fails as DeliveryError chained to the OSError."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(DeliveryError) as caught:
        await FileDeliverer(blocker / "sub").deliver(report, rendered)
    assert caught.value.channel == "file"
    assert isinstance(caught.value.__cause__, OSError)


async def test_failed_write_removes_its_temporary_file(tmp_path, report, rendered, monkeypatch):
    """When writing fails midway, neither the report nor a temporary file is left behind."""

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(DeliveryError, match="No space left"):
        await FileDeliverer(tmp_path, formats=["text"]).deliver(report, rendered)
    assert list(tmp_path.iterdir()) == [], "no report, no temporary file, no index"


@pytest.mark.parametrize("formats", [["pdf"], []])
def test_unknown_or_no_format_is_rejected(tmp_path, formats):
    """Asking for an unknown format, or none, is a programming error."""
    with pytest.raises(ValueError, match="formats"):
        FileDeliverer(tmp_path, formats=formats)


def test_file_deliverer_is_a_deliverer(tmp_path):
    """FileDeliverer satisfies the Deliverer Protocol and is named 'file'."""
    deliverer = FileDeliverer(tmp_path)
    assert isinstance(deliverer, Deliverer)
    assert deliverer.name == "file"
