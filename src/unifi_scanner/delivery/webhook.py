"""POST reports to webhooks: the JSON report, or a short chat message (Slack, Discord, Teams).

A webhook URL is a secret: its path is often the only credential. So this module names the
host in errors, logs and receipts, and never the path or query. Redirects are not followed
(a 3xx is an error): following one could send the report somewhere unexpected.

Every POST of a report carries its id as ``Idempotency-Key`` (and the generic JSON body carries
it as ``report_id``): a retry, or the outbox sending it again next run, is recognisably the same
report, so a receiver that keeps the keys it has seen takes each report once.

Transient failures (connection errors, 5xx, 429) are retried with exponential backoff through
``stamina``; a ``Retry-After`` is honoured when it is no longer than ``max_retry_after_s``, and a
longer one ends the retries at once. Any other status is final. A request that was sent but got
no answer (a read timeout, a dropped connection) may have arrived: it is not repeated at once
(a chat service, which cannot tell repeats apart, would show it twice) but fails the delivery,
and the outbox tries again on the next run with the same key.
"""

from __future__ import annotations

import hashlib
import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

import httpx
import stamina
import structlog

from unifi_scanner.__about__ import __version__
from unifi_scanner._retry_after import retry_after_seconds
from unifi_scanner.delivery.base import DeliveryReceipt, require_formats
from unifi_scanner.delivery.chat import ChatFormat, chat_payload, detect_format
from unifi_scanner.errors import DeliveryError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from unifi_scanner.reports import Report

__all__ = ["USER_AGENT", "WebhookDeliverer", "redact_url", "webhook_deliverers"]

USER_AGENT: Final = f"unifi-scanner/{__version__}"
_FORMATS = ("json",)
#: Errors after which the request may have reached the receiver: sent, but no answer came.
_UNKNOWN_OUTCOME: Final = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
_log = structlog.get_logger(__name__)


def redact_url(url: str) -> str:
    """Return ``scheme://host[:port]/…``: the URL without its path, query or credentials.

    Args:
        url: a webhook URL.

    Returns:
        The redacted form, safe for logs and receipts.
    """
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


def _retry_after_s(response: httpx.Response) -> float | None:
    """Read ``Retry-After`` (seconds or an HTTP date) as seconds from now; None when absent."""
    return retry_after_seconds(response.headers)


class _TransientError(Exception):
    """A failure worth retrying; ``retry_after`` is the server's wish, in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _backoff_hook(max_retry_after_s: float) -> Callable[[Exception], bool | float]:
    """Return the stamina hook: retry transient errors, waiting ``Retry-After`` when given."""

    def _hook(exc: Exception) -> bool | float:
        if not isinstance(exc, _TransientError):
            return False
        if exc.retry_after is None:
            return True
        return exc.retry_after if exc.retry_after <= max_retry_after_s else False

    return _hook


class WebhookDeliverer:
    """POSTs each report to one webhook URL.

    Args:
        url: the ``http(s)://`` URL (a secret: only its host is ever shown).
        name: the deliverer's name (``webhook``; ``webhook_deliverers`` names several apart).
        chat_format: ``generic`` posts the JSON report; ``slack``/``discord``/``teams`` post a
            short summary message; ``auto`` picks by the URL (:func:`detect_format`).
        http: the client to send with; when None, one is opened per delivery with ``timeout_s``.
        timeout_s: per-request timeout when this deliverer opens its own client.
        attempts: tries per delivery, the first included.
        retry_timeout_s: stop retrying after this long.
        max_retry_after_s: the longest ``Retry-After`` waited for.

    Raises:
        ValueError: the URL is not ``http(s)://`` with a host, or ``attempts`` < 1.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str = "webhook",
        chat_format: ChatFormat | str = ChatFormat.AUTO,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = 10.0,
        attempts: int = 4,
        retry_timeout_s: float = 60.0,
        max_retry_after_s: float = 60.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"a webhook URL must be http(s):// with a host: {redact_url(url)}")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        chosen = ChatFormat(chat_format)
        self._url = url
        self._host = parts.hostname
        self._name = name
        self._format = detect_format(url) if chosen is ChatFormat.AUTO else chosen
        self._http = http
        self._timeout_s = timeout_s
        self._attempts = attempts
        self._retry_timeout_s = retry_timeout_s
        self._max_retry_after_s = max_retry_after_s

    @property
    def name(self) -> str:
        """The name given (``webhook`` by default)."""
        return self._name

    @property
    def formats(self) -> tuple[str, ...]:
        """``json``."""
        return _FORMATS

    @property
    def chat_format(self) -> ChatFormat:
        """The body posted (``auto`` already resolved)."""
        return self._format

    @property
    def destination(self) -> str:
        """The URL, redacted (:func:`redact_url`)."""
        return redact_url(self._url)

    def _body(self, report: Report, rendered: Mapping[str, str]) -> bytes:
        if self._format is ChatFormat.GENERIC:
            return rendered["json"].encode("utf-8")
        return json.dumps(chat_payload(self._format, report), ensure_ascii=False).encode("utf-8")

    def _scrub(self, text: str) -> str:
        """Remove the URL, its path and its query from ``text`` (a third-party message)."""
        parts = urlsplit(self._url)
        text = text.replace(self._url, self.destination)
        for secret in (parts.query, parts.path):
            if len(secret) > 1:
                text = text.replace(secret, "…")
        return text

    async def _post_once(self, http: httpx.AsyncClient, body: bytes, key: str) -> httpx.Response:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": key,
        }
        try:
            response = await http.post(self._url, content=body, headers=headers)
        except _UNKNOWN_OUTCOME as err:
            detail = self._scrub(f"{type(err).__name__}: {err}".rstrip(": "))
            message = (
                f"{self._host} did not answer after the report was sent ({detail}); it may have "
                "arrived, so it is not sent again before the next run"
            )
            raise DeliveryError(message, channel=self._name) from err
        except httpx.TransportError as err:
            detail = self._scrub(f"{type(err).__name__}: {err}".rstrip(": "))
            raise _TransientError(f"could not reach {self._host}: {detail}") from err
        status = response.status_code
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR or status == HTTPStatus.TOO_MANY_REQUESTS:
            wait = _retry_after_s(response)
            suffix = "" if wait is None else f" (retry after {wait:g} s)"
            raise _TransientError(f"{self._host} answered HTTP {status}{suffix}", wait)
        if not HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
            raise DeliveryError(f"{self._host} answered HTTP {status}", channel=self._name)
        return response

    async def _post(self, http: httpx.AsyncClient, body: bytes, key: str) -> httpx.Response:
        retrying = stamina.retry_context(
            on=_backoff_hook(self._max_retry_after_s),
            attempts=self._attempts,
            timeout=self._retry_timeout_s,
            wait_initial=0.5,
            wait_max=10.0,
        )
        async for attempt in retrying:
            with attempt:
                if attempt.num > 1:
                    _log.info("webhook retry", channel=self._name, host=self._host, n=attempt.num)
                return await self._post_once(http, body, key)
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover

    async def deliver(self, report: Report, rendered: Mapping[str, str]) -> DeliveryReceipt:
        """POST the report (or its chat summary) to the URL, retrying transient failures.

        Args:
            report: the report (for a chat summary).
            rendered: holds ``json``.

        Returns:
            A receipt with the redacted URL and the HTTP status.

        Raises:
            DeliveryError: the webhook answered a final error status, a redirect, or still
                failed after the retries. The message names the host, never the path.
        """
        require_formats(self._name, _FORMATS, rendered)
        body = self._body(report, rendered)
        try:
            if self._http is not None:
                response = await self._post(self._http, body, report.id)
            else:
                timeout = httpx.Timeout(self._timeout_s)
                async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http:
                    response = await self._post(http, body, report.id)
        except _TransientError as err:
            raise DeliveryError(str(err), channel=self._name) from err
        _log.info(
            "webhook delivered", channel=self._name, host=self._host, status=response.status_code
        )
        return DeliveryReceipt(
            channel=self._name,
            destinations=(self.destination,),
            detail=f"HTTP {response.status_code}",
        )


def webhook_deliverers(
    urls: Iterable[str],
    *,
    chat_format: ChatFormat | str = ChatFormat.AUTO,
    http: httpx.AsyncClient | None = None,
    timeout_s: float = 10.0,
    attempts: int = 4,
    max_retry_after_s: float = 60.0,
) -> list[WebhookDeliverer]:
    """Return one :class:`WebhookDeliverer` per URL, each with a stable name of its own.

    One URL is named ``webhook``; several are named ``webhook-<8 hex>`` from a hash of each
    URL, so the outbox tells them apart and the name survives reordering the list.

    Args:
        urls: the URLs (``settings.webhook.urls``).
        chat_format: the body for all of them (``auto``: by each URL).
        http: a shared client, or None for one per delivery.
        timeout_s: per-request timeout.
        attempts: tries per delivery.
        max_retry_after_s: the longest ``Retry-After`` waited for.

    Returns:
        The deliverers, in the order of ``urls`` (duplicates dropped).
    """
    unique = list(dict.fromkeys(urls))
    deliverers = []
    for url in unique:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
        deliverers.append(
            WebhookDeliverer(
                url,
                name="webhook" if len(unique) == 1 else f"webhook-{digest}",
                chat_format=chat_format,
                http=http,
                timeout_s=timeout_s,
                attempts=attempts,
                max_retry_after_s=max_retry_after_s,
            )
        )
    return deliverers
