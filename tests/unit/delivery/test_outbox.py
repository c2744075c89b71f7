"""The Outbox: failed deliveries are kept, re-sent once, never sent twice, dropped when stale."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from unifi_scanner.delivery import (
    OUTBOX_NAMESPACE,
    CapturingDeliverer,
    Outbox,
    report_id,
)
from unifi_scanner.errors import DeliveryError, StateError
from unifi_scanner.reports import new_report_id
from unifi_scanner.reports.identity import stable_report_id
from unifi_scanner.testing import MemoryStateStore

RENDERED = {"html": "<p>r</p>", "json": "{}\n", "markdown": "# r\n", "text": "r\n"}
START = datetime(2026, 11, 26, 6, 0, 10, tzinfo=UTC)


class Clock:
    """A clock that stands still until moved."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(name="store")
def store_fixture():
    """An empty in-memory state store."""
    return MemoryStateStore()


@pytest.fixture(name="clock")
def clock_fixture():
    """A frozen clock at START."""
    return Clock()


def _down(name: str = "smtp") -> CapturingDeliverer:
    return CapturingDeliverer(name, error=DeliveryError("server down", channel=name))


def _later(report, hours: int):
    """The same site's report of a window ending ``hours`` later."""
    period = dataclasses.replace(report.period, end=report.period.end + timedelta(hours=hours))
    later = report.generated_at + timedelta(hours=hours)
    return dataclasses.replace(
        report, period=period, generated_at=later, id=stable_report_id(later, report.id)
    )


def test_report_id_is_the_reports_own_id(report):
    """The outbox keys a report by its own id, so two reports of one window stay apart."""
    assert report_id(report) == report.id
    twin = dataclasses.replace(report, id=new_report_id(report.generated_at))
    assert report_id(twin) != report_id(report)


async def test_success_delivers_and_remembers(store, clock, busy_report):
    """A working channel gets the report; nothing waits; the outcome is secured."""
    good = CapturingDeliverer("file")
    result = await Outbox(store, clock).deliver(busy_report, RENDERED, [good])
    assert [r.channel for r in result.receipts] == ["file"]
    assert result.problems == ()
    assert result.secured
    assert len(good.deliveries) == 1
    assert Outbox(store, clock).pending() == []


async def test_failure_is_kept_and_the_others_still_deliver(store, clock, busy_report):
    """A failing channel's report is kept with attempt count and error; other channels deliver."""
    good = CapturingDeliverer("file")
    result = await Outbox(store, clock).deliver(busy_report, RENDERED, [_down(), good])
    assert [r.channel for r in result.receipts] == ["file"]
    assert result.queued == (f"smtp/{report_id(busy_report)}",)
    assert result.secured
    assert result.problems == ("delivery by smtp failed (kept for the next run): server down",)
    (entry,) = Outbox(store, clock).pending()
    assert (entry.channel, entry.attempts, entry.last_error) == ("smtp", 1, "server down")
    assert entry.created_at == START


async def test_next_flush_resends_once_with_the_same_report(store, clock, busy_report):
    """The next run's flush sends the kept report once, with its texts and metadata."""
    await Outbox(store, clock).deliver(busy_report, RENDERED, [_down()])
    clock.now += timedelta(hours=1)
    smtp = CapturingDeliverer("smtp")
    outbox = Outbox(store, clock)
    result = await outbox.flush([smtp])
    assert [r.channel for r in result.receipts] == ["smtp"]
    (sent,) = smtp.deliveries
    assert sent.rendered == RENDERED
    assert sent.report.summary == busy_report.summary
    assert sent.report.findings == busy_report.findings
    assert sent.report.site == busy_report.site
    assert sent.report.period == busy_report.period
    assert sent.report.generated_at == busy_report.generated_at
    assert outbox.pending() == []
    again = await Outbox(store, clock).flush([smtp])
    assert again.receipts == ()
    assert len(smtp.deliveries) == 1


async def test_delivered_report_is_not_sent_again(store, clock, busy_report):
    """Delivering the same report id twice sends it once per channel."""
    good = CapturingDeliverer("file")
    await Outbox(store, clock).deliver(busy_report, RENDERED, [good])
    result = await Outbox(store, clock).deliver(busy_report, RENDERED, [good])
    assert result.skipped == ("file",)
    assert result.receipts == ()
    assert len(good.deliveries) == 1


async def test_flushed_report_is_not_delivered_again_by_deliver(store, clock, busy_report):
    """A report re-sent by flush is skipped when the same report comes through deliver."""
    await Outbox(store, clock).deliver(busy_report, RENDERED, [_down()])
    smtp = CapturingDeliverer("smtp")
    outbox = Outbox(store, clock)
    await outbox.flush([smtp])
    result = await outbox.deliver(busy_report, RENDERED, [smtp])
    assert result.skipped == ("smtp",)
    assert len(smtp.deliveries) == 1


async def test_flush_is_oldest_first(store, clock, report):
    """Waiting reports are re-sent in the order they first failed."""
    for hours in (0, 1, 2):
        await Outbox(store, clock).deliver(_later(report, hours), RENDERED, [_down()])
        clock.now += timedelta(minutes=10)
    smtp = CapturingDeliverer("smtp")
    await Outbox(store, clock).flush([smtp])
    ends = [d.report.period.end for d in smtp.deliveries]
    assert ends == [report.period.end + timedelta(hours=h) for h in (0, 1, 2)]


async def test_channel_failing_in_flush_defers_new_reports(store, clock, report):
    """When a retry fails, that channel is not tried again this run; the new report queues."""
    await Outbox(store, clock).deliver(report, RENDERED, [_down()])
    clock.now += timedelta(hours=1)
    smtp = _down()
    outbox = Outbox(store, clock)
    flushed = await outbox.flush([smtp])
    result = await outbox.deliver(_later(report, 1), RENDERED, [smtp])
    assert len(smtp.deliveries) == 1
    assert flushed.queued == (f"smtp/{report_id(report)}",)
    assert "deferred" in result.problems[0]
    assert result.secured
    assert [(e.report_id, e.attempts) for e in outbox.pending()] == [
        (report_id(report), 2),
        (report_id(_later(report, 1)), 0),
    ]


async def test_attempts_exhausted_drops_with_an_error_log(store, clock, report):
    """After max_attempts failures the report is dropped, logged as an error, and counted lost."""
    await Outbox(store, clock, max_attempts=2).deliver(report, RENDERED, [_down()])
    with capture_logs() as logs:
        result = await Outbox(store, clock, max_attempts=2).flush([_down()])
    key = f"smtp/{report_id(report)}"
    assert result.lost == (key,)
    assert not result.secured
    assert "given up (2 attempts failed): server down" in result.problems[0]
    assert any(log["log_level"] == "error" and log["channel"] == "smtp" for log in logs)
    assert store.get_record(OUTBOX_NAMESPACE, key)["status"] == "dropped"
    assert "rendered" not in store.get_record(OUTBOX_NAMESPACE, key)
    smtp = CapturingDeliverer("smtp")
    await Outbox(store, clock).flush([smtp])
    assert smtp.deliveries == []


async def test_too_old_is_dropped_without_trying(store, clock, report):
    """A report waiting longer than max_age is dropped, not sent."""
    await Outbox(store, clock).deliver(report, RENDERED, [_down()])
    clock.now += timedelta(days=4)
    smtp = CapturingDeliverer("smtp")
    result = await Outbox(store, clock, max_age=timedelta(days=3)).flush([smtp])
    assert smtp.deliveries == []
    assert len(result.lost) == 1


async def test_unconfigured_channel_keeps_waiting(store, clock, report):
    """A report for a channel absent from this run stays in the outbox."""
    await Outbox(store, clock).deliver(report, RENDERED, [_down()])
    result = await Outbox(store, clock).flush([CapturingDeliverer("file")])
    assert result.receipts == ()
    assert len(Outbox(store, clock).pending()) == 1


async def test_single_attempt_policy_drops_immediately(store, clock, report):
    """With max_attempts=1 a failed delivery is lost at once."""
    result = await Outbox(store, clock, max_attempts=1).deliver(report, RENDERED, [_down()])
    assert not result.secured
    assert Outbox(store, clock).pending() == []


async def test_store_refusing_the_record_is_lost(store, clock, report, monkeypatch):
    """When the failed report cannot be stored, the outcome is not secured."""

    def refuse(*_args):
        raise StateError("disk full")

    monkeypatch.setattr(store, "put_record", refuse)
    result = await Outbox(store, clock).deliver(report, RENDERED, [_down()])
    assert not result.secured
    assert "could not be kept" in result.problems[-1]


async def test_broken_record_is_dropped(store, clock):
    """A pending record that cannot be read back is dropped instead of blocking the outbox."""
    store.put_record(
        OUTBOX_NAMESPACE,
        "smtp/x",
        {
            "status": "pending",
            "channel": "smtp",
            "report_id": "x",
            "created_at": START.isoformat(),
            "attempts": 1,
            "last_error": "e",
            "report": {},
            "rendered": {},
        },
    )
    smtp = CapturingDeliverer("smtp")
    result = await Outbox(store, clock).flush([smtp])
    assert smtp.deliveries == []
    assert result.lost == ("smtp/x",)


async def test_deliverer_without_rendered_formats_is_left_out(store, clock, report):
    """A deliverer none of whose formats was rendered is neither tried nor queued."""
    html_only = CapturingDeliverer("file", formats=("html",))
    result = await Outbox(store, clock).deliver(report, {"json": "{}"}, [html_only])
    assert result == type(result)()
    assert html_only.deliveries == []


def test_bad_limits_are_rejected(store, clock):
    """max_attempts and flush_limit must be positive."""
    with pytest.raises(ValueError, match="at least 1"):
        Outbox(store, clock, max_attempts=0)


async def test_flush_limit_bounds_one_run(store, clock, report):
    """One flush tries at most flush_limit reports."""
    for hours in range(3):
        await Outbox(store, clock).deliver(_later(report, hours), RENDERED, [_down()])
    smtp = CapturingDeliverer("smtp")
    await Outbox(store, clock, flush_limit=2).flush([smtp])
    assert len(smtp.deliveries) == 2
    assert len(Outbox(store, clock).pending()) == 1


async def test_unreadable_outbox_is_a_problem_not_a_crash(store, clock, monkeypatch):
    """A flush whose store cannot be read reports one problem and sends nothing."""

    def refuse(*_args):
        raise StateError("locked")

    monkeypatch.setattr(store, "records", refuse)
    result = await Outbox(store, clock).flush([CapturingDeliverer("smtp")])
    assert result.problems == ("the outbox could not be read: locked",)


async def test_settled_records_are_forgotten_after_max_age(store, clock, busy_report):
    """Delivered marks older than max_age are deleted at the next flush; fresh ones stay."""
    good = CapturingDeliverer("file")
    await Outbox(store, clock).deliver(busy_report, RENDERED, [good])
    assert store.records(OUTBOX_NAMESPACE)
    clock.now = START + timedelta(days=1)
    await Outbox(store, clock).flush([good])
    assert store.records(OUTBOX_NAMESPACE), "a fresh mark still guards against re-sending"
    clock.now = START + timedelta(days=4)
    await Outbox(store, clock).flush([good])
    assert store.records(OUTBOX_NAMESPACE) == {}


async def test_record_without_created_at_is_dropped_not_fatal(store, clock):
    """A pending record missing its creation time is dropped; the flush goes on."""
    store.put_record(OUTBOX_NAMESPACE, "smtp/y", {"status": "pending", "channel": "smtp"})
    result = await Outbox(store, clock).flush([CapturingDeliverer("smtp")])
    assert result.lost == ("smtp/y",)


async def test_stage_stores_nothing_and_send_settles_what_the_caller_stored(store, clock, report):
    """Staging only prepares records; once stored (by the scan), send delivers and settles."""
    good, down = CapturingDeliverer("file"), _down()
    outbox = Outbox(store, clock)
    staged = outbox.stage(report, RENDERED, [good, down])
    assert store.records(OUTBOX_NAMESPACE) == {}
    assert [key for _, key, _ in staged.store_records] == [
        f"file/{report.id}",
        f"smtp/{report.id}",
    ]
    assert {ns for ns, _, _ in staged.store_records} == {OUTBOX_NAMESPACE}
    for namespace, key, record in staged.store_records:
        store.put_record(namespace, key, record)
    result = await outbox.send(staged, [good, down])
    assert len(good.deliveries) == 1
    assert result.queued == (f"smtp/{report.id}",)
    statuses = {k: r["status"] for k, r in store.records(OUTBOX_NAMESPACE).items()}
    assert statuses == {f"file/{report.id}": "delivered", f"smtp/{report.id}": "pending"}
    assert [(e.channel, e.attempts) for e in outbox.pending()] == [("smtp", 1)]


async def test_stage_skips_a_channel_that_already_delivered_the_report(store, clock, report):
    """A report id a channel confirmed is never staged for it again."""
    good = CapturingDeliverer("file")
    await Outbox(store, clock).deliver(report, RENDERED, [good])
    staged = Outbox(store, clock).stage(report, RENDERED, [good])
    assert staged.records == {}
    assert staged.skipped == ("file",)
    result = await Outbox(store, clock).send(staged, [good])
    assert result.skipped == ("file",)
    assert len(good.deliveries) == 1
