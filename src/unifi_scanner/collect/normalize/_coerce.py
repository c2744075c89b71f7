"""Lenient readers for controller values: numbers as strings, times in s or ms, MACs."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "UnusableItemError",
    "as_bool",
    "as_float",
    "as_int",
    "as_mac",
    "as_str",
    "as_text",
    "as_time",
    "mac_id",
    "require_mapping",
    "synthetic_id",
    "without",
]

_NUMBER: Final = re.compile(r"[-+]?\d+(?:\.\d+)?")
_MS_THRESHOLD: Final = 100_000_000_000  # epoch values above this are milliseconds (after 1973)
_MAX_EPOCH_MS: Final = 32_503_680_000_000  # year 3000 in ms: below it, an int never overflows


class UnusableItemError(ValueError):
    """An item lacks what it cannot do without (an id, a time, a MAC); it is skipped."""


def require_mapping(item: object) -> Mapping[str, object]:
    """Return ``item`` when it is a JSON object, else raise :class:`UnusableItemError`."""
    if not isinstance(item, dict):
        raise UnusableItemError(f"not an object: {type(item).__name__}")
    return item


def as_float(value: object) -> float | None:
    """Read ``3``, ``3.24``, ``"3.24"`` or ``"72 C"`` as a float; anything else is ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and (match := _NUMBER.search(value)):
        number = float(match.group())
    else:
        return None
    return number if math.isfinite(number) else None


def as_int(value: object) -> int | None:
    """Read ``3``, ``3.0``, ``"3"`` as an int; anything else is ``None``."""
    if type(value) is int:  # the common case, fast (bool is not int here)
        return value
    number = as_float(value)
    return None if number is None else int(number)


def as_bool(value: object, default: bool = False) -> bool:  # noqa: FBT001, FBT002 - a reader
    """Read a bool (also ``"true"``/``1``); anything else is ``default``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return default


def as_str(value: object) -> str | None:
    """Return a non-empty string, else ``None`` (numbers become their text)."""
    if type(value) is str or isinstance(value, str):
        return value or None
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_text(value: object) -> str | None:
    """A value as text for a sentence: a string stripped, a number.

    ``None`` when empty, a boolean, or a list or object (whose ``repr`` must never reach a report).
    """
    if type(value) is str:  # the common case, fast
        return value.strip() or None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None


def as_mac(value: object) -> str | None:
    """Return a MAC address lower-case, or ``None`` when it is not a string."""
    text = as_str(value)
    return text.strip().lower() if text else None


_MAC_ADDRESS: Final = re.compile(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}")


def mac_id(value: object) -> str | None:
    """``value`` lower-case when it is a MAC address (``aa:bb:…``), else ``None``.

    v2 parameter objects carry a client's or device's MAC in ``id``, but the same ``id`` holds
    an IP or a database id on other parameters: only a real MAC counts.
    """
    mac = as_mac(value)
    return mac if mac and _MAC_ADDRESS.fullmatch(mac) else None


def as_time(value: object) -> datetime | None:
    """Read epoch seconds or milliseconds (number or digits) or ISO-8601 text as aware UTC."""
    if type(value) is int and 0 < value < _MAX_EPOCH_MS:  # the common case, fast
        # tz positionally: a third faster than as a keyword, and this runs once per event
        return datetime.fromtimestamp(value / 1000 if value >= _MS_THRESHOLD else value, UTC)
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        try:
            parsed = datetime.fromisoformat(value.strip())
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError):  # year 1 at +14:00 overflows on conversion
            return None
    number = as_float(value)
    if number is None or number <= 0:
        return None
    seconds = number / 1000 if number >= _MS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def synthetic_id(*parts: object) -> str:
    """A stable id for an item that has none, from the values that identify it."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"synthetic-{digest}"


def without(raw: Mapping[str, object], names: Iterable[str]) -> dict[str, object]:
    """A copy of ``raw`` without ``names`` (a C-level copy and a few deletions: the hot path)."""
    kept = dict(raw)
    for name in names:
        kept.pop(name, None)
    return kept
