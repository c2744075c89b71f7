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
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["RELAXED_THRESHOLD", "relaxed_gc"]

RELAXED_THRESHOLD = 50_000


_lock = threading.Lock()
_depth = 0  # blocks inside relaxed_gc, in any thread
_saved: tuple[int, ...] = ()


@contextmanager
def relaxed_gc(threshold: int = RELAXED_THRESHOLD) -> Iterator[None]:
    """Raise the collector's first threshold to at least ``threshold`` for the block.

    The thresholds are the interpreter's, shared by all threads: the first block to enter
    saves them and the last to leave restores them, so overlapping blocks in several threads
    are safe. A higher threshold already set, or a disabled collector, is left as it is.
    """
    global _depth, _saved  # noqa: PLW0603 - one interpreter-wide setting, guarded by the lock
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            first = _saved[0]
            if first and first < threshold:
                gc.set_threshold(threshold, *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
