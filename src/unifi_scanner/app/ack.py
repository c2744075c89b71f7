"""``unifi-scanner ack``: acknowledge a finding, list and remove acknowledgements.

An acknowledgement names a finding by the fingerprint its reports show. It holds for the
severity the finding has now (read from the findings history of every site) until ``until``
passes or the severity changes; the next report then lists it apart, under "Acknowledged".
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from unifi_scanner.analysis import Severity
from unifi_scanner.app.wiring import utc_now
from unifi_scanner.errors import ConfigError
from unifi_scanner.history import ACK_NAMESPACE, HISTORY_NAMESPACE, Acknowledgement
from unifi_scanner.state import SqliteStateStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from unifi_scanner.config import Settings

__all__ = ["acknowledge", "acknowledgements", "parse_until", "unacknowledge"]

_MAX_NOTE = 500


def parse_until(text: str, zone: str) -> datetime:
    """Read ``--until``: a date (the end of that day) or a date and time, in ``zone``.

    Raises:
        ConfigError: it is not an ISO date or date-time.
    """
    from zoneinfo import ZoneInfo  # noqa: PLC0415 (only this command needs it)

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        msg = f"--until: {text!r} is not a date (2026-12-31) or a date and time (2026-12-31T18:00)"
        raise ConfigError(msg) from None
    if len(text.strip()) <= len("2026-12-31"):
        moment = datetime.combine(moment.date(), time.max)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def acknowledge(
    settings: Settings,
    fingerprint: str,
    *,
    until: datetime | None = None,
    note: str = "",
    now: Callable[[], datetime] = utc_now,
) -> Acknowledgement:
    """Acknowledge the finding ``fingerprint`` at its current severity.

    Raises:
        ConfigError: no report of any site had this fingerprint, or ``until`` has passed.
    """
    at = now()
    if until is not None and until <= at:
        raise ConfigError(f"--until {until:%Y-%m-%d %H:%M} UTC has already passed")
    store = SqliteStateStore(settings.state_path, now)
    try:
        found = [
            record
            for key, record in store.records(HISTORY_NAMESPACE).items()
            if key.partition("/")[2] == fingerprint
        ]
        if not found:
            msg = (
                f"no report had a finding with the fingerprint {fingerprint!r}; copy it from "
                "a report (it is shown with each finding in the JSON report, and in "
                "'unifi-scanner ack --list')"
            )
            raise ConfigError(msg)
        latest = max(found, key=lambda r: str(r.get("last_reported") or ""))
        ack = Acknowledgement(
            fingerprint=fingerprint,
            severity=Severity(str(latest.get("severity") or "low")),
            at=at,
            until=until,
            note=note.strip()[:_MAX_NOTE],
            title=str(latest.get("title") or ""),
        )
        store.put_record(ACK_NAMESPACE, fingerprint, ack.as_record())
    finally:
        store.close()
    return ack


def acknowledgements(settings: Settings) -> list[Acknowledgement]:
    """Every acknowledgement in the state file, oldest first (damaged ones left out)."""
    store = SqliteStateStore(settings.state_path, utc_now)
    try:
        records = store.records(ACK_NAMESPACE)
    finally:
        store.close()
    found = [Acknowledgement.from_record(key, record) for key, record in records.items()]
    return sorted((a for a in found if a is not None), key=lambda a: a.at)


def unacknowledge(settings: Settings, fingerprint: str) -> bool:
    """Remove the acknowledgement of ``fingerprint``; whether there was one."""
    store = SqliteStateStore(settings.state_path, utc_now)
    try:
        return store.delete_record(ACK_NAMESPACE, fingerprint)
    finally:
        store.close()
