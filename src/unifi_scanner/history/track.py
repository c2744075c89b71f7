"""Findings that remember: New, Ongoing, Recurring, Resolved and Acknowledged, report to report.

Pure functions over plain records, so the scan can write the result in the same transaction
as the report it belongs to (a report that is not recorded changes no history, and one that is
recorded changes it once). Each site keeps one record per finding fingerprint:

``{"rule", "title", "subject", "severity", "first_reported", "last_reported",
"reports_count", "open", "resolved_at", "recurrences"}``

* a fingerprint with no record is **new**;
* one whose record is open (it was in the last report) is **ongoing**: since its first
  report, in how many reports;
* one whose record was resolved is **recurring**: back after a report without it;
* an open record whose fingerprint is not in this report is **resolved** now.

The records live in one namespace of the state store, :data:`HISTORY_NAMESPACE`, keyed
``site/fingerprint``, so ``unifi-scanner ack`` finds a fingerprint whatever its site.

An acknowledgement (``unifi-scanner ack``) quiets one fingerprint until its date passes or the
finding's severity changes; then it is void and dropped. Resolved records older than the
retention are pruned.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.analysis.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.analysis.findings import Finding

__all__ = [
    "ACK_NAMESPACE",
    "HISTORY_NAMESPACE",
    "HISTORY_RETENTION",
    "Acknowledgement",
    "FindingHistory",
    "FindingStatus",
    "History",
    "ResolvedFinding",
    "history_key",
    "site_history",
    "track",
]

ACK_NAMESPACE: Final = "acknowledged"
"""Acknowledgements, by fingerprint (for every site)."""
HISTORY_RETENTION: Final = timedelta(days=90)
"""A resolved finding is forgotten this long after its last report."""


HISTORY_NAMESPACE: Final = "findings_history"
"""Every site's findings history, keyed ``site/fingerprint`` (:func:`history_key`)."""


def history_key(site: str, fingerprint: str) -> str:
    """The key of one finding's history record."""
    return f"{site}/{fingerprint}"


def site_history(
    records: Mapping[str, Mapping[str, Any]], site: str
) -> dict[str, Mapping[str, Any]]:
    """One site's history records (of :data:`HISTORY_NAMESPACE`), by fingerprint."""
    prefix = f"{site}/"
    return {key[len(prefix) :]: value for key, value in records.items() if key.startswith(prefix)}


class FindingStatus(enum.StrEnum):
    """Where a finding stands against the earlier reports."""

    NEW = "new"
    ONGOING = "ongoing"
    RECURRING = "recurring"


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    """The owner knows about a finding and wants it quiet.

    Attributes:
        fingerprint: the finding's fingerprint.
        severity: its severity when acknowledged (another severity voids it).
        at: when it was acknowledged.
        until: when it runs out (None: until the severity changes).
        note: the owner's note.
        title: the finding's title then (for ``ack --list``).
    """

    fingerprint: str
    severity: Severity
    at: datetime
    until: datetime | None = None
    note: str = ""
    title: str = ""

    def holds(self, severity: Severity, now: datetime) -> bool:
        """Whether it still quiets a finding of ``severity`` at ``now``."""
        return severity is self.severity and (self.until is None or now < self.until)

    def as_record(self) -> dict[str, Any]:
        """The record kept in the state store."""
        return {
            "severity": str(self.severity),
            "at": self.at.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
            "note": self.note,
            "title": self.title,
        }

    @classmethod
    def from_record(cls, fingerprint: str, record: Mapping[str, Any]) -> Acknowledgement | None:
        """Read a record back; ``None`` when it is damaged."""
        try:
            until = record.get("until")
            return cls(
                fingerprint=fingerprint,
                severity=Severity(record["severity"]),
                at=datetime.fromisoformat(record["at"]),
                until=None if until is None else datetime.fromisoformat(until),
                note=str(record.get("note") or ""),
                title=str(record.get("title") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingHistory:
    """One finding of this report against the earlier ones.

    Attributes:
        status: new, ongoing or recurring.
        first_reported: when a report first had it.
        reports_count: in how many reports it has been, this one included.
        acknowledged: the acknowledgement that quiets it, if any.
    """

    status: FindingStatus
    first_reported: datetime
    reports_count: int
    acknowledged: Acknowledgement | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedFinding:
    """A finding of the last report that this one no longer has."""

    fingerprint: str
    rule: str
    title: str
    subject: str
    severity: Severity
    first_reported: datetime | None
    last_reported: datetime | None
    reports_count: int


@dataclass(frozen=True, slots=True)
class History:
    """What one report says about change, and what to write for it.

    Attributes:
        findings: each finding's history, by fingerprint.
        resolved: the findings resolved since the last report, most severe first.
        records: ``(key, record)`` to store in the site's history namespace.
        pruned: keys of records to delete (resolved long ago).
        void: acknowledgements that no longer hold (date passed, severity changed).
        first: no earlier report of the site is remembered (nothing to compare with).
        previous_counts: the last report's findings by severity (acknowledged ones left out,
            as its summary did).
    """

    findings: Mapping[str, FindingHistory] = field(default_factory=dict)
    resolved: tuple[ResolvedFinding, ...] = ()
    records: tuple[tuple[str, dict[str, Any]], ...] = ()
    pruned: tuple[str, ...] = ()
    void: tuple[str, ...] = ()
    first: bool = False
    previous_counts: Mapping[Severity, int] = field(default_factory=dict)

    def of(self, finding: Finding) -> FindingHistory | None:
        """The history of ``finding`` (``None`` when history is not kept, as in ``analyze``)."""
        return self.findings.get(finding.fingerprint)

    @property
    def new(self) -> tuple[str, ...]:
        """The fingerprints of the new findings."""
        return tuple(k for k, h in self.findings.items() if h.status is FindingStatus.NEW)

    @property
    def recurring(self) -> tuple[str, ...]:
        """The fingerprints of the findings back after being resolved."""
        return tuple(k for k, h in self.findings.items() if h.status is FindingStatus.RECURRING)


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _severity(value: object) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        return Severity.LOW


def _seen(
    finding: Finding, old: Mapping[str, Any], ack_record: Mapping[str, Any] | None, now: datetime
) -> tuple[FindingHistory, dict[str, Any], bool]:
    """One finding of this report: its history, its new record, whether its ack is void."""
    count = _count(old.get("reports_count"))
    first = _time(old.get("first_reported")) if count else None
    recurrences = _count(old.get("recurrences"))
    if first is None:
        status, first, count, recurrences = FindingStatus.NEW, now, 0, 0
    elif old.get("open") is True:
        status = FindingStatus.ONGOING
    else:
        status, recurrences = FindingStatus.RECURRING, recurrences + 1
    ack = (
        None if ack_record is None else Acknowledgement.from_record(finding.fingerprint, ack_record)
    )
    void = ack_record is not None and (ack is None or not ack.holds(finding.severity, now))
    record = {
        "rule": finding.rule,
        "title": finding.title,
        "subject": finding.subject,
        "severity": str(finding.severity),
        "first_reported": first.isoformat(),
        "last_reported": now.isoformat(),
        "reports_count": count + 1,
        "recurrences": recurrences,
        "open": True,
        "resolved_at": None,
        "quiet": ack is not None and not void,
    }
    entry = FindingHistory(
        status=status,
        first_reported=first,
        reports_count=count + 1,
        acknowledged=None if void else ack,
    )
    return entry, record, void


def _resolved(key: str, old: Mapping[str, Any]) -> ResolvedFinding:
    return ResolvedFinding(
        fingerprint=key,
        rule=str(old.get("rule") or ""),
        title=str(old.get("title") or key),
        subject=str(old.get("subject") or ""),
        severity=_severity(old.get("severity")),
        first_reported=_time(old.get("first_reported")),
        last_reported=_time(old.get("last_reported")),
        reports_count=_count(old.get("reports_count")),
    )


def track(
    findings: Iterable[Finding],
    previous: Mapping[str, Mapping[str, Any]],
    acknowledgements: Mapping[str, Mapping[str, Any]],
    now: datetime,
    *,
    retention: timedelta = HISTORY_RETENTION,
) -> History:
    """Compare this report's findings with the site's history.

    Args:
        findings: the report's findings (fingerprints unique).
        previous: the site's history records, by fingerprint.
        acknowledgements: every acknowledgement record, by fingerprint.
        now: the report's time (aware UTC).
        retention: how long a resolved finding is remembered.

    Returns:
        The report's history and what to write. Damaged records read as absent.
    """
    history: dict[str, FindingHistory] = {}
    records: list[tuple[str, dict[str, Any]]] = []
    void: list[str] = []
    for finding in findings:
        key = finding.fingerprint
        entry, record, gone = _seen(
            finding, previous.get(key) or {}, acknowledgements.get(key), now
        )
        history[key] = entry
        records.append((key, record))
        if gone:
            void.append(key)
    resolved: list[ResolvedFinding] = []
    pruned: list[str] = []
    for key, old in previous.items():
        if key in history:
            continue
        if old.get("open") is True:
            resolved.append(_resolved(key, old))
            records.append((key, {**old, "open": False, "resolved_at": now.isoformat()}))
            continue
        last = _time(old.get("last_reported"))
        if last is None or now - last > retention:
            pruned.append(key)
    for key, ack_record in acknowledgements.items():
        if key in history:
            continue
        ack = Acknowledgement.from_record(key, ack_record)
        if ack is None or (ack.until is not None and now >= ack.until):
            void.append(key)  # run out while its finding was away
    resolved.sort(key=lambda r: (-r.severity.rank, r.title))
    before = Counter(
        _severity(old.get("severity"))
        for old in previous.values()
        if old.get("open") is True and old.get("quiet") is not True
    )
    return History(
        history,
        tuple(resolved),
        tuple(records),
        tuple(pruned),
        tuple(void),
        first=not previous,
        previous_counts=dict(before),
    )
