"""Filling the rules' text templates safely.

Templates are our own constant strings. Controller strings only ever arrive as *values* of the
mapping passed to :meth:`str.format_map`, so a ``{`` inside a hostname is printed, never expanded.
"""

from __future__ import annotations

import string
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

__all__ = ["fill", "human_list", "utc_iso", "when"]

_MISSING = "unknown"


class _Formatter(string.Formatter):
    """Plain named fields only: no attribute or index lookups, even in our own templates."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:  # noqa: ANN401
        if not field_name.isidentifier():
            raise ValueError(field_name)
        return super().get_field(field_name, args, kwargs)


_FORMATTER = _Formatter()


class _SafeMap(dict[str, str]):
    """A mapping that answers ``unknown`` for a field the template names but nobody filled."""

    def __missing__(self, key: str) -> str:
        return _MISSING


def fill(template: str, values: Mapping[str, object]) -> str:
    """Fill ``template`` with ``values``; missing fields read ``unknown``.

    Args:
        template: one of the rules' constant template strings.
        values: field values; every value is turned into a string first.

    Returns:
        The filled text.
    """
    safe = _SafeMap({name: str(value) for name, value in values.items()})
    try:
        return _FORMATTER.vformat(template, (), safe)
    except (ValueError, IndexError, AttributeError, KeyError):
        return template


def human_list(items: Iterable[str], limit: int = 4) -> str:
    """Join names the way people write them: ``a``, ``a and b``, ``a, b and c``.

    Args:
        items: names in order.
        limit: at most this many are named; the rest become ``N more``.

    Returns:
        The joined text, or ``unknown`` for no items.
    """
    names = list(items)
    if not names:
        return _MISSING
    shown = names[:limit]
    if len(names) > limit:
        shown.append(f"{len(names) - limit} more")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def utc_iso(moment: datetime) -> str:
    """Return ``moment`` as ISO-8601 UTC to the second with a ``Z`` suffix (the JSON contract)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def when(moment: datetime | None) -> str:
    """Format an aware UTC time for a sentence (``2026-01-05 14:03 UTC``)."""
    if moment is None:
        return _MISSING
    return moment.strftime("%Y-%m-%d %H:%M UTC")
