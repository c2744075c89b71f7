"""The whole exception tree of UniFi Scanner.

Every error the package raises on purpose derives from :class:`ScannerError`.
Third-party exceptions (httpx, pydantic, jinja2, smtplib, pybreaker, sqlite3) are
translated at the stage boundary and chained with ``raise ... from err``::

    ScannerError
    ├─ ConfigError
    ├─ ControllerError
    │  ├─ ControllerUnreachableError
    │  ├─ AuthenticationError
    │  │  ├─ MfaRequiredError
    │  │  └─ LoginRateLimitedError
    │  └─ ControllerResponseError
    │     └─ EndpointNotFoundError
    ├─ InputLimitError                  (a JSON document over a size, depth or item limit)
    ├─ IntegrationError
    │  ├─ IntegrationTimeoutError
    │  ├─ IntegrationUnavailableError   (circuit open)
    │  ├─ IntegrationTransientError     (5xx, 429, network: retried, counted by the breaker)
    │  └─ IntegrationMisconfiguredError (401/403, unknown account)
    ├─ RenderError
    ├─ DeliveryError
    └─ StateError
       └─ ScanBusyError                 (another scan holds the state file)
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConfigError",
    "ControllerError",
    "ControllerResponseError",
    "ControllerUnreachableError",
    "DeliveryError",
    "EndpointNotFoundError",
    "InputLimitError",
    "IntegrationError",
    "IntegrationMisconfiguredError",
    "IntegrationTimeoutError",
    "IntegrationTransientError",
    "IntegrationUnavailableError",
    "LoginRateLimitedError",
    "MfaRequiredError",
    "RenderError",
    "ScanBusyError",
    "ScannerError",
    "StateError",
]


class ScannerError(Exception):
    """Base class of every error UniFi Scanner raises on purpose."""


class ConfigError(ScannerError):
    """The configuration is invalid.

    Args:
        message: what is wrong, one line per problem, each naming the field and its source.
        problems: the individual problems, as ``(field, source, message)`` triples.
    """

    def __init__(self, message: str, problems: tuple[tuple[str, str, str], ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class ControllerError(ScannerError):
    """Talking to the UniFi controller failed.

    Args:
        message: what went wrong.
        endpoint: the path that was being requested, when there was one.
        status: the HTTP status code, when there was a response.
    """

    def __init__(
        self, message: str, *, endpoint: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status = status


class ControllerUnreachableError(ControllerError):
    """The controller could not be reached (DNS, TCP, TLS, timeout, starting up)."""


class AuthenticationError(ControllerError):
    """The controller refused our credentials or our session."""


class MfaRequiredError(AuthenticationError):
    """The account needs multi-factor authentication; use a local account or an API key."""


class LoginRateLimitedError(AuthenticationError):
    """The controller rate-limited logins (HTTP 429).

    Args:
        retry_after: seconds the controller asked us to wait, when it said.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.retry_after = retry_after


class ControllerResponseError(ControllerError):
    """The controller answered, but with an error or a body we cannot understand."""


class EndpointNotFoundError(ControllerResponseError):
    """This controller does not have the endpoint (404, or 400 ``api.err.InvalidObject``)."""


class InputLimitError(ScannerError):
    """A JSON document from outside is over one of its input limits; it was not decoded.

    Controller answers over a limit become a :class:`ControllerResponseError` caused by this
    one; an exported file over a limit fails ``analyze`` with it (docs/exceptions.md).

    Args:
        message: what is over which limit (``nested deeper than the limit of 64 levels``).
        limit: which limit: ``bytes``, ``depth`` or ``items``.
        maximum: the limit's value.
    """

    def __init__(self, message: str, *, limit: str, maximum: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.maximum = maximum


class IntegrationError(ScannerError):
    """An integration failed.

    Args:
        message: what went wrong.
        integration: the integration's ``name``.
    """

    def __init__(self, message: str, *, integration: str) -> None:
        super().__init__(message)
        self.integration = integration


class IntegrationTimeoutError(IntegrationError):
    """An integration did not finish within its timeout or the run's deadline."""


class IntegrationUnavailableError(IntegrationError):
    """An integration's circuit breaker is open; the call was not made."""


class IntegrationTransientError(IntegrationError):
    """An integration failed in a way that may pass (5xx, 429, a dropped connection).

    Retried with backoff inside the integration's timeout, and counted by its circuit breaker.

    Args:
        message: what went wrong.
        integration: the integration's ``name``.
        retry_after: seconds the service asked us to wait (``Retry-After``), when it said.
    """

    def __init__(self, message: str, *, integration: str, retry_after: float | None = None) -> None:
        super().__init__(message, integration=integration)
        self.retry_after = retry_after


class IntegrationMisconfiguredError(IntegrationError):
    """An integration's credentials or ids were refused (401/403, unknown account).

    Not counted by the circuit breaker: retrying will not help until the user fixes it.
    """


class RenderError(ScannerError):
    """A report could not be rendered."""


class DeliveryError(ScannerError):
    """A report could not be delivered.

    Args:
        message: what went wrong.
        channel: the deliverer's ``name`` (``file``, ``smtp``, ``webhook``).
    """

    def __init__(self, message: str, *, channel: str) -> None:
        super().__init__(message)
        self.channel = channel


class StateError(ScannerError):
    """The state store could not be read or written."""


class ScanBusyError(StateError):
    """Another scan kept the state file locked for longer than this one would wait.

    Args:
        message: which state file, and how long this scan waited.
    """
