"""The public API of unifi_scanner.state."""

from __future__ import annotations

from unifi_scanner import state


def test_all_is_sorted_and_complete():
    """__all__ is sorted (constants, then classes) and every name in it exists."""
    kinds = [(0 if name.isupper() else 1, name) for name in state.__all__]
    assert kinds == sorted(kinds)
    for name in state.__all__:
        assert hasattr(state, name)
