"""The Cloudflare API through the official SDK: REST calls, GraphQL, and what their errors mean.

The SDK's own retries are off (``max_retries=0``): the runner retries inside the breaker.
GraphQL is posted to ``/graphql`` through the SDK's client; its errors arrive inside HTTP 200
answers (``errors[]``), so every answer is checked here and each error is classified:

==========================================  ==========================================
what Cloudflare said                        raised as
==========================================  ==========================================
401, "request must be authenticated"        IntegrationMisconfiguredError (bad token)
403, GraphQL "not authorized"               MissingPermissionError (names the permission)
GraphQL "does not have access to the path"  NotAvailableError (plan or product)
GraphQL ``quota``                           QuotaError (the caller narrows the range)
429, 5xx, timeouts, GraphQL ``budget``      IntegrationTransientError (retried, counted)
400, 404 (wrong base URL or account id)     IntegrationMisconfiguredError
anything else                               CloudflareAnswerError (a bug: loud)
==========================================  ==========================================
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import httpx

from unifi_scanner._retry_after import retry_after_seconds
from unifi_scanner.errors import (
    IntegrationMisconfiguredError,
    IntegrationTransientError,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Mapping

    from cloudflare import AsyncCloudflare

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_QUERIES",
    "NAME",
    "BudgetError",
    "CloudflareAnswerError",
    "CloudflareApi",
    "MissingPermissionError",
    "NotAvailableError",
    "QuotaError",
    "open_api",
]

NAME: Final = "cloudflare"
DEFAULT_BASE_URL: Final = "https://api.cloudflare.com/client/v4"

ZONE_ANALYTICS: Final = "Zone Analytics Read"
ACCOUNT_ANALYTICS: Final = "Account Analytics Read"
TUNNEL_READ: Final = "Cloudflare Tunnel Read"


MAX_QUERIES: Final = 240
"""GraphQL queries one run may send: Cloudflare allows 300 per 5 minutes to a user."""


class BudgetError(IntegrationTransientError):
    """Cloudflare's GraphQL rate limit (``budget``), or this run's :data:`MAX_QUERIES`, is spent.

    Raised on a run's first query, the runner retries; after data came in, the parts keep
    what they read and say what is missing.
    """


class MissingPermissionError(IntegrationMisconfiguredError):
    """The token lacks a permission one part needs; the other parts still run.

    Args:
        permission: the permission's name in the Cloudflare dashboard.
        part: what it is needed for (``WAF events``).
    """

    def __init__(self, permission: str, part: str) -> None:
        super().__init__(f"the API token lacks {permission} (needed for {part})", integration=NAME)
        self.permission = permission
        self.part = part


class NotAvailableError(Exception):
    """The account or zone does not have the product or plan a query needs (said, not raised)."""


class QuotaError(Exception):
    """A GraphQL query asked for too much (range too long or too old, limit too high)."""


class CloudflareAnswerError(Exception):
    """An answer nothing here expects: a bug to look at (logged loudly), not a passing fault."""


def _token_refused(detail: str) -> IntegrationMisconfiguredError:
    return IntegrationMisconfiguredError(
        f"Cloudflare refused the API token ({detail}); check UNIFI_CLOUDFLARE_API_TOKEN",
        integration=NAME,
    )


def _first_message(body: object) -> str:
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", "")).strip()
    return ""


@contextlib.contextmanager
def sdk_errors(permission: str, part: str, now: Callable[[], datetime]) -> Iterator[None]:
    """Turn the SDK's exceptions raised inside the block into the integration's own.

    Args:
        permission: the permission the call needs (named when Cloudflare answers 403).
        part: what the call is for.
        now: the clock, to read an HTTP-date ``Retry-After``.

    Yields:
        Nothing.
    """
    import cloudflare  # noqa: PLC0415 (imported by the integration before the runner starts)

    try:
        yield
    except cloudflare.AuthenticationError as err:
        raise _token_refused(_first_message(err.body) or "401") from err
    except cloudflare.PermissionDeniedError as err:
        raise MissingPermissionError(permission, part) from err
    except cloudflare.RateLimitError as err:
        wait = retry_after_seconds(err.response.headers, now())
        raise IntegrationTransientError(
            f"Cloudflare rate limit (429) on {part}", integration=NAME, retry_after=wait
        ) from err
    except cloudflare.APIStatusError as err:
        status = err.status_code
        if status >= 500 or status in {408, 409}:  # noqa: PLR2004
            raise IntegrationTransientError(
                f"Cloudflare answered {status} on {part}", integration=NAME
            ) from err
        detail = _first_message(err.body) or str(status)
        if status in {400, 404}:
            raise IntegrationMisconfiguredError(
                f"Cloudflare answered {status} on {part} ({detail}); check "
                "UNIFI_CLOUDFLARE_BASE_URL (it ends in /client/v4) and "
                "UNIFI_CLOUDFLARE_ACCOUNT_ID",
                integration=NAME,
            ) from err
        raise CloudflareAnswerError(f"Cloudflare answered {status} on {part}: {detail}") from err
    except cloudflare.APIConnectionError as err:
        kind = "timed out" if isinstance(err, cloudflare.APITimeoutError) else "unreachable"
        raise IntegrationTransientError(
            f"Cloudflare API {kind} on {part}", integration=NAME
        ) from err


def _codes(error: Mapping[str, Any]) -> str:
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return str(code or "").lower()


class CloudflareApi:
    """One run's view of the Cloudflare API.

    Args:
        sdk: an open ``AsyncCloudflare`` client.
        now: the wall clock.
    """

    def __init__(self, sdk: AsyncCloudflare, now: Callable[[], datetime]) -> None:
        self.sdk = sdk
        self.now = now
        self.queries = 0
        self.answered = 0

    def errors(self, permission: str, part: str) -> contextlib.AbstractContextManager[None]:
        """Return the context manager that translates SDK errors for one call."""
        return sdk_errors(permission, part, self.now)

    async def graphql(
        self, query: str, variables: Mapping[str, Any], *, permission: str, part: str
    ) -> Mapping[str, Any]:
        """Post one GraphQL query and return its ``data``, or raise what its errors mean.

        Args:
            query: the query text.
            variables: its variables.
            permission: the permission it needs (named in the error when it is missing).
            part: what it is for.

        Returns:
            The answer's ``data`` object.

        Raises:
            IntegrationMisconfiguredError: the token was refused (or lacks ``permission``).
            NotAvailableError: the plan or product does not include the dataset.
            QuotaError: the query asked for too much.
            IntegrationTransientError: rate limited (``budget``), or the API failed.
            CloudflareAnswerError: any other GraphQL error (a bug: logged loudly).
        """
        if self.queries >= MAX_QUERIES:
            raise BudgetError(
                f"this run's allowance of {MAX_QUERIES} Cloudflare GraphQL queries is used up",
                integration=NAME,
            )
        self.queries += 1
        with self.errors(permission, part):
            answer = await self.sdk.post(
                "/graphql", body={"query": query, "variables": dict(variables)}, cast_to=object
            )
        if not isinstance(answer, dict):
            raise CloudflareAnswerError(
                f"Cloudflare GraphQL answered {type(answer).__name__}, not an object"
            )
        errors = answer.get("errors") or []
        if isinstance(errors, list) and errors:
            raise _graphql_error(errors, permission, part)
        data = answer.get("data")
        if not isinstance(data, dict):
            raise CloudflareAnswerError("Cloudflare GraphQL answered without data")
        self.answered += 1
        return data


def _graphql_error(errors: list[Any], permission: str, part: str) -> Exception:
    first = next((e for e in errors if isinstance(e, dict)), {})
    message = str(first.get("message", "")).strip() or "unknown error"
    code = _codes(first)
    lowered = message.lower()
    if code == "budget" or "budget" in lowered:
        return BudgetError(f"Cloudflare GraphQL rate limit on {part} ({message})", integration=NAME)
    if code == "quota":
        return QuotaError(message)
    if "authenticated" in lowered or "authentication" in lowered:
        return _token_refused(message)
    if "does not have access" in lowered or "not available" in lowered:
        return NotAvailableError(message)
    if "not authorized" in lowered or code in {"authz", "unauthorized", "forbidden"}:
        return MissingPermissionError(permission, part)
    return CloudflareAnswerError(f"Cloudflare GraphQL error on {part}: {message}")


@contextlib.asynccontextmanager
async def open_api(
    token: str,
    *,
    base_url: str | None,
    timeout_s: float,
    now: Callable[[], datetime],
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[CloudflareApi]:
    """Open the SDK's async client for one run, retries off, and close it afterwards.

    Args:
        token: the API token.
        base_url: the API's address, or None for Cloudflare's.
        timeout_s: the per-request timeout.
        now: the wall clock.
        transport: an httpx transport to use instead of the network (unit tests).

    Yields:
        The run's API.
    """
    from cloudflare import AsyncCloudflare  # noqa: PLC0415 (loaded only when configured)

    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
    http = httpx.AsyncClient(transport=transport, timeout=timeout) if transport else None
    sdk = AsyncCloudflare(
        api_token=token,
        base_url=base_url or DEFAULT_BASE_URL,
        max_retries=0,
        timeout=timeout,
        http_client=http,
    )
    # The SDK also reads CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY and a user service key from the
    # environment and prefers them to the token (Terraform users have them): only our token.
    sdk.api_email = sdk.api_key = sdk.user_service_key = None
    async with sdk:
        yield CloudflareApi(sdk, now)


def utc(text: object) -> datetime | None:
    """Read an RFC 3339 time (``2026-12-05T01:02:03Z``) as aware UTC, else None."""
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def rfc3339(value: datetime) -> str:
    """Write ``value`` as Cloudflare's filters expect: ``2026-12-05T01:02:03Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
