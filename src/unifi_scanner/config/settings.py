"""The settings models: :class:`Settings` and its sections.

Each section is a nested model on ``Settings``; its environment variables are flat
(``UNIFI_SMTP_HOST`` → ``settings.smtp.host``) and its YAML form is a mapping (``smtp: {host: …}``).
Adding an integration's section is one field: ``cloudflare: CloudflareSettings | None = None``.
"""

# No `from __future__ import annotations`: pydantic and ruff both need these annotations at runtime.

import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from unifi_scanner.config._cron import check_cron
from unifi_scanner.config._fields import Sensitive
from unifi_scanner.config._sources import build_sources

__all__ = [
    "CloudflareSettings",
    "CommaSeparated",
    "IntegrationSettings",
    "ReportFormat",
    "Settings",
    "SettingsSection",
    "SmtpSettings",
    "WebhookSettings",
]

ReportFormat = Literal["text", "json", "markdown", "html"]

_T = TypeVar("_T")

_LIST_SEPARATOR = re.compile(r"[,\n]")
_SITE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_HEX_64 = re.compile(r"[0-9a-f]{64}")
_HEX_32 = re.compile(r"[0-9a-f]{32}")


def _split_list(value: object) -> object:
    """Split ``"a, b,c"`` (an environment value) into ``("a", "b", "c")``; leave lists alone."""
    if isinstance(value, str):
        return tuple(part.strip() for part in _LIST_SEPARATOR.split(value) if part.strip())
    return value


def _split_lower_list(value: object) -> object:
    """Like ``_split_list``, lower-casing each item."""
    value = _split_list(value)
    if isinstance(value, (list, tuple)):
        return tuple(item.lower() if isinstance(item, str) else item for item in value)
    return value


def _reject_empty(value: object) -> object:
    """An empty or blank string is never a valid setting; leave the variable unset instead."""
    if isinstance(value, str) and not value.strip():
        msg = "must not be empty"
        raise ValueError(msg)
    return value


def _at_least_one(value: tuple[_T, ...]) -> tuple[_T, ...]:
    """A list setting must not be empty (``UNIFI_SMTP_RECIPIENTS=,``)."""
    if not value:
        msg = "must list at least one item"
        raise ValueError(msg)
    return value


CommaSeparated = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_list)]
"""A list of strings; in the environment written ``a,b,c`` (commas or newlines)."""

_ReportFormats = Annotated[tuple[ReportFormat, ...], NoDecode, BeforeValidator(_split_lower_list)]


class SettingsSection(BaseModel):
    """Base of every section: frozen, unknown keys are errors, empty strings are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        return _reject_empty(value)


class IntegrationSettings(SettingsSection):
    """What every integration section has; an integration's own settings extend it.

    Attributes:
        enabled: switch the integration off without removing its credentials.
        timeout_s: per-run timeout of this integration.
        fail_max: failed runs in a row that open its circuit breaker.
        reset_timeout_s: how long the breaker stays open before one probe is let through.
    """

    enabled: bool = True
    timeout_s: float = Field(default=30.0, gt=0)
    fail_max: int = Field(default=3, ge=1)
    reset_timeout_s: float = Field(default=3600.0, gt=0)


class CloudflareSettings(IntegrationSettings):
    """The Cloudflare integration (``UNIFI_CLOUDFLARE_*``, YAML ``cloudflare:``).

    Unset means no Cloudflare section; a section without ``api_token`` is a partial
    configuration (one warning, the integration does not run). See
    ``docs/integrations/cloudflare.md`` for the token's permissions.

    Attributes:
        api_token: an API token with Zone Analytics Read, Account Analytics Read and
            Cloudflare Tunnel Read (``UNIFI_CLOUDFLARE_API_TOKEN_FILE`` reads it from a file).
        account_id: the account (32 hex digits); default: every account the token sees.
        zones: zone names or ids to read; default: every zone the token sees.
        base_url: the API's address (a proxy, or the local API of the tests and the demo).
        waf: read WAF and firewall events.
        dns: read Zero Trust Gateway DNS blocks.
        tunnels: read Cloudflare Tunnel health.
        max_events: WAF events read per zone and run at most (memory stays bounded).
        source_threshold: requests one address must have had stopped on one zone to be a
            finding of its own.
        spike_factor: an hour with this many times the usual stopped requests is a spike.
        spike_min: an hour needs at least this many stopped requests to be a spike.
    """

    api_token: SecretStr | None = None
    account_id: str | None = None
    zones: CommaSeparated | None = None
    base_url: str | None = None
    waf: bool = True
    dns: bool = True
    tunnels: bool = True
    max_events: int = Field(default=50_000, ge=1_000, le=200_000)
    source_threshold: int = Field(default=50, ge=1)
    spike_factor: float = Field(default=5.0, ge=1.5)
    spike_min: int = Field(default=100, ge=1)

    @field_validator("account_id")
    @classmethod
    def _check_account_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not _HEX_32.fullmatch(value):
            msg = "must be a Cloudflare account id: 32 hex digits (dashboard URL, Overview page)"
            raise ValueError(msg)
        return value

    @field_validator("zones")
    @classmethod
    def _some_zone(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        return tuple(dict.fromkeys(item.lower() for item in _at_least_one(value)))

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.lower().startswith(("http://", "https://")):
            msg = "must start with http:// or https:// (e.g. https://api.cloudflare.com/client/v4)"
            raise ValueError(msg)
        return value


class AbuseIpdbSettings(IntegrationSettings):
    """Threat intelligence from AbuseIPDB (``UNIFI_ABUSEIPDB_*``, YAML ``abuseipdb:``).

    Unset means no threat intelligence; a section without ``api_key`` is a partial
    configuration (one warning). See ``docs/integrations/threatintel.md``.

    Attributes:
        api_key: the API key (``UNIFI_ABUSEIPDB_API_KEY_FILE`` reads it from a file).
        base_url: the API's address (a proxy, or the local API of the tests and the demo).
        cache_ttl_hours: how long an answer is reused before it is asked again.
        max_lookups: addresses looked up per scan at most (answers from the cache are free).
        max_age_days: how far back reports count (AbuseIPDB's ``maxAgeInDays``).
        high_score: an abuse confidence from which an address is a known abuser.
    """

    api_key: SecretStr | None = None
    base_url: str = "https://api.abuseipdb.com/api/v2"
    cache_ttl_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    max_lookups: int = Field(default=25, ge=1, le=1000)
    max_age_days: int = Field(default=90, ge=1, le=365)
    high_score: int = Field(default=75, ge=1, le=100)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.lower().startswith(("http://", "https://")):
            msg = "must start with http:// or https:// (e.g. https://api.abuseipdb.com/api/v2)"
            raise ValueError(msg)
        return value


def _check_address(value: str) -> str:
    """A light check of an e-mail address: something@something, no spaces."""
    value = value.strip()
    local, _, domain = value.rpartition("@")
    if not local or not domain or any(char.isspace() for char in value):
        msg = f"must be an e-mail address, got {value!r}"
        raise ValueError(msg)
    return value


class SmtpSettings(SettingsSection):
    """E-mail delivery (``UNIFI_SMTP_*``, YAML ``smtp:``); unset means no e-mail.

    Attributes:
        host: SMTP server.
        port: SMTP port (587 for STARTTLS, 465 for implicit TLS).
        username: login user, when the server needs one.
        password: login password.
        sender: the From address.
        recipients: To addresses (``a@x,b@y`` in the environment).
        starttls: upgrade the connection with STARTTLS.
        use_tls: connect with implicit TLS (port 465); turns ``starttls`` off unless it is set too.
        timeout_s: connect and send timeout.
    """

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    recipients: CommaSeparated
    starttls: bool = True
    use_tls: bool = False
    timeout_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _implicit_tls_disables_starttls(cls, data: Any) -> Any:  # noqa: ANN401 (pydantic hook)
        if isinstance(data, dict) and "starttls" not in data and "use_tls" in data:
            try:
                use_tls = TypeAdapter(bool).validate_python(data["use_tls"])
            except ValidationError:
                return data  # the field validator reports it
            if use_tls:
                return {**data, "starttls": False}
        return data

    @model_validator(mode="after")
    def _one_tls_mode(self) -> "SmtpSettings":
        if self.use_tls and self.starttls:
            msg = "use_tls and starttls cannot both be true"
            raise ValueError(msg)
        return self

    @field_validator("sender")
    @classmethod
    def _sender_is_address(cls, value: str) -> str:
        return _check_address(value)

    @field_validator("recipients")
    @classmethod
    def _recipients_are_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_address(item) for item in _at_least_one(value))


class WebhookSettings(SettingsSection):
    """Webhook delivery (``UNIFI_WEBHOOK_*``, YAML ``webhook:``); unset means no webhook.

    Attributes:
        urls: the URLs to POST the report to; treated as secrets (their path is often a token).
        timeout_s: per-request timeout.
        format: what is posted: ``generic`` (the JSON report), ``slack``, ``discord`` or
            ``teams`` (a short summary message), or ``auto`` (chosen by each URL's host).
        attempts: tries per report and URL in one run (the first included); 5xx, 429 and
            connection errors are retried with backoff.
        max_retry_after_s: the longest ``Retry-After`` waited for; a longer one ends the retries.
    """

    urls: Annotated[CommaSeparated, Sensitive()]
    timeout_s: float = Field(default=10.0, gt=0)
    format: Literal["auto", "generic", "slack", "discord", "teams"] = "auto"
    attempts: int = Field(default=4, ge=1, le=10)
    max_retry_after_s: float = Field(default=60.0, ge=0)

    @field_validator("format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("urls")
    @classmethod
    def _urls_are_http(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in _at_least_one(value):
            if not url.lower().startswith(("http://", "https://")):
                msg = "each URL must start with http:// or https://"
                raise ValueError(msg)
        return value


def machine_timezone() -> str:
    """The machine's IANA time zone (``Europe/Berlin``); ``UTC`` when it cannot be told."""
    try:
        name = tzlocal.get_localzone_name()
    except (LookupError, ValueError, OSError):  # tzlocal's ZoneInfoNotFoundError is a KeyError
        return "UTC"
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return "UTC"
    return name


class Settings(BaseSettings):
    """The scanner's whole configuration.

    Build it with :func:`unifi_scanner.config.load_settings`, which turns every problem into one
    :class:`~unifi_scanner.errors.ConfigError`. Sources, highest priority first: environment
    ``UNIFI_*``, ``UNIFI_<FIELD>_FILE`` secret files, the YAML file, defaults.
    """

    model_config = SettingsConfigDict(
        env_prefix="UNIFI_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
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
    max_catchup_hours: int = Field(
        default=168,
        ge=1,
        le=24 * 89,
        description=(
            "How far back a scan reaches for what earlier scans could not read; older gaps are "
            "given up and the report says so. Below the 90 days reported ids are remembered."
        ),
    )
    lock_wait_s: float = Field(
        default=60.0,
        ge=0,
        description="How long a scan waits for another scan of the same state file to finish.",
    )

    # integrations
    integrations_deadline_s: float = Field(default=60.0, gt=0)
    integrations_max_concurrency: int = Field(default=4, ge=1)
    cloudflare: CloudflareSettings | None = None
    abuseipdb: AbuseIpdbSettings | None = None
    cybersecure: IntegrationSettings = Field(
        default_factory=IntegrationSettings,
        description="CyberSecure: on by default (it reads only the scan's own IPS data).",
    )

    # reports and delivery
    output_dir: Path = Path("reports")
    report_formats: _ReportFormats = ("text", "json")
    timezone: str = Field(
        default_factory=machine_timezone,
        description="IANA zone the human formats show times in (default: the machine's).",
    )
    state_path: Path = Path("unifi-scanner-state.sqlite3")
    schedule: str | None = Field(default=None, description="Cron expression for `serve`.")
    smtp: SmtpSettings | None = None
    webhook: WebhookSettings | None = None

    # logging
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (replaced by our flat env source)
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (no .env files)
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (replaced by *_FILE)
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then environment, then ``*_FILE`` secrets, then the YAML file."""
        return (init_settings, *build_sources(settings_cls))

    @field_validator("*", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        return _reject_empty(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", "flavour", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("report_formats")
    @classmethod
    def _some_format(cls, value: tuple[ReportFormat, ...]) -> tuple[ReportFormat, ...]:
        return tuple(dict.fromkeys(_at_least_one(value)))

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if "://" in value or "/" in value:
            msg = f"must be a host name or IP address, not a URL, got {value!r}"
            raise ValueError(msg)
        return value

    @field_validator("site")
    @classmethod
    def _check_site(cls, value: str) -> str:
        value = value.strip()
        if value.lower() == "all":
            return "all"
        if not _SITE_NAME.fullmatch(value):
            msg = (
                "must be 'all' or a site name such as 'default' "
                f"(the id in the controller's URL, not the description), got {value!r}"
            )
            raise ValueError(msg)
        return value

    @field_validator("tls_fingerprint")
    @classmethod
    def _check_fingerprint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[:\s]", "", value).lower()
        if not _HEX_64.fullmatch(digits):
            msg = "must be a SHA-256 fingerprint: 64 hex digits, ':' separators optional"
            raise ValueError(msg)
        return digits

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            msg = f"must be an IANA time zone such as 'Europe/Berlin', got {value!r}"
            raise ValueError(msg) from None
        return value

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = check_cron(value)
        if problem is not None:
            msg = f"not a cron expression: {problem}"
            raise ValueError(msg)
        return value.strip()

    @field_validator("ca_bundle")
    @classmethod
    def _check_ca_bundle(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            msg = f"must be an existing file, got '{value}'"
            raise ValueError(msg)
        return value
