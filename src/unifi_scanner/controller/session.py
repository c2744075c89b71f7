"""The controller session: port and flavour detection, login, logout, re-login, API key.

:class:`ControllerSession` is the authenticated half of the controller client; it sends through
:class:`.transport.ControllerTransport` (retries, CSRF upkeep, error translation). It owns no
connection pool: it receives the ``httpx.AsyncClient`` that the ``app`` package built with the TLS
settings, and never closes it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, Self

import httpx
import structlog

from unifi_scanner.controller import endpoints
from unifi_scanner.controller._http import csrf_from_jwt, decode, format_host, parse_retry_after
from unifi_scanner.controller.error_table import is_login_required
from unifi_scanner.controller.flavour import Flavour
from unifi_scanner.controller.transport import _HTTP_OK_MAX, ControllerTransport
from unifi_scanner.errors import (
    AuthenticationError,
    ConfigError,
    ControllerError,
    ControllerResponseError,
    ControllerUnreachableError,
)

if TYPE_CHECKING:
    from types import TracebackType

    from pydantic import SecretStr

__all__ = ["DEFAULT_PORTS", "LOGOUT_TIMEOUT_S", "ControllerSession"]

_log = structlog.get_logger(__name__)

DEFAULT_PORTS: Final = (443, 8443, 11443)
LOGOUT_TIMEOUT_S: Final = 2.0
"""Upper bound on the logout call when the session closes."""
_HTTP_REDIRECT: Final = range(300, 400)


class ControllerSession(ControllerTransport):
    """Authentication and transport for one controller (see :class:`ControllerClient`)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        host: str,
        port: int | None = None,
        site: str = "default",
        flavour: Flavour | None = None,
        username: str | None = None,
        password: SecretStr | None = None,
        api_key: SecretStr | None = None,
        scheme: str = "https",
        retry_attempts: int = 5,
        retry_timeout_s: float = 60.0,
        max_retry_after_s: float = 60.0,
    ) -> None:
        if api_key is None and (not username or password is None):
            message = "the controller needs username and password, or api_key"
            raise ConfigError(message, (("username", "settings", message),))
        super().__init__(
            http,
            host=host,
            port=port,
            api_key=api_key,
            scheme=scheme,
            retry_attempts=retry_attempts,
            retry_timeout_s=retry_timeout_s,
            max_retry_after_s=max_retry_after_s,
        )
        self._site = site
        self._flavour = flavour
        self._username = username
        self._password = password
        self._logged_in = False
        self._login_generation = 0
        self._login_lock = asyncio.Lock()
        self._flows_old_form = False

    @property
    def flavour(self) -> Flavour | None:
        """The controller flavour, once configured or detected."""
        return self._flavour

    @property
    def site(self) -> str:
        """The default site for site-scoped calls."""
        return self._site

    @classmethod
    async def detect_port(
        cls,
        http: httpx.AsyncClient,
        host: str,
        *,
        ports: tuple[int, ...] = DEFAULT_PORTS,
        scheme: str = "https",
    ) -> int:
        """Return the first of ``ports`` on which ``host`` answers HTTP at all.

        Raises:
            ControllerUnreachableError: none of the ports answered.
        """
        failures: list[str] = []
        for port in ports:
            try:
                await http.get(f"{scheme}://{format_host(host)}:{port}/", follow_redirects=False)
            except httpx.HTTPError as err:
                failures.append(f"{port}: {type(err).__name__}")
                continue
            _log.info("controller port detected", host=host, port=port)
            return port
        message = f"no controller answered on {host} ports {', '.join(map(str, ports))}"
        raise ControllerUnreachableError(f"{message} ({'; '.join(failures)})", endpoint="/")

    async def detect_flavour(self) -> Flavour:
        """Tell UniFi OS from legacy: ``GET /`` without redirects: 200 → UniFi OS, 3xx → legacy.

        Raises:
            ControllerUnreachableError: the controller cannot be reached.
            ControllerResponseError: the answer fits neither flavour.
        """
        await self._ensure_port()
        response = await self._send("GET", "/", starting_up_check=False)
        if response.status_code in _HTTP_REDIRECT:
            flavour = Flavour.LEGACY
        elif response.status_code <= _HTTP_OK_MAX:
            flavour = Flavour.UNIFI_OS
        else:
            raise ControllerResponseError(
                f"cannot tell the controller flavour: GET / answered {response.status_code}",
                endpoint="/",
                status=response.status_code,
            )
        _log.info("controller flavour detected", flavour=str(flavour))
        self._flavour = flavour
        return flavour

    async def login(self) -> None:
        """Log in with the username and password (no-op with an API key).

        Raises:
            AuthenticationError: bad credentials (final; do not retry).
            MfaRequiredError: the account needs MFA.
            LoginRateLimitedError: the controller rate-limited logins; see ``retry_after``.
            ControllerUnreachableError: the controller cannot be reached or is starting up.
        """
        if self._api_key is not None:
            return
        flavour = await self._ensure_flavour()
        path = endpoints.login_path(flavour)
        body = {
            "username": self._username,
            "password": self._password.get_secret_value() if self._password else "",
            "rememberMe": True,
        }
        self._csrf = None
        response = await self._send("POST", path, json_body=body)
        decoded = decode(response)
        self._raise_for(response, decoded, path, retry_after=parse_retry_after(response))
        if decoded is None:
            raise ControllerResponseError(f"{path} answered a body that is not JSON", endpoint=path)
        token = response.headers.get("X-CSRF-Token") or csrf_from_jwt(
            response.cookies.get("TOKEN") or self._http.cookies.get("TOKEN")
        )
        if token:
            self._csrf = token
        self._logged_in = True
        self._login_generation += 1
        _log.info("logged in to the controller", flavour=str(flavour))

    async def logout(self) -> None:
        """Log out when logged in; failures are logged, never raised.

        One attempt, bounded by :data:`LOGOUT_TIMEOUT_S`: a controller that stopped answering
        cannot hold the caller (and its scan deadline) for a whole read timeout.
        """
        if not self._logged_in or self._flavour is None:
            return
        path = endpoints.logout_path(self._flavour)
        try:
            async with asyncio.timeout(LOGOUT_TIMEOUT_S):
                response = await self._send("POST", path, json_body={}, attempts_once=True)
        except ControllerError as err:
            _log.debug("logout failed", error=str(err))
        except TimeoutError:
            _log.debug("logout timed out", timeout_s=LOGOUT_TIMEOUT_S)
        else:
            _log.debug("logged out", status=response.status_code)
        self._forget_session()

    def _forget_session(self) -> None:
        self._logged_in = False
        self._csrf = None

    async def aclose(self) -> None:
        """Log out. The ``httpx.AsyncClient`` belongs to the caller and stays open."""
        await self.logout()

    async def __aenter__(self) -> Self:
        """Return the session; nothing happens until the first call."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Log out, unless the task is being cancelled (then only forget the session).

        A cancelled scan (its deadline passed) must end now, not after one more request.
        """
        if exc_type is not None and issubclass(exc_type, asyncio.CancelledError):
            self._forget_session()
            return
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        params: dict[str, str] | None = None,
    ) -> object:
        """Send one authenticated call and return its decoded JSON body.

        Logs in first when needed. On 401 or ``api.err.LoginRequired`` logs in once more and
        retries once.

        Args:
            method: ``GET`` or ``POST``.
            path: a path from :mod:`.endpoints`.
            json_body: the JSON body, for POST.
            params: query parameters.

        Raises:
            ControllerError: the subclass the reply stands for (see :mod:`.error_table`).
        """
        await self._ensure_ready()
        relogged = False
        while True:
            generation = self._login_generation
            response = await self._send(method, path, json_body=json_body, params=params)
            decoded = decode(response)
            if (
                not relogged
                and self._api_key is None
                and is_login_required(response.status_code, decoded)
            ):
                relogged = True
                _log.info("session expired, logging in again", endpoint=path)
                await self._relogin(generation)
                continue
            self._raise_for(response, decoded, path)
            if decoded is None:
                raise ControllerResponseError(
                    f"{path} answered a body that is not JSON", endpoint=path
                )
            return decoded

    async def relogin(self) -> None:
        """Log in again now, e.g. when the websocket upgrade was refused (no-op with an API key).

        Raises:
            AuthenticationError: bad credentials (final; do not retry).
            ControllerUnreachableError: the controller cannot be reached.
        """
        if self._api_key is None:
            await self._relogin(self._login_generation)

    async def websocket_handshake(self) -> tuple[str, dict[str, str]]:
        """Return the events websocket URL of the default site and the headers of its upgrade.

        Logs in first when needed. The headers carry the session cookie (``TOKEN`` on UniFi OS,
        ``unifises`` on legacy) and the CSRF token, or the API key.

        Raises:
            ControllerError: detecting the controller or logging in failed.
        """
        await self._ensure_ready()
        flavour = await self._ensure_flavour()
        port = await self._ensure_port()
        scheme = "wss" if self._scheme == "https" else "ws"
        path = endpoints.websocket_path(flavour, self._site)
        headers = {k: v for k, v in self._headers().items() if k != "Accept"}
        cookies = [
            f"{cookie.name}={cookie.value}"
            for cookie in self._http.cookies.jar
            if cookie.name in _SESSION_COOKIES and cookie.value is not None
        ]
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        return f"{scheme}://{format_host(self._host)}:{port}{path}", headers

    async def _relogin(self, seen_generation: int) -> None:
        async with self._login_lock:
            if self._login_generation == seen_generation:
                await self.login()

    async def _ensure_port(self) -> int:
        if self._port is None:
            self._port = await self.detect_port(self._http, self._host, scheme=self._scheme)
        return self._port

    async def _ensure_flavour(self) -> Flavour:
        if self._flavour is None:
            return await self.detect_flavour()
        return self._flavour

    async def _ensure_ready(self) -> None:
        flavour = await self._ensure_flavour()
        if self._api_key is not None and flavour is Flavour.LEGACY:
            message = (
                "an API key (X-API-KEY) works only on UniFi OS consoles; this is a legacy "
                "controller, so set UNIFI_USERNAME and UNIFI_PASSWORD instead"
            )
            raise AuthenticationError(message, endpoint="/")
        if not self._logged_in and self._api_key is None:
            async with self._login_lock:
                if not self._logged_in:
                    await self.login()


_SESSION_COOKIES: Final = frozenset({"TOKEN", "unifises"})
