"""Integrations beside a real scan: none of them can break or delay the report."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from unifi_scanner import app
from unifi_scanner.integrations import IntegrationRegistry
from unifi_scanner.testing import fake_integration_class

from .conftest import frozen_now

pytestmark = pytest.mark.e2e


async def test_healthy_failing_and_hanging_integrations_beside_a_scan(settings):
    """The report arrives by the deadline with a data section, an error section and a timeout."""
    registry = IntegrationRegistry(
        [
            fake_integration_class("healthy", data={"blocked_requests": 42}),
            fake_integration_class("failing", error=ValueError("unexpected payload")),
            fake_integration_class("hanging", delay_s=float("inf")),
        ]
    )
    fast = settings.model_copy(update={"integrations_deadline_s": 1.5})
    started = time.monotonic()
    (outcome,) = await app.run_once(fast, now=frozen_now, registry=registry)
    elapsed = time.monotonic() - started
    assert elapsed < 15, "the hanging integration must not hold the report"

    report = json.loads(
        next(Path(p) for p in outcome.files if p.endswith(".json")).read_text(encoding="utf-8")
    )
    sections = {s["name"]: s for s in report["integrations"]}
    assert sections["healthy"]["status"] == "ok"
    assert sections["failing"]["status"] == "failed"
    assert "unexpected payload" in (sections["failing"]["error"] or "")
    assert sections["hanging"]["status"] == "timeout"
    assert report["findings"], "the UniFi findings are all there"
    text = next(Path(p) for p in outcome.files if p.endswith(".txt")).read_text(encoding="utf-8")
    assert "Healthy" in text
    assert "Failing" in text
