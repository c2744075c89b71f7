"""Endpoint path builders for both controller flavours."""

from __future__ import annotations

import pytest

from unifi_scanner.controller import Flavour, endpoints


@pytest.mark.parametrize(
    ("flavour", "login", "logout", "events", "system_log", "websocket"),
    [
        (
            Flavour.UNIFI_OS,
            "/api/auth/login",
            "/api/auth/logout",
            "/proxy/network/api/s/default/stat/event",
            "/proxy/network/v2/api/site/default/system-log/all",
            "/proxy/network/wss/s/default/events",
        ),
        (
            Flavour.LEGACY,
            "/api/login",
            "/api/logout",
            "/api/s/default/stat/event",
            "/v2/api/site/default/system-log/all",
            "/wss/s/default/events",
        ),
    ],
)
def test_paths_per_flavour(flavour, login, logout, events, system_log, websocket):  # noqa: PLR0917
    """Login/logout are never prefixed; Network paths get /proxy/network on UniFi OS only."""
    assert endpoints.login_path(flavour) == login
    assert endpoints.logout_path(flavour) == logout
    assert endpoints.classic(flavour, "default", "stat/event") == events
    assert endpoints.v2(flavour, "default", "/system-log/all") == system_log
    assert endpoints.websocket_path(flavour, "default") == websocket


def test_site_names_are_escaped():
    """A site name cannot break out of its path segment."""
    assert endpoints.classic(Flavour.LEGACY, "a/b c", "stat/sta") == "/api/s/a%2Fb%20c/stat/sta"


def test_non_site_paths_and_status():
    """self/sites and the status probe get the flavour's prefix."""
    assert (
        endpoints.site_path(Flavour.UNIFI_OS, "api/self/sites") == "/proxy/network/api/self/sites"
    )
    assert endpoints.status_path(Flavour.LEGACY) == "/status"
