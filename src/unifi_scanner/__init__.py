"""UniFi Scanner: a plain-English security and health report for a UniFi network."""

from unifi_scanner.__about__ import __version__

__all__ = ["__version__"]
