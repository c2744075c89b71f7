"""Error classes: what a failure of an integration means, and whether to retry it.

======================  ===========================================  ==================
class                   raised as                                    breaker / retry
======================  ===========================================  ==================
``MISCONFIGURED``       IntegrationMisconfiguredError, HTTP 401/403/404  not counted, no retry
``TRANSIENT``           IntegrationTransientError, IntegrationError,     counted, retried
                        timeouts, network errors, HTTP 408/429/5xx
``BUG``                 anything else (a parse error, a bad result)  counted, no retry
======================  ===========================================  ==================

Not configured is no error at all: the registry skips the integration before it runs.
"""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING

import httpx

from unifi_scanner._retry_after import retry_after_seconds
from unifi_scanner.errors import (
    IntegrationError,
    IntegrationMisconfiguredError,
    IntegrationTransientError,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

__all__ = ["ErrorClass", "classify", "retry_after_s", "retry_hook"]

_MISCONFIGURED_STATUS = frozenset({401, 403, 404})
_TRANSIENT_STATUS = frozenset({408, 425, 429})
_SERVER_ERROR = 500


class ErrorClass(enum.StrEnum):
    """What a failure means for the run."""

    MISCONFIGURED = "misconfigured"
    TRANSIENT = "transient"
    BUG = "bug"


def classify(exc: BaseException) -> ErrorClass:
    """Return the class of ``exc``.

    Args:
        exc: what an integration raised.

    Returns:
        Its :class:`ErrorClass`.
    """
    match exc:
        case IntegrationMisconfiguredError():
            return ErrorClass.MISCONFIGURED
        case IntegrationError() | TimeoutError() | ConnectionError() | httpx.TransportError():
            return ErrorClass.TRANSIENT
        case httpx.HTTPStatusError(response=response):
            if response.status_code in _MISCONFIGURED_STATUS:
                return ErrorClass.MISCONFIGURED
            if response.status_code in _TRANSIENT_STATUS or response.status_code >= _SERVER_ERROR:
                return ErrorClass.TRANSIENT
            return ErrorClass.BUG
        case _:
            return ErrorClass.BUG


def retry_after_s(exc: BaseException, now: datetime | None = None) -> float | None:
    """Return the wait the service asked for (``Retry-After``), in seconds, when it said.

    Args:
        exc: what an integration raised.
        now: the current time, to turn an HTTP-date ``Retry-After`` into seconds.

    Returns:
        Seconds to wait, or None.
    """
    if isinstance(exc, IntegrationTransientError):
        return exc.retry_after
    if isinstance(exc, httpx.HTTPStatusError):
        return retry_after_seconds(exc.response.headers, now)
    return None


def retry_hook(
    remaining_s: Callable[[], float], now: Callable[[], datetime]
) -> Callable[[Exception], bool | float]:
    """Return a stamina backoff hook: retry transient errors, honouring ``Retry-After``.

    A ``Retry-After`` longer than the time left before the integration's timeout stops the
    retries: waiting would only turn a clear error into a timeout.

    Args:
        remaining_s: seconds left before the integration's timeout.
        now: the wall clock.

    Returns:
        The hook: False (do not retry), True (retry with backoff) or seconds to wait.
    """

    def _hook(exc: BaseException) -> bool | float:
        if isinstance(exc, asyncio.CancelledError) or classify(exc) is not ErrorClass.TRANSIENT:
            return False
        wait = retry_after_s(exc, now())
        if wait is None:
            return True
        return wait if wait < remaining_s() else False

    return _hook
