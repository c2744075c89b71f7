"""The controller and collect packages export exactly their public names, sorted."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "package",
    ["unifi_scanner.controller", "unifi_scanner.controller.models", "unifi_scanner.collect"],
)
def test_all_is_sorted_and_resolves(package):
    """Every name in __all__ exists and __all__ is sorted (isort-style: constants first)."""
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__, key=lambda n: (not n.isupper(), n))
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_flavour_is_one_enum_everywhere():
    """collect.models.Flavour and controller.Flavour are the same class."""
    from unifi_scanner.collect.models import Flavour as ModelsFlavour
    from unifi_scanner.controller import Flavour

    assert ModelsFlavour is Flavour
