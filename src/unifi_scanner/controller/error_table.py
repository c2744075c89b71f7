"""One table from controller replies to our exception classes.

A reply is looked up first by its error name (classic ``meta.msg``, UniFi OS ``code``, v2
``message``), then by its HTTP status. Anything else that is an error becomes
:class:`~unifi_scanner.errors.ControllerResponseError`.
"""

from __future__ import annotations

from typing import Final

from unifi_scanner.errors import (
    AuthenticationError,
    ControllerError,
    ControllerResponseError,
    EndpointNotFoundError,
    LoginRateLimitedError,
    MfaRequiredError,
)

__all__ = ["LOGIN_REQUIRED", "error_for", "error_name", "is_login_required"]

LOGIN_REQUIRED: Final = "api.err.LoginRequired"

_BY_NAME: Final[dict[str, tuple[type[ControllerError], str]]] = {
    LOGIN_REQUIRED: (AuthenticationError, "the controller refused our session"),
    "api.err.Invalid": (AuthenticationError, "invalid username or password"),
    "AUTHENTICATION_FAILED_INVALID_CREDENTIALS": (
        AuthenticationError,
        "invalid username or password",
    ),
    "AUTHENTICATION_FAILED_LIMIT_REACHED": (
        LoginRateLimitedError,
        "the controller rate-limited our logins",
    ),
    "api.err.Ubic2faTokenRequired": (
        MfaRequiredError,
        "the account needs two-factor authentication; use a local account or an API key",
    ),
    "api.err.NoPermission": (
        ControllerResponseError,
        "the account has no permission for this endpoint",
    ),
    "api.err.InvalidObject": (EndpointNotFoundError, "this controller does not have the endpoint"),
    "api.err.NotFound": (EndpointNotFoundError, "this controller does not have the endpoint"),
}

_BY_STATUS: Final[dict[int, tuple[type[ControllerError], str]]] = {
    401: (AuthenticationError, "the controller refused our credentials or session"),
    403: (AuthenticationError, "the controller refused our credentials"),
    404: (EndpointNotFoundError, "this controller does not have the endpoint"),
    429: (LoginRateLimitedError, "the controller rate-limited our logins"),
    499: (
        MfaRequiredError,
        "the account needs multi-factor authentication; use a local account or an API key",
    ),
}


def error_name(body: object) -> str | None:
    """Return the error name a reply body carries, or ``None`` when it carries none.

    Classic: ``meta.msg`` when ``meta.rc`` is ``error``. UniFi OS auth: ``code``. v2: ``message``
    when ``errorCode`` is present.
    """
    if not isinstance(body, dict):
        return None
    meta = body.get("meta")
    if isinstance(meta, dict) and meta.get("rc") == "error":
        return str(meta.get("msg") or "")
    if "errorCode" in body:
        return str(body.get("message") or "")
    code = body.get("code")
    if isinstance(code, str) and code.startswith("AUTHENTICATION_"):
        return code
    return None


def is_login_required(status: int, body: object) -> bool:
    """Whether the reply means "log in again": HTTP 401 or ``api.err.LoginRequired``."""
    return status == 401 or error_name(body) == LOGIN_REQUIRED  # noqa: PLR2004 - HTTP status


def _is_error_body(body: object) -> bool:
    if not isinstance(body, dict):
        return False
    meta = body.get("meta")
    return (isinstance(meta, dict) and meta.get("rc") == "error") or "errorCode" in body


def error_for(
    status: int, body: object, *, endpoint: str, retry_after: float | None = None
) -> ControllerError | None:
    """Return the exception a reply stands for, or ``None`` when it is a success.

    Args:
        status: the HTTP status code.
        body: the decoded JSON body, or ``None`` when it was not JSON.
        endpoint: the path requested; the error carries it.
        retry_after: seconds from a ``Retry-After`` header, for rate-limit errors.
    """
    name = error_name(body)
    if status < 400 and not _is_error_body(body):  # noqa: PLR2004 - HTTP status
        return None
    entry = _BY_NAME.get(name or "") or _BY_STATUS.get(status)
    if entry is None:
        detail = f": {name}" if name else ""
        return ControllerResponseError(
            f"{endpoint} answered HTTP {status}{detail}", endpoint=endpoint, status=status
        )
    cls, text = entry
    # The status is always in the message: `check` shows it ("stat/event … HTTP 404").
    message = f"{endpoint}: {text} (HTTP {status}" + (f", {name})" if name else ")")
    if cls is LoginRateLimitedError:
        return LoginRateLimitedError(
            message, endpoint=endpoint, status=status, retry_after=retry_after
        )
    return cls(message, endpoint=endpoint, status=status)
