"""The controller's events websocket: an :class:`EventStream` of raw text frames.

:class:`ControllerWebsocket` opens ``{prefix}/wss/s/{site}/events`` with the REST session's
cookie and CSRF token (or API key) and the same ``ssl.SSLContext`` as the REST client, so a CA
bundle or a pinned fingerprint applies to it too. It sends websocket pings every 15 s (as
aiounifi does) and yields every text frame; decoding and normalising the JSON is
:mod:`unifi_scanner.collect.live`'s job (a frame over the JSON input limits is dropped there;
one over ``WEBSOCKET_MESSAGE_CEILING`` breaks the connection, close code 1009). The stream ends
when the socket closes: it never reconnects on its own (the caller loops with a backoff,
UNIFI_API.md §6).

:class:`MemoryEventStream` is the in-memory implementation for tests.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING, Final, Protocol, Self, runtime_checkable
from urllib.parse import urlsplit

import structlog
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidHandshake, InvalidStatus

from unifi_scanner._json import WEBSOCKET_MESSAGE_CEILING
from unifi_scanner.controller._http import caused_by
from unifi_scanner.controller.tls import FingerprintMismatchError
from unifi_scanner.errors import (
    AuthenticationError,
    ControllerError,
    ControllerResponseError,
    ControllerUnreachableError,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from websockets.asyncio.client import ClientConnection

    from unifi_scanner.controller.session import ControllerSession

__all__ = [
    "HEARTBEAT_S",
    "ControllerWebsocket",
    "EventStream",
    "MemoryEventStream",
]

_log = structlog.get_logger(__name__)

HEARTBEAT_S: Final = 15.0
"""Seconds between websocket pings (aiounifi's ``heartbeat=15``)."""

_REFUSED_AUTH: Final = frozenset({401, 403})
_PONG: Final = "pong"


@runtime_checkable
class EventStream(Protocol):
    """An open events websocket: async-iterate its text frames; ``close()`` ends it.

    Iteration ends when the controller closes the socket cleanly and raises
    :class:`~unifi_scanner.errors.ControllerUnreachableError` when the connection breaks.
    """

    def __aiter__(self) -> AsyncIterator[str]:
        """Iterate over the text frames as they arrive."""
        ...

    async def close(self) -> None:
        """Close the stream; iteration ends."""
        ...


class ControllerWebsocket:
    """One open events websocket to the controller (an :class:`EventStream`).

    Open it with :meth:`connect`; the constructor wraps an already open connection.

    Args:
        connection: the open ``websockets`` client connection.
        endpoint: the websocket path, for error messages.
    """

    def __init__(self, connection: ClientConnection, *, endpoint: str) -> None:
        self._connection = connection
        self._endpoint = endpoint

    @classmethod
    async def connect(
        cls,
        session: ControllerSession,
        *,
        ssl_context: ssl.SSLContext | None = None,
        heartbeat_s: float = HEARTBEAT_S,
        open_timeout_s: float = 10.0,
    ) -> Self:
        """Log in when needed and open the default site's events websocket.

        Args:
            session: the REST client whose session (cookie, CSRF token, API key) is used.
            ssl_context: the REST client's TLS context (CA bundle, fingerprint pinning).
            heartbeat_s: seconds between pings; the socket counts as broken when a pong
                does not come back within the same time.
            open_timeout_s: bound on the TCP, TLS and upgrade handshakes.

        Returns:
            The open stream.

        Raises:
            AuthenticationError: the upgrade was refused with 401/403 (the session expired,
                or the account may not read events); the caller logs in again.
            ControllerResponseError: the upgrade was refused with another status.
            ControllerUnreachableError: the controller could not be reached, the TLS
                certificate is not trusted, or the handshake timed out.
            ControllerError: logging in failed (see :meth:`ControllerSession.login`).
        """
        url, headers = await session.websocket_handshake()
        endpoint = urlsplit(url).path
        secure = url.startswith("wss://")
        try:
            connection = await connect(
                url,
                additional_headers=headers,
                ssl=(ssl_context or True) if secure else None,
                proxy=None,
                open_timeout=open_timeout_s,
                ping_interval=heartbeat_s,
                ping_timeout=heartbeat_s,
                max_size=WEBSOCKET_MESSAGE_CEILING,
            )
        except InvalidStatus as err:
            raise _refused(err, endpoint) from err
        except (OSError, TimeoutError, InvalidHandshake) as err:
            raise _unreachable(err, endpoint) from err
        _log.debug("events websocket open", endpoint=endpoint)
        return cls(connection, endpoint=endpoint)

    def __aiter__(self) -> AsyncIterator[str]:
        """Iterate over the text frames (binary frames are decoded as UTF-8; pongs skipped)."""
        return self._frames()

    async def _frames(self) -> AsyncIterator[str]:
        try:
            async for message in self._connection:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                if text != _PONG:
                    yield text
        except ConnectionClosedError as err:
            code = err.rcvd.code if err.rcvd is not None else None
            message = f"{self._endpoint}: the events websocket broke ({err})"
            raise ControllerUnreachableError(message, endpoint=self._endpoint, status=code) from err

    async def close(self) -> None:
        """Close the websocket (a normal closure)."""
        await self._connection.close()


def _refused(err: InvalidStatus, endpoint: str) -> ControllerError:
    status = err.response.status_code
    if status in _REFUSED_AUTH:
        return AuthenticationError(
            f"{endpoint}: the controller refused the events websocket (HTTP {status}); "
            "the session has expired or the account may not read events",
            endpoint=endpoint,
            status=status,
        )
    return ControllerResponseError(
        f"{endpoint}: the controller refused the events websocket (HTTP {status})",
        endpoint=endpoint,
        status=status,
    )


def _unreachable(err: BaseException, endpoint: str) -> ControllerUnreachableError:
    if caused_by(err, FingerprintMismatchError):
        message = f"{endpoint}: UNIFI_TLS_FINGERPRINT does not match ({err})"
    elif caused_by(err, ssl.SSLCertVerificationError):
        message = (
            f"{endpoint}: the controller's TLS certificate is not trusted ({err}); set "
            "UNIFI_CA_BUNDLE to its CA, or pin it with UNIFI_TLS_FINGERPRINT"
        )
    else:
        message = f"{endpoint}: cannot open the events websocket ({type(err).__name__}: {err})"
    return ControllerUnreachableError(message, endpoint=endpoint)


class _End:
    """Marks the end of a :class:`MemoryEventStream`."""


class MemoryEventStream:
    """An in-memory :class:`EventStream` for tests: frames are pushed, the end is chosen.

    Args:
        frames: frames available from the start.
    """

    def __init__(self, frames: Iterable[str] = ()) -> None:
        self._queue: asyncio.Queue[str | _End | ControllerError] = asyncio.Queue()
        for frame in frames:
            self._queue.put_nowait(frame)
        self.closed = False

    def push(self, frame: str) -> None:
        """Deliver one text frame."""
        self._queue.put_nowait(frame)

    def end(self, error: ControllerError | None = None) -> None:
        """End the stream after the frames already pushed: cleanly, or by raising ``error``."""
        self._queue.put_nowait(_End() if error is None else error)

    def __aiter__(self) -> AsyncIterator[str]:
        """Iterate over the pushed frames until the stream ends or is closed."""
        return self._frames()

    async def _frames(self) -> AsyncIterator[str]:
        while not self.closed:
            item = await self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, ControllerError):
                raise item
            yield item

    async def close(self) -> None:
        """Close the stream; a waiting iteration ends."""
        self.closed = True
        self._queue.put_nowait(_End())
