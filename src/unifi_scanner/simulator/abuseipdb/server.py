"""A local AbuseIPDB API: ``GET /api/v2/check`` with its key, answers, daily limit and faults.

Built from AbuseIPDB's public API v2 documentation: the ``Key`` header, ``ipAddress`` and
``maxAgeInDays`` parameters, the ``{"data": {…}}`` answer, ``{"errors": [{detail, status}]}``
errors (401 for a wrong key, 422 for a bad address, 429 past the daily limit with
``Retry-After``), and the ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` headers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from unifi_scanner.simulator.server import HeldRequests, LoopbackServer
from unifi_scanner.simulator.templates import load_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.requests import Request

__all__ = [
    "ABUSEIPDB_CONTROL_PREFIX",
    "DEFAULT_ABUSEIPDB_KEY",
    "AbuseIpdbConfig",
    "AbuseIpdbFaults",
    "AbuseIpdbServer",
    "AbuseIpdbState",
    "create_abuseipdb_app",
]

DEFAULT_ABUSEIPDB_KEY: Final = "sim-abuseipdb-key"
"""The key the local API accepts by default (a documented, public test credential)."""
ABUSEIPDB_CONTROL_PREFIX: Final = "/__abuseipdb__"
_API: Final = "/api/v2"
_USAGE: Final = (
    "Fixed Line ISP",
    "Data Center/Web Hosting/Transit",
    "Mobile ISP",
    "Commercial",
    "University/College/School",
)
_NOT_PUBLIC: Final = tuple(
    ipaddress.ip_network(net)
    for net in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)
"""Private, shared, loopback, link-local: not public (documentation ranges stand in for public)."""
_REPORTED_IN_TEN: Final = 3
"""Of ten addresses nobody named, this many were ever reported."""
_COUNTRIES: Final = ("US", "DE", "FR", "NL", "GB", "BR", "IN", "JP", "CN", "RU")

logger = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class AbuseIpdbFaults:
    """Faults, at start-up or at run time (``PUT /__abuseipdb__/faults``).

    Args:
        down: every check answers 503.
        status: every check answers this HTTP status with an ``errors`` body (``None``: off).
        hang: every check is held this many seconds (0: off), or until released.
    """

    down: bool = False
    status: int | None = None
    hang: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class AbuseIpdbConfig:
    """How the local AbuseIPDB API behaves.

    Args:
        seed: seed of the answers for addresses not in ``data/abuseipdb/known.json``.
        now: the clock; the daily limit resets at midnight UTC of it.
        keys: the API keys it accepts.
        daily_limit: checks allowed per UTC day (the free plan: 1,000).
        faults: the faults at start-up.
    """

    seed: int = 1
    now: Callable[[], datetime] = _utcnow
    keys: frozenset[str] = frozenset({DEFAULT_ABUSEIPDB_KEY})
    daily_limit: int = 1000
    faults: AbuseIpdbFaults = field(default_factory=AbuseIpdbFaults)


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"errors": [{"detail": detail, "status": status}]}, status, headers)


class AbuseIpdbState(HeldRequests):
    """The running API's state: the day's count, faults, and every check asked (``checks``)."""

    def __init__(self, config: AbuseIpdbConfig) -> None:
        self.config = config
        self.faults = config.faults
        self.known: dict[str, Any] = load_json("abuseipdb/known.json")["addresses"]
        self.checks: Counter[str] = Counter()
        self._day: str | None = None
        self._used = 0
        super().__init__()

    def spend(self) -> tuple[bool, int, int]:
        """Count one check: (allowed, remaining, seconds until midnight UTC)."""
        now = self.config.now().astimezone(UTC)
        day = now.date().isoformat()
        if day != self._day:
            self._day, self._used = day, 0
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        reset = max(1, int((midnight - now).total_seconds()))
        if self._used >= self.config.daily_limit:
            return False, 0, reset
        self._used += 1
        return True, self.config.daily_limit - self._used, reset

    def answer(self, ip: str, max_age_days: int) -> dict[str, Any]:
        """The ``data`` object for one address."""
        address = ipaddress.ip_address(ip)
        now = self.config.now().astimezone(UTC)
        known = self.known.get(str(address))
        if known is None:
            known = self._seeded(str(address))
        public = not any(address in net for net in _NOT_PUBLIC if net.version == address.version)
        if not public:
            known = {"score": 0, "reports": 0, "users": 0, "country": None, "usage": "Reserved"}
        ago = known.get("last_ago_h")
        last = None
        if ago is not None and float(ago) <= max_age_days * 24:
            last = (now - timedelta(hours=float(ago))).replace(microsecond=0).isoformat()
        reports = int(known.get("reports", 0)) if last or not ago else 0
        return {
            "ipAddress": str(address),
            "isPublic": public,
            "ipVersion": address.version,
            "isWhitelisted": False,
            "abuseConfidenceScore": int(known.get("score", 0)) if reports else 0,
            "countryCode": known.get("country"),
            "usageType": known.get("usage"),
            "isp": known.get("isp", "Example Network"),
            "domain": known.get("domain", "network.example"),
            "hostnames": [],
            "isTor": bool(known.get("tor", False)),
            "totalReports": reports,
            "numDistinctUsers": int(known.get("users", 0)) if reports else 0,
            "lastReportedAt": last,
        }

    def _seeded(self, ip: str) -> dict[str, Any]:
        roll = int.from_bytes(hashlib.blake2b(f"{self.config.seed}:{ip}".encode()).digest()[:8])
        reported = roll % 10 < _REPORTED_IN_TEN
        return {
            "score": (roll // 10) % 101 if reported else 0,
            "reports": (roll // 1000) % 300 + 1 if reported else 0,
            "users": (roll // 7) % 50 + 1 if reported else 0,
            "country": _COUNTRIES[(roll // 13) % len(_COUNTRIES)],
            "usage": _USAGE[(roll // 17) % len(_USAGE)],
            "tor": roll % 97 == 0,
            "last_ago_h": (roll // 19) % 2000 if reported else None,
        }


async def _check(request: Request) -> Response:  # noqa: PLR0911 - one answer per error
    state: AbuseIpdbState = request.app.state.abuseipdb
    faults = state.faults
    if faults.hang:
        await state.hold(faults.hang)
    if faults.down:
        return _error(503, "Service Unavailable")
    if faults.status is not None:
        return _error(faults.status, "The fault you asked for")
    if request.headers.get("key") not in state.config.keys:
        return _error(
            401,
            "Authentication failed. Your API key is either missing, incorrect, or revoked.",
        )
    ip = request.query_params.get("ipAddress", "")
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return _error(422, "The ip address must be a valid IPv4 or IPv6 address.")
    try:
        max_age = int(request.query_params.get("maxAgeInDays", "30"))
    except ValueError:
        return _error(422, "The max age in days must be an integer.")
    if not 1 <= max_age <= 365:  # noqa: PLR2004 (the API's own bounds)
        return _error(422, "The max age in days must be between 1 and 365.")
    allowed, remaining, reset = state.spend()
    limit = state.config.daily_limit
    now = int(state.config.now().timestamp())
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(now + reset),
    }
    if not allowed:
        headers["Retry-After"] = str(reset)
        detail = f"Daily rate limit of {limit} requests exceeded for this endpoint."
        return _error(429, detail, headers)
    state.checks[ip] += 1
    return JSONResponse({"data": state.answer(ip, max_age)}, headers=headers)


async def _faults(request: Request) -> Response:
    state: AbuseIpdbState = request.app.state.abuseipdb
    if request.method == "DELETE":
        state.faults = AbuseIpdbFaults()
        state.release()
    elif request.method in {"PUT", "POST"}:
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise TypeError("the body must be a JSON object")  # noqa: TRY301
            state.faults = dataclasses.replace(state.faults, **body)
        except (ValueError, TypeError) as err:
            return JSONResponse({"error": str(err)}, 400)
    return JSONResponse(dataclasses.asdict(state.faults))


async def _stats(request: Request) -> Response:
    state: AbuseIpdbState = request.app.state.abuseipdb
    return JSONResponse({"checks": dict(state.checks), "total": sum(state.checks.values())})


def create_abuseipdb_app(config: AbuseIpdbConfig | None = None) -> Starlette:
    """Build the local AbuseIPDB API (its state is ``app.state.abuseipdb``)."""
    state = AbuseIpdbState(config or AbuseIpdbConfig())
    app = Starlette(
        routes=[
            Route(f"{_API}/check", _check, methods=["GET"]),
            Route(f"{ABUSEIPDB_CONTROL_PREFIX}/faults", _faults, methods=["GET", "PUT", "DELETE"]),
            Route(f"{ABUSEIPDB_CONTROL_PREFIX}/stats", _stats, methods=["GET"]),
        ]
    )
    app.state.abuseipdb = state
    return app


class AbuseIpdbServer(LoopbackServer):
    """The local AbuseIPDB API on loopback; ``base_url`` is what ``UNIFI_ABUSEIPDB_BASE_URL`` takes.

    Args:
        config: how it behaves.
        host: the address to bind.
        port: the port; ``0`` picks a free one.
    """

    what = "the local AbuseIPDB API"

    def __init__(
        self, config: AbuseIpdbConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or AbuseIpdbConfig()
        super().__init__(create_abuseipdb_app(self.config), host=host, port=port)

    @property
    def state(self) -> AbuseIpdbState:
        """The running API's state."""
        state: AbuseIpdbState = self.app.state.abuseipdb
        return state

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/api/v2``."""
        return f"http://{self.host}:{self.port}{_API}"

    @property
    def control_url(self) -> str:
        """``http://127.0.0.1:<port>/__abuseipdb__``."""
        return f"http://{self.host}:{self.port}{ABUSEIPDB_CONTROL_PREFIX}"

    @property
    def key(self) -> str:
        """A key it accepts."""
        return (
            DEFAULT_ABUSEIPDB_KEY
            if DEFAULT_ABUSEIPDB_KEY in self.config.keys
            else next(iter(self.config.keys), "")
        )

    async def start(self) -> None:
        """Start serving."""
        await self._serve()
        logger.info("local AbuseIPDB API at %s; key %r", self.base_url, self.key)

    async def stop(self) -> None:
        """Release held requests and stop."""
        if self.running:
            self.state.release()
        await self._shutdown()
