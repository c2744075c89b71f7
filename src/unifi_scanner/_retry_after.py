"""Reading an HTTP ``Retry-After`` header, shared by every stage that talks HTTP.

Private to the package: the controller client, webhook delivery and the integrations runner all
honour ``Retry-After`` and must read it the same way.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["retry_after_seconds"]


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Return how long a server asked us to wait, in seconds, or None when it did not say.

    ``Retry-After`` is either a number of seconds or an HTTP date. A date is measured from the
    response's own ``Date`` header (so clock skew between us and the server does not matter),
    else from ``now``; with neither, the wait is unknown.

    Args:
        headers: the response headers (case-insensitive mapping, e.g. ``httpx.Headers``).
        now: the current time, for a date without a ``Date`` header.

    Returns:
        Seconds to wait (never negative), or None.
    """
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    reference = now
    if date := headers.get("Date") or headers.get("date"):
        try:
            reference = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            reference = now
    if reference is None:
        return None
    return max(0.0, (when - reference).total_seconds())
