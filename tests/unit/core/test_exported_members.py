"""Each package's ``__all__`` matches what it really exports (httpx test_exported_members)."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "unifi_scanner",
    "unifi_scanner.errors",
    "unifi_scanner.config",
    "unifi_scanner.controller",
    "unifi_scanner.collect",
    "unifi_scanner.analysis",
    "unifi_scanner.integrations",
    "unifi_scanner.reports",
    "unifi_scanner.delivery",
    "unifi_scanner.state",
    "unifi_scanner.simulator",
    "unifi_scanner.app",
    "unifi_scanner.vocabulary",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_unique_and_resolvable(name):
    """__all__ lists each name once and every listed name exists (ruff RUF022 keeps it sorted)."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    missing = [member for member in exported if not hasattr(module, member)]
    assert missing == []


@pytest.mark.parametrize("name", PACKAGES)
def test_public_names_are_in_all(name):
    """Every public class or function defined by the package is listed in __all__."""
    module = importlib.import_module(name)
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and getattr(value, "__module__", "").startswith(name)
        and callable(value)
    }
    assert public <= set(module.__all__)
