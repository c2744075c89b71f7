"""Small helpers of the controller session: retry classification, headers, bodies."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Final

import httpx

from unifi_scanner._json import CONTROLLER_ANSWER, check_size, decode_json
from unifi_scanner._retry_after import retry_after_seconds
from unifi_scanner.errors import ControllerResponseError, InputLimitError

if TYPE_CHECKING:
    from unifi_scanner.errors import ControllerError

__all__ = [
    "TransientError",
    "caused_by",
    "csrf_from_jwt",
    "decode",
    "format_host",
    "parse_retry_after",
    "retry_hook",
    "send_bounded",
]

# Headers that describe the body as it came over the wire, not the decoded bytes kept.
_WIRE_HEADERS: Final = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class TransientError(Exception):
    """Internal: a failure worth retrying; ``error`` is what to raise when retries run out."""

    def __init__(self, error: ControllerError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def retry_hook(exc: Exception) -> bool | float:
    if isinstance(exc, TransientError):
        return exc.retry_after if exc.retry_after is not None else True
    return False


def parse_retry_after(response: httpx.Response) -> float | None:
    return retry_after_seconds(response.headers)


def csrf_from_jwt(token: str | None) -> str | None:
    """Read ``csrfToken`` from the UniFi OS ``TOKEN`` JWT payload (not verified, only read)."""
    if not token or token.count(".") != 2:  # noqa: PLR2004 - header.payload.signature
        return None
    payload = token.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = decode_json(raw, CONTROLLER_ANSWER)
    except (binascii.Error, ValueError, InputLimitError):
        return None
    csrf = claims.get("csrfToken") if isinstance(claims, dict) else None
    return csrf if isinstance(csrf, str) else None


def decode(response: httpx.Response) -> object:
    """The JSON body of a controller answer, or ``None`` when it is empty or not JSON.

    Like a body that is not JSON, one over the limits has no ``status`` in its error (the HTTP
    status says nothing about what went wrong).

    Raises:
        ControllerResponseError: the body is over the input limits (:mod:`unifi_scanner._json`).
    """
    if not response.content:
        return None
    try:
        return decode_json(response.content, CONTROLLER_ANSWER)
    except ValueError:
        return None
    except InputLimitError as err:
        path = response.request.url.path
        raise ControllerResponseError(f"{path} answered a body {err}", endpoint=path) from err


async def send_bounded(
    http: httpx.AsyncClient, request: httpx.Request, *, path: str
) -> httpx.Response:
    """Send ``request`` and read its body, but never more of it than a controller answer may be.

    A body over :data:`~unifi_scanner._json.CONTROLLER_ANSWER`'s size is refused as soon as its
    ``Content-Length``, or the part read so far, says so; the rest is not read.

    Args:
        http: the shared client.
        request: the request, built by ``http``.
        path: the endpoint, for the error.

    Returns:
        The response, its body read (and decompressed).

    Raises:
        httpx.HTTPError: sending or reading failed.
        ControllerResponseError: the body is larger than the limit.
    """
    response = await http.send(request, follow_redirects=False, stream=True)
    try:
        declared = response.headers.get("Content-Length", "")
        check_size(int(declared) if declared.isdigit() else 0, CONTROLLER_ANSWER)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            check_size(size, CONTROLLER_ANSWER)
            chunks.append(chunk)
    except InputLimitError as err:
        raise ControllerResponseError(f"{path} answered a body {err}", endpoint=path) from err
    finally:
        await response.aclose()
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=b"".join(chunks),
        request=request,
        extensions=response.extensions,
    )


def caused_by(err: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def format_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
