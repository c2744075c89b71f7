"""Paths of the UniFi Network API, for both controller flavours.

Every builder returns a path relative to the controller's origin (``https://host:port``).
UniFi OS consoles put ``/proxy/network`` in front of every Network path; legacy self-hosted
controllers use none. Login and logout are not Network paths and never get the prefix.
"""

from __future__ import annotations

from urllib.parse import quote

from unifi_scanner.controller.flavour import Flavour

__all__ = [
    "UNIFI_OS_PREFIX",
    "classic",
    "login_path",
    "logout_path",
    "network_prefix",
    "site_path",
    "status_path",
    "v2",
    "websocket_path",
]

UNIFI_OS_PREFIX = "/proxy/network"


def network_prefix(flavour: Flavour) -> str:
    """Return the Network application prefix: ``/proxy/network`` on UniFi OS, else empty."""
    return UNIFI_OS_PREFIX if flavour is Flavour.UNIFI_OS else ""


def login_path(flavour: Flavour) -> str:
    """Return the login path: ``/api/auth/login`` on UniFi OS, ``/api/login`` on legacy."""
    return "/api/auth/login" if flavour is Flavour.UNIFI_OS else "/api/login"


def logout_path(flavour: Flavour) -> str:
    """Return the logout path: ``/api/auth/logout`` on UniFi OS, ``/api/logout`` on legacy."""
    return "/api/auth/logout" if flavour is Flavour.UNIFI_OS else "/api/logout"


def status_path(flavour: Flavour) -> str:
    """Return the unauthenticated ``status`` probe path."""
    return f"{network_prefix(flavour)}/status"


def _site(site: str) -> str:
    return quote(site, safe="")


def site_path(flavour: Flavour, path: str) -> str:
    """Return a classic non-site path such as ``api/self/sites`` with the flavour's prefix."""
    return f"{network_prefix(flavour)}/{path.lstrip('/')}"


def classic(flavour: Flavour, site: str, path: str) -> str:
    """Return a classic site path: ``{prefix}/api/s/{site}/{path}``.

    Args:
        flavour: the controller flavour.
        site: the site's short name (``default``).
        path: the resource, e.g. ``stat/event`` or ``list/alarm``.
    """
    return f"{network_prefix(flavour)}/api/s/{_site(site)}/{path.lstrip('/')}"


def v2(flavour: Flavour, site: str, path: str) -> str:
    """Return a v2 site path: ``{prefix}/v2/api/site/{site}/{path}``.

    Args:
        flavour: the controller flavour.
        site: the site's short name (``default``).
        path: the resource, e.g. ``system-log/all`` or ``traffic-flows``.
    """
    return f"{network_prefix(flavour)}/v2/api/site/{_site(site)}/{path.lstrip('/')}"


def websocket_path(flavour: Flavour, site: str) -> str:
    """Return the websocket path: ``{prefix}/wss/s/{site}/events``."""
    return f"{network_prefix(flavour)}/wss/s/{_site(site)}/events"
