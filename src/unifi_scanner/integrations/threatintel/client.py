"""AbuseIPDB's ``check`` endpoint over httpx, its answers and errors classified.

``GET {base}/check?ipAddress=…&maxAgeInDays=…`` with the ``Key`` header answers
``{"data": {abuseConfidenceScore, totalReports, numDistinctUsers, countryCode, usageType, isp,
domain, isTor, lastReportedAt, isPublic, isWhitelisted}}``. Errors are
``{"errors": [{"detail", "status"}]}``: 401 a refused key, 422 a bad address, 429 the daily
limit (``Retry-After``, ``X-RateLimit-Reset``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import httpx

from unifi_scanner.errors import IntegrationMisconfiguredError, IntegrationTransientError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping

__all__ = ["NAME", "AbuseIpdb", "QuotaReachedError", "Reputation", "checked_key", "open_client"]

NAME: Final = "abuseipdb"
_UNAUTHORIZED: Final = 401
_FORBIDDEN: Final = 403
_UNPROCESSABLE: Final = 422
_TOO_MANY: Final = 429
_SERVER: Final = 500


class QuotaReachedError(Exception):
    """The daily limit of the plan is spent; ``reset_at`` is when it starts again."""

    def __init__(self, message: str, reset_at: datetime | None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


@dataclass(frozen=True, slots=True)
class Reputation:
    """What AbuseIPDB knows of one address.

    Attributes:
        ip: the address.
        score: the abuse confidence, 0-100.
        reports: reports within ``maxAgeInDays``.
        users: distinct users who reported it.
        country: ISO country code.
        usage: the usage type (``Data Center/Web Hosting/Transit``…).
        isp: the network's owner.
        domain: the owner's domain.
        tor: a Tor exit node.
        last_reported: the latest report (ISO 8601) or ``None``.
        public: a public address (AbuseIPDB knows nothing of private ones).
    """

    ip: str
    score: int
    reports: int
    users: int
    country: str | None
    usage: str | None
    isp: str | None
    domain: str | None
    tor: bool
    last_reported: str | None
    public: bool

    @classmethod
    def from_data(cls, ip: str, data: Mapping[str, Any]) -> Reputation:
        """Read a ``data`` object (or a cached copy); wrong types read as unknown."""

        def text(key: str) -> str | None:
            value = data.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        def number(key: str) -> int:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        return cls(
            ip=ip,
            score=max(0, min(100, number("abuseConfidenceScore"))),
            reports=number("totalReports"),
            users=number("numDistinctUsers"),
            country=text("countryCode"),
            usage=text("usageType"),
            isp=text("isp"),
            domain=text("domain"),
            tor=data.get("isTor") is True,
            last_reported=text("lastReportedAt"),
            public=data.get("isPublic") is not False,
        )

    def as_data(self) -> dict[str, Any]:
        """The fields under AbuseIPDB's names (what the cache keeps)."""
        return {
            "abuseConfidenceScore": self.score,
            "totalReports": self.reports,
            "numDistinctUsers": self.users,
            "countryCode": self.country,
            "usageType": self.usage,
            "isp": self.isp,
            "domain": self.domain,
            "isTor": self.tor,
            "lastReportedAt": self.last_reported,
            "isPublic": self.public,
        }

    def describe(self) -> str:
        """``abuse confidence 100 % (1,843 reports by 412 users; Example Cloud, CN, Tor exit)``."""
        if not self.reports:
            who = ", ".join(x for x in (self.isp, self.usage, self.country) if x)
            return f"never reported to AbuseIPDB ({who})" if who else "never reported to AbuseIPDB"
        parts = [f"{self.reports:,} reports by {self.users:,} users"]
        who = ", ".join(x for x in (self.isp, self.usage, self.country) if x)
        if who:
            parts.append(who)
        if self.tor:
            parts.append("a Tor exit node")
        return f"abuse confidence {self.score} % ({'; '.join(parts)})"


def _detail(response: httpx.Response) -> str:
    with contextlib.suppress(ValueError):
        body = response.json()
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("detail") or "").strip()
    return response.reason_phrase


_MAX_WAIT: Final = timedelta(days=2)
"""A reset further away than this is not believed (the limit is daily)."""


def _reset_at(response: httpx.Response, now: datetime) -> datetime | None:
    """When the daily limit starts again, from the headers; ``None`` when they make no sense."""
    reset = response.headers.get("x-ratelimit-reset", "")
    after = response.headers.get("retry-after", "")
    at: datetime | None = None
    with contextlib.suppress(OverflowError, OSError, ValueError):
        if reset.isdigit() and len(reset) <= _MAX_DIGITS:
            at = datetime.fromtimestamp(int(reset), UTC)
        elif after.isdigit() and len(after) <= _MAX_DIGITS:
            at = now + timedelta(seconds=int(after))
    if at is None or not now - _MAX_WAIT <= at <= now + _MAX_WAIT:
        return None
    return at


_MAX_DIGITS: Final = 12


def checked_key(key: str) -> str:
    """The API key without the spaces or line break pasted around it.

    Raises:
        IntegrationMisconfiguredError: it is empty, or has a character an HTTP header cannot
            carry (the message never repeats the key).
    """
    key = key.strip()
    if not key or not all("!" <= char <= "~" for char in key):
        message = (
            "UNIFI_ABUSEIPDB_API_KEY is empty or has a character an API key cannot have (a "
            "space, line break or non-ASCII letter inside it); paste the key again"
        )
        raise IntegrationMisconfiguredError(message, integration=NAME)
    return key


class AbuseIpdb:
    """One run's AbuseIPDB client.

    Args:
        http: an httpx client whose base URL is the API's.
        key: the API key.
        max_age_days: how far back reports count.
        now: the wall clock.
    """

    def __init__(
        self, http: httpx.AsyncClient, key: str, max_age_days: int, now: Callable[[], datetime]
    ) -> None:
        self._http = http
        self._key = checked_key(key)
        self._max_age = max_age_days
        self._now = now
        self.lookups = 0

    async def check(self, ip: str) -> Reputation | None:
        """Look ``ip`` up; ``None`` when AbuseIPDB refuses the address (422).

        Raises:
            IntegrationMisconfiguredError: the key was refused (401/403).
            QuotaReachedError: the plan's daily limit is spent (429).
            IntegrationTransientError: AbuseIPDB failed or did not answer.
        """
        self.lookups += 1
        try:
            response = await self._http.get(
                "check",
                params={"ipAddress": ip, "maxAgeInDays": str(self._max_age)},
                headers={"Key": self._key, "Accept": "application/json"},
            )
        except httpx.HTTPError as err:
            # the text of a protocol error can quote the request's headers, and so the key
            text = str(err).replace(self._key, "[key]") if self._key else str(err)
            message = f"AbuseIPDB did not answer ({type(err).__name__}: {text})"
            raise IntegrationTransientError(message, integration=NAME) from err
        status = response.status_code
        if status in {_UNAUTHORIZED, _FORBIDDEN}:
            message = (
                f"AbuseIPDB refused the API key ({_detail(response)}); check "
                "UNIFI_ABUSEIPDB_API_KEY"
            )
            raise IntegrationMisconfiguredError(message, integration=NAME)
        if status == _UNPROCESSABLE:
            return None
        if status == _TOO_MANY:
            raise QuotaReachedError(_detail(response), _reset_at(response, self._now()))
        if status >= _SERVER or status != httpx.codes.OK:
            message = f"AbuseIPDB answered {status} ({_detail(response)})"
            raise IntegrationTransientError(message, integration=NAME)
        try:
            body = response.json()
        except ValueError as err:
            message = "AbuseIPDB answered with something that is not JSON"
            raise IntegrationTransientError(message, integration=NAME) from err
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            message = "AbuseIPDB answered without data"
            raise IntegrationTransientError(message, integration=NAME)
        return Reputation.from_data(ip, data)


@contextlib.asynccontextmanager
async def open_client(
    key: str,
    *,
    base_url: str,
    timeout_s: float,
    max_age_days: int,
    now: Callable[[], datetime],
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[AbuseIpdb]:
    """Open an httpx client for one run (TLS verified by default) and close it afterwards."""
    async with httpx.AsyncClient(
        base_url=f"{base_url}/", timeout=timeout_s, transport=transport
    ) as http:
        yield AbuseIpdb(http, key, max_age_days, now)
