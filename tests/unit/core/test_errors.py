"""The exception tree: one base, context carried as attributes."""

from __future__ import annotations

import pytest

from unifi_scanner import errors


@pytest.mark.parametrize("name", errors.__all__)
def test_every_error_derives_from_scanner_error(name):
    """Catching ScannerError catches every error the package raises on purpose."""
    assert issubclass(getattr(errors, name), errors.ScannerError)


def test_controller_error_carries_endpoint_and_status():
    """A controller error names the endpoint and the HTTP status."""
    err = errors.EndpointNotFoundError("gone", endpoint="stat/event", status=404)
    assert isinstance(err, errors.ControllerResponseError)
    assert (err.endpoint, err.status) == ("stat/event", 404)


def test_rate_limit_error_carries_retry_after():
    """A login rate limit says how long to wait."""
    err = errors.LoginRateLimitedError("slow down", status=429, retry_after=30.0)
    assert isinstance(err, errors.AuthenticationError)
    assert err.retry_after == 30.0


def test_integration_and_delivery_errors_name_their_plugin():
    """Integration and delivery errors name the plug-in that failed."""
    assert errors.IntegrationTimeoutError("late", integration="cloudflare").integration == (
        "cloudflare"
    )
    assert errors.DeliveryError("refused", channel="smtp").channel == "smtp"


def test_docs_tree_lists_every_error():
    """The errors module docstring draws every class of the tree."""
    doc = errors.__doc__ or ""
    assert all(name in doc for name in errors.__all__)
