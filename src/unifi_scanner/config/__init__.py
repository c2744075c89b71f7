"""Settings: environment (``UNIFI_*``), ``*_FILE`` secrets, a YAML file, then defaults.

Highest priority first: environment variables with the prefix ``UNIFI_``
(names compatible with the peer tool users migrate from: ``UNIFI_HOST``, ``UNIFI_PASSWORD``…),
``UNIFI_<NAME>_FILE`` variables naming a file that holds a secret (Docker secrets),
the YAML file (``--config PATH`` or ``UNIFI_CONFIG``), then defaults.
Each integration owns one section
(``UNIFI_CLOUDFLARE_API_TOKEN`` or ``cloudflare: {api_token: …}``).
See ``docs/configuration.md``.
"""

from unifi_scanner.config._fields import Sensitive
from unifi_scanner.config.loader import load_settings
from unifi_scanner.config.redact import redacted, secret_values
from unifi_scanner.config.settings import (
    AbuseIpdbSettings,
    CloudflareSettings,
    CommaSeparated,
    IntegrationSettings,
    ReportFormat,
    Settings,
    SettingsSection,
    SmtpSettings,
    WebhookSettings,
)

__all__ = [
    "AbuseIpdbSettings",
    "CloudflareSettings",
    "CommaSeparated",
    "IntegrationSettings",
    "ReportFormat",
    "Sensitive",
    "Settings",
    "SettingsSection",
    "SmtpSettings",
    "WebhookSettings",
    "load_settings",
    "redacted",
    "secret_values",
]
