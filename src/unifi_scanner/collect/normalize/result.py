"""Normalise a batch of items, skipping (and counting) the ones that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Normalized", "normalize_all"]

_log = structlog.get_logger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Normalized(Generic[T]):
    """What a batch turned into.

    Attributes:
        items: the normalised models, in input order.
        skipped: how many items could not be normalised at all.
        first_problem: why the first skipped item was skipped, for a note.
    """

    items: tuple[T, ...]
    skipped: int = 0
    first_problem: str | None = None


def normalize_all(
    convert: Callable[[object], T], items: Iterable[object], *, what: str, warn: bool = True
) -> Normalized[T]:
    """Convert every item; an item that raises is skipped. One warning per batch with skips.

    Args:
        convert: a normaliser such as ``device_from_payload``.
        items: raw payload items.
        what: what the items are (``devices``, ``events``…), for the log line.
        warn: log the warning here; a caller that gathers several batches (one per file)
            passes ``False`` and warns once for all of them.
    """
    done: list[T] = []
    skipped = 0
    first: str | None = None
    for item in items:
        try:
            done.append(convert(item))
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as err:
            skipped += 1
            first = first or f"{type(err).__name__}: {err}"
    if skipped and warn:
        _log.warning(
            "skipped items that could not be normalised", what=what, skipped=skipped, first=first
        )
    return Normalized(items=tuple(done), skipped=skipped, first_problem=first)
