"""Concrete objects from :class:`Settings`: clock, TLS, HTTP and controller clients, deliverers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import structlog

from unifi_scanner.controller import ControllerClient, Flavour, build_ssl_context
from unifi_scanner.delivery import FileDeliverer, SmtpDeliverer, webhook_deliverers
from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    import ssl

    from unifi_scanner.config import Settings
    from unifi_scanner.delivery import Deliverer

__all__ = ["configured_deliverers", "controller_client", "http_client", "ssl_context", "utc_now"]

# The package's name, not the module's: log lines keep the logger name of the composition root.
_log = structlog.get_logger(__name__)


def utc_now() -> datetime:
    """The real clock, aware UTC."""
    return datetime.now(UTC)


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """The TLS context for the controller; warns when verification is off."""
    if not settings.verify_ssl and settings.tls_fingerprint is None:
        _log.warning(
            "TLS verification is off (UNIFI_VERIFY_SSL=false): anyone on the path can read "
            "the controller password; prefer UNIFI_TLS_FINGERPRINT or UNIFI_CA_BUNDLE"
        )
    return build_ssl_context(
        verify_ssl=settings.verify_ssl,
        ca_bundle=settings.ca_bundle,
        fingerprint=settings.tls_fingerprint,
    )


def http_client(settings: Settings, context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """An HTTP client for the controller: TLS context, the settings' timeouts, no redirects."""
    context = context or ssl_context(settings)
    timeout = httpx.Timeout(settings.timeout_s, connect=min(settings.timeout_s, 10.0))
    return httpx.AsyncClient(verify=context, timeout=timeout, follow_redirects=False)


def controller_client(settings: Settings, http: httpx.AsyncClient) -> ControllerClient:
    """The controller client ``settings`` describes, on ``http``.

    Raises:
        ConfigError: ``UNIFI_HOST`` is not set.
    """
    if settings.host is None:
        message = "host: set UNIFI_HOST to the controller's address (e.g. 192.168.1.1)"
        raise ConfigError(message, (("host", "settings", "missing"),))
    flavour = None if settings.flavour == "auto" else Flavour(settings.flavour)
    return ControllerClient(
        http,
        host=settings.host,
        port=settings.port,
        site=settings.site,
        flavour=flavour,
        username=settings.username,
        password=settings.password,
        api_key=settings.api_key,
        # One endpoint that keeps failing must cost a slice of the scan deadline, not all of it.
        retry_timeout_s=min(60.0, settings.scan_deadline_s / 6),
    )


def configured_deliverers(settings: Settings) -> list[Deliverer]:
    """Where reports go: files always, SMTP and webhooks when configured."""
    deliverers: list[Deliverer] = [FileDeliverer(settings.output_dir, settings.report_formats)]
    smtp = settings.smtp
    if smtp is not None and smtp.host:
        deliverers.append(
            SmtpDeliverer(
                host=smtp.host,
                port=smtp.port,
                sender=smtp.sender or "",
                recipients=smtp.recipients,
                username=smtp.username,
                password=smtp.password.get_secret_value() if smtp.password else None,
                starttls=smtp.starttls,
                use_tls=smtp.use_tls,
                timeout_s=smtp.timeout_s,
            )
        )
    webhook = settings.webhook
    if webhook is not None:
        deliverers.extend(
            webhook_deliverers(
                webhook.urls,
                chat_format=webhook.format,
                timeout_s=webhook.timeout_s,
                attempts=webhook.attempts,
                max_retry_after_s=webhook.max_retry_after_s,
            )
        )
    return deliverers
