"""Small helpers of the controller session: retry classification, headers, bodies."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING

from unifi_scanner._retry_after import retry_after_seconds

if TYPE_CHECKING:
    import httpx

    from unifi_scanner.errors import ControllerError

__all__ = [
    "TransientError",
    "caused_by",
    "csrf_from_jwt",
    "decode",
    "format_host",
    "parse_retry_after",
    "retry_hook",
]


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
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    csrf = claims.get("csrfToken") if isinstance(claims, dict) else None
    return csrf if isinstance(csrf, str) else None


def decode(response: httpx.Response) -> object:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def caused_by(err: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def format_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
