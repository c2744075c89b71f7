"""Golden-file tests for the text and Markdown renderers (UPDATE_GOLDEN=1 rewrites the files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from unifi_scanner.reports import render_markdown, render_text

GOLDEN = Path(__file__).parent / "golden"


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs; UPDATE_GOLDEN=1 to accept"


@pytest.mark.parametrize(
    ("renderer", "name"), [(render_text, "full.txt"), (render_markdown, "full.md")]
)
def test_full_report_matches_golden(report, renderer, name):
    """A report with findings, notes and integrations renders exactly as the golden file."""
    _check(name, renderer(report))


@pytest.mark.parametrize(
    ("renderer", "name"), [(render_text, "empty.txt"), (render_markdown, "empty.md")]
)
def test_empty_report_matches_golden(empty_report, renderer, name):
    """A report without findings renders exactly as the golden file."""
    _check(name, renderer(empty_report))
