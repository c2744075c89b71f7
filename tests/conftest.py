"""Shared fixtures: a clean environment for every test and the real captures in ../shared."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from unifi_scanner.logging import reset_logging

if TYPE_CHECKING:
    from collections.abc import Iterator

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "unifi"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own UNIFI_* settings."""
    for name in list(os.environ):
        if name.startswith("UNIFI_") and name != "UNIFI_SCANNER_REQUIRE_SHARED":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """Every test starts and ends with structlog's and stdlib logging's defaults."""
    reset_logging()
    yield
    reset_logging()


@pytest.fixture(name="shared_fixtures")
def shared_fixtures_fixture() -> Path:
    """The directory of real captures; skipped when absent, failed in CI where it must exist."""
    if not SHARED_FIXTURES.is_dir():
        reason = f"real captures not found at {SHARED_FIXTURES}"
        if os.environ.get("UNIFI_SCANNER_REQUIRE_SHARED") == "1":
            pytest.fail(reason + " (CI requires them)")
        pytest.skip(reason)
    return SHARED_FIXTURES


@pytest.fixture(name="load_capture")
def load_capture_fixture(shared_fixtures: Path) -> Any:
    """Load one real capture by file name."""

    def _load(name: str) -> Any:
        return json.loads((shared_fixtures / name).read_text(encoding="utf-8"))

    return _load
