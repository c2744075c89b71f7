"""The controller transport: send one request, retry what is transient, keep the CSRF token.

:class:`ControllerTransport` owns no connection pool: it receives the ``httpx.AsyncClient`` that
the ``app`` package built with the TLS settings, and never closes it. Transient failures (connection
errors, timeouts, 502/503/504, a text/html "starting up" reply, 429 on data calls) are retried
with exponential backoff and jitter through ``stamina``; a 429 ``Retry-After`` is honoured up to
a bound. A login answered 429 is retried only when it says how long to wait (``Retry-After``) and
that wait is within the bound; a longer one fails at once, naming the wait. No body is read past
the size limit of a controller answer (:mod:`unifi_scanner._json`).
Everything else is translated once, through :mod:`.error_table`. Authentication (which
port, which flavour, logging in) is the business of :class:`.session.ControllerSession`.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Final

import httpx
import stamina
import structlog

from unifi_scanner.controller import endpoints
from unifi_scanner.controller._http import (
    TransientError,
    caused_by,
    format_host,
    parse_retry_after,
    retry_hook,
    send_bounded,
)
from unifi_scanner.controller.error_table import error_for
from unifi_scanner.controller.flavour import Flavour
from unifi_scanner.controller.tls import FingerprintMismatchError
from unifi_scanner.errors import (
    ControllerResponseError,
    ControllerUnreachableError,
    LoginRateLimitedError,
)

if TYPE_CHECKING:
    from pydantic import SecretStr

__all__ = ["ControllerTransport"]

_log = structlog.get_logger(__name__)

_TRANSIENT_STATUSES: Final = frozenset({502, 503, 504})
_HTTP_TOO_MANY: Final = 429
_HTTP_OK_MAX: Final = 299


class ControllerTransport:
    """Requests to one controller: URL, headers, retries, CSRF upkeep and error translation.

    Subclasses say which port to talk to through :meth:`_ensure_port`.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        host: str,
        port: int | None,
        api_key: SecretStr | None,
        scheme: str,
        retry_attempts: int,
        retry_timeout_s: float,
        max_retry_after_s: float,
    ) -> None:
        self._http = http
        self._host = host
        self._port = port
        self._api_key = api_key
        self._scheme = scheme
        self._retrying = stamina.AsyncRetryingCaller(
            attempts=retry_attempts, timeout=retry_timeout_s, wait_initial=0.5, wait_max=10.0
        )
        self._max_retry_after_s = max_retry_after_s
        self._csrf: str | None = None

    @property
    def port(self) -> int | None:
        """The controller port, once configured or detected."""
        return self._port

    @property
    def csrf_token(self) -> str | None:
        """The CSRF token sent on every request (UniFi OS), newest first."""
        return self._csrf

    async def _ensure_port(self) -> int:
        """Return the port to send to, detecting it first when it is not known yet."""
        raise NotImplementedError

    def _raise_for(
        self, response: httpx.Response, body: object, path: str, retry_after: float | None = None
    ) -> None:
        error = error_for(response.status_code, body, endpoint=path, retry_after=retry_after)
        if error is None:
            return
        try:
            response.raise_for_status()
        except httpx.HTTPStatusError as err:
            raise error from err
        raise error

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._csrf:
            headers["X-CSRF-Token"] = self._csrf
        if self._api_key is not None:
            headers["X-API-KEY"] = self._api_key.get_secret_value()
        return headers

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        params: dict[str, str] | None = None,
        starting_up_check: bool = True,
        attempts_once: bool = False,
    ) -> httpx.Response:
        port = await self._ensure_port()
        url = f"{self._scheme}://{format_host(self._host)}:{port}{path}"
        try:
            if attempts_once:
                return await self._send_once(
                    method,
                    url,
                    path=path,
                    json_body=json_body,
                    params=params,
                    starting_up_check=starting_up_check,
                )
            return await self._retrying(
                retry_hook,
                self._send_once,
                method,
                url,
                path=path,
                json_body=json_body,
                params=params,
                starting_up_check=starting_up_check,
            )
        except TransientError as err:
            raise err.error from (err.__cause__ or err)

    async def _send_once(
        self,
        method: str,
        url: str,
        *,
        path: str,
        json_body: object,
        params: dict[str, str] | None,
        starting_up_check: bool,
    ) -> httpx.Response:
        try:
            request = self._http.build_request(
                method, url, json=json_body, params=params, headers=self._headers()
            )
            response = await send_bounded(self._http, request, path=path)
        except httpx.HTTPError as err:
            if caused_by(err, FingerprintMismatchError):
                message = f"{path}: UNIFI_TLS_FINGERPRINT does not match ({err})"
                raise ControllerUnreachableError(message, endpoint=path) from err
            if caused_by(err, ssl.SSLCertVerificationError):
                # Retrying cannot help: the certificate is what it is.
                message = (
                    f"{path}: the controller's TLS certificate is not trusted ({err}); set "
                    "UNIFI_CA_BUNDLE to its CA, or pin it with UNIFI_TLS_FINGERPRINT"
                )
                raise ControllerUnreachableError(message, endpoint=path) from err
            error = ControllerUnreachableError(
                f"{path}: cannot reach the controller ({type(err).__name__}: {err})", endpoint=path
            )
            raise TransientError(error) from err
        updated = response.headers.get("X-Updated-CSRF-Token")
        if updated:
            self._csrf = updated
        status = response.status_code
        if status in _TRANSIENT_STATUSES:
            error = ControllerUnreachableError(
                f"{path}: the controller is unavailable (HTTP {status})",
                endpoint=path,
                status=status,
            )
            raise TransientError(error)
        if status == _HTTP_TOO_MANY and path in _LOGIN_PATHS:
            if (wait := parse_retry_after(response)) is not None:
                raise self._login_rate_limited(path, wait)
        elif status == _HTTP_TOO_MANY:
            wait = parse_retry_after(response)
            bounded = None if wait is None else min(wait, self._max_retry_after_s)
            limited = ControllerResponseError(
                f"{path}: the controller rate-limited us (429)", endpoint=path, status=status
            )
            raise TransientError(limited, bounded)
        content_type = response.headers.get("Content-Type", "")
        if starting_up_check and status <= _HTTP_OK_MAX and "text/html" in content_type:
            error = ControllerUnreachableError(
                f"{path}: the controller is starting up ({response.text[:60]!r})",
                endpoint=path,
                status=status,
            )
            raise TransientError(error)
        return response

    def _login_rate_limited(self, path: str, wait: float) -> Exception:
        """What a login answered 429 with ``Retry-After: wait`` raises.

        Within ``max_retry_after_s`` the login is retried after exactly ``wait`` seconds (said
        in one warning); beyond it the login fails at once, naming the wait asked for.
        """
        if wait > self._max_retry_after_s:
            message = (
                f"{path}: the controller rate-limited our logins and asked us to wait {wait:g} s, "
                f"longer than the {self._max_retry_after_s:g} s we wait (HTTP 429); "
                "try again later"
            )
            return LoginRateLimitedError(
                message, endpoint=path, status=_HTTP_TOO_MANY, retry_after=wait
            )
        _log.warning("the controller rate-limited our login; waiting as it asked", wait_s=wait)
        message = (
            f"{path}: the controller still rate-limited our logins after we waited {wait:g} s "
            "as it asked (HTTP 429); try again later"
        )
        limited = LoginRateLimitedError(
            message, endpoint=path, status=_HTTP_TOO_MANY, retry_after=wait
        )
        return TransientError(limited, wait)


_LOGIN_PATHS: Final = frozenset({endpoints.login_path(f) for f in Flavour})
