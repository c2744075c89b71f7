"""The two kinds of UniFi controller the client talks to."""

from __future__ import annotations

import enum

__all__ = ["Flavour"]


class Flavour(enum.StrEnum):
    """Which kind of controller answered.

    ``UNIFI_OS`` consoles (UDM, UCG, UniFi OS Server) prefix every Network path with
    ``/proxy/network``; ``LEGACY`` self-hosted controllers do not.
    """

    UNIFI_OS = "unifi-os"
    LEGACY = "legacy"
