"""Report ids: unique, sortable by time, safe in file names (a ULID, by ``python-ulid``).

A ULID is 48 bits of milliseconds since the epoch and 80 random bits, written as 26 characters
of Crockford's base32: ids sort as their reports were made, two reports made in the same
millisecond still differ, and the id alone names a report's files and deliveries.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Final

from ulid import ULID

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["REPORT_ID", "new_report_id", "report_id_time_ms", "stable_report_id"]

REPORT_ID: Final = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
"""What a report id looks like (Crockford's base32: no I, L, O or U)."""


def new_report_id(at: datetime) -> str:
    """A new report id whose time part is ``at`` (so ids sort by report time).

    Args:
        at: when the report is made (aware).

    Returns:
        26 characters, for example ``01JEY9X3J8Q2ZK7M4N5P6R8S9T``.
    """
    return str(ULID.from_datetime(at))


def stable_report_id(at: datetime, seed: str) -> str:
    """A report id that is the same every time for the same time and seed.

    For a report kept by an older version without an id: its outbox record always gets the
    same id, so it is still delivered at most once per channel.
    """
    millis = int(at.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(seed.encode()).digest()[:10]))


def report_id_time_ms(report_id: str) -> int:
    """The milliseconds since the epoch in a report id's time part.

    Raises:
        ValueError: ``report_id`` is not a report id.
    """
    return ULID.from_str(report_id).milliseconds
