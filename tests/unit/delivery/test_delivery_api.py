"""The public API of unifi_scanner.delivery."""

from __future__ import annotations

from unifi_scanner import delivery


def test_all_is_sorted_and_complete():
    """__all__ is sorted (constants, classes, then functions) and every name in it exists."""
    kinds = [
        (0 if name.isupper() else 1 if name[0].isupper() else 2, name) for name in delivery.__all__
    ]
    assert kinds == sorted(kinds)
    for name in delivery.__all__:
        assert hasattr(delivery, name)
