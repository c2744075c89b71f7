"""The public API of unifi_scanner.integrations and unifi_scanner.testing."""

from __future__ import annotations

import pytest

from unifi_scanner import integrations, testing


@pytest.mark.parametrize("module", [integrations, testing])
def test_all_is_sorted_and_exported(module):
    """__all__ is sorted and every name in it exists."""
    assert list(module.__all__) == sorted(module.__all__, key=lambda n: (not n.isupper(), n))
    for name in module.__all__:
        assert hasattr(module, name)


def test_public_names_are_in_all():
    """Every public class or function defined by the package is exported."""
    public = {
        name
        for name, value in vars(integrations).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("unifi_scanner.integrations")
    }
    assert public <= set(integrations.__all__)
