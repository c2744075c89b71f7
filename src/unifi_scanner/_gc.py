"""Running the cyclic garbage collector less often while a large batch streams through.

Private to the package. Decoding, normalising and analysing a million events makes tens of
millions of short-lived objects, none of them in a reference cycle: reference counting frees
them all. The cyclic collector still wakes every 700 new containers (the default first
threshold) to scan the young ones, which costs about 8 % of the analysis. Inside
:func:`relaxed_gc` it wakes every ``threshold`` containers instead: cycles (from caught
exceptions, for instance) are still collected, in larger, rarer batches, so memory stays bounded.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["RELAXED_THRESHOLD", "relaxed_gc"]

RELAXED_THRESHOLD = 50_000


@contextmanager
def relaxed_gc(threshold: int = RELAXED_THRESHOLD) -> Iterator[None]:
    """Raise the collector's first threshold to at least ``threshold`` for the block.

    The previous thresholds come back on exit, even on error; a higher threshold already set
    (or a disabled collector) is left as it is.
    """
    before = gc.get_threshold()
    if before[0] and before[0] < threshold:
        gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
