"""Settings: environment (``UNIFI_*``), ``*_FILE`` secrets, a YAML file, then defaults.

Highest priority first: environment variables with the prefix ``UNIFI_`` (names compatible with the
peer tool users migrate from: ``UNIFI_HOST``, ``UNIFI_PASSWORD``…), ``UNIFI_<NAME>_FILE`` variables naming
a file that holds a secret (Docker secrets), the YAML file (``--config PATH`` or ``UNIFI_CONFIG``), then
defaults. Each integration owns one section (``UNIFI_CLOUDFLARE_API_TOKEN`` or ``cloudflare: {api_token:}``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["IntegrationSettings", "Settings"]

ReportFormat = Literal["text", "json", "markdown", "html"]


class IntegrationSettings(BaseModel):
    """What every integration section has; an integration's own settings extend it.

    Attributes:
        enabled: switch the integration off without removing its credentials.
        timeout_s: per-run timeout of this integration.
        fail_max: failed runs in a row that open its circuit breaker.
        reset_timeout_s: how long the breaker stays open before one probe is let through.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    timeout_s: float = Field(default=30.0, gt=0)
    fail_max: int = Field(default=3, ge=1)
    reset_timeout_s: float = Field(default=3600.0, gt=0)


class Settings(BaseSettings):
    """The scanner's whole configuration."""

    model_config = SettingsConfigDict(
        env_prefix="UNIFI_",
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    # controller
    host: str | None = Field(default=None, description="Controller host name or IP.")
    port: int | None = Field(default=None, ge=1, le=65535, description="None: auto-detect.")
    username: str | None = Field(default=None, description="A read-only local account.")
    password: SecretStr | None = None
    api_key: SecretStr | None = Field(default=None, description="X-API-KEY instead of a login.")
    site: str = Field(default="default", min_length=1, description="Site name, or 'all'.")
    flavour: Literal["auto", "unifi-os", "legacy"] = "auto"
    verify_ssl: bool = True
    ca_bundle: Path | None = None
    tls_fingerprint: str | None = Field(
        default=None, description="SHA-256 of the controller certificate, hex, ':' optional."
    )
    timeout_s: float = Field(default=30.0, gt=0, description="Connect and read timeout.")
    scan_deadline_s: float = Field(default=300.0, gt=0, description="Whole-scan deadline.")
    initial_lookback_hours: int = Field(default=24, ge=1, le=24 * 90)

    # integrations
    integrations_deadline_s: float = Field(default=60.0, gt=0)
    integrations_max_concurrency: int = Field(default=4, ge=1)

    # reports and delivery
    output_dir: Path = Path("reports")
    report_formats: tuple[ReportFormat, ...] = ("text", "json")
    timezone: str = "UTC"
    state_path: Path = Path("unifi-scanner-state.sqlite3")
    schedule: str | None = Field(default=None, description="Cron expression for `serve`.")

    # logging
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
