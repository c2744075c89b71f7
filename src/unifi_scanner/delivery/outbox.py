"""The outbox: a report a channel failed to take waits in the state store and is sent next run.

Every (channel, report) pair has one record in the ``outbox`` namespace, keyed
``<channel>/<report id>``. A record is ``pending`` (with the rendered texts the channel needs,
the attempt count and the last error), ``delivered`` or ``dropped``; the last two keep no texts.

- :meth:`Outbox.stage` prepares a new report: a ``pending`` record for every channel that has
  not delivered this report id (a channel that has is skipped: idempotence). The scan stores
  those records in the same transaction as its progress, then :meth:`Outbox.send` sends them:
  a success settles the record as ``delivered``, a failure leaves it ``pending``. So a report
  whose events count as reported is always delivered or waiting, even if the process is killed
  between the two. :meth:`Outbox.deliver` does both for callers with no progress to store.
- :meth:`Outbox.flush` re-sends what is pending, oldest first, before the new report goes out.
  A channel that fails again is not tried for the rest of the run: its newer reports queue
  behind the older ones, so they still arrive in order. A record that reaches ``max_attempts``
  or ``max_age`` is dropped with an error log: that is the only way a report is lost.

The report id is the report's own ULID (:attr:`Report.id <unifi_scanner.reports.Report.id>`),
which also names its files and travels with every delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from unifi_scanner.delivery._envelope import report_envelope, report_from_envelope
from unifi_scanner.errors import DeliveryError, StateError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from unifi_scanner.delivery.base import Deliverer, DeliveryReceipt
    from unifi_scanner.reports import Report
    from unifi_scanner.state import StateStore

__all__ = ["OUTBOX_NAMESPACE", "Outbox", "OutboxEntry", "OutboxResult", "Staged", "report_id"]

OUTBOX_NAMESPACE = "outbox"
_PENDING, _DELIVERED, _DROPPED = "pending", "delivered", "dropped"
_log = structlog.get_logger(__name__)


def report_id(report: Report) -> str:
    """Return the id that keys ``report`` in the outbox: its own unique id (a ULID).

    Args:
        report: the report.

    Returns:
        :attr:`Report.id <unifi_scanner.reports.Report.id>`.
    """
    return report.id


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    """A report waiting for one channel.

    Attributes:
        channel: the deliverer's ``name``.
        report_id: the report's :func:`report_id`.
        created_at: when the report was first queued for this channel.
        attempts: failed attempts so far.
        last_error: the last failure, one line.
    """

    channel: str
    report_id: str
    created_at: datetime
    attempts: int
    last_error: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Staged:
    """A report ready for its channels: what :meth:`Outbox.stage` returns.

    Attributes:
        report: the report.
        records: one ``pending`` outbox record per channel that has not delivered it, by key.
        skipped: the channels that had already delivered it.
    """

    report: Report
    records: Mapping[str, Mapping[str, Any]]
    skipped: tuple[str, ...] = ()

    @property
    def store_records(self) -> tuple[tuple[str, str, Mapping[str, Any]], ...]:
        """The records as ``(namespace, key, value)``, for one transaction with other state."""
        return tuple((OUTBOX_NAMESPACE, key, record) for key, record in self.records.items())


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxResult:
    """What a :meth:`Outbox.deliver` or :meth:`Outbox.flush` did.

    Attributes:
        receipts: one per successful delivery.
        problems: one line per failed delivery (kept or dropped) and per channel that could
            not be tried.
        queued: ``channel/report id`` of each delivery that failed and waits in the outbox.
        lost: ``channel/report id`` of each delivery that failed and will not be retried
            (attempts or age exhausted, or the state store refused the record).
        skipped: the channels that had already delivered this report.
    """

    receipts: tuple[DeliveryReceipt, ...] = ()
    problems: tuple[str, ...] = ()
    queued: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    @property
    def secured(self) -> bool:
        """True when every report was delivered or is kept for a retry (nothing is lost)."""
        return not self.lost


@dataclass(slots=True)
class _Tally:
    receipts: list[DeliveryReceipt]
    problems: list[str]
    queued: list[str]
    lost: list[str]
    skipped: list[str]

    @classmethod
    def empty(cls) -> _Tally:
        return cls([], [], [], [], [])

    def result(self) -> OutboxResult:
        return OutboxResult(
            receipts=tuple(self.receipts),
            problems=tuple(self.problems),
            queued=tuple(self.queued),
            lost=tuple(self.lost),
            skipped=tuple(self.skipped),
        )


class Outbox:
    """Delivers reports through deliverers and keeps what failed for the next run.

    Args:
        store: where records live (namespace ``outbox``).
        now: the clock (aware UTC).
        max_attempts: failed attempts after which a report is dropped (the first one counts).
        max_age: how long a report may wait before it is dropped.
        flush_limit: the most waiting reports one :meth:`flush` tries.

    Raises:
        ValueError: ``max_attempts`` or ``flush_limit`` < 1.
    """

    def __init__(
        self,
        store: StateStore,
        now: Callable[[], datetime],
        *,
        max_attempts: int = 10,
        max_age: timedelta = timedelta(days=3),
        flush_limit: int = 50,
    ) -> None:
        if max_attempts < 1 or flush_limit < 1:
            raise ValueError("max_attempts and flush_limit must be at least 1")
        self._store = store
        self._now = now
        self._max_attempts = max_attempts
        self._max_age = max_age
        self._flush_limit = flush_limit
        self._failing: dict[str, str] = {}

    def pending(self) -> list[OutboxEntry]:
        """Return the reports waiting for a channel, oldest first.

        Raises:
            StateError: the store could not be read.
        """
        entries = []
        for record in self._store.records(OUTBOX_NAMESPACE).values():
            if record.get("status") == _PENDING:
                entries.append(  # noqa: PERF401 (readability)
                    OutboxEntry(
                        channel=record["channel"],
                        report_id=record["report_id"],
                        created_at=datetime.fromisoformat(record["created_at"]),
                        attempts=record["attempts"],
                        last_error=record["last_error"],
                    )
                )
        return sorted(entries, key=lambda e: (e.created_at, e.channel, e.report_id))

    def _put(self, key: str, record: Mapping[str, Any]) -> None:
        self._store.put_record(OUTBOX_NAMESPACE, key, record)

    def _settle(self, key: str, base: Mapping[str, Any], status: str, **extra: Any) -> None:  # noqa: ANN401
        """Replace a record by a small ``delivered``/``dropped`` one (no texts)."""
        keep = ("channel", "report_id", "created_at", "attempts", "last_error")
        record = {k: base[k] for k in keep if k in base}
        self._put(key, {**record, "status": status, "updated_at": self._now().isoformat(), **extra})

    def _drop(self, tally: _Tally, key: str, record: Mapping[str, Any], why: str) -> None:
        channel, report = record.get("channel", "?"), record.get("report_id", key)
        last_error = record.get("last_error")
        _log.error(
            "report dropped from the outbox; it will not be delivered",
            channel=channel,
            report_id=report,
            attempts=record.get("attempts"),
            reason=why,
            last_error=last_error,
        )
        tally.problems.append(f"delivery by {channel} of {report} given up ({why}): {last_error}")
        tally.lost.append(key)
        try:
            self._settle(key, record, _DROPPED, reason=why)
        except StateError as err:
            _log.error("outbox record could not be updated", key=key, error=str(err))

    async def flush(self, deliverers: Sequence[Deliverer]) -> OutboxResult:
        """Re-send what is waiting, oldest first, to the deliverers of the same name.

        A report for a channel not in ``deliverers`` stays (until it is too old). A channel that
        fails again is not tried again in this run (nor by :meth:`deliver`).

        Args:
            deliverers: this run's deliverers.

        Returns:
            Receipts of what was re-sent, and problems for what failed or was dropped (or
            one problem when the outbox could not be read at all).
        """
        tally = _Tally.empty()
        by_name = {d.name: d for d in deliverers}
        try:
            records = self._store.records(OUTBOX_NAMESPACE)
        except StateError as err:
            _log.error("the outbox could not be read", error=str(err))
            return OutboxResult(problems=(f"the outbox could not be read: {err}",))
        self._forget_settled(records)
        waiting = sorted(
            ((k, r) for k, r in records.items() if r.get("status") == _PENDING),
            key=lambda item: (str(item[1].get("created_at", "")), item[0]),
        )
        tried = 0
        for key, record in waiting:
            if tried >= self._flush_limit:
                break
            try:
                age = self._now() - datetime.fromisoformat(record["created_at"])
                channel_ok = isinstance(record["channel"], str)
            except (KeyError, TypeError, ValueError) as err:
                channel_ok, age = False, timedelta(0)
                problem = f"unreadable: {err}"
            else:
                problem = "unreadable: channel is not a string"
            if not channel_ok:
                self._drop(tally, key, {**record, "last_error": problem}, "broken")
                continue
            if age > self._max_age:
                self._drop(tally, key, record, f"waited longer than {self._max_age}")
                continue
            deliverer = by_name.get(record["channel"])
            if deliverer is None or record["channel"] in self._failing:
                continue
            tried += 1
            await self._retry(tally, key, record, deliverer)
        if tally.receipts or tally.problems:
            _log.info("outbox flushed", delivered=len(tally.receipts), problems=len(tally.problems))
        return tally.result()

    def _forget_settled(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Delete delivered/dropped records older than ``max_age``: no pending copy can need them.

        Pending reports are themselves dropped after ``max_age``, so an older "delivered" mark
        can no longer stop a re-send; keeping it would only make every flush slower.
        """
        cutoff = self._now() - self._max_age
        for key, record in records.items():
            if record.get("status") not in {_DELIVERED, _DROPPED}:
                continue
            try:
                settled = datetime.fromisoformat(str(record.get("updated_at")))
            except ValueError:
                settled = None
            if settled is None or settled < cutoff:
                try:
                    self._store.delete_record(OUTBOX_NAMESPACE, key)
                except StateError as err:
                    _log.error("outbox record could not be deleted", key=key, error=str(err))
                    return

    async def _retry(
        self, tally: _Tally, key: str, record: Mapping[str, Any], deliverer: Deliverer
    ) -> None:
        try:
            report = report_from_envelope(record["report"])
        except (KeyError, TypeError, ValueError) as err:
            self._drop(tally, key, {**record, "last_error": f"unreadable record: {err}"}, "broken")
            return
        try:
            receipt = await deliverer.deliver(report, record["rendered"])
        except Exception as err:  # noqa: BLE001 - one channel's bug must not stop the others
            _log_unexpected(deliverer.name, err)
            self._failing[deliverer.name] = str(err)
            attempts = int(record["attempts"]) + 1
            updated = {**record, "attempts": attempts, "last_error": str(err)}
            updated["updated_at"] = self._now().isoformat()
            if attempts >= self._max_attempts:
                self._drop(tally, key, updated, f"{attempts} attempts failed")
                return
            _log.warning(
                "outbox retry failed; kept",
                channel=deliverer.name,
                attempts=attempts,
                error=str(err),
            )
            tally.problems.append(
                f"delivery by {deliverer.name} of {record['report_id']} failed again "
                f"(attempt {attempts}, kept for the next run): {err}"
            )
            self._keep(tally, key, updated)
            return
        _log.info("outbox report delivered", channel=deliverer.name, report_id=record["report_id"])
        tally.receipts.append(receipt)
        self._remember_delivered(key, record, receipt)

    def _keep(self, tally: _Tally, key: str, record: Mapping[str, Any]) -> None:
        try:
            self._put(key, record)
        except StateError as err:
            _log.error("failed report could not be kept in the outbox", key=key, error=str(err))
            tally.problems.append(f"{key} could not be kept for a retry: {err}")
            tally.lost.append(key)
        else:
            tally.queued.append(key)

    def _remember_delivered(
        self, key: str, record: Mapping[str, Any], receipt: DeliveryReceipt
    ) -> None:
        try:
            self._settle(key, record, _DELIVERED, detail=receipt.detail)
        except StateError as err:
            _log.error("delivery could not be remembered", key=key, error=str(err))

    def stage(
        self, report: Report, rendered: Mapping[str, str], deliverers: Sequence[Deliverer]
    ) -> Staged:
        """Prepare ``report`` for every deliverer: one ``pending`` record per channel.

        Nothing is stored or sent. The caller stores the records (with the scan's progress, in
        one transaction: :attr:`Staged.store_records`) and then calls :meth:`send`, so a report
        that counts as done is always either delivered or waiting in the outbox.

        A deliverer none of whose formats was rendered is left out (the render failure is the
        caller's problem to report). One that already delivered this report id is skipped.

        Args:
            report: the report.
            rendered: the report's text by format (every format any deliverer asks for).
            deliverers: where it goes.

        Returns:
            The records by key, and the channels skipped.
        """
        rid = report_id(report)
        envelope = report_envelope(report)
        records: dict[str, dict[str, Any]] = {}
        skipped: list[str] = []
        now = self._now().isoformat()
        for deliverer in deliverers:
            key = f"{deliverer.name}/{rid}"
            available = {f: rendered[f] for f in deliverer.formats if f in rendered}
            if not available:
                continue
            try:
                existing = self._store.get_record(OUTBOX_NAMESPACE, key)
            except StateError as err:
                _log.warning("outbox record could not be read", key=key, error=str(err))
                existing = None
            if existing is not None and existing.get("status") == _DELIVERED:
                _log.info("report already delivered; not sent again", channel=deliverer.name)
                skipped.append(deliverer.name)
                continue
            records[key] = {
                "status": _PENDING,
                "channel": deliverer.name,
                "report_id": rid,
                "created_at": existing["created_at"] if existing else now,
                "updated_at": now,
                "attempts": int(existing["attempts"]) if existing else 0,
                "last_error": existing["last_error"] if existing else "",
                "report": envelope,
                "rendered": available,
            }
        return Staged(report=report, records=records, skipped=tuple(skipped))

    async def send(self, staged: Staged, deliverers: Sequence[Deliverer]) -> OutboxResult:
        """Send a staged report through each deliverer that has a record for it.

        A success replaces the record by a small ``delivered`` one; a failure keeps it pending
        with one more attempt (or drops it at ``max_attempts``). A channel that already failed
        in this run is not tried: the report waits behind the older ones.

        Args:
            staged: what :meth:`stage` returned (its records already stored, or not: a record
                that cannot be kept after a failure is reported as lost).
            deliverers: where it goes.

        Returns:
            Receipts, problems, and which deliveries were kept or lost.
        """
        tally = _Tally.empty()
        tally.skipped.extend(staged.skipped)
        report = staged.report
        for deliverer in deliverers:
            key = f"{deliverer.name}/{report_id(report)}"
            staged_record = staged.records.get(key)
            if staged_record is None:
                continue
            record = dict(staged_record)
            earlier = self._failing.get(deliverer.name)
            if earlier is not None:
                tally.problems.append(
                    f"delivery by {deliverer.name} deferred behind reports still waiting "
                    f"(kept for the next run): {earlier}"
                )
                self._keep(tally, key, {**record, "last_error": record["last_error"] or earlier})
                continue
            try:
                receipt = await deliverer.deliver(report, record["rendered"])
            except Exception as err:  # noqa: BLE001 - one channel's bug must not stop the others
                _log_unexpected(deliverer.name, err)
                _log.error("delivery failed", channel=deliverer.name, error=str(err))
                self._failing[deliverer.name] = str(err)
                record.update(
                    attempts=record["attempts"] + 1,
                    last_error=str(err),
                    updated_at=self._now().isoformat(),
                )
                if record["attempts"] >= self._max_attempts:
                    self._drop(tally, key, record, f"{record['attempts']} attempts failed")
                    continue
                tally.problems.append(
                    f"delivery by {deliverer.name} failed (kept for the next run): {err}"
                )
                self._keep(tally, key, record)
                continue
            tally.receipts.append(receipt)
            self._remember_delivered(key, record, receipt)
        return tally.result()

    async def deliver(
        self, report: Report, rendered: Mapping[str, str], deliverers: Sequence[Deliverer]
    ) -> OutboxResult:
        """Stage ``report``, store its records, and send it (:meth:`stage` then :meth:`send`).

        For callers with no progress of their own to store with the records. A record that
        cannot be stored is still sent; if that delivery fails too, it is lost (and said so).

        Args:
            report: the report.
            rendered: the report's text by format (every format any deliverer asks for).
            deliverers: where it goes.

        Returns:
            Receipts, problems, and which deliveries were kept or lost.
        """
        staged = self.stage(report, rendered, deliverers)
        for key, record in staged.records.items():
            try:
                self._put(key, record)
            except StateError as err:
                _log.warning("outbox record could not be stored", key=key, error=str(err))
        return await self.send(staged, deliverers)


def _log_unexpected(channel: str, err: Exception) -> None:
    """A deliverer should only raise DeliveryError; anything else is a bug worth a traceback."""
    if not isinstance(err, DeliveryError):
        _log.error("deliverer raised unexpectedly", channel=channel, exc_info=err)
