"""Error classification and the status records behind `unifi-scanner integrations`."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from unifi_scanner.config import IntegrationSettings, Settings
from unifi_scanner.errors import (
    IntegrationError,
    IntegrationMisconfiguredError,
    IntegrationTimeoutError,
)
from unifi_scanner.integrations import (
    BreakerState,
    ErrorClass,
    IntegrationRegistry,
    IntegrationRunner,
    IntegrationStatus,
    RetryPolicy,
    classify,
    integration_status,
)
from unifi_scanner.integrations.classify import retry_after_s
from unifi_scanner.integrations.outcome import format_age
from unifi_scanner.testing import FakeIntegration, fake_integration_class, run_with_clock


def _status_error(status, headers=None):
    request = httpx.Request("GET", "https://api.example.test/x")
    response = httpx.Response(status, headers=headers, request=request)
    return httpx.HTTPStatusError("status", request=request, response=response)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (IntegrationMisconfiguredError("no", integration="x"), ErrorClass.MISCONFIGURED),
        (IntegrationTimeoutError("slow", integration="x"), ErrorClass.TRANSIENT),
        (IntegrationError("failed", integration="x"), ErrorClass.TRANSIENT),
        (TimeoutError(), ErrorClass.TRANSIENT),
        (ConnectionResetError(), ErrorClass.TRANSIENT),
        (httpx.ConnectError("refused"), ErrorClass.TRANSIENT),
        (_status_error(401), ErrorClass.MISCONFIGURED),
        (_status_error(403), ErrorClass.MISCONFIGURED),
        (_status_error(429), ErrorClass.TRANSIENT),
        (_status_error(503), ErrorClass.TRANSIENT),
        (_status_error(400), ErrorClass.BUG),
        (ValueError("bad json"), ErrorClass.BUG),
    ],
)
def test_classify(exc, expected):
    """Each failure maps to the error class that decides retry and breaker counting."""
    assert classify(exc) is expected


def test_retry_after_header_in_seconds_and_as_date():
    """Retry-After is read as seconds or as an HTTP date; garbage is ignored."""
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert retry_after_s(_status_error(429, {"Retry-After": "12"})) == 12.0
    dated = _status_error(429, {"Retry-After": "Thu, 01 Jan 2026 12:01:00 GMT"})
    assert retry_after_s(dated, now) == 60.0
    assert retry_after_s(_status_error(429, {"Retry-After": "soon"}), now) is None
    assert retry_after_s(_status_error(503)) is None
    assert retry_after_s(ValueError()) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (12 * 60, "12 min"), (6 * 3600, "6 h"), (3 * 86400, "3 d")],
)
def test_format_age(seconds, text):
    """Ages are rounded to the unit people read."""
    from datetime import timedelta

    assert format_age(timedelta(seconds=seconds)) == text


class _Settings(Settings):
    svc: IntegrationSettings = IntegrationSettings(fail_max=1)
    off: IntegrationSettings = IntegrationSettings(enabled=False)


def test_integration_status_reports_each_integration(store, clock):
    """The status rows show outcome, duration, last success, breaker and next probe."""
    registry = IntegrationRegistry(
        [fake_integration_class("ok"), fake_integration_class("svc"), fake_integration_class("off")]
    )
    settings = _Settings()
    good = FakeIntegration(name="ok", display_name="Okay")
    bad = FakeIntegration.failing("svc")
    runner = IntegrationRunner(
        [good, bad], store=store, now=clock.now, settings=settings, retry=RetryPolicy(attempts=1)
    )
    run_with_clock(runner.run(), clock)
    rows = {row.name: row for row in integration_status(store, registry, settings)}
    assert list(rows) == ["ok", "svc", "off"]
    assert rows["ok"].status is IntegrationStatus.OK
    assert rows["ok"].display_name == "Okay"
    assert rows["ok"].last_success == clock.now()
    assert rows["ok"].ran_at == clock.now()
    assert rows["svc"].status is IntegrationStatus.FAILED
    assert rows["svc"].breaker_state is BreakerState.OPEN
    assert rows["svc"].failed_runs == 1
    assert rows["svc"].next_probe_at is not None
    assert rows["svc"].last_success is None
    assert rows["off"].status is IntegrationStatus.DISABLED
    assert rows["off"].ran_at is None


def test_integration_status_lists_integrations_no_longer_registered(store, clock):
    """An integration that ran before but is no longer registered is still listed."""
    run_with_clock(IntegrationRunner([FakeIntegration(name="gone")], store=store).run(), clock)
    rows = integration_status(store, IntegrationRegistry())
    assert [row.name for row in rows] == ["gone"]
    assert rows[0].display_name == "Gone"


def test_skipped_integrations_are_recorded_for_the_status_command(store, clock):
    """A partially configured integration shows as skipped in the status rows."""
    registry = IntegrationRegistry(
        [fake_integration_class("half", configured=False, missing="UNIFI_HALF_TOKEN is not set")]
    )
    selection = registry.select(Settings())
    runner = IntegrationRunner([], skipped=selection.skipped, store=store, now=clock.now)
    run_with_clock(runner.run(), clock)
    (row,) = integration_status(store, registry)
    assert row.status is IntegrationStatus.SKIPPED_PARTIAL_CONFIG
    assert row.error == "UNIFI_HALF_TOKEN is not set"


def test_policy_comes_from_the_settings_section():
    """Timeout and breaker settings are read from the integration's section, else defaults."""
    from unifi_scanner.integrations import IntegrationPolicy

    assert IntegrationPolicy.for_integration(_Settings(), "svc").fail_max == 1
    assert IntegrationPolicy.for_integration(_Settings(), "nope") == IntegrationPolicy()
    assert IntegrationPolicy.for_integration(None, "svc").timeout_s == 30.0
