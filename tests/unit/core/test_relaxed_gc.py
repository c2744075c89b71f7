"""The collector runs less often inside relaxed_gc, and exactly as before after it."""

from __future__ import annotations

import gc

import pytest

from unifi_scanner._gc import RELAXED_THRESHOLD, relaxed_gc


@pytest.fixture
def thresholds():
    """Restore the interpreter's thresholds and state whatever a test does."""
    before, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*before)
    if enabled:
        gc.enable()


def test_raises_the_first_threshold_and_restores_all_three(thresholds):
    """Inside, generation 0 waits for many more objects; outside, the old values are back."""
    gc.set_threshold(700, 11, 12)
    with relaxed_gc():
        assert gc.get_threshold() == (RELAXED_THRESHOLD, 11, 12)
    assert gc.get_threshold() == (700, 11, 12)


def test_restores_after_an_error(thresholds):
    """An exception in the block does not leave the collector relaxed."""
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), relaxed_gc():
        raise RuntimeError
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("first", [0, RELAXED_THRESHOLD * 2])
def test_leaves_a_disabled_or_higher_threshold_alone(thresholds, first):
    """A threshold of 0 (collection off) or one already higher is kept inside the block."""
    gc.set_threshold(first, 10, 10)
    with relaxed_gc():
        assert gc.get_threshold() == (first, 10, 10)


def test_cycles_made_inside_are_still_collected(thresholds):
    """Cyclic garbage made inside the block is collected once enough objects pile up."""

    class Node:
        def __init__(self) -> None:
            self.me = self

    gc.set_threshold(700, 10, 10)
    gc.collect()
    with relaxed_gc(threshold=1_000):
        counts = []
        for _ in range(5_000):
            Node()
            counts.append(gc.get_count()[0])
    assert max(counts) <= 1_000 + 1  # generation 0 never grew past the relaxed threshold


def test_nested_and_overlapping_blocks_restore_once_the_last_leaves(thresholds):
    """Blocks that overlap (as from two threads) keep the relaxed value until the last exits."""
    gc.set_threshold(700, 10, 10)
    outer, inner = relaxed_gc(), relaxed_gc()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # not nested: the first one in leaves first
    assert gc.get_threshold() == (RELAXED_THRESHOLD, 10, 10)
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)
