"""Delivery fixtures: a small report and its renderings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.integrations.base import IntegrationResults
from unifi_scanner.reports import build_report


def _make_report(site_name: str = "default", description: str = "Home"):
    """Build an empty report of ``site_name`` generated at 2026-11-26 06:00:05 UTC."""
    snapshot = Snapshot(
        site=Site(id="site-0001", name=site_name, description=description),
        controller=ControllerInfo(flavour=Flavour.LEGACY, version="8.6.9"),
        window=Window(
            start=datetime(2026, 11, 25, 6, tzinfo=UTC), end=datetime(2026, 11, 26, 6, tzinfo=UTC)
        ),
    )
    return build_report(
        snapshot, [], IntegrationResults(), generated_at=datetime(2026, 11, 26, 6, 0, 5, tzinfo=UTC)
    )


@pytest.fixture(name="make_report")
def make_report_fixture():
    """A factory of empty reports by site name."""
    return _make_report


@pytest.fixture(name="report")
def report_fixture():
    """An empty report of site ``default``."""
    return _make_report()


@pytest.fixture(name="rendered")
def rendered_fixture():
    """Stand-in renderings of every format."""
    return {"html": "<p>hi</p>", "json": "{}\n", "markdown": "# hi\n", "text": "hi\n"}
